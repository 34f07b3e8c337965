import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { OAUTH_STATE_TTL_MS, type OAuthStateStore, createMemoryOAuthStateStore, createRedisOAuthStateStore } from './oauthStateStore.js';
import { MAX_SOCKETS_PER_USER, type SocketLeases, createMemorySocketLeases, createRedisSocketLeases } from './socketLeases.js';
import { createLocalSessionEvents, createRedisSessionEvents } from './sessionEvents.js';

/*
 * The small stores behind sign-in and the socket limit, in memory and on Redis: single-use states
 * that expire, socket slots that free themselves when an instance dies, and the session-ended hint.
 */

const PENDING = { codeVerifier: 'v'.repeat(43), returnTo: '/r/abc' };

let redis: TestRedis;
const connections: Redis[] = [];
const connect = () => {
  const connection = new Redis(redis.url);
  connections.push(connection);
  return connection;
};

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await redis?.dispose();
});

describe.each(['memory', 'redis'] as const)('OAuth state store (%s)', (kind) => {
  let clock = Date.now();
  let store: OAuthStateStore;
  beforeAll(() => {
    store = kind === 'memory' ? createMemoryOAuthStateStore({ now: () => clock }) : createRedisOAuthStateStore({ redis: connect() });
  });

  it('gives a state back once, then never again', async () => {
    await store.save('state-1', PENDING);
    expect(await store.take('state-1')).toEqual(PENDING);
    expect(await store.take('state-1')).toBeNull();
    expect(await store.take('never-saved')).toBeNull();
  });

  it('gives one of many simultaneous takes of a state the sign-in', async () => {
    await store.save('state-2', PENDING);
    const takes = await Promise.all(Array.from({ length: 20 }, () => store.take('state-2')));
    expect(takes.filter((t) => t !== null)).toHaveLength(1);
  });

  it('forgets a state after 10 minutes', async () => {
    await store.save('state-3', PENDING);
    if (kind === 'memory') {
      clock += OAUTH_STATE_TTL_MS;
      expect(await store.take('state-3')).toBeNull();
    } else {
      const ttl = await connections[0]!.pttl((await connections[0]!.keys('chat:oauth-state:*'))[0]!);
      expect(ttl).toBeGreaterThan(OAUTH_STATE_TTL_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(OAUTH_STATE_TTL_MS);
    }
  });

  if (kind === 'redis') {
    it('stores no state in the clear, and ignores what it did not write', async () => {
      const connection = connections[0]!;
      await store.save('state-4', PENDING);
      const keys = await connection.keys('chat:oauth-state:*');
      expect(keys.join(' ')).not.toContain('state-4');
      const key = `chat:oauth-state:${createHash('sha256').update('state-4').digest('hex')}`;
      expect(keys).toContain(key);
      await connection.set(key, '{"codeVerifier": 1}');
      expect(await store.take('state-4')).toBeNull();
    });
  }
});

describe.each(['memory', 'redis'] as const)('socket leases (%s)', (kind) => {
  let leases: SocketLeases;
  beforeAll(() => {
    leases = kind === 'memory' ? createMemorySocketLeases() : createRedisSocketLeases({ redis: connect() });
  });
  afterAll(() => leases.close());

  it(`grants ${MAX_SOCKETS_PER_USER} per user, then none until one is released`, async () => {
    const held = await Promise.all(Array.from({ length: MAX_SOCKETS_PER_USER }, () => leases.acquire('alice')));
    expect(held.every((lease) => lease !== null)).toBe(true);
    expect(await leases.acquire('alice')).toBeNull();
    expect(await leases.acquire('bob')).not.toBeNull();
    await held[0]!.release();
    await held[0]!.release(); // twice is once
    const again = await leases.acquire('alice');
    expect(again).not.toBeNull();
    expect(await leases.acquire('alice')).toBeNull();
    for (const lease of [...held.slice(1), again]) await lease!.release();
  });

  it('grants exactly the free slots to a burst of simultaneous requests', async () => {
    const burst = await Promise.all(Array.from({ length: 25 }, () => leases.acquire('carol')));
    expect(burst.filter((lease) => lease !== null)).toHaveLength(MAX_SOCKETS_PER_USER);
    for (const lease of burst) await lease?.release();
  });
});

describe('socket leases of an instance that dies', () => {
  it('expire, freeing the slots for the instances still running', async () => {
    const dying = connect();
    const crashed = createRedisSocketLeases({ redis: dying, leaseMs: 600 });
    const survivor = createRedisSocketLeases({ redis: connect(), leaseMs: 600 });
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

  it('are renewed while the instance lives, so they do not expire under it', async () => {
    const living = createRedisSocketLeases({ redis: connect(), leaseMs: 300 });
    const other = createRedisSocketLeases({ redis: connect(), leaseMs: 300 });
    for (let i = 0; i < MAX_SOCKETS_PER_USER; i++) expect(await living.acquire('erin')).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await other.acquire('erin')).toBeNull();
    await living.close();
    await other.close();
  });
});

describe('session-ended hints', () => {
  it('reach every instance on Redis, and the local listeners in memory', async () => {
    const id = 'a'.repeat(64);
    const [a, b] = await Promise.all([createRedisSessionEvents({ redis: connect() }), createRedisSessionEvents({ redis: connect() })]);
    const heard: string[] = [];
    a.onEnded((sessionId) => heard.push(`a:${sessionId}`));
    b.onEnded((sessionId) => heard.push(`b:${sessionId}`));
    await a.publishEnded(id);
    const deadline = Date.now() + 2_000;
    while (heard.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heard.sort()).toEqual([`a:${id}`, `b:${id}`]);
    await Promise.all([a.close(), b.close()]);

    const local = createLocalSessionEvents();
    const localHeard: string[] = [];
    local.onEnded((sessionId) => localHeard.push(sessionId));
    await local.publishEnded(id);
    expect(localHeard).toEqual([id]);
    expect(local.hearing()).not.toBeNull();
  });

  it('say when hints may have been missed: not while the channel is down, and anew once subscribed again', async () => {
    const admin = connect();
    const events = await createRedisSessionEvents({ redis: connect() });
    const heard: string[] = [];
    events.onEnded((sessionId) => heard.push(sessionId));
    const first = events.hearing();
    expect(first).not.toBeNull();

    const states: (number | null)[] = [];
    const watch = setInterval(() => states.push(events.hearing()), 1);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
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
