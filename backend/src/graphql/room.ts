import type { RoomDirectoryPage, RoomView } from '../chat/queries.js';
import { PageInfoRef, toPageInfo } from './pageInfo.js';
import { builder } from './builder.js';
import { givesArgument, operationSelects, selects } from './selects.js';
import { requireViewer } from './context.js';
import { MessageConnectionRef } from './message.js';
import { UserRef, resolveUser } from './user.js';
import { assertMayReadRoom, maySeeRoom } from '../chat/policy.js';
import { ROOM_KINDS } from '../domain/room/room.js';
import type { GraphQLContext } from './context.js';

export const RoomKindEnum = builder.enumType('RoomKind', { values: ROOM_KINDS });

/** What a DIRECT room is called for the viewer: the other people's display names. */
const directRoomName = async (room: RoomView, context: GraphQLContext) => {
  const others = (room.directMembers ?? []).filter((id) => id !== context.viewer?.userId);
  const users = await Promise.all(others.map((id) => resolveUser(id, context)));
  return users.map((user) => user.displayName).join(', ') || room.name;
};

/**
 * What is said in a room (history, who is online, its position): anyone may read a public room's
 * but someone banned from it; a private or direct room's only its members (see chat/policy.ts).
 */
export const requireReadable = async (room: RoomView, context: GraphQLContext) => {
  if (room.kind === 'PUBLIC' && !context.viewer) return;
  assertMayReadRoom(await context.loadAccess(room));
};

export const RoomRef = builder.objectRef<RoomView>('Room');

RoomRef.implement({
  description: 'A chat room.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.string({
      description: "The room's name; a DIRECT room's is the other members' display names, for the viewer.",
      // A direct room's name depends on who asks: its roomEvents render per viewer (see roomEvents.ts).
      resolve: (room, _, context) => (room.kind === 'DIRECT' ? directRoomName(room, context) : room.name),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (room) => room.createdAt }),
    createdBy: t.field({ type: UserRef, resolve: (room, _, context) => resolveUser(room.createdBy, context) }),
    cursor: t.string({
      nullable: true,
      description:
        'The room log\'s position when this room was read: from `room` and `rooms`, read before the room\'s other fields, so everything else in the response is at least this new. Load history and this cursor in one query, then subscribe to roomEvents with `after: cursor` to miss nothing (events already in the history may come again: dedupe by cursor). Null when nothing was logged yet: subscribe with `after: "0-0"`.',
      resolve: async (room, _, context) => {
        await requireReadable(room, context);
        return room.cursor !== undefined ? room.cursor : context.queries.readRoomCursor(room.id);
      },
    }),
    onlineCount: t.int({
      description: 'How many distinct users are in the room now.',
      resolve: async (room, _, context) => {
        await requireReadable(room, context);
        return context.loadOnlineCount(room.id);
      },
    }),
    online: t.field({
      type: [UserRef],
      description: 'The users in the room now.',
      resolve: async (room, _, context) => {
        await requireReadable(room, context);
        const ids = await context.presence.listOnline(room.id);
        return Promise.all(ids.map((id) => resolveUser(id, context)));
      },
    }),
    messages: t.field({
      type: MessageConnectionRef,
      description:
        "Backward paging through history, newest last. `before` is an edge cursor. With `first` or `after`: a forward page, the `first` (default 50) messages after `after`. Otherwise as before. `after` may be any cursor of the room (an edge's, an event's, or one from `cursorAt`), so a client can jump to a date and scroll forward; `first` and `last` are 1–100; `first` or `after` together with `before` or a given `last` is BAD_USER_INPUT.",
      args: { last: t.arg.int({ defaultValue: 50 }), before: t.arg.string(), first: t.arg.int(), after: t.arg.string() },
      resolve: async (room, args, context, info) => {
        await requireReadable(room, context);
        return context.queries.readMessagePage(room.id, {
          // The default `last` is not a request to page backward: only a `last` the client gave is.
          last: givesArgument(info, 'last') ? args.last : null,
          before: args.before,
          first: args.first,
          after: args.after,
        });
      },
    }),
    cursorAt: t.string({
      nullable: true,
      description:
        'The cursor of the last event logged before `time`, null when none: page history or resume roomEvents from any moment. A time before the room\'s first event answers null (then page from the start, or subscribe with `after: "0-0"`); a time in the future answers the room\'s last cursor. An event logged in the very millisecond of `time` counts as after it.',
      args: { time: t.arg({ type: 'DateTime', required: true }) },
      resolve: async (room, args, context) => {
        // Read beside the access check (one round trip for both), answered only once it passed.
        const [, cursor] = await Promise.all([requireReadable(room, context), context.queries.readCursorAt(room.id, args.time)]);
        return cursor;
      },
    }),
  }),
});

type DirectoryEdge = RoomDirectoryPage['edges'][number];

const RoomEdgeRef = builder.objectRef<DirectoryEdge>('RoomEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: RoomRef, resolve: (edge) => edge.node }),
  }),
});

export const RoomConnectionRef = builder.objectRef<RoomDirectoryPage & { hasPreviousPage: boolean }>('RoomConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [RoomEdgeRef], resolve: (page) => page.edges }),
    pageInfo: t.field({
      type: PageInfoRef,
      resolve: (page) => toPageInfo(page.edges, { hasPreviousPage: page.hasPreviousPage, hasNextPage: () => page.hasNextPage }),
    }),
  }),
});

builder.queryFields((t) => ({
  roomDirectory: t.field({
    type: RoomConnectionRef,
    description:
      'Public rooms by name (case-insensitive), paged; `search` keeps names that contain it (case- and accent-insensitive). Read `lobbyCursor` in the same query and subscribe to lobbyEvents after it to keep the list live.',
    args: { first: t.arg.int({ defaultValue: 50 }), after: t.arg.string(), search: t.arg.string() },
    resolve: async (_, args, context, info) => {
      // The directory's checkpoint first (see lobbyCursor): the page read after it is at least that new.
      if (operationSelects(info, 'lobbyCursor')) await context.loadDirectoryCursor();
      const page = await context.queries.readRoomDirectory({ first: args.first ?? 50, after: args.after, search: args.search });
      return { ...page, hasPreviousPage: args.after != null };
    },
  }),
  rooms: t.field({
    type: [RoomRef],
    description: 'Every room, sorted by name, case-insensitively.',
    resolve: async (_, __, context, info) => {
      // The lobby's cursor first, whichever field comes first in the document (see lobbyCursor).
      if (operationSelects(info, 'lobbyCursor')) void context.loadLobbyCursor().catch(() => {});
      const rooms = await context.queries.listRooms();
      if (!selects(info, 'cursor')) return rooms;
      const cursors = await Promise.all(rooms.map((room) => context.queries.readRoomCursor(room.id)));
      return rooms.map((room, i) => ({ ...room, cursor: cursors[i] }));
    },
  }),
  lobbyCursor: t.string({
    nullable: true,
    description:
      'The lobby log\'s position (rooms created and renamed) when `rooms` or `roomDirectory` was read: read before it in the same operation, whatever their order in the document, so the list is at least this new. Load both in one query, then subscribe to lobbyEvents with `after: lobbyCursor` to miss nothing (a room already listed may come again: upsert by id). Null when nothing was logged yet: subscribe with `after: "0-0"`.',
    resolve: (_, __, context, info) =>
      operationSelects(info, 'roomDirectory') ? context.loadDirectoryCursor() : context.loadLobbyCursor(),
  }),
  room: t.field({
    type: RoomRef,
    nullable: true,
    description: 'The room; null when unknown.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, args, context, info) => {
      const id = String(args.id);
      // The cursor first: history read after it can only be newer.
      const cursor = selects(info, 'cursor') ? await context.queries.readRoomCursor(id) : undefined;
      const room = await context.queries.getRoom(id);
      // A room that is not there for the viewer answers exactly as one that does not exist.
      if (!room || (room.kind !== 'PUBLIC' && !maySeeRoom(await context.loadAccess(room)))) return null;
      return { ...room, cursor };
    },
  }),
}));

builder.mutationFields((t) => ({
  createRoom: t.field({
    type: RoomRef,
    description:
      'Trimmed, NFC-normalised, 1–100 characters; the creator joins as its OWNER. BAD_USER_INPUT for a name with control characters, line separators, bidi controls, invisible characters (zero-width, fillers, braille blanks, variation selectors or tags outside an emoji), more than 3 marks stacked on a character, or nothing visible. PUBLIC: a name that exists already, or one that looks the same (in other case, or with look-alikes from the Unicode confusables: Cyrillic or Greek letters that look Latin, "rn" for "m", "0" for "O", "ß" for "ss"), returns that room instead of creating a second one. PRIVATE: always a new room; names need not be unique. DIRECT rooms come from openDirect (BAD_USER_INPUT here).',
    args: { name: t.arg.string({ required: true }), kind: t.arg({ type: RoomKindEnum, defaultValue: 'PUBLIC' }) },
    resolve: (_, args, context) =>
      context.commands.createRoom({ actorId: requireViewer(context).userId, name: args.name, kind: args.kind ?? 'PUBLIC' }),
  }),
  renameRoom: t.field({
    type: RoomRef,
    description:
      "Renames a room (its creator only). Same rules as createRoom; another room's name, or one that looks the same, is refused.",
    args: { id: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    resolve: (_, args, context) =>
      context.commands.renameRoom({ actorId: requireViewer(context).userId, roomId: String(args.id), name: args.name }),
  }),
}));
