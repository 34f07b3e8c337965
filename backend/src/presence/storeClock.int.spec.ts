import { describe, expect, it } from 'vitest';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { useTestRedis } from '../testing/useTestRedis.js';
import { createRedisPresenceStore } from './redisPresenceStore.js';
import { createStoreClock } from './storeClock.js';

/**
 * Presence across instances whose clocks disagree: one instance 20 s ahead swept the others'
 * leases as expired (users flapped joined/left, onlineCount read 0). On the store's clock, every
 * instance reads one time.
 */
describe('presence on the store’s clock', () => {
  const redis = useTestRedis();
  const LEASE_MS = 15_000;
  const AHEAD_MS = 20_000;

  it('reads Redis’s time on an instance whose own clock is ahead', async () => {
    const store = await createRedisEventStore({ url: redis.url });
    const clock = await createStoreClock(store, { local: () => Date.now() + AHEAD_MS });
    try {
      const server = await store.serverTime();
      expect(Math.abs(clock.now() - server)).toBeLessThan(1_000);
    } finally {
      clock.close();
      await store.close();
    }
  });

  it('keeps a user entered by one instance online through the sweep of an instance 20 s ahead', async () => {
    const store = await createRedisEventStore({ url: redis.url });
    const presence = createRedisPresenceStore(redis.client);
    const onTime = await createStoreClock(store);
    const ahead = await createStoreClock(store, { local: () => Date.now() + AHEAD_MS });
    try {
      const lease = { roomId: 'r1', userId: 'ann', leaseId: 'a' };
      await presence.enter(lease, onTime.now() + LEASE_MS);
      // On the instance's own clock, its sweep takes the lease for expired: what happened before.
      expect(Date.now() + AHEAD_MS).toBeGreaterThan(onTime.now() + LEASE_MS);
      expect(await presence.sweep(ahead.now())).toEqual([]);
      expect(await presence.countOnline(['r1'])).toEqual([1]);
    } finally {
      onTime.close();
      ahead.close();
      await store.close();
    }
  });
});
