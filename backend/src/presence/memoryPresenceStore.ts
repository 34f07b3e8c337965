import { GRACE_LEASE_ID, type Departure, type PresenceStore, toLeaseMember, toLeaseUser } from './presenceStore.js';

/** Presence for embedded mode: the same semantics as the Redis store, in one process. */
export const createMemoryPresenceStore = (now: () => number = Date.now): PresenceStore => {
  /** roomId → lease member → expiry. */
  const rooms = new Map<string, Map<string, number>>();
  /** roomId → userId → number of leases. */
  const counts = new Map<string, Map<string, number>>();
  const typing = new Map<string, number>();

  const roomOf = (roomId: string) => {
    let leases = rooms.get(roomId);
    if (!leases) rooms.set(roomId, (leases = new Map()));
    let users = counts.get(roomId);
    if (!users) counts.set(roomId, (users = new Map()));
    return { leases, users };
  };

  const add = (roomId: string, member: string, expiresAt: number) => {
    const { leases, users } = roomOf(roomId);
    if (leases.has(member)) {
      leases.set(member, Math.max(leases.get(member)!, expiresAt));
      return false;
    }
    leases.set(member, expiresAt);
    const user = toLeaseUser(member);
    const count = (users.get(user) ?? 0) + 1;
    users.set(user, count);
    return count === 1;
  };

  const remove = (roomId: string, member: string): boolean => {
    const { leases, users } = roomOf(roomId);
    if (!leases.delete(member)) return false;
    const user = toLeaseUser(member);
    const count = (users.get(user) ?? 1) - 1;
    if (count > 0) users.set(user, count);
    else users.delete(user);
    return count === 0;
  };

  return {
    async enter(lease, expiresAt) {
      return { joined: add(lease.roomId, toLeaseMember(lease.userId, lease.leaseId), expiresAt) };
    },
    async renew(leases, expiresAt) {
      return leases.filter((lease) => {
        const member = toLeaseMember(lease.userId, lease.leaseId);
        const live = rooms.get(lease.roomId);
        if (!live?.has(member)) return true;
        live.set(member, Math.max(live.get(member)!, expiresAt));
        return false;
      });
    },
    async release(lease, graceUntil) {
      add(lease.roomId, toLeaseMember(lease.userId, GRACE_LEASE_ID), graceUntil);
      remove(lease.roomId, toLeaseMember(lease.userId, lease.leaseId));
    },
    async sweep(at) {
      const departures: Departure[] = [];
      for (const [roomId, leases] of rooms) {
        const userIds = [...leases]
          .filter(([, expiry]) => expiry <= at)
          .flatMap(([member]) => (remove(roomId, member) ? [toLeaseUser(member)] : []));
        if (userIds.length > 0) departures.push({ roomId, userIds });
        if (leases.size === 0) {
          rooms.delete(roomId);
          counts.delete(roomId);
        }
      }
      return departures;
    },
    async listOnline(roomId) {
      return [...(counts.get(roomId)?.keys() ?? [])];
    },
    async countOnline(roomIds) {
      return roomIds.map((roomId) => counts.get(roomId)?.size ?? 0);
    },
    async roomsOf(userId, at) {
      return [...rooms]
        .filter(([, leases]) => [...leases].some(([member, expiry]) => expiry > at && toLeaseUser(member) === userId))
        .map(([roomId]) => roomId);
    },
    async claimTyping(roomId, userId, ttlMs) {
      const key = `${roomId} ${userId}`;
      if ((typing.get(key) ?? 0) > now()) return false;
      typing.set(key, now() + ttlMs);
      for (const [k, until] of typing) if (until <= now()) typing.delete(k);
      return true;
    },
  };
};
