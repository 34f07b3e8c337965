/**
 * Presence leases, shared by every instance. A connection following a room holds a lease that
 * its instance renews; a lease that is not renewed expires, so a crashed instance leaves no
 * ghosts. A user is in a room while any lease of theirs is live; a released lease leaves a short
 * grace lease behind, so a reload (release, then a new lease) is no leave-and-join.
 *
 * Every operation is O(log n) in the room's leases. Departures are found by `sweep` only, and
 * each departure is answered to exactly one caller, however many instances sweep at once.
 */
export interface PresenceStore {
  /** Takes a new lease; `joined` when the user had no live lease in the room before. */
  enter(lease: Lease, expiresAt: number): Promise<{ joined: boolean }>;
  /** Extends live leases; answers those that were gone (swept), which the caller should enter again. */
  renew(leases: readonly Lease[], expiresAt: number): Promise<Lease[]>;
  /** Drops the lease, keeping the user present until `graceUntil`. */
  release(lease: Lease, graceUntil: number): Promise<void>;
  /** Removes leases that expired by `now`; answers, per room, the users left with none. */
  sweep(now: number): Promise<Departure[]>;
  /** Users with a lease in the room (expired ones linger until the next sweep). */
  listOnline(roomId: string): Promise<string[]>;
  /** How many users are online in each room, in the order asked, in one round trip. */
  countOnline(roomIds: readonly string[]): Promise<number[]>;
  /** Rooms the user holds a lease in. */
  roomsOf(userId: string, now: number): Promise<string[]>;
  /** True at most once per `ttlMs` for a user in a room (throttles typing announcements). */
  claimTyping(roomId: string, userId: string, ttlMs: number): Promise<boolean>;
}

export interface Lease {
  roomId: string;
  userId: string;
  leaseId: string;
}

export interface Departure {
  roomId: string;
  userIds: string[];
}

/** The grace lease's id: one per user and room, re-used by every release. */
export const GRACE_LEASE_ID = '~grace';

export const toLeaseMember = (userId: string, leaseId: string) => `${userId} ${leaseId}`;
export const toLeaseUser = (member: string) => member.slice(0, member.lastIndexOf(' '));
