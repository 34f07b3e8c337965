import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { createMemoryEventStore } from '../eventstore/memoryEventStore.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { describeStreamSubscriptionContract } from './streamSubscription.contract.js';

describeStreamSubscriptionContract('memory', async () => {
  const store = createMemoryEventStore();
  return { store, cleanup: () => store.close() };
});

describe('redis', () => {
  let server: TestRedis;
  let admin: Redis;

  beforeAll(async () => {
    server = await startTestRedis();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.dispose();
  });

  describeStreamSubscriptionContract('redis', async () => {
    const store = await createRedisEventStore({ url: server.url });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await admin.flushall();
      },
    };
  });
});
