import { describe } from 'vitest';
import type { EventStore } from '../eventstore/eventStore.js';
import { createMemoryEventStore } from '../eventstore/memoryEventStore.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { useTestRedis } from './useTestRedis.js';

/** A fresh store for one use, and how to throw it away (a Redis is flushed). */
export type OpenStore = () => Promise<{ store: EventStore; wipe(): Promise<void> }>;

/**
 * Declares a suite on the in-memory store and on a redis-server of its own, with a number of
 * runs for each (property tests run fewer on Redis, whose round trips cost more).
 */
export const onBothStores = (suite: (name: string, open: OpenStore, runs: number) => void, runs: { memory: number; redis: number }) => {
  suite(
    'memory',
    async () => {
      const store = createMemoryEventStore();
      return { store, wipe: () => store.close() };
    },
    runs.memory,
  );
  describe('redis', () => {
    const redis = useTestRedis();
    suite(
      'redis',
      async () => {
        const store = await createRedisEventStore({ url: redis.url });
        return {
          store,
          wipe: async () => {
            await store.close();
            await redis.client.flushall();
          },
        };
      },
      runs.redis,
    );
  });
};
