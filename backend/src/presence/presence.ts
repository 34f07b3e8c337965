import { randomBytes } from 'node:crypto';
import type { EventStore } from '../eventstore/eventStore.js';
import { ACTIVITY_VERSION, PRESENCE_CHANGED, PRESENCE_MAX_NAMES, type RoomActivityType } from './activity.js';
import { type Announcement, type Decision, type Transition, createPresenceCoalescer } from './coalescer.js';
import { lobbyActivityKey, toRoomActivityKey } from './keys.js';
import type { Lease, PresenceStore } from './presenceStore.js';

export interface PresenceOptions {
  /** How long a lease lives without renewal: a crashed instance's users leave after this. */
  leaseMs: number;
  /** How often an instance renews its leases (well under leaseMs). */
  heartbeatMs: number;
  /** How long a user stays after their last connection ends, so a reload is not a leave and a join. */
  graceMs: number;
  /** How often an instance looks for expired leases. */
  sweepMs: number;
  /** At most one typing announcement per user and room in this time. */
  typingThrottleMs: number;
  /**
   * Presence in a quiet room is told at once; further changes within this time are gathered into
   * one PresenceChanged, and while the room stays busy the window doubles (see coalescer.ts)…
   * 0: every change on its own, to everyone (a join storm then costs J²/2 frames; the bench's baseline).
   */
  coalesceMs: number;
  /** …up to this; a small room with few changes stops doubling sooner (see `toMaxIntervalMs`). */
  coalesceMaxMs: number;
}

export const DEFAULT_PRESENCE_OPTIONS: PresenceOptions = {
  leaseMs: 15_000,
  heartbeatMs: 5_000,
  graceMs: 3_000,
  sweepMs: 1_000,
  typingThrottleMs: 2_000,
  coalesceMs: 250,
  coalesceMaxMs: 8_000,
};

/** Ephemeral streams keep about this many entries; nobody resumes from them. */
const ACTIVITY_MAX_LEN = 1_000;

export type { RoomActivityType } from './activity.js';
export type LobbyActivityType = 'OnlineCountChanged';

/**
 * Who is in which room now, and the ephemeral events that say so. Not event-sourced on purpose:
 * presence is held as leases that expire. Joins are announced by the instance that saw the
 * first lease; departures by whichever instance's sweep found the user's last lease gone. Each
 * instance coalesces what it found (coalescer.ts): a join storm costs each subscriber a few
 * PresenceChanged frames per instance, not one frame per person.
 */
/** One connection's presence in a room (`Presence.enter`). */
export interface PresenceLease {
  /** Leaves (after the grace period, when it was the user's last lease in the room); once, however often called. */
  release(): Promise<void>;
}

export interface Presence {
  /** Holds a lease for one connection following a room until it is released. */
  enter(roomId: string, userId: string): Promise<PresenceLease>;
  /** Distinct user ids online in the room, in no particular order. */
  listOnline(roomId: string): Promise<string[]>;
  /** How many distinct users are online in each room, in the order asked, in one round trip. */
  countOnline(roomIds: readonly string[]): Promise<number[]>;
  /** Tells the room that the user is typing (throttled). */
  announceTyping(roomId: string, userId: string): Promise<void>;
  /** Tells every room the user is in that their status changed. */
  announceStatus(userId: string): Promise<void>;
  close(): Promise<void>;
}

export const createPresence = (
  store: EventStore,
  presenceStore: PresenceStore,
  options: PresenceOptions = DEFAULT_PRESENCE_OPTIONS,
  now: () => number = Date.now,
): Presence => {
  const local = new Map<string, Lease>();
  // Lease ids: this instance's random prefix and a counter, unique across instances and restarts.
  // (randomBytes per lease was a visible share of a join storm's subscribe, profiled.)
  const leasePrefix = randomBytes(9).toString('base64url');
  let leases = 0;
  const coalescer = createPresenceCoalescer({
    firstIntervalMs: options.coalesceMs,
    maxIntervalMs: options.coalesceMaxMs,
    maxNames: PRESENCE_MAX_NAMES,
  });
  /** roomId → the timer of its coalescing window. */
  const wakers = new Map<string, NodeJS.Timeout>();
  /** roomId → its announcements being written, one after another, so they reach the stream in the order decided. */
  const writing = new Map<string, Promise<void>>();

  const append = (roomId: string, type: string, data: Record<string, unknown>, actorId: string | null) =>
    store.appendEphemeral(
      toRoomActivityKey(roomId),
      { type, data, meta: actorId ? { actorId } : {}, v: ACTIVITY_VERSION },
      ACTIVITY_MAX_LEN,
    );

  const announce = async (roomId: string, type: RoomActivityType, userId: string) =>
    append(roomId, type, { userId, at: new Date(now()).toISOString() }, userId);

  const coalescing = options.coalesceMs > 0;

  /** Writes one presence announcement, and the lobby's count change; tells the coalescer how the count moved meanwhile. */
  const write = async (roomId: string, announcement: Announcement) => {
    const at = new Date(now()).toISOString();
    const [told = 0] = coalescing || announcement.type === 'PresenceChanged' ? await presenceStore.countOnline([roomId]) : [];
    if (announcement.type === 'PresenceChanged') {
      const { joined, left } = announcement;
      await append(roomId, PRESENCE_CHANGED, { joined, left, onlineCount: told, at }, null);
    } else await announce(roomId, announcement.type, announcement.userId);
    const countChanged = { type: 'OnlineCountChanged', data: { roomId, at }, meta: {}, v: ACTIVITY_VERSION };
    await store.appendEphemeral(lobbyActivityKey, countChanged, ACTIVITY_MAX_LEN);
    if (!coalescing) return;
    const [current = 0] = await presenceStore.countOnline([roomId]);
    follow(roomId, coalescer.counted(roomId, told, current, now()));
  };

  /** Carries out a coalescer decision: arms the room's timer, queues its announcement. */
  const follow = (roomId: string, { announce: announcement, wakeAt }: Decision) => {
    if (wakeAt !== null) {
      clearTimeout(wakers.get(roomId));
      const timer = setTimeout(
        () => {
          wakers.delete(roomId);
          follow(roomId, coalescer.windowEnded(roomId, now()));
        },
        Math.max(0, wakeAt - now()),
      );
      timer.unref();
      wakers.set(roomId, timer);
    }
    if (!announcement) return;
    const queued = (writing.get(roomId) ?? Promise.resolve())
      .then(() => write(roomId, announcement))
      // Presence is ephemeral: a write lost to an outage is logged, and the room is told the count again a window later.
      .catch((error: unknown) => {
        console.warn('presence announcement:', error instanceof Error ? error.message : error);
        if (coalescing) follow(roomId, coalescer.lost(roomId, now()));
      })
      .finally(() => {
        if (writing.get(roomId) === queued) writing.delete(roomId);
      });
    writing.set(roomId, queued);
  };

  const transition = (roomId: string, change: Transition) =>
    follow(
      roomId,
      coalescing
        ? coalescer.transition(roomId, change, now())
        : { announce: { type: change.kind === 'joined' ? 'UserJoined' : 'UserLeft', userId: change.userId }, wakeAt: null },
    );

  const enterLease = async (lease: Lease) => {
    const { joined } = await presenceStore.enter(lease, now() + options.leaseMs);
    if (joined) transition(lease.roomId, { kind: 'joined', userId: lease.userId });
  };

  /** Background work must survive an outage: it logs and tries again at the next tick. */
  const tick = (name: string, work: () => Promise<void>) => {
    let running = false;
    const timer = setInterval(
      () => {
        if (running) return;
        running = true;
        work()
          .catch((error: unknown) => console.warn(`presence ${name}:`, error instanceof Error ? error.message : error))
          .finally(() => (running = false));
      },
      name === 'heartbeat' ? options.heartbeatMs : options.sweepMs,
    );
    timer.unref();
    return timer;
  };

  const timers = [
    tick('heartbeat', async () => {
      const lost = await presenceStore.renew([...local.values()], now() + options.leaseMs);
      // Swept while this process stalled past the lease: take it again (the user may rejoin).
      for (const lease of lost) if (local.has(lease.leaseId)) await enterLease(lease);
    }),
    tick('sweep', async () => {
      for (const { roomId, userIds } of await presenceStore.sweep(now())) {
        for (const userId of userIds) transition(roomId, { kind: 'left', userId });
      }
    }),
  ];

  /** The lease and its release in one object: one lives per subscriber (memory per idle socket, bench:scale's sockets part). */
  class LocalLease implements Lease, PresenceLease {
    private released = false;
    constructor(
      readonly roomId: string,
      readonly userId: string,
      readonly leaseId: string,
    ) {}
    async release() {
      if (this.released) return;
      this.released = true;
      local.delete(this.leaseId);
      await presenceStore.release(this, now() + options.graceMs);
    }
  }

  return {
    async enter(roomId, userId) {
      const lease = new LocalLease(roomId, userId, `${leasePrefix}${(leases++).toString(36)}`);
      local.set(lease.leaseId, lease);
      try {
        await enterLease(lease);
      } catch (error) {
        local.delete(lease.leaseId);
        throw error;
      }
      return lease;
    },
    listOnline: (roomId) => presenceStore.listOnline(roomId),
    countOnline: (roomIds) => presenceStore.countOnline(roomIds),
    async announceTyping(roomId, userId) {
      if (await presenceStore.claimTyping(roomId, userId, options.typingThrottleMs)) await announce(roomId, 'UserTyping', userId);
    },
    async announceStatus(userId) {
      for (const roomId of await presenceStore.roomsOf(userId, now())) await announce(roomId, 'UserStatusChanged', userId);
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const timer of wakers.values()) clearTimeout(timer);
      wakers.clear();
      await Promise.allSettled(writing.values());
      const leases = [...local.values()];
      local.clear();
      await Promise.allSettled(leases.map((lease) => presenceStore.release(lease, now() + options.graceMs)));
    },
  };
};
