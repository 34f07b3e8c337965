import { type KeyedCommand, type StoreRedis, execByNode, isCluster, nodeOf } from '../redis/client.js';
import { callRedis as call } from '../redis/connection.js';
import { presenceDueKey, toRoomOnlineKey, toRoomOnlineUsersKey, toTypingKey, toUserPresentRoomsKey } from './keys.js';
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
  presenceRelease: Script;
}

const roomKeys = (roomId: string) => [toRoomOnlineKey(roomId), toRoomOnlineUsersKey(roomId)] as const;

/** A command routed by its first key (`execByNode`). */
const keyed = (key: string, ...command: (string | number)[]): KeyedCommand => ({ key, command });

/**
 * Presence in Redis; `redis` is a fail-fast connection the caller owns (one Redis or a Cluster).
 *
 * The same keys on one Redis and on a Cluster. A room's keys share its hash tag, so each script
 * stays in one slot; the due index (`presenceDueKey`) and a user's rooms live in slots of their
 * own, so no script or transaction reaches them together with a room's keys, and pipelines over
 * many keys go one per node (`execByNode`). Between slots the writes are ordered so that a failure
 * halfway leaves only a harmless hint: the indexes are written before the lease they point to (a
 * room due with nothing in it is swept for nothing and dropped from the index; a room named in
 * `roomsOf` without the user's lease is filtered out there), and a room leaves the due index only
 * after a sweep found it empty.
 */
export const createRedisPresenceStore = (redis: StoreRedis): PresenceStore => {
  redis.defineCommand('presenceEnter', { lua: enterLua, numberOfKeys: 2 });
  redis.defineCommand('presenceRenew', { lua: renewLua, numberOfKeys: 1 });
  redis.defineCommand('presenceRelease', { lua: releaseLua, numberOfKeys: 2 });
  redis.defineCommand('presenceSweep', { lua: sweepLua, numberOfKeys: 2 });
  redis.defineCommand('presenceReschedule', { lua: rescheduleLua, numberOfKeys: 1 });
  const scripts = redis as unknown as Scripts;
  let adoptedOldIndex = false;

  return {
    async enter({ roomId, userId, leaseId }, expiresAt) {
      // The indexes (other slots) first: should the lease then fail, they name a room a moment too
      // long, which a sweep and `roomsOf` see through; the other way round, a lease of an instance
      // that crashed could be missing from the due index and never expire.
      const userRoomsKey = toUserPresentRoomsKey(userId);
      await execByNode(redis, [
        keyed(presenceDueKey, 'zadd', presenceDueKey, 'LT', expiresAt, roomId),
        keyed(userRoomsKey, 'zadd', userRoomsKey, 'GT', expiresAt, roomId),
      ]);
      const joined = await call(() => scripts.presenceEnter(...roomKeys(roomId), toLeaseMember(userId, leaseId), userId, expiresAt));
      return { joined: joined === 1 };
    },
    async renew(leases, expiresAt) {
      if (leases.length === 0) return [];
      const commands = leases.map(({ roomId, userId, leaseId }) => {
        const key = toRoomOnlineKey(roomId);
        return keyed(key, 'presenceRenew', key, toLeaseMember(userId, leaseId), expiresAt);
      });
      // A room a concurrent sweep took out of the due index (it saw no lease) comes back; one that is
      // there keeps its (earlier) due time. In parallel with the renewals (other slots): renewed or
      // not, a room in the index is only swept once more.
      for (const roomId of new Set(leases.map((l) => l.roomId)))
        commands.push(keyed(presenceDueKey, 'zadd', presenceDueKey, 'NX', expiresAt, roomId));
      for (const lease of leases) {
        const key = toUserPresentRoomsKey(lease.userId);
        commands.push(keyed(key, 'zadd', key, 'GT', expiresAt, lease.roomId));
      }
      const replies = await execByNode(redis, commands);
      return leases.filter((_, i) => replies[i] === 0);
    },
    async release({ roomId, userId, leaseId }, graceUntil) {
      // The grace lease may end before the room's due time: the room is due then. Written first (see
      // `enter`): should the release fail, the room is only swept early, for nothing.
      await call(() => redis.zadd(presenceDueKey, 'LT', graceUntil, roomId));
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
      if (!adoptedOldIndex) {
        // The plain set an earlier version kept: its rooms are due now (a crashed instance's leases
        // in them are never renewed, so nothing else would bring them to the new index).
        // Two slots: the set is deleted only once its rooms are in the new index.
        const old = await call(() => redis.smembers(OLD_ROOMS_KEY));
        if (old.length > 0) {
          await call(() => redis.zadd(presenceDueKey, 'NX', ...old.flatMap((roomId) => [0, roomId])));
          await call(() => redis.del(OLD_ROOMS_KEY));
        }
        adoptedOldIndex = true;
      }
      const roomIds = await call(() => redis.zrangebyscore(presenceDueKey, '-inf', now, 'LIMIT', 0, SWEEP_BATCH));
      if (roomIds.length === 0) return [];
      // One script per room (its slot), one pipeline per node; a node that cannot answer (a
      // failover) fails its own rooms only: the others' departures, found and removed, must be
      // answered now, since no later sweep finds them again. The failed rooms stay due.
      const byNode = new Map<string, string[]>();
      for (const roomId of roomIds) {
        const node = isCluster(redis) ? nodeOf(redis, toRoomOnlineKey(roomId)) : '';
        const rooms = byNode.get(node);
        if (rooms) rooms.push(roomId);
        else byNode.set(node, [roomId]);
      }
      const departures: Departure[] = [];
      const reschedule: KeyedCommand[] = [];
      let failure: unknown = null;
      const settled = await Promise.allSettled(
        [...byNode.values()].map(async (rooms) => ({
          rooms,
          swept: await execByNode(
            redis,
            rooms.map((roomId) => keyed(toRoomOnlineKey(roomId), 'presenceSweep', ...roomKeys(roomId), now)),
          ),
        })),
      );
      for (const result of settled) {
        if (result.status === 'rejected') {
          failure = result.reason;
          continue;
        }
        const { rooms, swept } = result.value;
        swept.forEach((reply, i) => {
          const [, userIds, first] = reply as [number, string[], string | false];
          if (userIds.length > 0) departures.push({ roomId: rooms[i]!, userIds });
          reschedule.push(keyed(presenceDueKey, 'presenceReschedule', presenceDueKey, rooms[i]!, now, first === false ? '' : first));
        });
      }
      // The index is told after the rooms were swept (another slot). Not rescheduled (an outage
      // here): the rooms stay due, and the next sweep finds nothing new in them.
      await execByNode(redis, reschedule).catch((error: unknown) => {
        failure ??= error;
      });
      // Departures found are answered even when some node failed: that node's rooms are tried again
      // (and its failure seen again) at the next sweep.
      if (failure !== null && departures.length === 0) throw failure;
      return departures;
    },
    async listOnline(roomId) {
      return call(() => redis.hkeys(toRoomOnlineUsersKey(roomId)));
    },
    async countOnline(roomIds) {
      const replies = await execByNode(
        redis,
        roomIds.map((roomId) => keyed(toRoomOnlineUsersKey(roomId), 'hlen', toRoomOnlineUsersKey(roomId))),
      );
      return replies.map(Number);
    },
    async roomsOf(userId, now) {
      const key = toUserPresentRoomsKey(userId);
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
