import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import {
  type RedisStoresHarness,
  describeOAuthStateStoreContract,
  describeRedisOAuthStateStore,
  describeRedisSessionEvents,
  describeRedisSocketLeases,
  describeSocketLeasesContract,
} from './abuseStores.contract.js';
import { OAUTH_STATE_TTL_MS, createMemoryOAuthStateStore } from './oauthStateStore.js';
import { createLocalSessionEvents } from './sessionEvents.js';
import { createMemorySocketLeases } from './socketLeases.js';

/*
 * The small stores behind sign-in and the socket limit, in memory and on one Redis (the Cluster's
 * run is in stateStores.cluster.int.spec.ts).
 */

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(() => redis?.dispose());

const harness = (): RedisStoresHarness => ({
  connect: async () => new Redis(redis.url),
  killSubscribers: async () => {
    const admin = new Redis(redis.url);
    try {
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    } finally {
      admin.disconnect();
    }
  },
});

describe('OAuth state store (memory)', () => {
  let clock = Date.now();
  const store = createMemoryOAuthStateStore({ now: () => clock });
  describeOAuthStateStoreContract(() => store);

  it('forgets a state after 10 minutes', async () => {
    await store.save('state-3', { codeVerifier: 'v'.repeat(43), returnTo: '/r/abc' });
    clock += OAUTH_STATE_TTL_MS;
    expect(await store.take('state-3')).toBeNull();
  });
});
describeRedisOAuthStateStore('redis', harness);

describe('socket leases (memory)', () => {
  const leases = createMemorySocketLeases();
  afterAll(() => leases.close());
  describeSocketLeasesContract(() => leases);
});
describeRedisSocketLeases('redis', harness);

describeRedisSessionEvents('redis', harness);

describe('session-ended hints (memory)', () => {
  it('reach the local listeners', async () => {
    const id = 'a'.repeat(64);
    const local = createLocalSessionEvents();
    const localHeard: string[] = [];
    local.onEnded((sessionId) => localHeard.push(sessionId));
    await local.publishEnded(id);
    expect(localHeard).toEqual([id]);
    expect(local.hearing()).not.toBeNull();
  });
});
