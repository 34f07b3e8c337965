import { describe } from 'vitest';
import { createMemoryEventStore } from '../eventstore/memoryEventStore.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { useTestRedis } from '../testing/useTestRedis.js';
import { describeStreamSubscriptionContract } from './streamSubscription.contract.js';

describeStreamSubscriptionContract('memory', async () => {
  const store = createMemoryEventStore();
  return { store, cleanup: () => store.close() };
});

describe('redis', () => {
  const redis = useTestRedis();

  describeStreamSubscriptionContract('redis', async () => {
    const store = await createRedisEventStore({ url: redis.url });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await redis.client.flushall();
      },
    };
  });
});
