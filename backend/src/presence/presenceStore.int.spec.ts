import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { measureRedisCost } from '../testing/redisCost.js';
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

describe('redis presence sweep', () => {
  let redis: Redis;
  beforeEach(async () => {
    redis = new Redis(redisServer.url);
    await redis.flushall();
  });
  afterEach(() => redis.disconnect());

  it('reads only the rooms with something due, however many rooms hold leases', async () => {
    const store = createRedisPresenceStore(redis);
    const t0 = 1_000_000;
    for (let i = 0; i < 300; i++) await store.enter({ roomId: `busy${i}`, userId: `u${i}`, leaseId: 'l' }, t0 + 10_000);
    await store.enter({ roomId: 'short', userId: 'alice', leaseId: 'l' }, t0 + 100);
    await store.sweep(t0);
    const cost = await measureRedisCost(redis, () => store.sweep(t0 + 200));
    // alice's lease in one room expired: one room swept (the sweep script and its reschedule), not 301.
    expect(cost.commands.evalsha ?? 0).toBeLessThanOrEqual(2);
    expect(await store.listOnline('short')).toEqual([]);
    expect(await store.listOnline('busy7')).toEqual(['u7']);
    // Each room is due again at its own next expiry.
    expect(await store.sweep(t0 + 10_001)).toHaveLength(300);
  });

  it('adopts the rooms of the plain set an earlier version kept, so a crashed instance’s leases there still expire', async () => {
    const store = createRedisPresenceStore(redis);
    await store.enter({ roomId: 'old', userId: 'bob', leaseId: 'l' }, 500);
    // As an earlier version left it: the room only in the old set.
    await redis.del('chat:presence:due');
    await redis.sadd('chat:presence:rooms', 'old');
    expect(await store.sweep(1_000)).toEqual([{ roomId: 'old', userIds: ['bob'] }]);
    expect(await redis.exists('chat:presence:rooms')).toBe(0);
  });
});
