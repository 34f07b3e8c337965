import type { Redis } from 'ioredis';
import type { Cursor } from '../../eventstore/eventStore.js';
import { inboxCheckpointKey, inboxLeaseKey } from '../keys.js';
import type { InboxProjectorState } from './inboxProjector.js';

/** Takes the lease if free, or renews it if ours: one script, so two instances never both hold it. */
const LEASE_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** The projector's place and lease in Redis, shared by every instance. */
export const createRedisInboxState = (redis: Redis, instanceId: string): InboxProjectorState => ({
  lease: async (ms) => (await redis.eval(LEASE_LUA, 1, inboxLeaseKey, instanceId, ms)) === 1,
  readCheckpoint: async () => (await redis.get(inboxCheckpointKey)) as Cursor | null,
  writeCheckpoint: async (cursor) => {
    await redis.set(inboxCheckpointKey, cursor);
  },
});

/** The embedded mode's: one process, so the lease is always ours. */
export const createMemoryInboxState = (): InboxProjectorState => {
  let checkpoint: Cursor | null = null;
  return {
    lease: async () => true,
    readCheckpoint: async () => checkpoint,
    writeCheckpoint: async (cursor) => {
      checkpoint = cursor;
    },
  };
};
