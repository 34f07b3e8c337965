import type { Redis } from 'ioredis';
import { callRedis as call } from '../redis/connection.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { presenceRoomsKey, toRoomOnlineKey, toRoomOnlineUsersKey, toTypingKey, toUserRoomsKey } from './keys.js';
import { GRACE_LEASE_ID, type Departure, type PresenceStore, toLeaseMember } from './presenceStore.js';

// Each script touches one room's two keys (one hash slot). KEYS[1]: leases (member → expiry),
// KEYS[2]: user → lease count.
const enterLua = `
if redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[1]) == 0 then
  redis.call('ZADD', KEYS[1], 'GT', ARGV[3], ARGV[1])
  return 0
end
return redis.call('HINCRBY', KEYS[2], ARGV[2], 1) == 1 and 1 or 0
`;

const renewLua = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
return 1
`;

const releaseLua = `
if redis.call('ZADD', KEYS[1], 'NX', ARGV[4], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
else
  redis.call('ZADD', KEYS[1], 'GT', ARGV[4], ARGV[2])
end
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 and redis.call('HINCRBY', KEYS[2], ARGV[3], -1) <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[3])
end
return 1
`;

const sweepLua = `
local left = {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])) do
  redis.call('ZREM', KEYS[1], member)
  local user = string.match(member, '^(.*) [^ ]*$')
  if redis.call('HINCRBY', KEYS[2], user, -1) <= 0 then
    redis.call('HDEL', KEYS[2], user)
    left[#left + 1] = user
  end
end
return {redis.call('ZCARD', KEYS[1]), left}
`;

type Script = (...args: (string | number)[]) => Promise<unknown>;
interface Scripts {
  presenceEnter: Script;
  presenceRenew: Script;
  presenceRelease: Script;
  presenceSweep: Script;
}

const roomKeys = (roomId: string) => [toRoomOnlineKey(roomId), toRoomOnlineUsersKey(roomId)] as const;

/** Presence in Redis; `redis` is a fail-fast connection the caller owns. */
export const createRedisPresenceStore = (redis: Redis): PresenceStore => {
  redis.defineCommand('presenceEnter', { lua: enterLua, numberOfKeys: 2 });
  redis.defineCommand('presenceRenew', { lua: renewLua, numberOfKeys: 1 });
  redis.defineCommand('presenceRelease', { lua: releaseLua, numberOfKeys: 2 });
  redis.defineCommand('presenceSweep', { lua: sweepLua, numberOfKeys: 2 });
  const scripts = redis as unknown as Scripts;

  return {
    async enter({ roomId, userId, leaseId }, expiresAt) {
      const joined = await call(() => scripts.presenceEnter(...roomKeys(roomId), toLeaseMember(userId, leaseId), userId, expiresAt));
      // Indexes in other slots: written after the lease, so at worst they name a room a moment too long.
      await call(() => redis.pipeline().sadd(presenceRoomsKey, roomId).zadd(toUserRoomsKey(userId), 'GT', expiresAt, roomId).exec());
      return { joined: joined === 1 };
    },
    async renew(leases, expiresAt) {
      if (leases.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const { roomId, userId, leaseId } of leases) {
        (pipeline as unknown as Scripts).presenceRenew(toRoomOnlineKey(roomId), toLeaseMember(userId, leaseId), expiresAt);
      }
      for (const roomId of new Set(leases.map((l) => l.roomId))) pipeline.sadd(presenceRoomsKey, roomId);
      for (const lease of leases) pipeline.zadd(toUserRoomsKey(lease.userId), 'GT', expiresAt, lease.roomId);
      const results = (await call(() => pipeline.exec())) ?? [];
      for (const [error] of results) if (error) throw new StoreUnavailableError(error);
      return leases.filter((_, i) => results[i]?.[1] === 0);
    },
    async release({ roomId, userId, leaseId }, graceUntil) {
      await call(() =>
        scripts.presenceRelease(
          ...roomKeys(roomId),
          toLeaseMember(userId, leaseId),
          toLeaseMember(userId, GRACE_LEASE_ID),
          userId,
          graceUntil,
        ),
      );
    },
    async sweep(now) {
      const roomIds = await call(() => redis.smembers(presenceRoomsKey));
      const departures: Departure[] = [];
      for (const roomId of roomIds) {
        const [remaining, userIds] = (await call(() => scripts.presenceSweep(...roomKeys(roomId), now))) as [number, string[]];
        if (userIds.length > 0) departures.push({ roomId, userIds });
        // A lease entered meanwhile adds the room again at its next renewal.
        if (remaining === 0) await call(() => redis.srem(presenceRoomsKey, roomId));
      }
      return departures;
    },
    async listOnline(roomId) {
      return call(() => redis.hkeys(toRoomOnlineUsersKey(roomId)));
    },
    async countOnline(roomIds) {
      if (roomIds.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const roomId of roomIds) pipeline.hlen(toRoomOnlineUsersKey(roomId));
      const results = (await call(() => pipeline.exec()))!;
      return results.map(([error, count]) => {
        if (error) throw new StoreUnavailableError(error);
        return Number(count);
      });
    },
    async roomsOf(userId, now) {
      const key = toUserRoomsKey(userId);
      const roomIds = await call(async () => {
        await redis.zremrangebyscore(key, '-inf', now);
        return redis.zrangebyscore(key, `(${now}`, '+inf');
      });
      const present = await Promise.all(roomIds.map((roomId) => call(() => redis.hexists(toRoomOnlineUsersKey(roomId), userId))));
      return roomIds.filter((_, i) => present[i] === 1);
    },
    async claimTyping(roomId, userId, ttlMs) {
      return (await call(() => redis.set(toTypingKey(roomId, userId), '1', 'PX', ttlMs, 'NX'))) === 'OK';
    },
  };
};
