import { assertMayFollowRoom, assertMayPostIn } from '../chat/policy.js';
import type { EphemeralEntry, PresenceEntry, RoomEventEntry, RoomLogEntry } from '../chat/feeds.js';
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import { endsReading } from '../domain/member/member.js';
import type { RoomKind } from '../domain/room/events.js';
import type { MemberEntry } from '../chat/feeds.js';
import { MemberRef } from './members.js';
import type { ChatQueries } from '../chat/queries.js';
import { sharedPerMomentOf } from '../streaming/moment.js';
import type { MergeHooks } from '../streaming/mergeMapped.js';
import type { PresenceLease } from '../presence/presence.js';
import { builder } from './builder.js';
import { requireViewer } from './context.js';
import { MessageRef } from './message.js';
import { UserRef, resolveUser } from './user.js';

export const RoomEventRef = builder.interfaceRef<RoomEventEntry>('RoomEvent').implement({
  description:
    "Events of one room, in log order. `cursor` is the event's position in the room's log: pass it as `after` to resume. Ephemeral events (presence, typing) have a null cursor and are never replayed.",
  resolveType: (entry) => entry.kind,
  fields: (t) => ({
    cursor: t.string({ nullable: true, resolve: (entry) => entry.cursor }),
    at: t.field({ type: 'DateTime', resolve: (entry) => entry.at }),
  }),
});

for (const [name, description] of [
  ['MessagePosted', 'A message was posted.'],
  ['MessageEdited', 'A message was edited by its author.'],
  ['MessageDeleted', 'A message was deleted by its author.'],
] as const) {
  builder.objectRef<RoomLogEntry>(name).implement({
    description: `${description} \`message\` is the message as it is now.`,
    interfaces: [RoomEventRef],
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      message: t.field({ type: MessageRef, resolve: (entry) => entry.message }),
    }),
  });
}

builder.objectRef<MemberEntry>('MembershipChanged').implement({
  description: 'A membership changed: joined, left, invited, declined, kicked, banned, unbanned, muted, role set.',
  interfaces: [RoomEventRef],
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    member: t.field({ type: MemberRef, resolve: (entry) => entry.member }),
    by: t.field({ type: UserRef, nullable: true, resolve: (entry, _, context) => resolveUser(entry.byId, context) }),
    reason: t.string({ nullable: true, resolve: (entry) => entry.reason }),
  }),
});

for (const [name, description] of [
  ['UserJoined', 'A user came into the room (their first connection to it).'],
  ['UserLeft', 'A user left the room (their last connection to it ended).'],
  ['UserStatusChanged', 'A user in the room changed their status.'],
  ['UserTyping', 'A user is typing: show it for 6 seconds after `at`, unless another one renews it (sent at most every 2 s while typing).'],
] as const) {
  builder.objectRef<EphemeralEntry>(name).implement({
    description,
    interfaces: [RoomEventRef],
    fields: (t) => ({
      user: t.field({ type: UserRef, resolve: (entry) => entry.user }),
    }),
  });
}

builder.objectRef<PresenceEntry>('PresenceChanged').implement({
  description:
    'Presence of several people at once (a storm, or a room past some size): who came, who left (either list may be cut short in big rooms), and the count after.',
  interfaces: [RoomEventRef],
  fields: (t) => ({
    joined: t.field({ type: [UserRef], resolve: (entry) => entry.joined }),
    left: t.field({ type: [UserRef], resolve: (entry) => entry.left }),
    onlineCount: t.exposeInt('onlineCount'),
  }),
});

/**
 * One subscriber of a room's events: its presence there, released when the subscription ends, and
 * the end of its reading at its own kick or ban (on every instance: each reads the same log). A
 * class, called as the merge's hooks: one lives per subscriber (memory per idle socket, which
 * bench:scale's sockets part measures).
 */
class RoomFollower implements MergeHooks<RoomEventEntry> {
  private presence: PresenceLease | null = null;
  private ended = false;

  constructor(
    private readonly userId: string,
    private readonly roomKind: RoomKind,
  ) {}

  /** Holds `lease` until the subscription ends (released at once if it ended while the lease was taken; one not released expires). */
  holds(lease: PresenceLease) {
    this.presence = lease;
    if (this.ended) lease.release().catch(() => {});
  }

  async onEnd() {
    this.ended = true;
    // Redis away (a primary killed): the lease expires by itself. Its end runs unawaited, so a
    // rejection here would be unhandled, and Node ends the process on one.
    await this.presence?.release().catch(() => {});
  }

  stopAfter(entry: RoomEventEntry) {
    if (entry.kind !== 'MembershipChanged' || entry.member.userId !== this.userId || !endsReading(this.roomKind, entry.member)) {
      return null;
    }
    const { membership, bannedUntil } = entry.member;
    if (membership === 'BANNED') {
      const until = bannedUntil ? ` until ${bannedUntil}` : '';
      return new ForbiddenError(`You were banned from this room${until}`, { reason: 'banned', until: bannedUntil });
    }
    return new ForbiddenError(membership === 'LEFT' ? 'You left this room' : `You were ${membership.toLowerCase()} from this room`);
  }
}

/** The room, one read for the subscriptions to it that start in one moment (a join storm's). */
const roomOfTheMoment = sharedPerMomentOf((queries: ChatQueries, roomId: string) => queries.getRoom(roomId));

builder.subscriptionField('roomEvents', (t) =>
  t.field({
    type: RoomEventRef,
    description:
      "Live events of a room. With `after`, first every logged event after that cursor, in order, then live ones: no gap and no duplicate at the seam. Without `after`, live events from the moment of subscribing. A cursor older than the retained log fails with code CURSOR_EXPIRED; one that is not a position of the room's log (beyond its end, another room's) with BAD_USER_INPUT.",
    args: { roomId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: async (_, args, context) => {
      const viewer = requireViewer(context);
      const roomId = String(args.roomId);
      const room = await roomOfTheMoment(context.queries, roomId);
      if (!room) throw new NotFoundError('Room not found');
      const access = await context.loadAccess(room);
      assertMayFollowRoom(access);
      // A direct room's name is the others' names: each of its people sees their own.
      if (room.kind === 'DIRECT') context.renderPerViewer = true;
      // Following a room is being in it: the lease lasts as long as the subscription.
      const follower = new RoomFollower(viewer.userId, room.kind);
      const events = await context.feeds.openRoomEvents(roomId, args.after ?? null, follower);
      try {
        follower.holds(await context.presence.enter(roomId, viewer.userId));
      } catch (error) {
        await events.return?.();
        throw error;
      }
      return events;
    },
    resolve: (entry: RoomEventEntry) => entry,
  }),
);

builder.mutationField('typing', (t) =>
  t.boolean({
    description: 'Tells the room the caller is typing (shown to others for a few seconds).',
    args: { roomId: t.arg.id({ required: true }) },
    resolve: async (_, args, context) => {
      const viewer = requireViewer(context);
      const roomId = String(args.roomId);
      const room = await context.queries.getRoom(roomId);
      if (!room) throw new NotFoundError('Room not found');
      assertMayPostIn(await context.loadAccess(room));
      await context.presence.announceTyping(roomId, viewer.userId);
      return true;
    },
  }),
);
