import type { MemberCommands } from '../chat/memberCommands.js';
import { builder } from './builder.js';
import { requireViewer } from './context.js';
import { MemberRef, RoomRoleEnum } from './members.js';
import { MessageRef } from './message.js';
import { RoomRef } from './room.js';
import { UserRef, resolveUser } from './user.js';

type Moderation = Parameters<MemberCommands['moderate']>[0]['action'];

/** An ISO instant from the DateTime scalar (a Date), or null. */
const toInstant = (value: Date | null | undefined) => (value ? value.toISOString() : null);

builder.objectField(MessageRef, 'removedBy', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: 'Set when an owner or moderator removed the message (not its author).',
    resolve: (message, _, context) => (message.removedBy ? resolveUser(message.removedBy, context) : null),
  }),
);

builder.mutationFields((t) => {
  /** kick, unban, unmute: a room, a person, and for some a reason. */
  const moderation = (action: Moderation, description: string, withReason: boolean) =>
    t.field({
      type: MemberRef,
      description,
      args: {
        roomId: t.arg.id({ required: true }),
        userId: t.arg.id({ required: true }),
        ...(withReason ? { reason: t.arg.string() } : {}),
      },
      resolve: (_, args, context) =>
        context.commands.moderate({
          actorId: requireViewer(context).userId,
          roomId: String(args.roomId),
          userId: String(args.userId),
          action,
          reason: (args as { reason?: string | null }).reason,
        }),
    });

  return {
    openDirect: t.field({
      type: RoomRef,
      description: "The viewer's direct conversation with these users (1–8 handles); the same set of people always gives the same room.",
      args: { handles: t.arg.stringList({ required: true }) },
      resolve: (_, args, context) => context.commands.openDirect({ actorId: requireViewer(context).userId, handles: args.handles }),
    }),
    joinRoom: t.field({
      type: RoomRef,
      description: 'Joins a PUBLIC room, or accepts an invitation to a PRIVATE one.',
      args: { roomId: t.arg.id({ required: true }) },
      resolve: (_, args, context) => context.commands.joinRoom({ actorId: requireViewer(context).userId, roomId: String(args.roomId) }),
    }),
    leaveRoom: t.field({
      type: RoomRef,
      description: 'Leaves the room (an invitation is declined). The owner cannot leave.',
      args: { roomId: t.arg.id({ required: true }) },
      resolve: (_, args, context) => context.commands.leaveRoom({ actorId: requireViewer(context).userId, roomId: String(args.roomId) }),
    }),
    declineInvite: t.field({
      type: RoomRef,
      description: 'Declines an invitation to the room.',
      args: { roomId: t.arg.id({ required: true }) },
      resolve: (_, args, context) =>
        context.commands.declineInvite({ actorId: requireViewer(context).userId, roomId: String(args.roomId) }),
    }),
    invite: t.field({
      type: MemberRef,
      description: 'Any member of a PRIVATE room may invite; owner and moderators of a PUBLIC one.',
      args: { roomId: t.arg.id({ required: true }), handle: t.arg.string({ required: true }) },
      resolve: (_, args, context) =>
        context.commands.invite({ actorId: requireViewer(context).userId, roomId: String(args.roomId), handle: args.handle }),
    }),
    kick: moderation('KICK', 'Owner and moderators: removes a member (or an invitation) of a lower role; they may come back.', true),
    unban: moderation('UNBAN', 'Owner and moderators: lifts a ban.', false),
    unmute: moderation('UNMUTE', 'Owner and moderators: lifts a mute.', false),
    ban: t.field({
      type: MemberRef,
      description: 'Until `until`, or for good when it is null. Owner and moderators, on someone of a lower role; at most a year ahead.',
      args: {
        roomId: t.arg.id({ required: true }),
        userId: t.arg.id({ required: true }),
        reason: t.arg.string(),
        until: t.arg({ type: 'DateTime' }),
      },
      resolve: (_, args, context) =>
        context.commands.moderate({
          actorId: requireViewer(context).userId,
          roomId: String(args.roomId),
          userId: String(args.userId),
          action: 'BAN',
          reason: args.reason,
          until: toInstant(args.until),
        }),
    }),
    mute: t.field({
      type: MemberRef,
      description: 'Owner and moderators: the member reads but cannot post until `until` (at most a year ahead).',
      args: {
        roomId: t.arg.id({ required: true }),
        userId: t.arg.id({ required: true }),
        until: t.arg({ type: 'DateTime', required: true }),
        reason: t.arg.string(),
      },
      resolve: (_, args, context) =>
        context.commands.moderate({
          actorId: requireViewer(context).userId,
          roomId: String(args.roomId),
          userId: String(args.userId),
          action: 'MUTE',
          reason: args.reason,
          until: toInstant(args.until),
        }),
    }),
    setRole: t.field({
      type: MemberRef,
      description: 'Owner only: MODERATOR or MEMBER.',
      args: {
        roomId: t.arg.id({ required: true }),
        userId: t.arg.id({ required: true }),
        role: t.arg({ type: RoomRoleEnum, required: true }),
      },
      resolve: (_, args, context) =>
        context.commands.moderate({
          actorId: requireViewer(context).userId,
          roomId: String(args.roomId),
          userId: String(args.userId),
          action: 'SET_ROLE',
          role: args.role,
        }),
    }),
    removeMessage: t.field({
      type: MessageRef,
      description: "Owner and moderators: delete another's message (a tombstone with removedBy).",
      args: { id: t.arg.id({ required: true }), reason: t.arg.string() },
      resolve: (_, args, context) =>
        context.commands.removeMessage({ actorId: requireViewer(context).userId, messageId: String(args.id), reason: args.reason }),
    }),
  };
});
