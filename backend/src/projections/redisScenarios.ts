import { describe } from 'vitest';
import type { EventStore } from '../eventstore/eventStore.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import type { StoreRedis } from '../redis/client.js';
import { useTestRedis } from '../testing/useTestRedis.js';

/**
 * A fresh Redis store and a connection to the same Redis (one server or a Cluster) for the
 * projections' Redis-only scenarios, and how to throw them away (the data is flushed).
 */
export type OpenRedisStore = () => Promise<{ store: EventStore; redis: StoreRedis; wipe(): Promise<void> }>;

/** Declares a scenario on a redis-server of its own (the Cluster spec declares it on a Cluster). */
export const onOneRedis = (suite: (name: string, open: OpenRedisStore) => void) => {
  describe('one redis', () => {
    const redis = useTestRedis();
    suite('one redis', async () => {
      const store = await createRedisEventStore({ url: redis.url });
      return {
        store,
        redis: redis.client,
        wipe: async () => {
          await store.close();
          await redis.client.flushall();
        },
      };
    });
  });
};
