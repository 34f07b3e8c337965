import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { type TestRedis, startTestRedis } from '../testing/redisServer.js';
import { createMemoryPresenceStore } from './memoryPresenceStore.js';
import { describePresenceStoreContract } from './presenceStore.contract.js';
import { createRedisPresenceStore } from './redisPresenceStore.js';

describePresenceStoreContract('memory', async () => ({ store: createMemoryPresenceStore(), cleanup: async () => {} }));

let redisServer: TestRedis;
beforeAll(async () => {
  redisServer = await startTestRedis();
});
afterAll(() => redisServer.dispose());

describePresenceStoreContract('redis', async () => {
  const redis = new Redis(redisServer.url);
  await redis.flushall();
  return { store: createRedisPresenceStore(redis), cleanup: async () => void redis.disconnect() };
});
