import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { presenceDueKey, toRoomOnlineKey } from '../presence/keys.js';
import { createRedisPresenceStore } from '../presence/redisPresenceStore.js';
import { describePresenceStoreContract } from '../presence/presenceStore.contract.js';
import { type StoreRedis, connectStoreRedis, createStoreRedis, isCluster, keySlot, nodeOf } from '../redis/client.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { type TestRedisCluster, startRedisCluster } from '../testing/redisCluster.js';
import {
  type RedisStoresHarness,
  describeRedisOAuthStateStore,
  describeRedisSessionEvents,
  describeRedisSocketLeases,
} from './abuseStores.contract.js';
import { RateLimitedError } from './limitErrors.js';
import { createRedisOAuthStateStore } from './oauthStateStore.js';
import { createRateLimits } from './rateLimits.js';
import { describeRateLimitsContract } from './rateLimits.contract.js';
import { createRedisSessionStore } from './redisSessionStore.js';
import { type SessionEvents, createRedisSessionEvents } from './sessionEvents.js';
import { describeSessionStoreContract } from './sessionStore.contract.js';
import { MAX_SOCKETS_PER_USER, type SocketLease, createRedisSocketLeases } from './socketLeases.js';

/*
 * The user-keyed state stores (sessions, OAuth states, socket leases, rate limits, session-ended
 * hints, presence) on a real Redis Cluster (three primaries, three replicas): the contract suites
 * they pass on one Redis, then a primary killed (kill -9) under them.
 */

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('state stores on a Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let admin: Cluster;
  const opened: StoreRedis[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    admin = new Cluster(cluster.seeds, { lazyConnect: true, redisOptions: { protocol: 2 } });
    admin.on('error', () => {});
    // Connected before its first use: its nodes are known from then on.
    await admin.connect();
  }, 60_000);
  afterAll(async () => {
    for (const connection of opened) connection.disconnect();
    admin?.disconnect();
    await cluster?.stop();
  });

  /**
   * A connection as the server makes it for REDIS_CLUSTER (fail-fast), connected as the server
   * connects it: with its node connections open (commands sent to a node while its connection is
   * still being made would fail, StoreUnavailableError, as a burst of them did).
   */
  const connect = async (): Promise<StoreRedis> => {
    const connection = createStoreRedis({ cluster: cluster.seeds });
    connection.on('error', () => {});
    await connectStoreRedis(connection);
    opened.push(connection);
    return connection;
  };
  const flushAll = async () => {
    await Promise.all(admin.nodes('master').map((node) => node.flushall()));
  };
  /** Every key with its values, as text, from every primary. */
  const readAllOfCluster = async (): Promise<string[]> => {
    const texts: string[] = [];
    for (const node of admin.nodes('master')) {
      for (const key of await node.keys('*')) {
        const type = await node.type(key);
        texts.push(key);
        if (type === 'hash') texts.push(...Object.entries(await node.hgetall(key)).flat());
        else if (type === 'set') texts.push(...(await node.smembers(key)));
        else if (type === 'string') texts.push((await node.get(key)) ?? '');
        else texts.push(`<${type}>`);
      }
    }
    return texts;
  };
  const harness = (): RedisStoresHarness => ({
    connect,
    // Every live node, replicas too (as the nodes themselves list them): a subscription may sit on any.
    killSubscribers: async () => {
      await Promise.all(
        (await cluster.nodes()).map(async ({ port }) => {
          const node = new Redis(port, '127.0.0.1');
          try {
            await node.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
          } finally {
            node.disconnect();
          }
        }),
      );
    },
  });

  describe('sessions', () => {
    let redis: StoreRedis;
    beforeAll(async () => {
      redis = await connect();
    });
    describeSessionStoreContract('redis cluster', async (now) => {
      await flushAll();
      return { store: createRedisSessionStore({ redis, now }), readStorage: readAllOfCluster };
    });
  });

  describePresenceStoreContract('redis cluster', async () => {
    await flushAll();
    return { store: createRedisPresenceStore(await connect()), cleanup: async () => {} };
  });

  it('sweeps and counts rooms of every node together', async () => {
    await flushAll();
    const presence = createRedisPresenceStore(await connect());
    const rooms = Array.from({ length: 30 }, (_, i) => `spread${i}`);
    expect(new Set(rooms.map((roomId) => admin.slots[keySlot(`chat:{r:${roomId}}:online`)]?.[0])).size).toBe(3);
    const t0 = Date.now();
    for (const [i, roomId] of rooms.entries()) await presence.enter({ roomId, userId: `u${i}`, leaseId: 'l' }, t0 + 100);
    expect(await presence.countOnline(rooms)).toEqual(rooms.map(() => 1));
    expect(await presence.renew([{ roomId: rooms[0]!, userId: 'u0', leaseId: 'l' }], t0 + 1_000)).toEqual([]);
    const departures = await presence.sweep(t0 + 200);
    expect(departures.sort((a, b) => a.roomId.localeCompare(b.roomId))).toEqual(
      rooms
        .slice(1)
        .map((roomId) => ({ roomId, userIds: [`u${rooms.indexOf(roomId)}`] }))
        .sort((a, b) => a.roomId.localeCompare(b.roomId)),
    );
    expect(await presence.countOnline(rooms)).toEqual(rooms.map((_, i) => (i === 0 ? 1 : 0)));
    expect(await presence.roomsOf('u0', t0 + 200)).toEqual([rooms[0]]);
  });

  describeRedisOAuthStateStore('redis cluster', harness);
  describeRedisSocketLeases('redis cluster', harness);
  describeRedisSessionEvents('redis cluster', harness);

  describe('rate limits', () => {
    let limiterRedis: StoreRedis;
    beforeAll(async () => {
      limiterRedis = await connect();
    });
    // The floods through the chat commands (rateLimits.int.spec.ts) wait for the commands to run on
    // a Cluster; the limiter is the same either way.
    describeRateLimitsContract('redis cluster', () => limiterRedis);
  });

  // Last: the cluster is one replica short after it.
  it('carries sessions, socket leases, rate limits and hints through kill -9 of a primary: outages answer UNAVAILABLE, then everything works again', async () => {
    await flushAll();
    const state = await connect();
    if (!isCluster(state)) throw new Error('expected a Cluster');
    const sessions = createRedisSessionStore({ redis: state });
    const leases = createRedisSocketLeases({ redis: state });
    const limits = createRateLimits({ redis: state });
    const oauthStates = createRedisOAuthStateStore({ redis: state });
    const presence = createRedisPresenceStore(state);

    // A user whose lease and limit keys, and whose sessions set, are on one primary; a session of
    // theirs there too: that primary is the one killed. Not the primary of the presence due index,
    // so that a sweep during the failover reaches the index and some rooms but not others.
    let anchor = 0;
    while (nodeOf(state, `chat:{u:anchor${anchor}}:sockets`) === nodeOf(state, presenceDueKey)) anchor++;
    const node = nodeOf(state, `chat:{u:anchor${anchor}}:sockets`);
    const keysOf = (userId: string) => [
      `chat:{u:${userId}}:sockets`,
      `chat:rl:createRoom:${userId}`,
      `chat:rl:createRoom:burst:${userId}`,
      `chat:user-sessions:${userId}`,
    ];
    let userId = '';
    for (let i = 0; !userId; i++) if (keysOf(`user${i}`).every((key) => nodeOf(state, key) === node)) userId = `user${i}`;
    let signedIn = await sessions.createSession(userId);
    while (nodeOf(state, `chat:session:${signedIn.session.id}`) !== node) signedIn = await sessions.createSession(userId);
    const sessionKey = `chat:session:${signedIn.session.id}`;

    // Hint listeners until one of them is subscribed on the doomed primary (each picks a node at random).
    const listeners: { events: SessionEvents; heard: string[]; before: number | null }[] = [];
    const doomed = new Redis(Number(node.split(':').pop()), '127.0.0.1');
    const subscribedOnDoomed = async () => Number(((await doomed.pubsub('NUMSUB', 'chat:session-ended')) as [string, number])[1]);
    while ((await subscribedOnDoomed()) === 0) {
      if (listeners.length === 60) throw new Error('60 listeners, none subscribed on the doomed primary');
      const events = await createRedisSessionEvents({ redis: state });
      const heard: string[] = [];
      events.onEnded((sessionId) => heard.push(sessionId));
      listeners.push({ events, heard, before: events.hearing() });
    }
    doomed.disconnect();
    const publisher = await createRedisSessionEvents({ redis: await connect() });

    const held: SocketLease[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_USER; i++) held.push((await leases.acquire(userId))!);
    // createRoom: 3 at once, then one per 10 minutes.
    for (let i = 0; i < 3; i++) await limits.consume('createRoom', userId);
    await expect(limits.consume('createRoom', userId)).rejects.toBeInstanceOf(RateLimitedError);
    // Presence leases about to expire: one in a room of the doomed primary, one elsewhere.
    const roomOn = (wanted: (at: string) => boolean) => {
      for (let i = 0; ; i++) if (wanted(nodeOf(state, toRoomOnlineKey(`room${i}`)))) return `room${i}`;
    };
    const doomedRoom = roomOn((at) => at === node);
    const safeRoom = roomOn((at) => at !== node);
    const t0 = Date.now();
    await presence.enter({ roomId: doomedRoom, userId: 'ann', leaseId: 'a' }, t0 + 500);
    await presence.enter({ roomId: safeRoom, userId: 'bob', leaseId: 'b' }, t0 + 500);
    // Replication is asynchronous and the stores do not wait for it: the test does, through the
    // node connection that wrote all of the above (WAIT counts that connection's writes).
    const replies = await state
      .pipeline([
        ['exists', sessionKey],
        ['wait', 1, 1_000],
      ])
      .exec();
    expect(replies?.map(([, reply]) => reply)).toEqual([1, 1]);

    // Operations on the doomed primary's keys, in a loop from before the kill to after the failover.
    let stop = false;
    const unexpected: unknown[] = [];
    let unavailable = 0;
    let longestMs = 0;
    const operations: (() => Promise<unknown>)[] = [
      () => sessions.validateSessionToken(signedIn.token),
      () => leases.acquire(userId),
      () => limits.consume('createRoom', userId),
      () => oauthStates.save(`state-of-${userId}`, { codeVerifier: 'v'.repeat(43), returnTo: '/' }),
    ];
    const loop = (async () => {
      while (!stop) {
        for (const operation of operations) {
          const started = Date.now();
          try {
            await operation();
          } catch (error) {
            if (error instanceof StoreUnavailableError) unavailable++;
            else if (!(error instanceof RateLimitedError)) unexpected.push(error);
          }
          longestMs = Math.max(longestMs, Date.now() - started);
        }
        await delay(20);
      }
    })();

    await delay(100);
    await cluster.killPrimaryOf(sessionKey);
    // A sweep while the doomed primary is down answers the departures it found on the others (they
    // are gone from Redis: no later sweep would find them again); the doomed room stays due.
    const departures = [...(await presence.sweep(t0 + 1_000))];
    await cluster.waitForFailover();
    // Until the store answers again.
    await vi.waitFor(async () => expect(await sessions.validateSessionToken(signedIn.token)).toEqual(signedIn.session), {
      timeout: 10_000,
      interval: 50,
    });
    await vi.waitFor(async () => departures.push(...(await presence.sweep(t0 + 1_000))), { timeout: 5_000 });
    expect(departures.sort((a, b) => a.userIds[0]!.localeCompare(b.userIds[0]!))).toEqual([
      { roomId: doomedRoom, userIds: ['ann'] },
      { roomId: safeRoom, userIds: ['bob'] },
    ]);
    await delay(200);
    stop = true;
    await loop;
    expect(unexpected).toEqual([]);
    expect(unavailable).toBeGreaterThan(0);
    // No call hung: each answered, or failed, within a few round trips of a slot map refresh.
    expect(longestMs).toBeLessThan(2_000);

    // The user's state carried over: still at the socket limit, still over the room limit.
    expect(await leases.acquire(userId)).toBeNull();
    await expect(limits.consume('createRoom', userId)).rejects.toBeInstanceOf(RateLimitedError);
    await held[0]!.release();
    expect(await leases.acquire(userId)).not.toBeNull();
    // New sign-ins, leases and limits work, on the promoted primary and elsewhere.
    for (const newcomer of ['newcomer', userId]) {
      const fresh = await sessions.createSession(newcomer);
      expect(await sessions.validateSessionToken(fresh.token)).toEqual(fresh.session);
    }
    expect(await leases.acquire('newcomer')).not.toBeNull();
    await limits.consume('createRoom', 'newcomer');
    await oauthStates.save('after', { codeVerifier: 'v'.repeat(43), returnTo: '/' });
    expect(await oauthStates.take('after')).toEqual({ codeVerifier: 'v'.repeat(43), returnTo: '/' });

    // Hints are heard again by every listener, the one whose node was killed too (subscribed anew
    // elsewhere: its hearing changed), and signing out everywhere ends the session from before the kill.
    for (const listener of listeners) await vi.waitFor(() => expect(listener.events.hearing()).not.toBeNull(), { timeout: 5_000 });
    expect(listeners.at(-1)!.events.hearing()).not.toBe(listeners.at(-1)!.before);
    await sessions.invalidateUserSessions(userId);
    await publisher.publishEnded(signedIn.session.id);
    for (const { heard } of listeners) await vi.waitFor(() => expect(heard).toContain(signedIn.session.id), { timeout: 5_000 });
    expect(await sessions.validateSessionToken(signedIn.token)).toBeNull();

    await Promise.all([leases.close(), publisher.close(), ...listeners.map(({ events }) => events.close())]);
  }, 60_000);
});
