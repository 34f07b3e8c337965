import { describe } from 'vitest';
import { useTestRedis } from '../testing/useTestRedis.js';
import { describeRateLimitFloods, describeRateLimitsContract } from './rateLimits.contract.js';

describeRateLimitFloods(
  'memory',
  async () => {
    const { createMemoryEventStore } = await import('../eventstore/memoryEventStore.js');
    const store = createMemoryEventStore();
    return { store, wipe: () => store.close() };
  },
  () => null,
);

describeRateLimitsContract('memory');

describe('redis', () => {
  const redis = useTestRedis();
  describeRateLimitsContract('redis', () => redis.client);
  describeRateLimitFloods(
    'redis',
    async () => {
      const { createRedisEventStore } = await import('../eventstore/redisEventStore.js');
      const store = await createRedisEventStore({ url: redis.url });
      return {
        store,
        wipe: async () => {
          await store.close();
          await redis.client.flushall();
        },
      };
    },
    () => redis.client,
  );
});
