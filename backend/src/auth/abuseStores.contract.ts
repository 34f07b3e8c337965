import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StoreRedis } from '../redis/client.js';
import { OAUTH_STATE_TTL_MS, type OAuthStateStore, createRedisOAuthStateStore } from './oauthStateStore.js';
import { createRedisSessionEvents } from './sessionEvents.js';
import { MAX_SOCKETS_PER_USER, type SocketLeases, createRedisSocketLeases } from './socketLeases.js';

/*
 * The small stores behind sign-in and the socket limit, on Redis (one server or a Cluster): single-use
 * states that expire, socket slots that free themselves when an instance dies, and the session-ended
 * hint. The suites take a way to open connections, so the same tests run on both.
 */

const PENDING = { codeVerifier: 'v'.repeat(43), returnTo: '/r/abc' };

export interface RedisStoresHarness {
  /** A new connection to the Redis under test, connected; the suite disconnects it when done. */
  connect(): Promise<StoreRedis>;
  /** Drops every pub/sub connection of the Redis under test (on a Cluster, of every node). */
  killSubscribers(): Promise<void>;
}

/** Connections opened by a suite, closed after it. */
const useConnections = (harness: () => RedisStoresHarness) => {
  const opened: StoreRedis[] = [];
  afterAll(() => {
    for (const connection of opened.splice(0)) connection.disconnect();
  });
  return async () => {
    const connection = await harness().connect();
    opened.push(connection);
    return connection;
  };
};

const toStateKey = (state: string) => `chat:oauth-state:${createHash('sha256').update(state).digest('hex')}`;

/** The OAuth state store's contract, with what only the Redis one has (what it keeps, and its TTL). */
export const describeRedisOAuthStateStore = (name: string, harness: () => RedisStoresHarness) => {
  describe(`OAuth state store (${name})`, () => {
    const connect = useConnections(harness);
    let redis: StoreRedis;
    let store: OAuthStateStore;
    beforeAll(async () => {
      redis = await connect();
      store = createRedisOAuthStateStore({ redis });
    });

    describeOAuthStateStoreContract(() => store);

    it('forgets a state after 10 minutes', async () => {
      await store.save('state-3', PENDING);
      const ttl = await redis.pttl(toStateKey('state-3'));
      expect(ttl).toBeGreaterThan(OAUTH_STATE_TTL_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(OAUTH_STATE_TTL_MS);
    });

    it('stores no state in the clear, and ignores what it did not write', async () => {
      await store.save('state-4', PENDING);
      const key = toStateKey('state-4');
      expect(key).not.toContain('state-4');
      expect(await redis.get(key)).toBe(JSON.stringify(PENDING));
      await redis.set(key, '{"codeVerifier": 1}');
      expect(await store.take('state-4')).toBeNull();
    });
  });
};

/** What every OAuth state store does (memory and Redis). */
export const describeOAuthStateStoreContract = (store: () => OAuthStateStore) => {
  it('gives a state back once, then never again', async () => {
    await store().save('state-1', PENDING);
    expect(await store().take('state-1')).toEqual(PENDING);
    expect(await store().take('state-1')).toBeNull();
    expect(await store().take('never-saved')).toBeNull();
  });

  it('gives one of many simultaneous takes of a state the sign-in', async () => {
    await store().save('state-2', PENDING);
    const takes = await Promise.all(Array.from({ length: 20 }, () => store().take('state-2')));
    expect(takes.filter((t) => t !== null)).toHaveLength(1);
  });
};

/** What every socket lease store does (memory and Redis). */
export const describeSocketLeasesContract = (leases: () => SocketLeases) => {
  it(`grants ${MAX_SOCKETS_PER_USER} per user, then none until one is released`, async () => {
    const held = await Promise.all(Array.from({ length: MAX_SOCKETS_PER_USER }, () => leases().acquire('alice')));
    expect(held.every((lease) => lease !== null)).toBe(true);
    expect(await leases().acquire('alice')).toBeNull();
    expect(await leases().acquire('bob')).not.toBeNull();
    await held[0]!.release();
    await held[0]!.release(); // twice is once
    const again = await leases().acquire('alice');
    expect(again).not.toBeNull();
    expect(await leases().acquire('alice')).toBeNull();
    for (const lease of [...held.slice(1), again]) await lease!.release();
  });

  it('grants exactly the free slots to a burst of simultaneous requests', async () => {
    const burst = await Promise.all(Array.from({ length: 25 }, () => leases().acquire('carol')));
    expect(burst.filter((lease) => lease !== null)).toHaveLength(MAX_SOCKETS_PER_USER);
    for (const lease of burst) await lease?.release();
  });
};

/** Socket leases on Redis: the contract, and leases shared by instances that live and die. */
export const describeRedisSocketLeases = (name: string, harness: () => RedisStoresHarness) => {
  describe(`socket leases (${name})`, () => {
    const connect = useConnections(harness);
    let leases: SocketLeases;
    beforeAll(async () => {
      leases = createRedisSocketLeases({ redis: await connect() });
    });
    afterAll(() => leases.close());

    describeSocketLeasesContract(() => leases);

    it('counts the leases an earlier version wrote (the key is unchanged: an upgrade keeps the limit)', async () => {
      const redis = await connect();
      const key = 'chat:{u:ulrich}:sockets';
      const expiry = Date.now() + 60_000;
      await redis.zadd(key, ...Array.from({ length: MAX_SOCKETS_PER_USER }, (_, i) => [expiry, `old-${i}`]).flat());
      await redis.pexpire(key, 60_000);
      expect(await leases.acquire('ulrich')).toBeNull();
      await redis.zrem(key, 'old-0');
      expect(await leases.acquire('ulrich')).not.toBeNull();
    });

    it('of an instance that dies expire, freeing the slots for the instances still running', async () => {
      const dying = await connect();
      const crashed = createRedisSocketLeases({ redis: dying, leaseMs: 600 });
      const survivor = createRedisSocketLeases({ redis: await connect(), leaseMs: 600 });
      for (let i = 0; i < MAX_SOCKETS_PER_USER; i++) expect(await crashed.acquire('dave')).not.toBeNull();
      expect(await survivor.acquire('dave')).toBeNull();
      // The instance's connection goes away without releasing anything (kill -9).
      dying.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await survivor.acquire('dave')).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await survivor.acquire('dave')).not.toBeNull();
      await crashed.close();
      await survivor.close();
    });

    it('are renewed while the instance lives, so they do not expire under it, for users of every slot', async () => {
      const living = createRedisSocketLeases({ redis: await connect(), leaseMs: 300 });
      const other = createRedisSocketLeases({ redis: await connect(), leaseMs: 300 });
      // Users whose keys spread over the slots (and a Cluster's nodes): one renewal round reaches all.
      const users = Array.from({ length: 12 }, (_, i) => `erin${i}`);
      for (const user of users) for (let i = 0; i < MAX_SOCKETS_PER_USER; i++) expect(await living.acquire(user)).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 900));
      for (const user of users) expect(await other.acquire(user), user).toBeNull();
      await living.close();
      await other.close();
    });
  });
};

/** Session-ended hints on Redis: heard by every instance, and `hearing` honest about gaps. */
export const describeRedisSessionEvents = (name: string, harness: () => RedisStoresHarness) => {
  describe(`session-ended hints (${name})`, () => {
    const connect = useConnections(harness);

    it('reach every instance', async () => {
      const id = 'a'.repeat(64);
      const [a, b] = await Promise.all([
        createRedisSessionEvents({ redis: await connect() }),
        createRedisSessionEvents({ redis: await connect() }),
      ]);
      const heard: string[] = [];
      a.onEnded((sessionId) => heard.push(`a:${sessionId}`));
      b.onEnded((sessionId) => heard.push(`b:${sessionId}`));
      await a.publishEnded(id);
      await vi.waitFor(() => expect(heard.sort()).toEqual([`a:${id}`, `b:${id}`]), { timeout: 2_000 });
      await Promise.all([a.close(), b.close()]);
    });

    it('say when hints may have been missed: not while the channel is down, and anew once subscribed again', async () => {
      const admin = await connect();
      const events = await createRedisSessionEvents({ redis: await connect() });
      const heard: string[] = [];
      events.onEnded((sessionId) => heard.push(sessionId));
      const first = events.hearing();
      expect(first).not.toBeNull();

      const states: (number | null)[] = [];
      const watch = setInterval(() => states.push(events.hearing()), 1);
      await harness().killSubscribers();
      await vi.waitFor(() => expect(events.hearing()).not.toBe(first), { timeout: 5_000 });
      await vi.waitFor(() => expect(events.hearing()).not.toBeNull(), { timeout: 5_000 });
      clearInterval(watch);
      // Down between the two subscriptions, then a value of its own.
      expect(states).toContain(null);
      expect(events.hearing()).not.toBe(first);

      // And hints reach it again.
      const id = 'b'.repeat(64);
      await admin.publish('chat:session-ended', id);
      await vi.waitFor(() => expect(heard).toEqual([id]));
      await events.close();
      expect(events.hearing()).toBeNull();
    });
  });
};
