import { roomSnapshotsKey } from '../../chat/keys.js';
import type { Cursor } from '../../eventstore/eventStore.js';
import { type StoreRedis, isCluster } from '../../redis/client.js';
import { inboxCheckpointKey, inboxLeaseKey, inboxListenersVersionKey, inboxListeningKey, inboxRoomsKey } from '../keys.js';
import type { InboxProjectorState } from './inboxProjector.js';

/** Takes the lease if free, or renews it if ours: one script, so two instances never both hold it. */
const LEASE_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/**
 * Marks ARGV[1] as listening for ARGV[2] ms from now, by the store's clock (every instance reads
 * the same one); someone who was not listening moves the version KEYS[2] on (a renewal does not).
 */
const LISTEN_LUA = `
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
redis.call('HSET', KEYS[1], ARGV[1], now + tonumber(ARGV[2]))
if old <= now then redis.call('INCR', KEYS[2]) end
return 1
`;

/**
 * The projector's place, lease and room records in Redis, shared by every instance: all in the
 * `{inbox}` slot, so on a Cluster too each script stays in one slot.
 */
export const createRedisInboxState = (redis: StoreRedis, instanceId: string): InboxProjectorState => ({
  lease: async (ms) => (await redis.eval(LEASE_LUA, 1, inboxLeaseKey, instanceId, ms)) === 1,
  readCheckpoint: async () => (await redis.get(inboxCheckpointKey)) as Cursor | null,
  writeCheckpoint: async (cursor) => {
    await redis.set(inboxCheckpointKey, cursor);
  },
  listen: async (userId, ms) => {
    await redis.eval(LISTEN_LUA, 2, inboxListeningKey, inboxListenersVersionKey, userId, ms);
  },
  readListeningVersion: async () => Number((await redis.get(inboxListenersVersionKey)) ?? 0),
  readListening: async () =>
    new Map(Object.entries(await redis.hgetall(inboxListeningKey)).map(([userId, until]) => [userId, Number(until)])),
  forgetListening: async (userIds) => {
    if (userIds.length) await redis.hdel(inboxListeningKey, ...userIds);
  },
  readRoomRecords: async (fields) => (fields.length ? ((await redis.hmget(inboxRoomsKey, ...fields)) as (Cursor | null)[]) : []),
  writeRoomRecords: async (records) => {
    if (records.size) await redis.hset(inboxRoomsKey, Object.fromEntries(records));
  },
  // The rooms' snapshots hash's fields, without its values.
  listRoomIds: () => redis.hkeys(roomSnapshotsKey),
  // The same deployment's store is a Cluster too (REDIS_CLUSTER): its notes follow their appends.
  notesMayBeLost: isCluster(redis),
});

/** The embedded mode's: one process, so the lease is always ours. */
export const createMemoryInboxState = (): InboxProjectorState => {
  let checkpoint: Cursor | null = null;
  const listening = new Map<string, number>();
  let version = 0;
  const rooms = new Map<string, Cursor>();
  return {
    lease: async () => true,
    readCheckpoint: async () => checkpoint,
    writeCheckpoint: async (cursor) => {
      checkpoint = cursor;
    },
    listen: async (userId, ms) => {
      const now = Date.now();
      if ((listening.get(userId) ?? 0) <= now) version++;
      listening.set(userId, now + ms);
    },
    readListeningVersion: async () => version,
    readListening: async () => new Map(listening),
    forgetListening: async (userIds) => {
      for (const userId of userIds) listening.delete(userId);
    },
    readRoomRecords: async (fields) => fields.map((field) => rooms.get(field) ?? null),
    writeRoomRecords: async (records) => {
      for (const [field, cursor] of records) rooms.set(field, cursor);
    },
  };
};
