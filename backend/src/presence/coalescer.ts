/**
 * Decides how one instance tells a room about people coming and going, so that a storm of J joins
 * costs O(J) frames in all instead of one frame per join to everyone already there.
 *
 * A transition in a quiet room is told at once, on its own (`UserJoined`/`UserLeft`), and opens a
 * window. Transitions within the window are gathered; when it ends they go out as one
 * `PresenceChanged` (even just one: its count is absolute, while a lone `UserJoined` is a +1 that
 * could count twice a join the last count already held), and the next window is twice as long,
 * up to a ceiling that grows with the room and with what the window gathered (`toMaxIntervalMs`).
 * A window that ends with nothing gathered makes the room quiet again. So a busy room gets a presence
 * frame at most every few seconds from each instance, whatever the join rate, and a quiet room
 * still hears of a single arrival at once.
 *
 * A storm that stops does not wait for its long window to end: a window that gathered changes at a
 * storm's pace (one per `STORM_PACE_MS` or faster, over the window so far) and then heard nothing
 * for two first windows (`quietMs`, checked twice, half of it apart, by timers that fired on time:
 * a late one means the event loop was busy, and changes may be waiting to be read) ends then, once
 * per storm. A trickle never has a storm's pace, a storm still going does not pause that long,
 * and once is at most one frame more; the last news of a storm comes seconds sooner (a
 * 10,000-person storm settled up to a whole 8 s window after its last join).
 *
 * No I/O, no clock, no timers: the caller passes `now`, arms a timer at each `wakeAt`, reads the
 * count and appends what `announce` says. The state is kept here (mutated in place: a storm's
 * gathered set is big, and copying it per join would cost O(J²) again).
 */

/** A person's presence changing in a room, as this instance found it. */
export interface Transition {
  kind: 'joined' | 'left';
  userId: string;
}

export interface CoalescingPolicy {
  /** The first window after a quiet room's transition. */
  firstIntervalMs: number;
  /** The longest window, whatever the room's size. */
  maxIntervalMs: number;
  /** At most this many names in each list of a PresenceChanged: past it, the count tells. */
  maxNames: number;
}

export type Announcement =
  | { type: 'UserJoined' | 'UserLeft'; userId: string }
  | { type: 'PresenceChanged'; joined: string[]; left: string[] };

/** What the caller must do: tell the room, and/or call `windowEnded` at `wakeAt`. */
export interface Decision {
  announce: Announcement | null;
  wakeAt: number | null;
}

/** A window gathering at least one change per this many ms is a storm's (as in `toMaxIntervalMs`). */
export const STORM_PACE_MS = 50;

/** How long a storm's window waits with nothing new before it ends early: two first windows. */
export const toQuietMs = (policy: CoalescingPolicy) => 2 * policy.firstIntervalMs;

interface RoomWindow {
  startedAt: number;
  endsAt: number;
  /** When the last change was gathered. */
  lastChangeAt: number;
  /**
   * The caller's timer is a check for quiet, not the window's end: due `at`; `confirming` when a
   * first check found quiet since `lastChangeAt`, which a second one, half a quiet later, confirms.
   */
  check: { at: number; confirming: boolean; lastChangeAt: number } | null;
  /** A window of this storm ended early already: the others run their course. */
  endedEarly: boolean;
  intervalMs: number;
  /** userId → the transition not told yet. A join and a leave of one person in one window cancel out. */
  pending: Map<string, Transition['kind']>;
  /** The count changed while the last announcement was being written: tell the count again. */
  stale: boolean;
  /** The room's size when last counted, for the ceiling of the next window. */
  count: number;
}

/**
 * The ceiling of a room's next window: a small, calm room hears of changes within a second (4 ×
 * the first window); a big room (1 ms per person) or a storm (50 ms per change the window
 * gathered: a storm starts in a small room) may wait up to `maxIntervalMs`, so a storm of any
 * length costs each client about log2(max / first) + its length / max frames.
 */
export const toMaxIntervalMs = (policy: CoalescingPolicy, count: number, gathered: number) =>
  Math.min(policy.maxIntervalMs, Math.max(4 * policy.firstIntervalMs, count, 50 * gathered));

const single = (kind: Transition['kind'], userId: string): Announcement => ({
  type: kind === 'joined' ? 'UserJoined' : 'UserLeft',
  userId,
});

export interface PresenceCoalescer {
  /** A person came or went. */
  transition(roomId: string, transition: Transition, now: number): Decision;
  /** The room's window ended: the caller's timer for the last `wakeAt` fired (the timer decides, not `now`). */
  windowEnded(roomId: string, now: number): Decision;
  /**
   * An announcement was written: the room counted `told` just before and `current` just after.
   * When they differ, someone else (another instance, a concurrent sweep) changed the room
   * meanwhile, and what this instance wrote last may not be the last word on the count: the room is
   * told the count again at the end of the window.
   */
  counted(roomId: string, told: number, current: number, now: number): Decision;
  /** An announcement could not be written (the store is down): the room is told the count again at the end of a window. */
  lost(roomId: string, now: number): Decision;
  /** Rooms with an open window (for tests and metrics). */
  readonly openWindows: number;
}

export const createPresenceCoalescer = (policy: CoalescingPolicy): PresenceCoalescer => {
  const windows = new Map<string, RoomWindow>();
  const nothing: Decision = { announce: null, wakeAt: null };

  const quietMs = toQuietMs(policy);
  const checkAt = (window: RoomWindow, at: number, confirming: boolean): Decision => {
    window.check = { at, confirming, lastChangeAt: window.lastChangeAt };
    return { announce: null, wakeAt: at };
  };
  const open = (roomId: string, now: number, count: number): RoomWindow => {
    const window: RoomWindow = {
      startedAt: now,
      endsAt: now + policy.firstIntervalMs,
      lastChangeAt: now,
      check: null,
      endedEarly: false,
      intervalMs: policy.firstIntervalMs,
      pending: new Map(),
      stale: false,
      count,
    };
    windows.set(roomId, window);
    return window;
  };

  const markStale = (roomId: string, now: number, count: number): Decision => {
    const window = windows.get(roomId);
    if (window) {
      window.stale = true;
      return nothing;
    }
    // The room went quiet while the announcement was being written: open a window to tell the count.
    const opened = open(roomId, now, count);
    opened.stale = true;
    return { announce: null, wakeAt: opened.endsAt };
  };

  return {
    transition(roomId, { kind, userId }, now) {
      const window = windows.get(roomId);
      if (!window) {
        const opened = open(roomId, now, 0);
        return { announce: single(kind, userId), wakeAt: opened.endsAt };
      }
      const earlier = window.pending.get(userId);
      if (earlier !== undefined && earlier !== kind) window.pending.delete(userId);
      else window.pending.set(userId, kind);
      window.lastChangeAt = now;
      // A window long enough to end early: look for quiet then (the check moves on while changes keep coming).
      if (window.check || window.endedEarly || window.endsAt <= now + quietMs) return nothing;
      return checkAt(window, now + quietMs, false);
    },

    windowEnded(roomId, now) {
      const window = windows.get(roomId);
      if (!window) return nothing;
      if (window.check) {
        const check = window.check;
        window.check = null;
        // A timer that fired late found the event loop busy (sending the last announcement to a
        // big room, say): what looked quiet may be changes not read yet. Look again, a quiet later.
        const onTime = now - check.at <= quietMs / 4;
        const quiet = onTime && now - window.lastChangeAt >= quietMs && (!check.confirming || window.lastChangeAt === check.lastChangeAt);
        const stormPace = window.pending.size > 0 && window.pending.size * STORM_PACE_MS >= now - window.startedAt;
        if (!quiet || !stormPace || !check.confirming) {
          const next = !onTime ? now + quietMs : quiet && stormPace ? now + quietMs / 2 : window.lastChangeAt + quietMs;
          // Not a storm's window, or the next check would come after the window's end anyway: it ends then.
          if ((!stormPace && quiet) || next >= window.endsAt) return { announce: null, wakeAt: window.endsAt };
          return checkAt(window, next, quiet && stormPace);
        }
        window.endedEarly = true;
      }
      if (window.pending.size === 0 && !window.stale) {
        windows.delete(roomId);
        return nothing;
      }
      const joined: string[] = [];
      const left: string[] = [];
      for (const [userId, kind] of window.pending) {
        const list = kind === 'joined' ? joined : left;
        if (list.length < policy.maxNames) list.push(userId);
      }
      const announce: Announcement = { type: 'PresenceChanged', joined, left };
      window.intervalMs = Math.min(2 * window.intervalMs, toMaxIntervalMs(policy, window.count, window.pending.size));
      window.pending = new Map();
      window.stale = false;
      window.startedAt = now;
      window.endsAt = now + window.intervalMs;
      return { announce, wakeAt: window.endsAt };
    },

    counted(roomId, told, current, now) {
      const window = windows.get(roomId);
      if (window) window.count = current;
      return told === current ? nothing : markStale(roomId, now, current);
    },

    lost(roomId, now) {
      return markStale(roomId, now, windows.get(roomId)?.count ?? 0);
    },

    get openWindows() {
      return windows.size;
    },
  };
};
