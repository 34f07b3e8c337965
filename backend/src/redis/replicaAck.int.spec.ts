import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../eventstore/eventStore.contract.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { createReplicatedWriter } from './replicaAck.js';
import { type TestReplicatedRedis, startReplicatedRedis } from '../testing/redisReplicas.js';
import { type TestRedis, startTestRedis } from '../testing/redisServer.js';
import { type TestServer, collect, startTestServer } from '../testing/testServer.js';

/*
 * REDIS_ACK_REPLICAS: a post is answered only once a replica has it (WAIT), so the death of the
 * primary loses no acknowledged message when the replica is promoted. Real redis-server processes:
 * a primary and its replica, paused (SIGSTOP) or killed (SIGKILL) as a failing host would be.
 */

const POST = 'mutation($r: ID!, $b: String!, $c: String) { postMessage(roomId: $r, body: $b, clientId: $c) { id body } }';
const PAGE = `query($id: ID!, $after: String) { room(id: $id) { messages(first: 100, after: $after) {
  edges { cursor node { id body } } pageInfo { hasNextPage endCursor } } } }`;

const ROOM_POSTS = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
  __typename cursor ... on MessagePosted { message { id body } } ... on UserJoined { user { handle } } } }`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const replicated = async (): Promise<TestReplicatedRedis> => {
  const pair = await startReplicatedRedis();
  cleanups.push(() => pair.dispose());
  return pair;
};

const serverOn = async (redis: TestRedis, env: Record<string, string> = {}): Promise<TestServer> => {
  const server = await startTestServer('redis', { redis, env });
  cleanups.push(() => server.stop());
  return server;
};

const openRoom = async (server: TestServer) => {
  const cookie = await server.signIn(`poster${Math.floor(Math.random() * 1e6)}`);
  const created = await server.gql<{ createRoom: { id: string } }>(
    'mutation($n: String!) { createRoom(name: $n) { id } }',
    { n: `acks ${Math.random()}` },
    cookie,
  );
  return { cookie, roomId: created.data!.createRoom.id };
};

const post = (server: TestServer, cookie: string, roomId: string, body: string, clientId: string) =>
  server.gql<{ postMessage: { id: string; body: string } }>(POST, { r: roomId, b: body, c: clientId }, cookie);

/** The room's whole history, oldest first. */
const readHistory = async (server: TestServer, cookie: string, roomId: string) => {
  const messages: { id: string; body: string }[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await server.gql(PAGE, { id: roomId, after }, cookie);
    const connection = page.data!.room.messages;
    messages.push(...connection.edges.map((edge: { node: { id: string; body: string } }) => edge.node));
    if (!connection.pageInfo.hasNextPage) return messages;
    after = connection.pageInfo.endCursor;
  }
};

/** How many WAIT commands this Redis has run since it started. */
const countWaits = async (redis: TestRedis): Promise<number> => {
  const client = new Redis(redis.port, '127.0.0.1');
  try {
    const stats = await client.info('commandstats');
    return Number(stats.match(/^cmdstat_wait:calls=(\d+)/m)?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
};

describe('the event store acknowledged by a replica', () => {
  let pair: TestReplicatedRedis;
  let admin: Redis;
  beforeAll(async () => {
    pair = await startReplicatedRedis();
    admin = new Redis(pair.primary.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await pair?.dispose();
  });

  // Every append goes through the WAIT path here: duplicates, conflicts, refusals and held appends keep their answers.
  describeEventStoreContract('redis, REDIS_ACK_REPLICAS=1', async () => {
    const store = await createRedisEventStore({ url: pair.primary.url, ack: { replicas: 1, timeoutMs: 2_000 } });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await admin.flushall();
      },
    };
  });
});

describe('REDIS_ACK_REPLICAS', () => {
  it('waits for one replica by default when Redis has one, and for none when it has none', async () => {
    const pair = await replicated();
    const withReplica = await serverOn(pair.primary);
    const a = await openRoom(withReplica);
    expect((await post(withReplica, a.cookie, a.roomId, 'replicated', 'default-1')).data?.postMessage.body).toBe('replicated');
    expect(await countWaits(pair.primary)).toBeGreaterThan(0);
    // It waits for that replica: paused, the post cannot be acknowledged.
    pair.replica.pause();
    const stalled = await post(withReplica, a.cookie, a.roomId, 'stalled', 'default-2');
    pair.replica.resume();
    expect(stalled.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');

    const alone = await startTestRedis();
    cleanups.push(() => alone.dispose());
    const withoutReplica = await serverOn(alone);
    const b = await openRoom(withoutReplica);
    expect((await post(withoutReplica, b.cookie, b.roomId, 'alone', 'default-3')).data?.postMessage.body).toBe('alone');
    expect(await countWaits(alone)).toBe(0);
  });

  it('answers UNAVAILABLE while the replica stalls, appends once, and answers the retry with the same message once replicated', async () => {
    const pair = await replicated();
    const env = { REDIS_ACK_REPLICAS: '1', REDIS_ACK_TIMEOUT_MS: '300' };
    const server = await serverOn(pair.primary, env);
    // A second instance: a retry that lands on another connection than the first attempt.
    const other = await serverOn(pair.primary, env);
    const { cookie, roomId } = await openRoom(server);
    expect((await post(server, cookie, roomId, 'before', 'stall-0')).data?.postMessage.body).toBe('before');

    pair.replica.pause();
    const startedAt = Date.now();
    const first = await post(server, cookie, roomId, 'during', 'stall-1');
    const tookMs = Date.now() - startedAt;
    expect(first.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    expect(tookMs).toBeGreaterThanOrEqual(300);
    expect(tookMs).toBeLessThan(5_000);
    // Retried while the replica still stalls, here and through the other instance: still not acknowledged.
    expect((await post(server, cookie, roomId, 'during', 'stall-1')).errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    expect((await post(other, cookie, roomId, 'during', 'stall-1')).errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    pair.replica.resume();

    const retried = await post(other, cookie, roomId, 'during', 'stall-1');
    const history = await readHistory(server, cookie, roomId);
    expect(history.map((m) => m.body)).toEqual(['before', 'during']);
    expect(retried.data?.postMessage.id).toBe(history[1]!.id);
  });

  it('hands subscribers and history no post a replica has not confirmed: one a failover loses, retried by its poster, is seen once', async () => {
    const pair = await replicated();
    const server = await serverOn(pair.primary, { REDIS_ACK_REPLICAS: '1', REDIS_ACK_TIMEOUT_MS: '1000' });
    const { cookie, roomId } = await openRoom(server);
    type Payload = { roomEvents: { __typename: string; cursor: string; message?: { id: string; body: string } } };
    const posted = (sub: { results: { data?: Payload }[] }) =>
      sub.results.flatMap((result) => (result.data?.roomEvents.message ? [result.data.roomEvents.message] : []));
    const watching = collect<Payload>(server.wsClient(cookie), ROOM_POSTS, { roomId, after: null });
    // Live once its own arrival is announced.
    await watching.until(() => watching.results.length > 0);
    expect((await post(server, cookie, roomId, 'before', 'phantom-0')).data?.postMessage.body).toBe('before');
    await watching.until(() => posted(watching).length > 0);

    pair.replica.pause();
    expect((await post(server, cookie, roomId, 'lost', 'phantom-1')).errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    // On the primary since its WAIT began (a second ago): a history page that would hold it waits for the replica too, and gives up.
    expect((await server.gql(PAGE, { id: roomId }, cookie)).errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    expect(posted(watching).map((m) => m.body)).toEqual(['before']);

    // The primary dies before its replica got the post; the replica is promoted, and the poster retries there.
    await pair.primary.stop({ kill: true });
    pair.replica.resume();
    await pair.promoteReplica();
    const promoted = await serverOn(pair.replica);
    const retried = await post(promoted, cookie, roomId, 'lost', 'phantom-1');
    expect(retried.data?.postMessage.body).toBe('lost');
    const lastSeen = watching.results.at(-1)!.data!.roomEvents.cursor;
    const resumed = collect<Payload>(promoted.wsClient(cookie), ROOM_POSTS, { roomId, after: lastSeen });
    await resumed.until(() => posted(resumed).length > 0);
    expect([...posted(watching), ...posted(resumed)].map((m) => m.body)).toEqual(['before', 'lost']);
    expect(posted(resumed)[0]!.id).toBe(retried.data!.postMessage.id);
  }, 60_000);

  it('waits once for all the appends that leave together (group commit), and answers each its own', async () => {
    const pair = await replicated();
    const store = await createRedisEventStore({ url: pair.primary.url, ack: { replicas: 1, timeoutMs: 2_000 } });
    cleanups.push(() => store.close());
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store.append({ stream: `{group}:log${i % 5}`, events: [{ type: 'Written', data: { i }, meta: {}, v: 1 }] }),
      ),
    );
    expect(results.every((result) => result.status === 'appended')).toBe(true);
    const cursors = results.map((result) => (result.status === 'appended' ? result.cursors[0] : null));
    for (let log = 0; log < 5; log++) expect(new Set(cursors.filter((_, i) => i % 5 === log)).size).toBe(20);
    expect(await countWaits(pair.primary)).toBe(1);
  });

  it('lets barriers that leave together share one SPUBLISH and one WAIT, which covers what other connections wrote before', async () => {
    const pair = await replicated();
    const connection = new Redis(pair.primary.port, '127.0.0.1');
    const other = new Redis(pair.primary.port, '127.0.0.1');
    cleanups.push(async () => {
      connection.disconnect();
      other.disconnect();
    });
    const writer = createReplicatedWriter(connection, { replicas: 1, timeoutMs: 2_000 });
    const calls = async (name: string) =>
      Number((await other.info('commandstats')).match(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm'))?.[1] ?? 0);
    const [waits, publishes] = [await calls('wait'), await calls('spublish')];
    expect(await Promise.all(Array.from({ length: 20 }, (_, i) => writer.barrier(`{r:${i}}:log`)))).toEqual(Array(20).fill(1));
    expect([(await calls('wait')) - waits, (await calls('spublish')) - publishes]).toEqual([1, 1]);
    // Written by another connection while the replica stalls: the barrier does not vouch for it.
    pair.replica.pause();
    await other.set('written:elsewhere', '1');
    const stalled = await writer.barrier('{r:0}:log');
    pair.replica.resume();
    expect(stalled).toBe(0);
    expect(await writer.barrier('{r:0}:log')).toBe(1);
  });

  it('holds back the log while the replica is late, not the streams of ephemeral events', async () => {
    const pair = await replicated();
    const store = await createRedisEventStore({
      url: pair.primary.url,
      ack: { replicas: 1, timeoutMs: 300 },
      ephemeral: (stream) => stream.endsWith(':activity'),
    });
    cleanups.push(() => store.close());
    const log: string[] = [];
    let typed!: (type: string) => void;
    const typing = new Promise<string>((resolve) => (typed = resolve));
    await store.tailer.follow('{r:held}:log', (events) => log.push(...events.map((e) => e.type)));
    await store.tailer.follow('{r:held}:activity', (events) => typed(events[0]!.type));
    pair.replica.pause();
    await expect(store.append({ stream: '{r:held}:log', events: [{ type: 'Posted', data: {}, meta: {}, v: 1 }] })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await store.appendEphemeral('{r:held}:activity', { type: 'UserTyping', data: {}, meta: {}, v: 1 }, 100);
    expect(await typing).toBe('UserTyping');
    expect(log).toEqual([]);
    pair.replica.resume();
  });

  it('answers a stored clientId (readIdempotent) only once replicas have it', async () => {
    const pair = await replicated();
    const store = await createRedisEventStore({ url: pair.primary.url, ack: { replicas: 1, timeoutMs: 200 } });
    cleanups.push(() => store.close());
    const writer = new Redis(pair.primary.port, '127.0.0.1');
    cleanups.push(async () => writer.disconnect());
    pair.replica.pause();
    // Written by another client while the replica stalls: on the primary only.
    await writer.set('idem:stalled', 'message-1', 'EX', 60);
    await expect(store.readIdempotent('idem:stalled')).rejects.toBeInstanceOf(StoreUnavailableError);
    pair.replica.resume();
    expect(await store.readIdempotent('idem:stalled')).toBe('message-1');
    expect(await store.readIdempotent('idem:missing')).toBeNull();
  });
});

/*
 * Failover under load. 200 concurrent posters each post one message after another; once some are
 * acknowledged, the replica is cut off (paused, and the primary drops its link, as a partition
 * would), the posters go on until the cut shows, then the primary is killed (`kill -9`), the
 * replica promoted (`REPLICAOF NO ONE`) and a new server started on it. With REDIS_ACK_REPLICAS=1
 * every acknowledged message is there exactly once, each poster's in order; with 0, the same
 * failover loses acknowledged messages (what the first test guards against, and proof the check
 * can fail).
 */
describe('failover', () => {
  const POSTERS = 200;

  const runFailover = async (ackReplicas: 0 | 1) => {
    const pair = await replicated();
    const env = { REDIS_ACK_REPLICAS: String(ackReplicas), REDIS_ACK_TIMEOUT_MS: '500' };
    const server = await serverOn(pair.primary, env);
    const { cookie, roomId } = await openRoom(server);

    const acknowledged: { poster: number; seq: number; id: string; body: string }[][] = Array.from({ length: POSTERS }, () => []);
    let acks = 0;
    let unavailable = 0;
    let stop = false;
    const waiters: { until: () => boolean; resolve: () => void }[] = [];
    const check = () => {
      for (const waiter of waiters.splice(0)) {
        if (waiter.until()) waiter.resolve();
        else waiters.push(waiter);
      }
    };
    const when = (until: () => boolean) => new Promise<void>((resolve) => (until() ? resolve() : waiters.push({ until, resolve })));

    const poster = async (poster: number) => {
      for (let seq = 0; !stop; seq++) {
        const body = `p${poster}-${seq}`;
        const answer = await post(server, cookie, roomId, body, body).catch(() => null);
        const id = answer?.data?.postMessage.id;
        if (id) {
          acknowledged[poster]!.push({ poster, seq, id, body });
          acks++;
        } else {
          unavailable++;
          check();
          return; // the outcome is unknown; this poster stops with it
        }
        check();
      }
    };
    const posting = Promise.all(Array.from({ length: POSTERS }, (_, i) => poster(i)));

    await when(() => acks >= 300);
    pair.replica.pause();
    const primary = new Redis(pair.primary.port, '127.0.0.1');
    await primary.call('CLIENT', 'KILL', 'TYPE', 'replica');
    primary.disconnect();
    const acksAtCut = acks;
    // What the cut does to posts: without WAIT they go on being acknowledged; with it they time out.
    await when(() => (ackReplicas === 0 ? acks >= acksAtCut + 200 : unavailable >= 1));

    await pair.primary.stop({ kill: true });
    stop = true;
    await posting;
    pair.replica.resume();
    await pair.promoteReplica();
    const promoted = await serverOn(pair.replica);
    const history = await readHistory(promoted, cookie, roomId);

    const position = new Map<string, number>();
    const counts = new Map<string, number>();
    history.forEach((message, i) => {
      position.set(message.body, i);
      counts.set(message.body, (counts.get(message.body) ?? 0) + 1);
    });
    const all = acknowledged.flat();
    const lost = all.filter((a) => !position.has(a.body));
    const wrongId = all.filter((a) => position.has(a.body) && history[position.get(a.body)!]!.id !== a.id);
    const duplicated = [...counts].filter(([, n]) => n > 1);
    const outOfOrder = acknowledged.filter((list) =>
      list.some((a, i) => i > 0 && position.has(a.body) && position.get(a.body)! < (position.get(list[i - 1]!.body) ?? -1)),
    );
    return {
      acknowledged: all.length,
      lost: lost.length,
      wrongId: wrongId.length,
      duplicated: duplicated.length,
      outOfOrder: outOfOrder.length,
    };
  };

  it('keeps every acknowledged message, once and in order, through kill -9 of the primary and promotion of its replica', async () => {
    const verdict = await runFailover(1);
    expect(verdict.acknowledged).toBeGreaterThanOrEqual(300);
    expect(verdict).toMatchObject({ lost: 0, wrongId: 0, duplicated: 0, outOfOrder: 0 });
  }, 60_000);

  it('loses acknowledged messages in the same failover without REDIS_ACK_REPLICAS', async () => {
    const verdict = await runFailover(0);
    expect(verdict.lost).toBeGreaterThan(0);
    expect(verdict).toMatchObject({ wrongId: 0, duplicated: 0, outOfOrder: 0 });
  }, 60_000);
});
