import type { Redis } from 'ioredis';
import { callRedis as call } from '../redis/connection.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { presenceDueKey, toRoomOnlineKey, toRoomOnlineUsersKey, toTypingKey, toUserRoomsKey } from './keys.js';
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

// Answers how many leases are left, who left (their last lease expired), and the earliest expiry
// left (false when none), for the room's next due time.
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
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {redis.call('ZCARD', KEYS[1]), left, first[2] or false}
`;

// The due index (KEYS[1]) after a room's sweep: ARGV[1] the room, ARGV[2] now, ARGV[3] its next
// due time ('' when it holds no lease). A score moved into the future meanwhile (a release's grace
// lease, a new lease's ZADD LT) is kept when it is earlier.
const rescheduleLua = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
if ARGV[3] == '' then
  if tonumber(score) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
  return 1
end
if tonumber(score) <= tonumber(ARGV[2]) or tonumber(ARGV[3]) < tonumber(score) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
`;

/** The rooms index of earlier versions (a plain set), adopted by the first sweep. */
const OLD_ROOMS_KEY = 'chat:presence:rooms';

/** Rooms swept per sweep call at most (the rest are due at the next). */
const SWEEP_BATCH = 1_000;

type Script = (...args: (string | number)[]) => Promise<unknown>;
interface Scripts {
  presenceEnter: Script;
  presenceRenew: Script;
  presenceRelease: Script;
  presenceSweep: Script;
  presenceReschedule: Script;
}

const roomKeys = (roomId: string) => [toRoomOnlineKey(roomId), toRoomOnlineUsersKey(roomId)] as const;

/** Presence in Redis; `redis` is a fail-fast connection the caller owns. */
export const createRedisPresenceStore = (redis: Redis): PresenceStore => {
  redis.defineCommand('presenceEnter', { lua: enterLua, numberOfKeys: 2 });
  redis.defineCommand('presenceRenew', { lua: renewLua, numberOfKeys: 1 });
  redis.defineCommand('presenceRelease', { lua: releaseLua, numberOfKeys: 2 });
  redis.defineCommand('presenceSweep', { lua: sweepLua, numberOfKeys: 2 });
  redis.defineCommand('presenceReschedule', { lua: rescheduleLua, numberOfKeys: 1 });
  const scripts = redis as unknown as Scripts;
  let adoptedOldIndex = false;

  return {
    async enter({ roomId, userId, leaseId }, expiresAt) {
      const joined = await call(() => scripts.presenceEnter(...roomKeys(roomId), toLeaseMember(userId, leaseId), userId, expiresAt));
      // Indexes in other slots: written after the lease, so at worst they name a room a moment too long.
      await call(() =>
        redis.pipeline().zadd(presenceDueKey, 'LT', expiresAt, roomId).zadd(toUserRoomsKey(userId), 'GT', expiresAt, roomId).exec(),
      );
      return { joined: joined === 1 };
    },
    async renew(leases, expiresAt) {
      if (leases.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const { roomId, userId, leaseId } of leases) {
        (pipeline as unknown as Scripts).presenceRenew(toRoomOnlineKey(roomId), toLeaseMember(userId, leaseId), expiresAt);
      }
      // A room a concurrent sweep took out of the due index (it saw no lease) comes back; one that is
      // there keeps its (earlier) due time.
      for (const roomId of new Set(leases.map((l) => l.roomId))) pipeline.zadd(presenceDueKey, 'NX', expiresAt, roomId);
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
      // The grace lease may end before the room's due time: the room is due then.
      await call(() => redis.zadd(presenceDueKey, 'LT', graceUntil, roomId));
    },
    async sweep(now) {
      if (!adoptedOldIndex) {
        // The plain set an earlier version kept: its rooms are due now (a crashed instance's leases
        // in them are never renewed, so nothing else would bring them to the new index).
        const old = await call(() => redis.smembers(OLD_ROOMS_KEY));
        if (old.length > 0)
          await call(() =>
            redis
              .pipeline()
              .zadd(presenceDueKey, 'NX', ...old.flatMap((roomId) => [0, roomId]))
              .del(OLD_ROOMS_KEY)
              .exec(),
          );
        adoptedOldIndex = true;
      }
      const roomIds = await call(() => redis.zrangebyscore(presenceDueKey, '-inf', now, 'LIMIT', 0, SWEEP_BATCH));
      if (roomIds.length === 0) return [];
      const sweeps = redis.pipeline();
      for (const roomId of roomIds) (sweeps as unknown as Scripts).presenceSweep(...roomKeys(roomId), now);
      const swept = (await call(() => sweeps.exec())) ?? [];
      const departures: Departure[] = [];
      const reschedule = redis.pipeline();
      swept.forEach(([error, reply], i) => {
        if (error) throw new StoreUnavailableError(error);
        const [, userIds, first] = reply as [number, string[], string | false];
        if (userIds.length > 0) departures.push({ roomId: roomIds[i]!, userIds });
        (reschedule as unknown as Scripts).presenceReschedule(presenceDueKey, roomIds[i]!, now, first === false ? '' : first);
      });
      // Not rescheduled (an outage here): the rooms stay due, and the next sweep finds nothing new in them.
      await call(() => reschedule.exec());
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
