import { PINNED_MAX, type PostedMessage } from '../domain/message/message.js';
import { type RoomKind, type RoomState, parseRoomName, toRoomKind, toRoomNameKey } from '../domain/room/room.js';
import { codePointLength } from '../domain/text.js';
import type { UserState, UserStatus } from '../domain/user/user.js';
import { ValidationError } from '../domain/errors.js';
import {
  type Cursor,
  type EventStore,
  type IndexEntry,
  type Snapshot,
  compareCursors,
  isCursor,
  toPreviousCursor,
} from '../eventstore/eventStore.js';
import { type AsyncProjection, readCheckpoint } from '../projections/asyncProjection.js';
import { type MessageVersion, readEditHistory } from '../projections/editHistory.js';
import { toHistoryIndexKey, toInboxKey, toThreadIndexKey } from '../projections/keys.js';
import { readPinnedIds } from '../projections/pins.js';
import { toLegacyRoomNameKey } from '../projections/roomNames.js';
import { readOwnReactions, readReactionGroups } from '../projections/reactions.js';
import { type ThreadInfo, readThreadInfo } from '../projections/threads.js';
import type { TallyGroup } from '../eventstore/tallies.js';
import type { DirectoryStore } from '../projections/roomDirectory/directoryStore.js';
import { type UnreadCounts, readUnreadCounts, toUnreadCounts, toUnreadRequest } from '../projections/unread.js';
import type { MemberState } from '../domain/member/member.js';
import { isRoomId, toMessageRoomId } from './ids.js';
import { type MemberQueries, createMemberQueries } from './memberQueries.js';
import {
  lobbyStreamKey,
  roomNamesKey,
  roomSnapshotsKey,
  toIdempotencyKey,
  toMemberSnapshotsKey,
  toMessageSnapshotsKey,
  toRoomStreamKey,
  toUserSnapshotKey,
} from './keys.js';

export interface RoomView {
  id: string;
  name: string;
  kind: RoomKind;
  /** DIRECT rooms: their people, sorted. */
  directMembers?: string[];
  createdAt: string;
  createdBy: string;
  /** The room log's position, read before anything else of this room in the same response (see Room.cursor). */
  cursor?: Cursor | null;
}
export interface UserView {
  id: string;
  handle: string;
  displayName: string;
  avatarUrl: string | null;
  status: UserStatus;
}

export interface MessagePage {
  /** Oldest first. */
  edges: { cursor: Cursor; node: MessageView & { author: UserView } }[];
  hasPreviousPage: boolean;
  /** Newer messages exist after the page: read only when asked, as it may scan past edits. */
  hasNextPage(): Promise<boolean>;
}

/** A message, with its author when the reader has it already (as subscribers' entries do). */
export type MessageView = PostedMessage & { author?: UserView };

/** A page of the room directory: public rooms in name order (see `toRoomSearchKey`). */
export interface RoomDirectoryPage {
  edges: { cursor: string; node: RoomView }[];
  hasNextPage: boolean;
}

/** What a room list shows of one room for its reader (`readRoomHeads`). */
export interface RoomHead {
  member: MemberState;
  /** Their counts, by the room's kind (in DIRECT rooms every unread message counts as a mention). */
  unread(kind: RoomKind): UnreadCounts;
  lastMessage: MessageView | null;
}

export interface ChatQueries extends MemberQueries {
  /**
   * Rooms by folded name (then id), the `first` after the edge cursor `after`; with `search`, only
   * names that contain it, folded alike (case and accents ignored).
   */
  readRoomDirectory(options: { first: number; after?: string | null; search?: string | null }): Promise<RoomDirectoryPage>;
  getRoom(roomId: string): Promise<RoomView | null>;
  /**
   * The room `createRoom(name)` answers without creating one: the room of that name, compared as
   * room names compare (case-insensitively); null when there is none or the name is not valid.
   */
  findRoomByName(name: string): Promise<RoomView | null>;
  /** The room's log position now: the last event's cursor, or null when nothing was logged. */
  readRoomCursor(roomId: string): Promise<Cursor | null>;
  /**
   * Everything of the lobby log at or below this cursor is in the room directory (null: nothing
   * is): read it before a page, subscribe to lobbyEvents after it, and nothing is missed.
   */
  readRoomDirectoryCursor(): Promise<Cursor | null>;
  /** The lobby log's last cursor (rooms created and renamed); null when nothing was logged yet. */
  readLobbyCursor(): Promise<Cursor | null>;
  /** Public rooms, sorted by name, case-insensitively. */
  listRooms(): Promise<RoomView[]>;
  getMessage(messageId: string): Promise<PostedMessage | null>;
  /** The message an earlier `postMessage` with this `clientId` made (by that user, in that room), if any. */
  findPostedMessage(input: { actorId: string; roomId: string; clientId: string }): Promise<PostedMessage | null>;
  /**
   * Backward (`last`, default 50, before the cursor `before`, default: the newest), or with
   * `first` or `after` forward: the `first` (default 50) messages after the cursor `after` (default:
   * from the oldest), which may be any position of the room's log. Mixing the two is a
   * `ValidationError`, as are counts outside 1–100 and malformed cursors.
   */
  readMessagePage(
    roomId: string,
    options: { last?: number | null; before?: string | null; first?: number | null; after?: string | null },
  ): Promise<MessagePage>;
  /** A message's earlier bodies, oldest first; none when never edited, and once deleted (see projections/editHistory.ts). */
  readEditHistory(message: PostedMessage): Promise<MessageVersion[]>;
  /** The cursor of the room log's last event before `time` (see `EventStore.readCursorBefore`); null when none. */
  readCursorAt(roomId: string, time: Date): Promise<Cursor | null>;
  getUser(userId: string): Promise<UserView | null>;
  /** A reader's unread and mention counts and marker in each room (see projections/unread.ts). */
  readUnread(reader: { userId: string; handle: string }, rooms: readonly RoomView[]): Promise<UnreadCounts[]>;
  /** The last position of the person's inbox; null when nothing was ever in it. */
  readInboxCursor(userId: string): Promise<Cursor | null>;
  /** The room's last post, with its author; null before the first. */
  readLastMessage(roomId: string): Promise<MessageView | null>;
  /**
   * For a page of the reader's rooms, in one round trip (one script per room, in its slot): their
   * member state in each, their counts (mentions of `handle`; none counted when it is null) and,
   * with `lastMessage`, each room's last post.
   */
  readRoomHeads(
    reader: { userId: string; handle: string | null },
    roomIds: readonly string[],
    what: { lastMessage: boolean },
  ): Promise<RoomHead[]>;
  /** Each of these users, read once; every id must be a registered user's (an author, a creator). */
  getUsers(userIds: readonly string[]): Promise<Map<string, UserView>>;
  /** The threads of messages of one room (reply count, last reply), in one round trip. */
  readThreads(roomId: string, messageIds: readonly string[]): Promise<ThreadInfo[]>;
  /** A thread's replies, oldest first: the `first` after the cursor `after` (default: from its start). */
  readReplies(rootId: string, options: { first: number; after?: string | null }): Promise<MessagePage>;
  /** The reactions of messages of one room, by emoji in order of first use, in one round trip. */
  readReactionGroups(roomId: string, messageIds: readonly string[]): Promise<TallyGroup[][]>;
  /** The emoji one person reacted with to each of these messages of one room, in one round trip. */
  readOwnReactions(roomId: string, userId: string, messageIds: readonly string[]): Promise<Set<string>[]>;
  /** A room's pinned messages, most recently pinned first, with their authors. */
  readPinned(roomId: string): Promise<(MessageView & { author: UserView })[]>;
}

export const PAGE_MAX = 100;
const DEFAULT_PAGE = 50;

const parseCount = (count: number, argument: string): number => {
  if (!Number.isInteger(count) || count < 1 || count > PAGE_MAX) throw new ValidationError(`${argument} must be 1–${PAGE_MAX}`, argument);
  return count;
};

export const toRoomView = (state: RoomState): RoomView | null =>
  state.status === 'open'
    ? {
        id: state.id,
        name: state.name,
        kind: toRoomKind(state),
        createdAt: state.createdAt,
        createdBy: state.createdBy,
        ...(state.directMembers ? { directMembers: state.directMembers } : {}),
      }
    : null;

export const toUserView = (state: UserState): UserView | null =>
  state.status === 'registered'
    ? { id: state.id, handle: state.handle, displayName: state.displayName, avatarUrl: state.avatarUrl, status: state.presence }
    : null;

/** A cursor from a client: the store's own format, else `ValidationError` naming the argument. */
export const parseCursor = (value: string, argument: string): Cursor => {
  if (!isCursor(value)) throw new ValidationError(`${argument} is not a valid cursor`, argument);
  return value;
};

const byName = (a: RoomView, b: RoomView) => {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

/** The room directory's read model and the projection that keeps it. */
export interface DirectoryReadModel {
  store: DirectoryStore;
  projection: AsyncProjection;
}

/** The reads commands need (the aggregates' current states), without the read models they do not. */
export type ChatLookups = Pick<
  ChatQueries,
  'getRoom' | 'findRoomByName' | 'getMessage' | 'findPostedMessage' | 'getUser' | 'getMember' | 'findUserIdByHandle'
>;

/** The lookups, on their own (for writers that need no read model beyond the aggregates' states). */
export const createChatLookups = (store: EventStore): ChatLookups => {
  const getRoom = async (roomId: string) => {
    if (!isRoomId(roomId)) return null;
    const snapshot = await store.readSnapshot<RoomState>({ key: roomSnapshotsKey, field: roomId });
    return snapshot ? toRoomView(snapshot.state) : null;
  };

  const getMessage = async (messageId: string) => {
    const roomId = toMessageRoomId(messageId);
    if (!roomId) return null;
    const snapshot = await store.readSnapshot<PostedMessage>({ key: toMessageSnapshotsKey(roomId), field: messageId });
    return snapshot?.state ?? null;
  };

  const getUser = async (userId: string) => {
    const snapshot = await store.readSnapshot<UserState>({ key: toUserSnapshotKey(userId), field: 'state' });
    return snapshot ? toUserView(snapshot.state) : null;
  };
  const members = createMemberQueries(store);

  return {
    getRoom,
    getMessage,
    getUser,
    getMember: members.getMember,
    findUserIdByHandle: members.findUserIdByHandle,
    async findRoomByName(rawName) {
      let name: string;
      try {
        name = parseRoomName(rawName);
      } catch (error) {
        if (error instanceof ValidationError) return null;
        throw error;
      }
      const nameKey = toRoomNameKey(name);
      const roomId = await store.readClaim(roomNamesKey, nameKey);
      if (roomId) return getRoom(roomId);
      // A room whose claim an older version made (before look-alikes were one name) and that is
      // not claimed again yet (the migration at start, or an older instance still running): its
      // legacy claim counts while the room still has a name of this key.
      const legacyId = await store.readClaim(roomNamesKey, toLegacyRoomNameKey(name));
      const legacy = legacyId ? await getRoom(legacyId) : null;
      return legacy?.kind === 'PUBLIC' && toRoomNameKey(legacy.name) === nameKey ? legacy : null;
    },
    async findPostedMessage({ actorId, roomId, clientId }) {
      if (!isRoomId(roomId)) return null;
      const messageId = await store.readIdempotent(toIdempotencyKey(roomId, actorId, clientId));
      return messageId ? getMessage(messageId) : null;
    },
  };
};

/** The chat's queries, answered from the read models. */
export const createChatQueries = (store: EventStore, directory: DirectoryReadModel): ChatQueries => {
  const lookups = createChatLookups(store);

  const readMessagePage: ChatQueries['readMessagePage'] = async (roomId, { last, before, first, after }) => {
    const forward = first != null || after != null;
    if (forward && (last != null || before != null)) {
      throw new ValidationError('Page forward (first, after) or backward (last, before), not both', last != null ? 'last' : 'before');
    }
    return forward
      ? readForwardPage(roomId, parseCount(first ?? DEFAULT_PAGE, 'first'), after == null ? undefined : parseCursor(after, 'after'))
      : readBackwardPage(roomId, parseCount(last ?? DEFAULT_PAGE, 'last'), before == null ? undefined : parseCursor(before, 'before'));
  };

  const readBackwardPage = async (roomId: string, last: number, beforeCursor: Cursor | undefined): Promise<MessagePage> => {
    const history = toHistoryIndexKey(roomId);
    // One more than the page, for hasPreviousPage. Nothing lies before 0-0 (and Redis refuses the range that would ask).
    const entries =
      beforeCursor === '0-0'
        ? []
        : await store.readIndexBackward<PostedMessage>(history, {
            before: beforeCursor,
            count: last + 1,
            join: toMessageSnapshotsKey(roomId),
          });
    const edges = await toEdges(entries.slice(0, last).reverse());
    const newest = edges.at(-1)?.cursor;
    return {
      edges,
      hasPreviousPage: entries.length > last,
      hasNextPage: async () =>
        beforeCursor !== undefined &&
        (await store.readIndexForward(history, { after: newest ?? toPreviousCursor(beforeCursor), count: 1 })).length > 0,
    };
  };

  /**
   * The page after `afterCursor`. Whether any message lies at or before it is whether the oldest
   * does, read beside the page (reading backward from below an index's first entry would walk it).
   */
  const readForwardPage = async (roomId: string, first: number, afterCursor: Cursor | undefined): Promise<MessagePage> => {
    const history = toHistoryIndexKey(roomId);
    const [entries, [oldest]] = await Promise.all([
      // One more than the page, for hasNextPage.
      store.readIndexForward<PostedMessage>(history, { after: afterCursor, count: first + 1, join: toMessageSnapshotsKey(roomId) }),
      afterCursor === undefined ? [] : store.readIndexForward(history, { count: 1 }),
    ]);
    const edges = await toEdges(entries.slice(0, first));
    return {
      edges,
      hasPreviousPage: oldest !== undefined && afterCursor !== undefined && compareCursors(oldest.cursor, afterCursor) <= 0,
      hasNextPage: async () => entries.length > first,
    };
  };

  /** Index entries joined with their messages (oldest first) as edges, with their authors. */
  const toEdges = async (page: readonly (IndexEntry & { snapshot?: Snapshot<PostedMessage> | null })[]) => {
    const messages = page.map((entry) => {
      if (!entry.snapshot) throw new Error(`message ${entry.ref} has no snapshot`);
      return entry.snapshot.state;
    });
    const authors = await getUsers(messages.map((message) => message.authorId));
    return page.map((entry, i) => ({
      cursor: entry.cursor,
      node: { ...messages[i]!, author: authors.get(messages[i]!.authorId)! },
    }));
  };

  /** Each of these users once, in one round trip; a user event always precedes their records, so a miss is a bug. */
  const getUsers = async (userIds: readonly string[]): Promise<Map<string, UserView>> => {
    const ids = [...new Set(userIds)];
    const snapshots = await store.readSnapshotsAt<UserState>(ids.map((id) => ({ key: toUserSnapshotKey(id), field: 'state' })));
    return new Map(
      ids.map((id, i) => {
        const user = snapshots[i] && toUserView(snapshots[i].state);
        if (!user) throw new Error(`user ${id} is unknown`);
        return [id, user];
      }),
    );
  };

  /** Messages of one room by id, with their authors, in the order asked (every id must be a message's). */
  const readMessages = async (roomId: string, ids: readonly string[]) => {
    const snapshots = await store.readSnapshots<PostedMessage>(toMessageSnapshotsKey(roomId), ids);
    const messages = snapshots.map((snapshot, i) => {
      if (!snapshot) throw new Error(`message ${ids[i]} has no snapshot`);
      return snapshot.state;
    });
    const authors = await getUsers(messages.map((message) => message.authorId));
    return messages.map((message) => ({ ...message, author: authors.get(message.authorId)! }));
  };

  return {
    ...createMemberQueries(store),
    ...lookups,
    getUsers,
    readThreads: (roomId, messageIds) => readThreadInfo(store, roomId, messageIds),
    readReactionGroups: (roomId, messageIds) => readReactionGroups(store, roomId, messageIds),
    readOwnReactions: (roomId, userId, messageIds) => readOwnReactions(store, roomId, userId, messageIds),
    readPinned: async (roomId) => readMessages(roomId, await readPinnedIds(store, roomId, PINNED_MAX)),
    async readReplies(rootId, { first, after }) {
      if (!Number.isInteger(first) || first < 1 || first > PAGE_MAX) throw new ValidationError(`first must be 1–${PAGE_MAX}`, 'first');
      const afterCursor = after == null ? undefined : parseCursor(after, 'after');
      const roomId = toMessageRoomId(rootId);
      if (!roomId) return { edges: [], hasPreviousPage: false, hasNextPage: async () => false };
      const entries = await store.readIndexForward(toThreadIndexKey(roomId, rootId), { after: afterCursor, count: first + 1 });
      const page = entries.slice(0, first);
      const messages = await readMessages(
        roomId,
        page.map((entry) => entry.ref),
      );
      return {
        edges: page.map((entry, i) => ({ cursor: entry.cursor, node: messages[i]! })),
        // Paging forward, what lies before `after` is the client's already (Relay allows false here).
        hasPreviousPage: false,
        hasNextPage: async () => entries.length > first,
      };
    },
    readRoomCursor: async (roomId) => (isRoomId(roomId) ? (await store.streamInfo(toRoomStreamKey(roomId))).lastCursor : null),
    readLobbyCursor: async () => (await store.streamInfo(lobbyStreamKey)).lastCursor,
    readMessagePage,
    readEditHistory: (message) => readEditHistory(store, message),
    readCursorAt: async (roomId, time) => (isRoomId(roomId) ? store.readCursorBefore(toRoomStreamKey(roomId), time.getTime()) : null),
    readUnread: (reader, rooms) => readUnreadCounts(store, reader, rooms),
    readInboxCursor: async (userId) => (await store.streamInfo(toInboxKey(userId))).lastCursor,
    async readRoomHeads(reader, roomIds, { lastMessage }) {
      const replies = await store.readMarks(
        roomIds.map((roomId) => {
          const request = toUnreadRequest(
            roomId,
            { userId: reader.userId, handle: reader.handle ?? '' },
            {
              snapshots: [{ key: toMemberSnapshotsKey(roomId), field: reader.userId }],
              ...(lastMessage ? { newest: { index: toHistoryIndexKey(roomId), join: toMessageSnapshotsKey(roomId) } } : {}),
            },
          );
          // Without the handle, no mentions: nothing to count them in.
          return reader.handle === null ? { ...request, above: request.above.slice(0, 1) } : request;
        }),
      );
      return replies.map((reply) => ({
        member: (reply.snapshots?.[0]?.state as MemberState | undefined) ?? { status: 'none' },
        unread: (kind: RoomKind) => toUnreadCounts(reply, kind),
        lastMessage: (reply.newest?.snapshot?.state as PostedMessage | undefined) ?? null,
      }));
    },
    async readLastMessage(roomId) {
      const [entry] = await store.readIndexBackward<PostedMessage>(toHistoryIndexKey(roomId), {
        count: 1,
        join: toMessageSnapshotsKey(roomId),
      });
      // Its author only when asked (Message.author loads it, once per operation).
      return entry?.snapshot?.state ?? null;
    },
    async readRoomDirectory({ first, after, search }) {
      if (!Number.isInteger(first) || first < 1 || first > PAGE_MAX) throw new ValidationError(`first must be 1–${PAGE_MAX}`, 'first');
      if (search != null && codePointLength(search) > DIRECTORY_SEARCH_MAX) {
        throw new ValidationError(`search must be at most ${DIRECTORY_SEARCH_MAX} characters`, 'search');
      }
      const { serving } = await directory.store.readGenerations();
      const page = await directory.store.readPage(serving, { first, after: after ?? null, search: search ?? '' });
      const states = await store.readSnapshots<RoomState>(
        roomSnapshotsKey,
        page.edges.map((edge) => edge.roomId),
      );
      return {
        edges: page.edges.flatMap((edge, i) => {
          const room = states[i] && toRoomView(states[i].state);
          return room?.kind === 'PUBLIC' ? [{ cursor: edge.cursor, node: room }] : [];
        }),
        hasNextPage: page.hasNextPage,
      };
    },
    readRoomDirectoryCursor: () => readCheckpoint(store, directory.projection),
    async listRooms() {
      const all = await store.readAllSnapshots<RoomState>(roomSnapshotsKey);
      return [...all.values()]
        .flatMap((s) => toRoomView(s.state) ?? [])
        .filter((room) => room.kind === 'PUBLIC')
        .sort(byName);
    },
  };
};

export const DIRECTORY_SEARCH_MAX = 100;
