import { assertMayReadRoom } from '../chat/policy.js';
import type { RoomView } from '../chat/queries.js';
import { isJoined } from '../domain/member/member.js';
import { builder } from './builder.js';
import { type GraphQLContext, requireViewer } from './context.js';
import { MessageRef } from './message.js';
import { requireVisibleRoom } from './members.js';
import { RoomRef } from './room.js';
import { VIEWER_DEPENDENT } from './viewerDependent.js';

/** The viewer's counts in the room while they are a member (JOINED); nobody else has any. */
const myCounts = async (room: RoomView, context: GraphQLContext) => {
  if (!context.viewer) return null;
  const access = await context.loadAccess(room);
  if (!isJoined(access.member, access.now)) return null;
  return context.loadUnread(room);
};

builder.objectFields(RoomRef, (t) => ({
  unreadCount: t.int({
    description: "Messages by others after the viewer's read marker, not deleted. 0 for non-members.",
    extensions: VIEWER_DEPENDENT,
    resolve: async (room, _, context) => (await myCounts(room, context))?.unreadCount ?? 0,
  }),
  mentionCount: t.int({
    description: 'Unread messages that mention the viewer (@handle, case-insensitive); in DIRECT rooms every unread message.',
    extensions: VIEWER_DEPENDENT,
    resolve: async (room, _, context) => (await myCounts(room, context))?.mentionCount ?? 0,
  }),
  readMarker: t.string({
    nullable: true,
    description: "The viewer's read marker (a cursor), null when nothing was read.",
    extensions: VIEWER_DEPENDENT,
    resolve: async (room, _, context) => (await myCounts(room, context))?.readMarker ?? null,
  }),
  lastMessage: t.field({
    type: MessageRef,
    nullable: true,
    description: 'The last message posted (a tombstone once deleted); null in an empty room.',
    resolve: async (room, _, context) => {
      if (room.kind !== 'PUBLIC' || context.viewer) assertMayReadRoom(await context.loadAccess(room));
      return context.loadLastMessage(room);
    },
  }),
  lastActivityAt: t.field({
    type: 'DateTime',
    description: 'When the last message was posted (createdAt for an empty room).',
    resolve: async (room, _, context) => (await context.loadLastMessage(room))?.createdAt ?? room.createdAt,
  }),
}));

builder.mutationField('markRead', (t) =>
  t.field({
    type: RoomRef,
    description: "Moves the viewer's read marker forward to `upTo` (a message or event cursor of that room); never back.",
    args: { roomId: t.arg.id({ required: true }), upTo: t.arg.string({ required: true }) },
    resolve: async (_, args, context) => {
      const viewer = requireViewer(context);
      const room = await requireVisibleRoom(String(args.roomId), context);
      await context.commands.markRead({ actorId: viewer.userId, room, upTo: args.upTo });
      return room;
    },
  }),
);
