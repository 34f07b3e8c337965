/**
 * `npm run bench:inbox`: the room list (unread and mention counts, myRooms, the inbox) against the
 * issue's three speed targets, in parts, each on a private redis-server with our server as a child
 * process (Redis mode, as `npm start` runs it, RATE_LIMITS=0), seeded through createChatCommands
 * from this process as bench/members.ts seeds:
 *
 *   myrooms: "myRooms(first: 50) with counts for a person in 1,000 rooms holding 100,000 messages:
 *     p99 under 20 ms". BENCH_INBOX_ROOMS public rooms, each created by one of 10 posters and
 *     joined by the person and two more posters, BENCH_INBOX_MESSAGES posts each by those three in
 *     turn (every tenth mentions the person); the person has read a quarter of the rooms to the end
 *     and a quarter to 40 messages before it (commands.markRead). A second person is in
 *     BENCH_INBOX_FEW_ROOMS of them. Then sequential HTTP queries, the cases interleaved in rounds
 *     (the order rotating): the UI-like document with counts for each person, the same page with
 *     ids only (no counts), and `{ __typename }` (the floor under any request). Latency at the server (its
 *     `Server-Timing: graphql;dur`, from the request's arrival to its response being ready: what the
 *     goal names) and as this process sees it over loopback, our server's CPU per
 *     query (/metrics, less a scrape's own cost and the idle server's; the median of the rounds).
 *   post: "a post in a room of 10,000 members costs within 1.5× of one in a room of 10". Two public
 *     rooms in one Redis (BENCH_INBOX_SMALL and BENCH_INBOX_BIG members, the owner and the posters
 *     included); postMessage over HTTP by BENCH_INBOX_CONCURRENCY posters who are members of both,
 *     in BENCH_INBOX_ROUNDS rounds of BENCH_INBOX_POSTS posts per room and mode, the rooms' order
 *     alternating (ABBA). Two modes: "all-in": the inbox projector runs as it does in production and
 *     the window lasts from the first post until the projector has fanned out the last note (its
 *     checkpoint reaches the activity feed's end), so the fan-out each post causes is charged to
 *     it; "post path": the bench holds the projector's lease (the server's projector stands by, as
 *     a second instance would), so the window holds the post's own work (the append with its
 *     counters and note) and nothing else; the lease is then given back and the backlog drained
 *     outside any window. Per round, room and mode: our server's CPU per post, redis-server's, and
 *     the inbox entries written per post (one member's inbox counted, times the members). Nobody
 *     has an inbox subscription open here, so the projector writes a room's activity into its
 *     record only (listeners' inboxes get it too: part reach measures 1,000 of them).
 *   reach: "inbox events reach 1,000 connected members' sockets with p99 under 1 s". In the same
 *     Redis and server as part post (or seeded alike): BENCH_INBOX_SUBSCRIBERS members of the big
 *     room, signed in, each subscribed to `inbox` on a WebSocket of their own, held by a separate
 *     process (this file run with BENCH_INBOX_FLEET=1: it timestamps every frame with the machine's
 *     monotonic clock, which every process shares), so their CPU is neither the server's nor the
 *     poster's. One poster posts BENCH_INBOX_RATE posts/s for BENCH_INBOX_SECONDS, one at a time
 *     (open loop: each post is sent at its slot); after each acknowledgement the activity feed's
 *     last note (this post's) is read. A post is delivered to a member at the first ACTIVITY event
 *     for the room whose cursor is at or above the post's note (coalescing: one event stands for
 *     the posts of its 250 ms bucket); time from sending the post to that frame's receipt.
 *   read: "markRead on one device reaches the person's second device as an inbox READ event within
 *     100 ms p99". One room, two people; BENCH_INBOX_READS rounds, one after another: the other
 *     person posts, the bench reads the room's last cursor, waits a random 0–250 ms (so that the
 *     rounds do not lock onto the projector's 250 ms buckets), then device 1 calls markRead over
 *     HTTP (as the UI does) and the time runs until device 2's inbox subscription (graphql-ws,
 *     in this process) receives kind READ for the room. Baselines in the same rounds: the post's
 *     own ACTIVITY event reaching device 2, and the post reaching a roomEvents subscription on
 *     device 2 (no projector on its path). The READ time is split at the end of the note's 250 ms
 *     bucket (from its cursor, Redis's clock, the machine's wall clock): the wait for the bucket
 *     to close, and the rest (the projector's poll, the fan-out, the subscription's render).
 *
 * Our server marks a fresh Redis's read-model layout as current when it first starts on it (see
 * bench/projections.ts), so it is started on the empty Redis before anything is seeded.
 * Results also go to .bench/inbox-<timestamp>.json.
 *
 * Env (all optional): BENCH_INBOX_PARTS (myrooms,post,reach,read), BENCH_INBOX_ROOMS (1000),
 * BENCH_INBOX_MESSAGES (100 per room), BENCH_INBOX_FEW_ROOMS (10), BENCH_INBOX_QUERIES (300 per
 * case), BENCH_INBOX_QUERY_ROUNDS (6), BENCH_INBOX_QUERY_WARMUP (50 per case), BENCH_INBOX_SMALL
 * (10), BENCH_INBOX_BIG (10000), BENCH_INBOX_ROUNDS (6), BENCH_INBOX_POSTS (1000 per round, room and
 * mode), BENCH_INBOX_CONCURRENCY (8), BENCH_INBOX_WARMUP (500 posts per room),
 * BENCH_INBOX_SEED_CONCURRENCY (32), BENCH_INBOX_SUBSCRIBERS (1000), BENCH_INBOX_RATE (10 posts/s),
 * BENCH_INBOX_SECONDS (20), BENCH_INBOX_READS (300), BENCH_NODE_ENV (production),
 * BENCH_INBOX_PROFILE (a folder: runs the myrooms part's server and the post and reach parts' under
 * --cpu-prof, in <folder>/myrooms and <folder>/post, and prints where their CPU went in each case's
 * windows and in the reach window).
 * Smoke run: BENCH_INBOX_ROOMS=50 BENCH_INBOX_MESSAGES=20 BENCH_INBOX_QUERIES=60 BENCH_INBOX_BIG=300
 *   BENCH_INBOX_ROUNDS=2 BENCH_INBOX_POSTS=100 BENCH_INBOX_WARMUP=50 BENCH_INBOX_SUBSCRIBERS=100
 *   BENCH_INBOX_SECONDS=3 BENCH_INBOX_READS=20 npm run bench:inbox
 */
import { median, withTimeout, openCommands, profileOf, forEachBounded } from './seed.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import { toDevUserId } from '../backend/src/auth/devLogin.js';
import { toRoomStreamKey } from '../backend/src/chat/keys.js';
import type { RoomView } from '../backend/src/chat/queries.js';
import { type Cursor, compareCursors } from '../backend/src/eventstore/eventStore.js';
import { BUCKET_MS } from '../backend/src/projections/inbox/inboxProjector.js';
import { inboxActivityKey, inboxCheckpointKey, inboxLeaseKey, toInboxKey } from '../backend/src/projections/keys.js';
import { type ChildServer, startChild } from './childServer.js';
import { describeMachine, envNumber, log } from './env.js';
import { createHttpClient, type HttpClient } from './httpClient.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { type LoadResult, runLoad, summarize } from './load.js';
import { measureScrapeAndIdle, redisCpuMicros, scrapeServerCpuMicros, speedProbeMs } from './metrics.js';
import { mainThreadProfile, type ProfileBucket, summarizeProfile } from './profile.js';
import { parseServerTiming } from '../backend/src/http/serverTiming.js';
import { type OurServer, repoRoot, signIn, signInAll, startOurServer } from './servers.js';
import { formatTable } from './table.js';
import { GRAPHQL_WS_PROTOCOL, type GraphqlSocket, openGraphqlSocket } from './wsClient.js';

// ---- settings ----

const PARTS = ['myrooms', 'post', 'reach', 'read'] as const;
type Part = (typeof PARTS)[number];
const parts = (process.env.BENCH_INBOX_PARTS || PARTS.join(','))
  .split(',')
  .map((item) => item.trim())
  .filter((item) => item !== '');
for (const part of parts)
  if (!(PARTS as readonly string[]).includes(part))
    throw new Error(`BENCH_INBOX_PARTS: unknown part ${part}; choose from ${PARTS.join(', ')}`);

const concurrency = Math.round(envNumber('BENCH_INBOX_CONCURRENCY', 8, 1));
const settings = {
  parts: parts as Part[],
  rooms: Math.round(envNumber('BENCH_INBOX_ROOMS', 1_000, 3)),
  messages: Math.round(envNumber('BENCH_INBOX_MESSAGES', 100, 41)),
  fewRooms: Math.round(envNumber('BENCH_INBOX_FEW_ROOMS', 10, 1)),
  queries: Math.round(envNumber('BENCH_INBOX_QUERIES', 300, 1)),
  queryRounds: Math.round(envNumber('BENCH_INBOX_QUERY_ROUNDS', 6, 1)),
  queryWarmup: Math.round(envNumber('BENCH_INBOX_QUERY_WARMUP', 50, 0)),
  concurrency,
  small: Math.round(envNumber('BENCH_INBOX_SMALL', 10, 2 + concurrency)),
  big: Math.round(envNumber('BENCH_INBOX_BIG', 10_000, 2 + concurrency)),
  rounds: Math.round(envNumber('BENCH_INBOX_ROUNDS', 6, 1)),
  posts: Math.round(envNumber('BENCH_INBOX_POSTS', 1_000, 1)),
  warmup: Math.round(envNumber('BENCH_INBOX_WARMUP', 500, 0)),
  seedConcurrency: Math.round(envNumber('BENCH_INBOX_SEED_CONCURRENCY', 32, 1)),
  subscribers: Math.round(envNumber('BENCH_INBOX_SUBSCRIBERS', 1_000, 1)),
  rate: envNumber('BENCH_INBOX_RATE', 10, 0.1),
  seconds: envNumber('BENCH_INBOX_SECONDS', 20, 0.5),
  reads: Math.round(envNumber('BENCH_INBOX_READS', 300, 1)),
  nodeEnv: process.env.BENCH_NODE_ENV ?? 'production',
  profileDir: process.env.BENCH_INBOX_PROFILE || null,
};
if (settings.subscribers > settings.big - 1 - concurrency)
  throw new Error("BENCH_INBOX_SUBSCRIBERS: at most the big room's non-posting members");

/** What the work this benchmark measures set out to reach (the issue's goals). */
const GOALS = { myRoomsP99Ms: 20, postRatio: 1.5, reachP99Ms: 1_000, readP99Ms: 100 };

/** Where a part's server writes its CPU profile (BENCH_INBOX_PROFILE/<part>), or null. */
const profileSubdir = (part: string): string | null => {
  if (!settings.profileDir) return null;
  const dir = join(settings.profileDir, part);
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** Set by the entry point (not in the fleet child, which has no lifecycle of its own). */
let bench: Lifecycle;

// ---- helpers ----

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** CLOCK_MONOTONIC in µs: the same clock in every process of the machine. */
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);
/** The machine's wall clock in ms, sub-millisecond (Redis stamps ids with the same clock). */
const wallMs = () => performance.timeOrigin + performance.now();
const cursorMs = (cursor: Cursor) => Number(cursor.slice(0, cursor.indexOf('-')));

const startServer = async (redisUrl: string, name: string, profileDir: string | null = null): Promise<OurServer> => {
  log(
    `starting our server ${name} (node backend/build/main.js, NODE_ENV=${settings.nodeEnv}, RATE_LIMITS=0${profileDir ? ', --cpu-prof' : ''})`,
  );
  return startOurServer({ redisUrl, nodeEnv: settings.nodeEnv, profileDir, env: { RATE_LIMITS: '0' } });
};

const lastEntry = async (admin: Redis, stream: string): Promise<Cursor | null> => {
  const [entry] = await admin.xrevrange(stream, '+', '-', 'COUNT', 1);
  return (entry?.[0] as Cursor | undefined) ?? null;
};

/** Waits until the inbox projector has fanned out every note of the activity feed (its checkpoint reaches the end). */
const drainInbox = async (admin: Redis, timeoutMs = 180_000): Promise<number> => {
  const started = performance.now();
  for (;;) {
    const last = await lastEntry(admin, inboxActivityKey);
    const checkpoint = (await admin.get(inboxCheckpointKey)) as Cursor | null;
    if (last === null || (checkpoint !== null && compareCursors(last, checkpoint) <= 0)) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`the inbox projector did not catch up within ${timeoutMs} ms`);
    await sleep(20);
  }
};

/** Entries written to `stream` after `after` (null: all of it). */
const countAfter = async (admin: Redis, stream: string, after: Cursor | null): Promise<number> =>
  (await admin.xrange(stream, after === null ? '-' : `(${after}`, '+')).length;

const POST = 'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }';
const MARK = 'mutation($r: ID!, $c: String!) { markRead(roomId: $r, upTo: $c) { unreadCount } }';
const INBOX = 'subscription($after: String) { inbox(after: $after) { cursor kind room { id unreadCount } } }';

// ---- myrooms: the room list with counts for a person in many rooms ----

const MY_ROOMS_FULL =
  'query { myRooms(first: 50) { edges { node { id name unreadCount mentionCount lastActivityAt lastMessage { body } } } } }';
const MY_ROOMS_IDS = 'query { myRooms(first: 50) { edges { node { id } } } }';
const TYPENAME = '{ __typename }';

interface QueryCase {
  name: string;
  document: string;
  cookie: string;
  slices: { serverUs: number; latencies: number[]; serverLatencies: number[]; elapsedMs: number; windowUs: [number, number] }[];
}

interface QueryCaseResult {
  name: string;
  /** CLOCK_MONOTONIC µs of the rounds, for matching a CPU profile. */
  windowsUs: [number, number][];
  /** Medians of the rounds' figures; latency pooled over the rounds. */
  serverUs: number;
  serverUsRange: [number, number];
  latency: LoadResult;
  /** The server's own time per query (its `Server-Timing: graphql;dur=…`), pooled over the rounds. */
  atServer: LoadResult;
}

interface MyRoomsResults {
  seed: { rooms: number; posts: number; seconds: number; drainMs: number };
  page: { rooms: number; unread: [number, number]; mentions: [number, number]; withLastMessage: number };
  scrapeOverheadUs: number;
  idleUsPerMs: number;
  cases: QueryCaseResult[];
  probes: [number, number];
}

type Node = { id: string; unreadCount: number; mentionCount: number; lastMessage: { body: string } | null };

/**
 * One query as `client.graphql` sends it (and refused alike on an error), answering the server's
 * own time for it: the `dur` of its `Server-Timing: graphql` header, in ms.
 */
const graphqlAtServer = async (client: HttpClient, document: string, cookie: string): Promise<number> => {
  const response = await client.post('/graphql', JSON.stringify({ query: document, variables: {} }), {
    accept: 'application/graphql-response+json',
    cookie,
  });
  if (response.status !== 200 || response.body.includes('"errors"')) {
    throw new Error(`HTTP ${response.status}: ${response.body.slice(0, 300)}`);
  }
  const header = response.headers['server-timing'];
  const ms = parseServerTiming(Array.isArray(header) ? header.join(', ') : header);
  if (ms === null) throw new Error(`no Server-Timing graphql;dur in the response (${String(header)})`);
  return ms;
};

const runMyRooms = async (): Promise<MyRoomsResults> => {
  const { redis, admin } = await bench.startRedis();
  const server = await startServer(redis.url, 'Q', profileSubdir('myrooms'));
  const { store, commands } = await openCommands(redis.url);
  const meHandle = 'q_me';
  const fewHandle = 'q_few';
  const me = toDevUserId(meHandle);
  const few = toDevUserId(fewHandle);
  const posterHandles = Array.from({ length: 10 }, (_, i) => `q_poster${i}`);
  const posters = posterHandles.map(toDevUserId);
  for (const handle of [meHandle, fewHandle, ...posterHandles])
    await commands.registerUser({ userId: toDevUserId(handle), profile: profileOf(handle) });

  log(
    `seeding: ${settings.rooms} rooms (the person and 3 posters each), ${(settings.rooms * settings.messages).toLocaleString('en-US')} posts, ${settings.seedConcurrency} in flight`,
  );
  const seedStarted = performance.now();
  const rooms: RoomView[] = new Array(settings.rooms);
  const authorsOf = (i: number) => [posters[i % 10]!, posters[(i + 1) % 10]!, posters[(i + 2) % 10]!];
  await forEachBounded(settings.rooms, settings.seedConcurrency, async (i) => {
    const [owner, ...others] = authorsOf(i);
    const room = await commands.createRoom({ actorId: owner!, name: `inbox bench ${i}` });
    rooms[i] = room;
    for (const userId of [me, ...others, ...(i < settings.fewRooms ? [few] : [])])
      await commands.joinRoom({ actorId: userId, roomId: room.id });
  });
  const total = settings.rooms * settings.messages;
  await forEachBounded(total, settings.seedConcurrency, async (index) => {
    const i = index % settings.rooms;
    const j = Math.floor(index / settings.rooms);
    const body = j % 10 === 3 ? `@${meHandle} have a look at #${j}` : `message ${j} in room ${i}`;
    await commands.postMessage({ actorId: authorsOf(i)[j % 3]!, roomId: rooms[i]!.id, body });
    if ((index + 1) % 20_000 === 0) log(`${(index + 1).toLocaleString('en-US')} posts`);
  });
  // A quarter of the rooms read to the end, a quarter to 40 messages before it.
  await forEachBounded(settings.rooms, settings.seedConcurrency, async (i) => {
    if (i % 4 > 1) return;
    const room = rooms[i]!;
    const entries = await admin.xrevrange(toRoomStreamKey(room.id), '+', '-', 'COUNT', i % 4 === 0 ? 1 : 41);
    await commands.markRead({ actorId: me, room, upTo: entries.at(-1)![0] });
    if (i < settings.fewRooms) await commands.markRead({ actorId: few, room, upTo: entries.at(-1)![0] });
  });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  log(`seeded in ${seedSeconds.toFixed(1)} s; waiting for the inbox projector to fan the seeding out`);
  const drainMs = await drainInbox(admin);
  await store.close();

  const client = createHttpClient(server.url, { maxSockets: 2 });
  bench.clients.add(client);
  const meCookie = await signIn(client, server.origin, meHandle);
  const fewCookie = await signIn(client, server.origin, fewHandle);

  // What the page holds (checked, and printed as what was measured).
  const page = (JSON.parse(await client.graphql(MY_ROOMS_FULL, {}, meCookie)) as { data: { myRooms: { edges: { node: Node }[] } } }).data
    .myRooms.edges;
  if (page.length !== Math.min(50, settings.rooms)) throw new Error(`myRooms answered ${page.length} rooms`);
  const unread = page.map((edge) => edge.node.unreadCount);
  const mentions = page.map((edge) => edge.node.mentionCount);
  const fewPage = (JSON.parse(await client.graphql(MY_ROOMS_FULL, {}, fewCookie)) as { data: { myRooms: { edges: unknown[] } } }).data
    .myRooms.edges;
  if (fewPage.length !== Math.min(50, settings.fewRooms)) throw new Error(`myRooms answered ${fewPage.length} rooms for ${fewHandle}`);

  const cases: QueryCase[] = [
    { name: `myRooms(first: 50) with counts, ${settings.rooms} rooms`, document: MY_ROOMS_FULL, cookie: meCookie, slices: [] },
    { name: `myRooms(first: 50) ids only, ${settings.rooms} rooms`, document: MY_ROOMS_IDS, cookie: meCookie, slices: [] },
    { name: `myRooms(first: 50) with counts, ${settings.fewRooms} rooms`, document: MY_ROOMS_FULL, cookie: fewCookie, slices: [] },
    { name: '{ __typename }', document: TYPENAME, cookie: meCookie, slices: [] },
  ];
  if (settings.queryWarmup > 0) {
    log(`warming up: ${settings.queryWarmup} queries per case`);
    for (const c of cases)
      await runLoad({ concurrency: 1, maxOps: settings.queryWarmup, maxErrors: 1 }, () =>
        client.graphql(c.document, {}, c.cookie).then(() => undefined),
      );
  }
  const { overheadUs, idleUsPerMs } = await measureScrapeAndIdle(server.url);
  const perSlice = Math.max(1, Math.round(settings.queries / settings.queryRounds));
  const probeBefore = speedProbeMs();
  log(`measuring: ${settings.queryRounds} rounds of ${perSlice} sequential queries per case, the cases' order rotating`);
  for (let round = 0; round < settings.queryRounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + round) % cases.length]!;
      const before = await scrapeServerCpuMicros(server.url);
      const windowStart = nowMicros();
      const started = performance.now();
      const serverLatencies: number[] = [];
      const result = await runLoad({ concurrency: 1, maxOps: perSlice, maxErrors: 1, keepLatencies: true }, () =>
        graphqlAtServer(client, c.document, c.cookie).then((ms) => {
          serverLatencies.push(ms);
        }),
      );
      const elapsedMs = performance.now() - started;
      const windowUs: [number, number] = [windowStart, nowMicros()];
      const after = await scrapeServerCpuMicros(server.url);
      c.slices.push({
        serverUs: (after - before - overheadUs - idleUsPerMs * elapsedMs) / result.count,
        latencies: result.latencies ?? [],
        serverLatencies,
        elapsedMs,
        windowUs,
      });
    }
    log(`round ${round + 1}: server µs/query ${cases.map((c) => Math.round(c.slices.at(-1)!.serverUs)).join(', ')}`);
  }
  const probes: [number, number] = [probeBefore, speedProbeMs()];

  bench.clients.delete(client);
  client.close();
  await server.child.stop(15_000);
  await bench.stopRedis();
  return {
    seed: { rooms: settings.rooms, posts: total, seconds: seedSeconds, drainMs },
    page: {
      rooms: page.length,
      unread: [Math.min(...unread), Math.max(...unread)],
      mentions: [Math.min(...mentions), Math.max(...mentions)],
      withLastMessage: page.filter((edge) => edge.node.lastMessage !== null).length,
    },
    scrapeOverheadUs: overheadUs,
    idleUsPerMs,
    cases: cases.map((c) => ({
      name: c.name,
      windowsUs: c.slices.map((slice) => slice.windowUs),
      serverUs: median(c.slices.map((s) => s.serverUs)),
      serverUsRange: [Math.min(...c.slices.map((s) => s.serverUs)), Math.max(...c.slices.map((s) => s.serverUs))],
      latency: summarize(
        c.slices.flatMap((s) => s.latencies),
        c.slices.reduce((sum, s) => sum + s.elapsedMs, 0),
      ),
      atServer: summarize(
        c.slices.flatMap((s) => s.serverLatencies),
        c.slices.reduce((sum, s) => sum + s.elapsedMs, 0),
      ),
    })),
    probes,
  };
};

// ---- post and reach: one Redis, two rooms, our server ----

type Mode = 'all-in' | 'post path';
type RoomSize = 'small' | 'big';

interface Slice {
  posts: number;
  serverUs: number;
  redisUs: number;
  /** Inbox entries written per post (one member's inbox counted, times the room's members); null in the post path. */
  entriesPerPost: number | null;
  elapsedMs: number;
  /** From the first post to the projector's catching up (all-in), or the posts' window. */
  windowMs: number;
  latencies: number[];
  /** CLOCK_MONOTONIC µs, for matching a CPU profile. */
  windowUs: [number, number];
}

interface PostCase {
  mode: Mode;
  room: RoomSize;
  members: number;
  slices: Slice[];
  serverUs: number;
  redisUs: number;
  entriesPerPost: number | null;
  latency: LoadResult;
  /** Posts per second over the posting (not the drain). */
  perSecond: number;
}

interface PostResults {
  seed: { appends: number; seconds: number };
  scrapeOverheadUs: number;
  idleUsPerMs: number;
  cases: PostCase[];
  /** big/small per round (paired), server and redis CPU, by mode. */
  ratios: Record<Mode, { server: number[]; redis: number[] }>;
  probes: [number, number];
}

interface ReachResults {
  subscribers: number;
  posts: number;
  offeredPerSecond: number;
  connectMs: number;
  /** Every (post, member) pair: from sending the post to the member's covering ACTIVITY frame, ms. */
  delivery: LoadResult;
  /** Per post: until the last of the members had it, ms. */
  allReached: LoadResult;
  /** Per post: from sending it to the end of its note's 250 ms bucket; per pair: from that end to the frame. */
  untilBucketClosed: LoadResult;
  afterBucketClosed: LoadResult;
  /** The post's HTTP round trip, ms. */
  postResponse: LoadResult;
  missing: number;
  /** How long after the projector caught up the last post's frame reached every socket, ms (NaN: not within a minute). */
  lateMs: number;
  /** ACTIVITY frames per member, median (coalescing: fewer than the posts). */
  framesPerMember: number;
  fleetErrors: string[];
  /** Over the posting and the drain, per post. */
  serverUsPerPost: number;
  redisUsPerPost: number;
  windowUs: [number, number];
}

interface BigRoomSetup {
  server: OurServer;
  admin: Redis;
  client: HttpClient;
  rooms: Record<RoomSize, string>;
  sizes: Record<RoomSize, number>;
  posterCookies: string[];
  /** A member of each room who only listens: whose inbox is counted. */
  listeners: Record<RoomSize, string>;
  memberHandle: (i: number) => string;
  seed: { appends: number; seconds: number };
}

const setUpRooms = async (): Promise<BigRoomSetup> => {
  const { redis, admin } = await bench.startRedis();
  const server = await startServer(redis.url, 'P', profileSubdir('post'));
  const { store, commands } = await openCommands(redis.url);
  const ownerHandle = 'p_owner';
  const posterHandles = Array.from({ length: settings.concurrency }, (_, i) => `p_poster${i}`);
  const [owner, ...posters] = [ownerHandle, ...posterHandles].map(toDevUserId) as [string, ...string[]];
  for (const handle of [ownerHandle, ...posterHandles])
    await commands.registerUser({ userId: toDevUserId(handle), profile: profileOf(handle) });
  const small = await commands.createRoom({ actorId: owner, name: 'inbox small' });
  const big = await commands.createRoom({ actorId: owner, name: 'inbox big' });
  for (const poster of posters) {
    await commands.joinRoom({ actorId: poster, roomId: small.id });
    await commands.joinRoom({ actorId: poster, roomId: big.id });
  }
  const others = (size: number) => size - 1 - posters.length;
  const memberHandle = (i: number) => `pm${i}`;
  const seedRoom = (roomId: string, count: number, handleOf: (i: number) => string) =>
    forEachBounded(count, settings.seedConcurrency, async (i) => {
      const handle = handleOf(i);
      const userId = toDevUserId(handle);
      await commands.registerUser({ userId, profile: profileOf(handle) });
      await commands.joinRoom({ actorId: userId, roomId });
    });
  log(
    `seeding: rooms of ${settings.small.toLocaleString('en-US')} and ${settings.big.toLocaleString('en-US')} members (registerUser + joinRoom, ${settings.seedConcurrency} in flight)`,
  );
  const started = performance.now();
  await seedRoom(small.id, others(settings.small), (i) => `ps${i}`);
  await seedRoom(big.id, others(settings.big), memberHandle);
  const seconds = (performance.now() - started) / 1000;
  log(`seeded in ${seconds.toFixed(1)} s; waiting for the inbox projector to fan the joins out`);
  await drainInbox(admin);
  await store.close();

  const client = createHttpClient(server.url, { maxSockets: settings.concurrency });
  bench.clients.add(client);
  const posterCookies = (await signInAll(client, server.origin, posterHandles)).cookies;
  return {
    server,
    admin,
    client,
    rooms: { small: small.id, big: big.id },
    sizes: { small: settings.small, big: settings.big },
    posterCookies,
    // The last seeded member of each room: never among the reach part's subscribers.
    listeners: { small: toDevUserId(`ps${others(settings.small) - 1}`), big: toDevUserId(memberHandle(others(settings.big) - 1)) },
    memberHandle,
    seed: { appends: 2 * (others(settings.small) + others(settings.big)), seconds },
  };
};

let posted = 0;
const postAs = (client: HttpClient, cookie: string, roomId: string) =>
  client.graphql(POST, { r: roomId, b: `Inbox bench post ${posted++}` }, cookie);

const runPost = async (setup: BigRoomSetup): Promise<PostResults> => {
  const { server, admin, client, rooms, sizes, posterCookies, listeners } = setup;
  if (settings.warmup > 0) {
    log(`warming up: ${settings.warmup} posts per room`);
    for (const roomId of [rooms.small, rooms.big]) {
      await runLoad({ concurrency: settings.concurrency, maxOps: settings.warmup, maxErrors: 1 }, (worker) =>
        postAs(client, posterCookies[worker]!, roomId).then(() => undefined),
      );
    }
    await drainInbox(admin);
  }
  const { overheadUs, idleUsPerMs } = await measureScrapeAndIdle(server.url);

  const measureSlice = async (room: RoomSize, mode: Mode): Promise<Slice> => {
    const inbox = toInboxKey(listeners[room]);
    const inboxBefore = await lastEntry(admin, inbox);
    const redisBefore = await redisCpuMicros(admin);
    const before = await scrapeServerCpuMicros(server.url);
    const windowStart = nowMicros();
    const started = performance.now();
    const result = await runLoad(
      { concurrency: settings.concurrency, maxOps: settings.posts, maxErrors: 1, keepLatencies: true },
      (worker) => postAs(client, posterCookies[worker]!, rooms[room]).then(() => undefined),
    );
    if (mode === 'all-in') await drainInbox(admin);
    const windowMs = performance.now() - started;
    const windowEnd = nowMicros();
    const after = await scrapeServerCpuMicros(server.url);
    const redisAfter = await redisCpuMicros(admin);
    const entries = mode === 'all-in' ? await countAfter(admin, inbox, inboxBefore) : null;
    return {
      posts: result.count,
      serverUs: (after - before - overheadUs - idleUsPerMs * windowMs) / result.count,
      redisUs: (redisAfter - redisBefore) / result.count,
      entriesPerPost: entries === null ? null : (entries * sizes[room]) / result.count,
      elapsedMs: result.elapsedMs,
      windowMs,
      latencies: result.latencies ?? [],
      windowUs: [windowStart, windowEnd],
    };
  };

  /** Takes the projector's lease from the server (it stands by, as a second instance would), for `work`. */
  const withProjectorHeld = async (work: () => Promise<void>) => {
    await admin.set(inboxLeaseKey, 'bench', 'PX', 600_000);
    try {
      // The server's projector learns at its next renewal (≤ 1 s); whatever it began ends within its lease (3 s).
      await sleep(3_500);
      await work();
    } finally {
      await admin.del(inboxLeaseKey);
    }
    await drainInbox(admin);
  };

  const slices: Record<Mode, Record<RoomSize, Slice[]>> = { 'all-in': { small: [], big: [] }, 'post path': { small: [], big: [] } };
  const probeBefore = speedProbeMs();
  log(
    `measuring: ${settings.rounds} rounds of ${settings.posts} posts per room and mode, ${settings.concurrency} in flight, the rooms' order alternating`,
  );
  for (let round = 0; round < settings.rounds; round++) {
    const order: RoomSize[] = round % 2 === 0 ? ['small', 'big'] : ['big', 'small'];
    for (const room of order) slices['all-in'][room].push(await measureSlice(room, 'all-in'));
    await withProjectorHeld(async () => {
      for (const room of order) slices['post path'][room].push(await measureSlice(room, 'post path'));
    });
    const last = (mode: Mode, room: RoomSize) => Math.round(slices[mode][room].at(-1)!.serverUs);
    log(
      `round ${round + 1}: server µs/post all-in small ${last('all-in', 'small')}, big ${last('all-in', 'big')}; post path small ${last('post path', 'small')}, big ${last('post path', 'big')}`,
    );
  }
  const probes: [number, number] = [probeBefore, speedProbeMs()];

  const toCase = (mode: Mode, room: RoomSize): PostCase => {
    const list = slices[mode][room];
    const latency = summarize(
      list.flatMap((s) => s.latencies),
      list.reduce((sum, s) => sum + s.elapsedMs, 0),
    );
    return {
      mode,
      room,
      members: sizes[room],
      slices: list,
      serverUs: median(list.map((s) => s.serverUs)),
      redisUs: median(list.map((s) => s.redisUs)),
      entriesPerPost: mode === 'all-in' ? median(list.map((s) => s.entriesPerPost ?? Number.NaN)) : null,
      latency,
      perSecond: latency.perSecond,
    };
  };
  const paired = (mode: Mode, field: 'serverUs' | 'redisUs') => slices[mode].big.map((s, i) => s[field] / slices[mode].small[i]![field]);
  return {
    seed: setup.seed,
    scrapeOverheadUs: overheadUs,
    idleUsPerMs,
    cases: [toCase('all-in', 'small'), toCase('all-in', 'big'), toCase('post path', 'small'), toCase('post path', 'big')],
    ratios: {
      'all-in': { server: paired('all-in', 'serverUs'), redis: paired('all-in', 'redisUs') },
      'post path': { server: paired('post path', 'serverUs'), redis: paired('post path', 'redisUs') },
    },
    probes,
  };
};

// ---- reach: the subscriber fleet (a child process: this file with BENCH_INBOX_FLEET=1) ----

type FleetCommand =
  | { op: 'connect'; url: string; origin: string; cookies: string[]; query: string }
  | { op: 'wait'; roomId: string; cursor: Cursor; timeoutMs: number }
  | { op: 'reset' }
  | { op: 'deliveries'; roomId: string; posts: ReachPost[] }
  | { op: 'exit' };

/** A post of part reach: when it was sent, its note's cursor, and when that note's bucket closed (monotonic µs). */
interface ReachPost {
  sentUs: number;
  cursor: Cursor;
  bucketEndUs: number;
}

interface FleetDeliveries {
  /** Per (post, member), ms; pairs without a covering frame are left out and counted in `missing`. */
  latenciesMs: number[];
  /** The same pairs, from the end of the post's note's bucket. */
  afterCloseMs: number[];
  /** Per post, ms: the slowest member's. */
  allReachedMs: number[];
  missing: number;
  framesPerMember: number;
  errors: string[];
}

/** The fleet's side: sockets subscribed to `inbox`, every frame's receipt time (monotonic µs) and cursor kept. */
const runFleetChild = () => {
  interface Frame {
    atUs: number;
    cursor: Cursor;
    kind: string;
    roomId: string;
  }
  const sockets: { ws: WebSocket; frames: Frame[] }[] = [];
  const errors: string[] = [];
  const noteError = (message: string) => {
    if (errors.length < 5 && !errors.includes(message)) errors.push(message);
  };

  const open = (command: Extract<FleetCommand, { op: 'connect' }>, index: number) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(command.url, GRAPHQL_WS_PROTOCOL, {
        headers: { cookie: command.cookies[index]! },
        origin: command.origin,
        perMessageDeflate: false,
      });
      const socket = { ws, frames: [] as Frame[] };
      const timer = setTimeout(() => reject(new Error(`socket ${index}: no ack within 60 s`)), 60_000);
      ws.on('unexpected-response', (_req, res) => reject(new Error(`socket ${index}: upgrade refused with ${res.statusCode}`)));
      ws.on('error', (error) => reject(new Error(`socket ${index}: ${error.message}`)));
      ws.on('close', (code) => {
        if (code !== 1000) noteError(`socket ${index}: closed ${code}`);
      });
      ws.on('open', () => ws.send('{"type":"connection_init"}'));
      ws.on('message', (data: Buffer) => {
        const atUs = nowMicros();
        const message = JSON.parse(data.toString()) as {
          type: string;
          id?: string;
          payload?: { data?: { inbox?: { cursor: Cursor; kind: string; room: { id: string } } }; errors?: unknown };
        };
        if (message.type === 'connection_ack') {
          clearTimeout(timer);
          sockets[index] = socket;
          ws.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: command.query, variables: { after: null } } }));
          resolve();
          return;
        }
        const inbox = message.payload?.data?.inbox;
        if (message.type === 'next' && inbox) {
          socket.frames.push({ atUs, cursor: inbox.cursor, kind: inbox.kind, roomId: inbox.room.id });
          return;
        }
        if (message.type === 'ping') return ws.send('{"type":"pong"}');
        noteError(`socket ${index}: ${data.toString().slice(0, 200)}`);
      });
    });

  /** The first ACTIVITY frame for the room at or above `cursor`, received at or after `fromUs`. */
  const covering = (frames: Frame[], roomId: string, cursor: Cursor, fromUs: number) =>
    frames.find(
      (frame) => frame.kind === 'ACTIVITY' && frame.roomId === roomId && frame.atUs >= fromUs && compareCursors(frame.cursor, cursor) >= 0,
    );

  const handle = async (command: FleetCommand): Promise<unknown> => {
    switch (command.op) {
      case 'connect': {
        const started = performance.now();
        let next = 0;
        const worker = async () => {
          while (next < command.cookies.length) await open(command, next++);
        };
        await Promise.all(Array.from({ length: Math.min(64, command.cookies.length) }, worker));
        return { sockets: sockets.length, ms: performance.now() - started };
      }
      case 'wait': {
        const started = performance.now();
        for (;;) {
          const waiting = sockets.filter((s) => !covering(s.frames, command.roomId, command.cursor, 0)).length;
          if (waiting === 0) return { ms: performance.now() - started };
          if (performance.now() - started > command.timeoutMs)
            throw new Error(`${waiting} of ${sockets.length} sockets had no ACTIVITY at ${command.cursor} within ${command.timeoutMs} ms`);
          await sleep(20);
        }
      }
      case 'reset':
        for (const socket of sockets) socket.frames = [];
        errors.length = 0;
        return {};
      case 'deliveries': {
        const latenciesMs: number[] = [];
        const afterCloseMs: number[] = [];
        const allReachedMs: number[] = [];
        let missing = 0;
        for (const post of command.posts) {
          let slowest = 0;
          for (const socket of sockets) {
            const frame = covering(socket.frames, command.roomId, post.cursor, post.sentUs);
            if (!frame) {
              missing++;
              continue;
            }
            const ms = (frame.atUs - post.sentUs) / 1000;
            latenciesMs.push(ms);
            afterCloseMs.push((frame.atUs - post.bucketEndUs) / 1000);
            if (ms > slowest) slowest = ms;
          }
          allReachedMs.push(slowest);
        }
        const framesPerMember = median(
          sockets.map((s) => s.frames.filter((f) => f.kind === 'ACTIVITY' && f.roomId === command.roomId).length),
        );
        return { latenciesMs, afterCloseMs, allReachedMs, missing, framesPerMember, errors } satisfies FleetDeliveries;
      }
      case 'exit':
        for (const socket of sockets) socket.ws.terminate();
        setImmediate(() => process.exit(0));
        return {};
    }
  };

  if (!process.send) {
    console.error('the inbox fleet runs as a child with an IPC channel (bench/inbox.ts starts it)');
    process.exit(1);
  }
  process.on('message', (message: { id: number; command: FleetCommand }) => {
    handle(message.command).then(
      (result) => process.send!({ id: message.id, ok: true, result }),
      (error: unknown) => process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // The parent going away (even by SIGKILL) ends the fleet: the IPC channel closes.
  process.on('disconnect', () => process.exit(0));
  console.log('inbox fleet ready');
};

interface InboxFleet {
  child: ChildServer;
  call<T>(command: FleetCommand): Promise<T>;
  stop(): Promise<void>;
}

const startInboxFleet = async (): Promise<InboxFleet> => {
  const child = await startChild({
    name: 'inbox-fleet',
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/inbox.ts'],
    cwd: repoRoot,
    env: { BENCH_INBOX_FLEET: '1' },
    readyPattern: /inbox fleet ready/,
    ipc: true,
  });
  const proc = child.process;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  proc.on('message', (message: { id: number; ok: boolean; result?: unknown; error?: string }) => {
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if (message.ok) entry.resolve(message.result);
    else entry.reject(new Error(`inbox fleet: ${message.error}`));
  });
  proc.once('exit', (code, signal) => {
    for (const entry of waiting.values())
      entry.reject(new Error(`inbox fleet exited (${signal ?? `code ${code}`}):\n${child.output().slice(-2_000)}`));
    waiting.clear();
  });
  const call = <T>(command: FleetCommand): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!proc.connected) return reject(new Error('inbox fleet is not running'));
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      proc.send({ id, command });
    });
  return {
    child,
    call,
    stop: async () => {
      if (proc.connected) await Promise.race([call({ op: 'exit' }), sleep(5_000)]).catch(() => {});
      await child.stop(2_000);
    },
  };
};

const runReach = async (setup: BigRoomSetup): Promise<ReachResults> => {
  const { server, admin, client, rooms, posterCookies, memberHandle } = setup;
  const handles = Array.from({ length: settings.subscribers }, (_, i) => memberHandle(i));
  log(`reach: signing ${handles.length} members of the big room in`);
  const cookies = (await signInAll(client, server.origin, handles)).cookies;
  const fleet = await startInboxFleet();
  try {
    const connected = await fleet.call<{ sockets: number; ms: number }>({
      op: 'connect',
      url: `${server.url.replace(/^http/, 'ws')}/graphql`,
      origin: server.origin,
      cookies,
      query: INBOX,
    });
    log(`reach: ${connected.sockets} inbox subscriptions in ${(connected.ms / 1000).toFixed(1)} s (a separate process)`);
    // Live: a first post's ACTIVITY reaches every socket.
    await postAs(client, posterCookies[0]!, rooms.big);
    const warm = (await lastEntry(admin, inboxActivityKey))!;
    await fleet.call({ op: 'wait', roomId: rooms.big, cursor: warm, timeoutMs: 60_000 });
    await drainInbox(admin);
    const { overheadUs, idleUsPerMs } = await measureScrapeAndIdle(server.url);
    await fleet.call({ op: 'reset' });

    const count = Math.max(1, Math.round(settings.rate * settings.seconds));
    const intervalMs = 1_000 / settings.rate;
    const posts: ReachPost[] = [];
    const untilClosed: number[] = [];
    const responses: number[] = [];
    log(`reach: ${count} posts at ${settings.rate}/s in the big room, one at a time`);
    const redisBefore = await redisCpuMicros(admin);
    const before = await scrapeServerCpuMicros(server.url);
    const windowStart = nowMicros();
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const slot = started + i * intervalMs;
      const wait = slot - performance.now();
      if (wait > 0) await sleep(wait);
      const sentUs = nowMicros();
      const sentWall = wallMs();
      const sent = performance.now();
      await postAs(client, posterCookies[0]!, rooms.big);
      responses.push(performance.now() - sent);
      // Nothing else writes to the feed now: its last note is this post's.
      const cursor = (await lastEntry(admin, inboxActivityKey))!;
      const bucketEndWall = (Math.floor(cursorMs(cursor) / BUCKET_MS) + 1) * BUCKET_MS;
      untilClosed.push(bucketEndWall - sentWall);
      posts.push({ sentUs, cursor, bucketEndUs: sentUs + (bucketEndWall - sentWall) * 1000 });
    }
    const postingMs = performance.now() - started;
    await drainInbox(admin);
    const windowMs = performance.now() - started;
    const windowEnd = nowMicros();
    const after = await scrapeServerCpuMicros(server.url);
    const redisAfter = await redisCpuMicros(admin);
    // Frames still on their way after the checkpoint moved: until every socket has the last post's (at most a minute).
    const lateMs = await fleet
      .call<{ ms: number }>({ op: 'wait', roomId: rooms.big, cursor: posts.at(-1)!.cursor, timeoutMs: 60_000 })
      .then(
        (waited) => waited.ms,
        (error: unknown) => {
          log(`reach: ${error instanceof Error ? error.message : String(error)}`);
          return Number.NaN;
        },
      );
    const result = await fleet.call<FleetDeliveries>({ op: 'deliveries', roomId: rooms.big, posts });
    return {
      subscribers: connected.sockets,
      posts: count,
      offeredPerSecond: (count * 1000) / postingMs,
      connectMs: connected.ms,
      delivery: summarize(result.latenciesMs, postingMs),
      allReached: summarize(result.allReachedMs, postingMs),
      untilBucketClosed: summarize(untilClosed, postingMs),
      afterBucketClosed: summarize(result.afterCloseMs, postingMs),
      postResponse: summarize(responses, postingMs),
      missing: result.missing,
      lateMs,
      framesPerMember: result.framesPerMember,
      fleetErrors: result.errors,
      serverUsPerPost: (after - before - overheadUs - idleUsPerMs * windowMs) / count,
      redisUsPerPost: (redisAfter - redisBefore) / count,
      windowUs: [windowStart, windowEnd],
    };
  } finally {
    await fleet.stop();
  }
};

// ---- read: markRead on one device to READ on the other ----

interface ReadResults {
  rounds: number;
  /** markRead sent on device 1 → kind READ received on device 2, ms. */
  read: LoadResult;
  /** The same, on device 1's own inbox subscription. */
  readSameDevice: LoadResult;
  /** markRead's HTTP round trip. */
  markResponse: LoadResult;
  /** Baselines: the other person's post → its ACTIVITY on device 2; → its MessagePosted on device 2's roomEvents. */
  postActivity: LoadResult;
  postRoomEvent: LoadResult;
  probes: [number, number];
}

interface Waiter {
  test: (frame: { kind?: string; roomId?: string; cursor?: string; typename?: string }) => boolean;
  resolve: (at: number) => void;
}

/** Frames of one subscription, parsed; `next(test)` resolves at the receipt (performance.now()) of the first matching frame from now on. */
const frameWaiter = () => {
  const waiters = new Set<Waiter>();
  return {
    onFrame: (frame: Buffer) => {
      const at = performance.now();
      const message = JSON.parse(frame.toString()) as {
        type: string;
        payload?: {
          data?: { inbox?: { cursor: string; kind: string; room: { id: string } }; roomEvents?: { __typename: string; cursor: string } };
        };
      };
      if (message.type !== 'next') return log(`a subscription ended: ${frame.toString().slice(0, 300)}`);
      const inbox = message.payload?.data?.inbox;
      const roomEvent = message.payload?.data?.roomEvents;
      const parsed = inbox
        ? { kind: inbox.kind, roomId: inbox.room.id, cursor: inbox.cursor }
        : { typename: roomEvent?.__typename, cursor: roomEvent?.cursor };
      for (const waiter of waiters) {
        if (!waiter.test(parsed)) continue;
        waiters.delete(waiter);
        waiter.resolve(at);
      }
    },
    next: (test: Waiter['test']) => new Promise<number>((resolve) => waiters.add({ test, resolve })),
    /** The cursor of the frame that resolved, for READ's bucket. */
    nextWith: (test: Waiter['test']) =>
      new Promise<{ at: number; cursor: string }>((resolve) => {
        let cursor = '';
        waiters.add({
          test: (frame) => {
            if (!test(frame)) return false;
            cursor = frame.cursor ?? '';
            return true;
          },
          resolve: (at) => resolve({ at, cursor }),
        });
      }),
  };
};

const runRead = async (): Promise<ReadResults> => {
  const { redis, admin } = await bench.startRedis();
  const server = await startServer(redis.url, 'R');
  const { store, commands } = await openCommands(redis.url);
  const meHandle = 'r_me';
  const otherHandle = 'r_other';
  for (const handle of [meHandle, otherHandle]) await commands.registerUser({ userId: toDevUserId(handle), profile: profileOf(handle) });
  const room = await commands.createRoom({ actorId: toDevUserId(otherHandle), name: 'inbox read' });
  await commands.joinRoom({ actorId: toDevUserId(meHandle), roomId: room.id });
  await commands.postMessage({ actorId: toDevUserId(otherHandle), roomId: room.id, body: 'first' });
  await store.close();
  await drainInbox(admin);

  const client = createHttpClient(server.url, { maxSockets: 2 });
  bench.clients.add(client);
  const meCookie = await signIn(client, server.origin, meHandle);
  const otherCookie = await signIn(client, server.origin, otherHandle);
  const wsUrl = `${server.url.replace(/^http/, 'ws')}/graphql`;
  const devices: GraphqlSocket[] = [];
  for (let i = 0; i < 2; i++) {
    const socket = await openGraphqlSocket(wsUrl, { origin: server.origin, cookie: meCookie });
    bench.sockets.add(socket);
    devices.push(socket);
  }
  const inbox1 = frameWaiter();
  const inbox2 = frameWaiter();
  const roomEvents2 = frameWaiter();
  const start = (await lastEntry(admin, toInboxKey(toDevUserId(meHandle)))) ?? '0-0';
  devices[0]!.subscribe('i', INBOX, { after: start }, inbox1.onFrame);
  devices[1]!.subscribe('i', INBOX, { after: start }, inbox2.onFrame);
  devices[1]!.subscribe(
    'r',
    'subscription($r: ID!, $after: String) { roomEvents(roomId: $r, after: $after) { __typename cursor } }',
    { r: room.id, after: (await lastEntry(admin, toRoomStreamKey(room.id)))! },
    roomEvents2.onFrame,
  );
  // Live: a first post reaches device 2's inbox.
  const warm = inbox2.next((frame) => frame.kind === 'ACTIVITY' && frame.roomId === room.id);
  await postAs(client, otherCookie, room.id);
  await withTimeout(warm, 10_000, 'the first ACTIVITY on device 2');
  await drainInbox(admin);
  await sleep(500);

  const times = { read: [] as number[], same: [] as number[], response: [] as number[] };
  const baseline = { activity: [] as number[], roomEvent: [] as number[] };
  const probeBefore = speedProbeMs();
  log(`read: ${settings.reads} rounds (a post by the other person, then markRead on device 1, timed to READ on device 2)`);
  const started = performance.now();
  for (let round = 0; round < settings.reads; round++) {
    const activity = inbox2.next((frame) => frame.kind === 'ACTIVITY' && frame.roomId === room.id);
    const posted = roomEvents2.next((frame) => frame.typename === 'MessagePosted');
    const postSent = performance.now();
    await postAs(client, otherCookie, room.id);
    const upTo = (await lastEntry(admin, toRoomStreamKey(room.id)))!;
    await sleep(Math.random() * BUCKET_MS);
    const read2 = inbox2.nextWith((frame) => frame.kind === 'READ' && frame.roomId === room.id);
    const read1 = inbox1.next((frame) => frame.kind === 'READ' && frame.roomId === room.id);
    const markSent = performance.now();
    const answer = await client.graphql(MARK, { r: room.id, c: upTo }, meCookie);
    const answeredAt = performance.now();
    if (!answer.includes('"unreadCount":0')) throw new Error(`round ${round}: markRead answered ${answer.slice(0, 200)}`);
    const [second, first, activityAt, postedAt] = await withTimeout(
      Promise.all([read2, read1, activity, posted]),
      10_000,
      `round ${round}: READ on both devices`,
    );
    times.read.push(second.at - markSent);
    times.same.push(first - markSent);
    times.response.push(answeredAt - markSent);
    baseline.activity.push(activityAt - postSent);
    baseline.roomEvent.push(postedAt - postSent);
    if ((round + 1) % 100 === 0) log(`${round + 1} rounds; READ p50 so far ${median(times.read).toFixed(1)} ms`);
  }
  const elapsedMs = performance.now() - started;
  const probes: [number, number] = [probeBefore, speedProbeMs()];

  for (const device of devices) {
    bench.sockets.delete(device);
    await device.close();
  }
  bench.clients.delete(client);
  client.close();
  await server.child.stop(15_000);
  await bench.stopRedis();
  const summary = (values: number[]) => summarize(values, elapsedMs);
  return {
    rounds: settings.reads,
    read: summary(times.read),
    readSameDevice: summary(times.same),
    markResponse: summary(times.response),
    postActivity: summary(baseline.activity),
    postRoomEvent: summary(baseline.roomEvent),
    probes,
  };
};

// ---- the run ----

interface ProfileSummary {
  label: string;
  busyMs: number;
  windowed: boolean;
  /** What the windows held: posts or queries. */
  count: number;
  unit: string;
  functions: ProfileBucket[];
  buckets: ProfileBucket[];
}

interface Results {
  startedAt: string;
  settings: typeof settings;
  goals: typeof GOALS;
  environment: Record<string, string | number>;
  myRooms?: MyRoomsResults;
  post?: PostResults;
  reach?: ReachResults;
  read?: ReadResults;
  profile?: ProfileSummary[];
}

const main = async () => {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const { serverInfo } = await bench.startRedis();
  const environment = describeMachine(serverInfo);
  await bench.stopRedis();
  const results: Results = { startedAt: startedAt.toISOString(), settings, goals: GOALS, environment };
  if (settings.parts.includes('myrooms')) {
    results.myRooms = await runMyRooms();
    if (settings.profileDir) results.profile = summarizeProfiles(join(settings.profileDir, 'myrooms'), results);
  }
  if (settings.parts.includes('post') || settings.parts.includes('reach')) {
    const setup = await setUpRooms();
    if (settings.parts.includes('post')) results.post = await runPost(setup);
    if (settings.parts.includes('reach')) results.reach = await runReach(setup);
    bench.clients.delete(setup.client);
    setup.client.close();
    await setup.server.child.stop(15_000);
    await bench.stopRedis();
    if (settings.profileDir)
      results.profile = [...(results.profile ?? []), ...summarizeProfiles(join(settings.profileDir, 'post'), results)];
  }
  if (settings.parts.includes('read')) results.read = await runRead();

  printReport(results);
  mkdirSync(join(repoRoot, '.bench'), { recursive: true });
  const out = join(repoRoot, '.bench', `inbox-${stamp}.json`);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${out}`);
};

const summarizeProfiles = (dir: string, results: Results): ProfileSummary[] => {
  const file = mainThreadProfile(dir);
  if (!file) {
    log(`no .cpuprofile in ${dir}`);
    return [];
  }
  const summaries: ProfileSummary[] = [];
  const add = (label: string, windows: [number, number][], count: number, unit = 'post') => {
    const byBucket = summarizeProfile(file, repoRoot, windows);
    const byFunction = summarizeProfile(file, repoRoot, windows, 'function');
    summaries.push({
      label,
      busyMs: byBucket.busyMs,
      windowed: byBucket.windowed,
      count,
      unit,
      buckets: byBucket.buckets,
      functions: byFunction.buckets,
    });
  };
  if (dir.endsWith('myrooms')) {
    for (const c of results.myRooms?.cases ?? []) add(c.name, c.windowsUs, c.latency.count, 'query');
    return summaries;
  }
  for (const c of results.post?.cases ?? []) {
    add(
      `post, ${c.mode}, ${c.room} room`,
      c.slices.map((s) => s.windowUs),
      c.slices.reduce((sum, s) => sum + s.posts, 0),
    );
  }
  if (results.reach) add('reach', [results.reach.windowUs], results.reach.posts);
  return summaries;
};

// ---- the report ----

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const ratioText = (ratios: number[]) => ratios.map((ratio) => ratio.toFixed(2)).join(' ');

const printReport = (results: Results) => {
  const { settings: s, environment: e } = results;
  console.log(`\nballoons inbox bench — ${results.startedAt}`);
  console.log(
    `node ${e.node}, ${e.cores} cores, redis ${e.redis} (no persistence); our server with NODE_ENV=${s.nodeEnv}, RATE_LIMITS=0; load average before the run: ${e.loadAverage}`,
  );

  const q = results.myRooms;
  if (q) {
    console.log(
      `\nmyRooms: a person in ${q.seed.rooms.toLocaleString('en-US')} rooms holding ${q.seed.posts.toLocaleString('en-US')} posts (seeded in ${q.seed.seconds.toFixed(1)} s, fanned out ${(q.seed.drainMs / 1000).toFixed(1)} s later);` +
        `\nthe page: ${q.page.rooms} rooms, unread ${q.page.unread[0]}–${q.page.unread[1]}, mentions ${q.page.mentions[0]}–${q.page.mentions[1]}, ${q.page.withLastMessage} with a last message;` +
        `\nsequential HTTP queries, ${s.queryRounds} rounds per case, the order rotating [speed probe ${q.probes[0].toFixed(1)} → ${q.probes[1].toFixed(1)} ms]`,
    );
    console.log(
      formatTable<QueryCaseResult>(
        [
          { header: 'query', value: (r) => r.name },
          { header: 'count', value: (r) => r.latency.count },
          { header: 'server p50 ms', value: (r) => r.atServer.p50, digits: 2 },
          { header: 'server p99 ms', value: (r) => r.atServer.p99, digits: 2 },
          { header: 'client p50 ms', value: (r) => r.latency.p50, digits: 2 },
          { header: 'client p99 ms', value: (r) => r.latency.p99, digits: 2 },
          { header: 'client max ms', value: (r) => r.latency.max, digits: 2 },
          { header: 'server CPU µs/query', value: (r) => r.serverUs },
          { header: 'min–max of rounds', value: (r) => `${Math.round(r.serverUsRange[0])}–${Math.round(r.serverUsRange[1])}` },
        ],
        q.cases,
      ),
    );
    const [full, ids, few, floor] = q.cases as [QueryCaseResult, QueryCaseResult, QueryCaseResult, QueryCaseResult];
    console.log(
      `goal: p99 < ${GOALS.myRoomsP99Ms} ms at the server for the first: ${full.atServer.p99.toFixed(2)} ms at the server (${full.latency.p99.toFixed(2)} ms as the client sees it): ${met(full.atServer.p99 < GOALS.myRoomsP99Ms)}` +
        `\nwith counts / ids only: server CPU ${(full.serverUs / ids.serverUs).toFixed(2)}×, p50 ${(full.latency.p50 / ids.latency.p50).toFixed(2)}×;` +
        ` ${q.seed.rooms} rooms / ${settings.fewRooms} rooms: server CPU ${(full.serverUs / few.serverUs).toFixed(2)}×, p50 ${(full.latency.p50 / few.latency.p50).toFixed(2)}×;` +
        ` { __typename } is the floor (${Math.round(floor.serverUs)} µs, p50 ${floor.latency.p50.toFixed(2)} ms)` +
        `\nserver p50/p99: the server's own time (Server-Timing: graphql;dur, from the request's arrival to its response being ready); client: over loopback, as this process sees it.` +
        `\nserver CPU µs/query: our server's CPU from /metrics around each round, less ${Math.round(q.scrapeOverheadUs)} µs for a scrape and ${q.idleUsPerMs.toFixed(1)} µs/ms idle; the median of the rounds.`,
    );
  }

  const p = results.post;
  if (p) {
    console.log(
      `\npost cost against room size: two public rooms in one Redis (seeded: ${p.seed.appends.toLocaleString('en-US')} appends in ${p.seed.seconds.toFixed(1)} s);` +
        `\npostMessage over HTTP, ${s.concurrency} in flight, ${s.rounds} rounds per case, the rooms alternating (ABBA), after ${s.warmup} posts per room` +
        ` [speed probe ${p.probes[0].toFixed(1)} → ${p.probes[1].toFixed(1)} ms]`,
    );
    console.log(
      formatTable<PostCase>(
        [
          { header: 'mode', value: (r) => r.mode },
          { header: 'room', value: (r) => r.room },
          { header: 'members', value: (r) => r.members },
          { header: 'posts', value: (r) => r.latency.count },
          { header: 'server µs/post', value: (r) => r.serverUs },
          {
            header: 'min–max of rounds',
            value: (r) =>
              `${Math.round(Math.min(...r.slices.map((x) => x.serverUs)))}–${Math.round(Math.max(...r.slices.map((x) => x.serverUs)))}`,
          },
          { header: 'redis µs/post', value: (r) => r.redisUs },
          { header: 'inbox entries/post', value: (r) => r.entriesPerPost, digits: 1 },
          { header: 'posts/s', value: (r) => r.perSecond },
          { header: 'p50 ms', value: (r) => r.latency.p50, digits: 2 },
          { header: 'p99 ms', value: (r) => r.latency.p99, digits: 2 },
        ],
        p.cases,
      ),
    );
    for (const mode of ['all-in', 'post path'] as const) {
      const of = (room: RoomSize, field: 'serverUs' | 'redisUs') => p.cases.find((c) => c.mode === mode && c.room === room)![field];
      const server = of('big', 'serverUs') / of('small', 'serverUs');
      const redisRatio = of('big', 'redisUs') / of('small', 'redisUs');
      const pairedServer = median(p.ratios[mode].server);
      const pairedRedis = median(p.ratios[mode].redis);
      console.log(
        `${mode}, big/small: server ${server.toFixed(2)} (medians), paired median ${pairedServer.toFixed(2)} [${ratioText(p.ratios[mode].server)}];` +
          ` redis ${redisRatio.toFixed(2)}, paired median ${pairedRedis.toFixed(2)} [${ratioText(p.ratios[mode].redis)}]` +
          (mode === 'all-in'
            ? `; goal ≤ ${GOALS.postRatio}×: server ${met(server <= GOALS.postRatio && pairedServer <= GOALS.postRatio)}, redis ${met(redisRatio <= GOALS.postRatio && pairedRedis <= GOALS.postRatio)}`
            : ''),
      );
    }
    console.log(
      "all-in: the inbox projector runs; each round's window lasts until it has fanned out the round's last note, so the fan-out is charged to the posts" +
        '\n  (at this closed-loop rate; per post it grows as the rate falls: one fan-out per room per 250 ms bucket);' +
        "\npost path: the bench holds the projector's lease (it stands by), the window holds the posts alone; the backlog is drained after it, unmeasured;" +
        `\nserver µs/post: /metrics around each round, less ${Math.round(p.scrapeOverheadUs)} µs for a scrape and ${p.idleUsPerMs.toFixed(1)} µs/ms idle; redis µs/post: INFO; medians of the rounds;` +
        "\ninbox entries/post: one member's inbox counted after the round (a member who only reads, not subscribed: activity reaches listeners' inboxes only), times the room's members, over the posts.",
    );
  }

  const r = results.reach;
  if (r) {
    console.log(
      `\ninbox reach: ${r.subscribers.toLocaleString('en-US')} members of the ${s.big.toLocaleString('en-US')}-member room subscribed to inbox, their sockets in a separate process` +
        ` (connected in ${(r.connectMs / 1000).toFixed(1)} s);\n${r.posts} posts at ${r.offeredPerSecond.toFixed(1)}/s, one at a time; ${r.framesPerMember} ACTIVITY frames per member (median)` +
        `, ${r.missing} (post, member) pairs without a covering frame; the last post's frames reached every socket ${Number.isFinite(r.lateMs) ? `${(r.lateMs / 1000).toFixed(1)} s` : 'NOT within 60 s'} after the projector caught up${r.fleetErrors.length ? `; fleet errors: ${r.fleetErrors.join(' | ')}` : ''}`,
    );
    type Row = { what: string; r: LoadResult; goal: string };
    console.log(
      formatTable<Row>(
        [
          { header: 'from sending the post to …', value: (row) => row.what },
          { header: 'count', value: (row) => row.r.count },
          { header: 'p50 ms', value: (row) => row.r.p50, digits: 1 },
          { header: 'p90 ms', value: (row) => row.r.p90, digits: 1 },
          { header: 'p99 ms', value: (row) => row.r.p99, digits: 1 },
          { header: 'max ms', value: (row) => row.r.max, digits: 1 },
          { header: `goal p99 < ${GOALS.reachP99Ms} ms`, value: (row) => row.goal },
        ],
        [
          {
            what: "a member's covering ACTIVITY frame (every pair)",
            r: r.delivery,
            goal: met(r.delivery.p99 < GOALS.reachP99Ms && r.missing === 0),
          },
          { what: '  of which: until its note’s bucket closed (per post)', r: r.untilBucketClosed, goal: '–' },
          { what: '  of which: from the bucket’s end to the frame', r: r.afterBucketClosed, goal: '–' },
          { what: 'the last of the members reached (per post)', r: r.allReached, goal: '–' },
          { what: "the post's HTTP response", r: r.postResponse, goal: '–' },
        ],
      ),
    );
    console.log(
      `at this rate, with the fan-out and ${r.subscribers} subscribers' renders: server ${Math.round(r.serverUsPerPost).toLocaleString('en-US')} µs/post, redis ${Math.round(r.redisUsPerPost).toLocaleString('en-US')} µs/post` +
        ' (from the first post until the projector caught up; a scrape and the idle server with its subscribers subtracted)' +
        '\ntimes: CLOCK_MONOTONIC, shared by this process and the fleet; a post counts as delivered at the first ACTIVITY frame for the room at or above its note.',
    );
  }

  const d = results.read;
  if (d) {
    console.log(
      `\nmarkRead to the second device: ${d.rounds} rounds, one at a time, one instance [speed probe ${d.probes[0].toFixed(1)} → ${d.probes[1].toFixed(1)} ms]`,
    );
    type Row = { what: string; r: LoadResult; goal: string };
    console.log(
      formatTable<Row>(
        [
          { header: 'from sending …', value: (row) => row.what },
          { header: 'count', value: (row) => row.r.count },
          { header: 'p50 ms', value: (row) => row.r.p50, digits: 1 },
          { header: 'p90 ms', value: (row) => row.r.p90, digits: 1 },
          { header: 'p99 ms', value: (row) => row.r.p99, digits: 1 },
          { header: 'max ms', value: (row) => row.r.max, digits: 1 },
          { header: `goal p99 < ${GOALS.readP99Ms} ms`, value: (row) => row.goal },
        ],
        [
          { what: 'markRead → READ on device 2', r: d.read, goal: met(d.read.p99 < GOALS.readP99Ms) },
          { what: 'markRead → READ on device 1 (the same device)', r: d.readSameDevice, goal: '–' },
          { what: 'markRead → its HTTP response', r: d.markResponse, goal: '–' },
          { what: 'baseline: a post → its ACTIVITY on device 2', r: d.postActivity, goal: '–' },
          { what: 'baseline: a post → MessagePosted on roomEvents', r: d.postRoomEvent, goal: '–' },
        ],
      ),
    );
    console.log(
      `A READ is the person's own note: the inbox projector sends it at once, after the activity still waiting for its ${BUCKET_MS} ms bucket` +
        "\nof the rooms the person is in (a post's ACTIVITY waits for its bucket); each round waits a random 0–250 ms before markRead.",
    );
  }

  for (const summary of results.profile ?? []) {
    console.log(
      `\nprofile, ${summary.label}: ${Math.round(summary.busyMs)} ms busy${summary.windowed ? ' in its windows' : ' (whole profile)'}, ${Math.round((summary.busyMs * 1000) / summary.count)} µs/${summary.unit}; top functions:`,
    );
    console.log(
      formatTable<ProfileBucket>(
        [
          { header: 'function', value: (b) => b.bucket },
          { header: 'share %', value: (b) => b.share * 100, digits: 1 },
          { header: `µs/${summary.unit}`, value: (b) => (b.ms * 1000) / summary.count },
        ],
        summary.functions.slice(0, 12),
      ),
    );
    console.log(
      `by package/file: ${summary.buckets
        .slice(0, 8)
        .map((b) => `${b.bucket} ${(b.share * 100).toFixed(0)}%`)
        .join(', ')}`,
    );
  }
};

if (process.env.BENCH_INBOX_FLEET === '1') {
  runFleetChild();
} else {
  bench = createLifecycle({ stopping: 'our servers, the inbox fleet and redis-server', signalGraceMs: 8_000 });
  bench.run(main);
}
