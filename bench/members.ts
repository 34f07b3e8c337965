/**
 * `npm run bench:members`: what room membership costs, in two parts, each on a private redis-server
 * of its own with our server as a child process (Redis mode, as `npm start` runs it, RATE_LIMITS=0):
 *
 *   post: the issue's goal "a post in a room of 10,000 members costs no more server CPU than one in a
 *     room of 10 (within 1.2×): membership checks read the member's own state, never the member
 *     list". Two public rooms in one Redis, BENCH_MEMBERS_SMALL and BENCH_MEMBERS_BIG members
 *     (registered and joined through createChatCommands from this process, as bench/projections.ts
 *     seeds, BENCH_MEMBERS_SEED_CONCURRENCY in flight; the members count the owner and the posters).
 *     Then postMessage over HTTP GraphQL by BENCH_MEMBERS_CONCURRENCY posters who are members of
 *     both rooms, one per worker, in BENCH_MEMBERS_ROUNDS rounds of BENCH_MEMBERS_POSTS posts per
 *     room, the rooms' order alternating (ABBA) from round to round; per round and room our server's
 *     CPU per post (process_cpu_seconds_total from /metrics around the round, less a scrape's own cost
 *     and the idle server's), redis-server's (INFO), and the latency. The figures are the medians of
 *     the rounds; the ratio big/small is also taken round by round (paired) and its median quoted.
 *     Variant "first post joins": BENCH_MEMBERS_JOIN_POSTS fresh, signed-in users per round and room
 *     who are not members yet each post once (the server then joins them and posts again); they
 *     leave afterwards, outside the measured window, so the rooms keep their sizes. 0 skips it.
 *   kick: the issue's goal "a kick reaches a kicked subscriber's socket (ended) within 100 ms p99 on
 *     a 3-instance set-up". Three instances (A, B, C) on one Redis, one public room whose owner acts
 *     through A. BENCH_MEMBERS_KICKS rounds, one after another: a fresh user signs in and posts once
 *     through A (which joins them), follows the room over graphql-ws on B or C in turn (`after` the
 *     log's last cursor), is seen live (a first probe post by the owner through A arrives); then a
 *     second probe post through A, timed from sending it until the subscriber receives it (the
 *     baseline: the same path, what any event takes from A to a socket on B/C); then the owner's
 *     kick through A, timed from sending it until the subscriber's subscription ends with FORBIDDEN
 *     (and, for reference, until the kick's own MembershipChanged entry arrives, just before that).
 *
 * Our server marks a fresh Redis's read-model layout as current when it first starts on it (see
 * bench/projections.ts), so it is started on the empty Redis before anything is seeded.
 * Results also go to .bench/members-<timestamp>.json.
 *
 * Env (all optional): BENCH_MEMBERS_PARTS (post,kick), BENCH_MEMBERS_SMALL (10), BENCH_MEMBERS_BIG
 * (10000), BENCH_MEMBERS_SEED_CONCURRENCY (32), BENCH_MEMBERS_ROUNDS (8), BENCH_MEMBERS_POSTS (2000
 * per round and room), BENCH_MEMBERS_CONCURRENCY (8), BENCH_MEMBERS_WARMUP (2000 posts per room),
 * BENCH_MEMBERS_JOIN_POSTS (250 per round and room), BENCH_MEMBERS_KICKS (200), BENCH_NODE_ENV
 * (production), BENCH_MEMBERS_PROFILE (a folder: runs part post's server under --cpu-prof).
 * Smoke run: BENCH_MEMBERS_BIG=500 BENCH_MEMBERS_ROUNDS=2 BENCH_MEMBERS_POSTS=200 BENCH_MEMBERS_WARMUP=50
 *   BENCH_MEMBERS_JOIN_POSTS=20 BENCH_MEMBERS_KICKS=10 npm run bench:members
 */
import { median, withTimeout, openCommands, profileOf, forEachBounded } from './seed.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Client, createClient } from 'graphql-ws';
import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import { toDevUserId } from '../backend/src/auth/devLogin.js';
import { toRoomStreamKey } from '../backend/src/chat/keys.js';
import { describeMachine, envNumber, log } from './env.js';
import { createHttpClient } from './httpClient.js';
import { createLifecycle } from './lifecycle.js';
import { type LoadResult, runLoad, summarize } from './load.js';
import { measureScrapeAndIdle, redisCpuMicros, scrapeServerCpuMicros, speedProbeMs } from './metrics.js';
import { type OurServer, repoRoot, signIn, signInAll, startOurServer } from './servers.js';
import { formatTable } from './table.js';

// ---- settings ----

const PARTS = ['post', 'kick'] as const;
type Part = (typeof PARTS)[number];
const parts = (process.env.BENCH_MEMBERS_PARTS || PARTS.join(','))
  .split(',')
  .map((item) => item.trim())
  .filter((item) => item !== '');
for (const part of parts)
  if (!(PARTS as readonly string[]).includes(part))
    throw new Error(`BENCH_MEMBERS_PARTS: unknown part ${part}; choose from ${PARTS.join(', ')}`);

const concurrency = Math.round(envNumber('BENCH_MEMBERS_CONCURRENCY', 8, 1));
const settings = {
  parts: parts as Part[],
  concurrency,
  // The owner and the posters are members too: a room holds at least them.
  small: Math.round(envNumber('BENCH_MEMBERS_SMALL', 10, 1 + concurrency)),
  big: Math.round(envNumber('BENCH_MEMBERS_BIG', 10_000, 1 + concurrency)),
  seedConcurrency: Math.round(envNumber('BENCH_MEMBERS_SEED_CONCURRENCY', 32, 1)),
  rounds: Math.round(envNumber('BENCH_MEMBERS_ROUNDS', 8, 1)),
  posts: Math.round(envNumber('BENCH_MEMBERS_POSTS', 2_000, 1)),
  warmup: Math.round(envNumber('BENCH_MEMBERS_WARMUP', 2_000, 0)),
  joinPosts: Math.round(envNumber('BENCH_MEMBERS_JOIN_POSTS', 250, 0)),
  kicks: Math.round(envNumber('BENCH_MEMBERS_KICKS', 200, 1)),
  nodeEnv: process.env.BENCH_NODE_ENV ?? 'production',
  profileDir: process.env.BENCH_MEMBERS_PROFILE || null,
};

/** What the work this benchmark measures set out to reach (the goals). */
const GOALS = { postRatio: 1.2, kickP99Ms: 100 };

const bench = createLifecycle({ stopping: 'our servers and redis-server', signalGraceMs: 8_000 });

// ---- helpers ----

const startServer = async (redisUrl: string, name: string, profileDir: string | null = null): Promise<OurServer> => {
  log(`starting our server ${name} (node backend/build/main.js, NODE_ENV=${settings.nodeEnv}, RATE_LIMITS=0)`);
  return startOurServer({ redisUrl, nodeEnv: settings.nodeEnv, profileDir, env: { RATE_LIMITS: '0' } });
};

/** Our server's own CPU time in µs, as its /metrics says (process_cpu_seconds_total). */
const scrapeCpuMicros = (server: OurServer) => scrapeServerCpuMicros(server.url);

const POST = 'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }';
const KICK = 'mutation($r: ID!, $u: ID!) { kick(roomId: $r, userId: $u) { membership } }';
const CREATE_ROOM = 'mutation($n: String!) { createRoom(name: $n) { id } }';

// ---- post: the cost of a post against the room's size ----

interface Slice {
  posts: number;
  /** Our server's CPU per post (/metrics), µs. */
  serverUs: number;
  /** redis-server's CPU per post (INFO), µs. */
  redisUs: number;
  elapsedMs: number;
  latencies: number[];
  probeMs: number;
}

interface PostCase {
  name: string;
  room: 'small' | 'big';
  members: number;
  slices: Slice[];
  /** Medians of the slices' figures. */
  serverUs: number;
  redisUs: number;
  latency: LoadResult;
}

const toPostCase = (name: string, room: 'small' | 'big', members: number, slices: Slice[]): PostCase => {
  const latencies = slices.flatMap((slice) => slice.latencies);
  return {
    name,
    room,
    members,
    slices,
    serverUs: median(slices.map((slice) => slice.serverUs)),
    redisUs: median(slices.map((slice) => slice.redisUs)),
    latency: summarize(
      latencies,
      slices.reduce((sum, slice) => sum + slice.elapsedMs, 0),
    ),
  };
};

interface PostResults {
  seed: { appends: number; seconds: number; perSecond: number };
  scrapeOverheadUs: number;
  idleUsPerMs: number;
  cases: PostCase[];
  /** big/small per round (paired), server CPU, and their median; the same for the join variant when run. */
  ratios: { member: number[]; join: number[] };
}

const runPost = async (): Promise<PostResults> => {
  const { redis, admin } = await bench.startRedis();
  // Started on the empty Redis first (see the header); it keeps running while the rooms fill.
  const server = await startServer(redis.url, 'P', settings.profileDir);
  const { store, commands } = await openCommands(redis.url);

  const ownerHandle = 'm_owner';
  const posterHandles = Array.from({ length: settings.concurrency }, (_, i) => `m_poster${i}`);
  const [owner, ...posters] = [ownerHandle, ...posterHandles].map(toDevUserId) as [string, ...string[]];
  for (const handle of [ownerHandle, ...posterHandles])
    await commands.registerUser({ userId: toDevUserId(handle), profile: profileOf(handle) });
  const small = await commands.createRoom({ actorId: owner, name: 'members small' });
  const big = await commands.createRoom({ actorId: owner, name: 'members big' });
  for (const poster of posters) {
    await commands.joinRoom({ actorId: poster, roomId: small.id });
    await commands.joinRoom({ actorId: poster, roomId: big.id });
  }
  // Everyone else: 1 + posters are in each room already.
  const others = (size: number) => size - 1 - posters.length;
  const seedRoom = async (roomId: string, count: number, prefix: string) =>
    forEachBounded(count, settings.seedConcurrency, async (i) => {
      const handle = `${prefix}${i}`;
      const userId = toDevUserId(handle);
      await commands.registerUser({ userId, profile: profileOf(handle) });
      await commands.joinRoom({ actorId: userId, roomId });
    });
  log(
    `seeding: ${settings.small.toLocaleString('en-US')} and ${settings.big.toLocaleString('en-US')} members (registerUser + joinRoom, ${settings.seedConcurrency} in flight)`,
  );
  const seedStarted = performance.now();
  await seedRoom(small.id, others(settings.small), 's');
  await seedRoom(big.id, others(settings.big), 'm');
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const appends = 2 * (others(settings.small) + others(settings.big));
  log(`seeded in ${seedSeconds.toFixed(1)} s (${Math.round(appends / seedSeconds)} appends/s)`);

  const client = createHttpClient(server.url, { maxSockets: settings.concurrency });
  bench.clients.add(client);
  const cookies = (await signInAll(client, server.origin, posterHandles)).cookies;
  const rooms = { small: small.id, big: big.id } as const;
  const sizes = { small: settings.small, big: settings.big } as const;

  let posted = 0;
  const postAs = (cookie: string, roomId: string) => client.graphql(POST, { r: roomId, b: `Members bench post ${posted++}` }, cookie);

  if (settings.warmup > 0) {
    log(`warming up: ${settings.warmup} posts per room`);
    for (const roomId of [rooms.small, rooms.big]) {
      await runLoad({ concurrency: settings.concurrency, maxOps: settings.warmup, maxErrors: 1 }, (worker) =>
        postAs(cookies[worker]!, roomId).then(() => undefined),
      );
    }
  }
  const { overheadUs, idleUsPerMs } = await measureScrapeAndIdle(server.url);

  /** One measured round of `count` operations in one room: `op(worker, i)`, `settings.concurrency` in flight. */
  const measureSlice = async (count: number, op: (worker: number, i: number) => Promise<unknown>): Promise<Slice> => {
    const probeMs = speedProbeMs();
    const redisBefore = await redisCpuMicros(admin);
    const before = await scrapeCpuMicros(server);
    const started = performance.now();
    let next = 0;
    const result = await runLoad(
      { concurrency: settings.concurrency, maxOps: count, maxErrors: 1, keepLatencies: true },
      async (worker) => {
        await op(worker, next++);
      },
    );
    const elapsedMs = performance.now() - started;
    const after = await scrapeCpuMicros(server);
    const redisAfter = await redisCpuMicros(admin);
    return {
      posts: result.count,
      serverUs: (after - before - overheadUs - idleUsPerMs * elapsedMs) / result.count,
      redisUs: (redisAfter - redisBefore) / result.count,
      elapsedMs: result.elapsedMs,
      latencies: result.latencies ?? [],
      probeMs,
    };
  };

  const memberSlices = { small: [] as Slice[], big: [] as Slice[] };
  const joinSlices = { small: [] as Slice[], big: [] as Slice[] };
  log(
    `measuring: ${settings.rounds} rounds of ${settings.posts} posts per room by members` +
      (settings.joinPosts > 0 ? `, and ${settings.joinPosts} first posts (joins) per room` : '') +
      `, ${settings.concurrency} in flight, the rooms' order alternating`,
  );
  for (let round = 0; round < settings.rounds; round++) {
    const order: ('small' | 'big')[] = round % 2 === 0 ? ['small', 'big'] : ['big', 'small'];
    for (const room of order) {
      memberSlices[room].push(await measureSlice(settings.posts, (worker) => postAs(cookies[worker]!, rooms[room])));
    }
    if (settings.joinPosts > 0) {
      for (const room of order) {
        // Fresh users, signed in outside the window; each posts once inside it, then leaves outside it.
        const handles = Array.from({ length: settings.joinPosts }, (_, i) => `j${room[0]}${round}_${i}`);
        const joiners = (await signInAll(client, server.origin, handles)).cookies;
        joinSlices[room].push(await measureSlice(handles.length, (_worker, i) => postAs(joiners[i]!, rooms[room])));
        await forEachBounded(handles.length, settings.seedConcurrency, async (i) => {
          await commands.leaveRoom({ actorId: toDevUserId(handles[i]!), roomId: rooms[room] });
        });
      }
    }
    const last = (slices: Slice[]) => Math.round(slices.at(-1)!.serverUs);
    log(
      `round ${round + 1}: server µs/post small ${last(memberSlices.small)}, big ${last(memberSlices.big)}` +
        (settings.joinPosts > 0 ? `; first posts small ${last(joinSlices.small)}, big ${last(joinSlices.big)}` : ''),
    );
  }

  const cases = [
    toPostCase('member posts', 'small', sizes.small, memberSlices.small),
    toPostCase('member posts', 'big', sizes.big, memberSlices.big),
  ];
  if (settings.joinPosts > 0) {
    cases.push(
      toPostCase('first post (joins)', 'small', sizes.small, joinSlices.small),
      toPostCase('first post (joins)', 'big', sizes.big, joinSlices.big),
    );
  }
  const paired = (slices: typeof memberSlices) => slices.big.map((slice, i) => slice.serverUs / slices.small[i]!.serverUs);

  log(`the big room's log holds ${(await admin.xlen(toRoomStreamKey(rooms.big))).toLocaleString('en-US')} entries`);

  bench.clients.delete(client);
  client.close();
  await store.close();
  await server.child.stop(15_000);
  await bench.stopRedis();
  return {
    seed: { appends, seconds: seedSeconds, perSecond: appends / seedSeconds },
    scrapeOverheadUs: overheadUs,
    idleUsPerMs,
    cases,
    ratios: { member: paired(memberSlices), join: settings.joinPosts > 0 ? paired(joinSlices) : [] },
  };
};

// ---- kick: how soon a kick ends the kicked person's subscription on another instance ----

const ROOM_EVENTS = `subscription($id: ID!, $after: String) {
  roomEvents(roomId: $id, after: $after) { __typename cursor ... on MessagePosted { message { body } } }
}`;

interface Follower {
  /** performance.now() when a MessagePosted with `body` arrives. */
  posted(body: string): Promise<number>;
  /** When the subscription ended, and the error code it ended with. */
  ended: Promise<{ code: string | undefined; at: number }>;
  /** When the last MembershipChanged entry arrived (the kick's own, once it has ended). */
  lastMembershipAt(): number | null;
  dispose(): Promise<void>;
}

/** Follows `roomId` on `server` over graphql-ws (the package's client) as the user of `cookie`. */
const follow = (server: OurServer, cookie: string, roomId: string, after: string): Follower => {
  const origin = server.origin;
  class Authenticated extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { origin, cookie }, perMessageDeflate: false });
    }
  }
  const client: Client = createClient({
    url: `${server.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: Authenticated,
    retryAttempts: 0,
  });
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  let membershipAt: number | null = null;
  const ended = new Promise<{ code: string | undefined; at: number }>((resolve) => {
    client.subscribe<{ roomEvents?: { __typename: string; message?: { body: string } } }>(
      { query: ROOM_EVENTS, variables: { id: roomId, after } },
      {
        next: (result) => {
          const at = performance.now();
          if (result.errors) resolve({ code: result.errors[0]?.extensions?.code as string | undefined, at });
          const event = result.data?.roomEvents;
          if (event?.__typename === 'MembershipChanged') membershipAt = at;
          const body = event?.message?.body;
          if (body === undefined) return;
          arrived.set(body, at);
          waiting.get(body)?.(at);
        },
        error: (errors) => {
          const at = performance.now();
          const first = Array.isArray(errors) ? (errors[0] as { extensions?: { code?: string } } | undefined) : undefined;
          resolve({ code: first?.extensions?.code ?? (errors instanceof Error ? errors.message : String(errors)), at });
        },
        complete: () => resolve({ code: undefined, at: performance.now() }),
      },
    );
  });
  return {
    posted: (body) => {
      const at = arrived.get(body);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiting.set(body, resolve));
    },
    ended,
    lastMembershipAt: () => membershipAt,
    dispose: async () => {
      await client.dispose();
    },
  };
};

interface KickResults {
  rounds: number;
  /** A probe post through A, from sending it to its arrival at the subscriber on B/C, ms. */
  post: LoadResult;
  /** The kick through A, from sending it to the subscription's end (FORBIDDEN) on B/C, ms. */
  kickEnded: LoadResult;
  /** The same, to the arrival of the kick's MembershipChanged entry (sent just before the error), ms. */
  kickEntry: LoadResult;
  /** The kick mutation's own HTTP round trip through A, ms. */
  kickResponse: LoadResult;
  /** The post's and the kick's times by the subscriber's instance. */
  byInstance: { instance: string; post: LoadResult; kickEnded: LoadResult }[];
  probes: [number, number];
}

const runKick = async (): Promise<KickResults> => {
  const { redis, admin } = await bench.startRedis();
  // A first, alone, on the empty Redis (see the header); then B and C.
  const a = await startServer(redis.url, 'A');
  const [b, c] = await Promise.all([startServer(redis.url, 'B'), startServer(redis.url, 'C')]);
  const others = [
    { name: 'B', server: b },
    { name: 'C', server: c },
  ];
  const client = createHttpClient(a.url, { maxSockets: 4 });
  bench.clients.add(client);
  const ownerCookie = await signIn(client, a.origin, 'k_owner');
  const roomId = (
    JSON.parse(await client.graphql(CREATE_ROOM, { n: 'members kick' }, ownerCookie)) as { data: { createRoom: { id: string } } }
  ).data.createRoom.id;
  const roomStream = toRoomStreamKey(roomId);
  const lastCursor = async (redisAdmin: Redis) => {
    const [entry] = await redisAdmin.xrevrange(roomStream, '+', '-', 'COUNT', 1);
    if (!entry) throw new Error('the room log is empty');
    return entry[0];
  };

  const postTimes: number[] = [];
  const endedTimes: number[] = [];
  const entryTimes: number[] = [];
  const responseTimes: number[] = [];
  const perInstance = new Map<string, { post: number[]; kick: number[] }>(others.map(({ name }) => [name, { post: [], kick: [] }]));
  const probeBefore = speedProbeMs();
  log(`kicking: ${settings.kicks} rounds, subscribers on B and C in turn, owner acting through A`);
  const started = performance.now();
  for (let round = 0; round < settings.kicks; round++) {
    const handle = `k${round}`;
    const userId = toDevUserId(handle);
    const target = others[round % others.length]!;
    const cookie = await signIn(client, a.origin, handle);
    await client.graphql(POST, { r: roomId, b: `hello from ${handle}` }, cookie);
    const follower = follow(target.server, cookie, roomId, await lastCursor(admin));
    try {
      // Live: a first probe arrives (it may have come through the catch-up; the next one is live).
      const warm = `warm ${round}`;
      await client.graphql(POST, { r: roomId, b: warm }, ownerCookie);
      await withTimeout(follower.posted(warm), 10_000, `round ${round}: the warm probe on ${target.name}`);

      const probe = `probe ${round}`;
      const postSent = performance.now();
      await client.graphql(POST, { r: roomId, b: probe }, ownerCookie);
      const postAt = await withTimeout(follower.posted(probe), 10_000, `round ${round}: the probe on ${target.name}`);

      const kickSent = performance.now();
      const response = await client.graphql(KICK, { r: roomId, u: userId }, ownerCookie);
      const responseAt = performance.now();
      if (!response.includes('"KICKED"')) throw new Error(`round ${round}: kick answered ${response.slice(0, 200)}`);
      const ended = await withTimeout(follower.ended, 10_000, `round ${round}: the kicked subscription on ${target.name} to end`);
      if (ended.code !== 'FORBIDDEN') throw new Error(`round ${round}: the subscription on ${target.name} ended with ${ended.code}`);
      const entryAt = follower.lastMembershipAt();
      if (entryAt === null || entryAt < kickSent) throw new Error(`round ${round}: no MembershipChanged entry before the end`);

      postTimes.push(postAt - postSent);
      endedTimes.push(ended.at - kickSent);
      entryTimes.push(entryAt - kickSent);
      responseTimes.push(responseAt - kickSent);
      perInstance.get(target.name)!.post.push(postAt - postSent);
      perInstance.get(target.name)!.kick.push(ended.at - kickSent);
    } finally {
      await follower.dispose();
    }
    if ((round + 1) % 50 === 0) log(`${round + 1} rounds; kick → ended p50 so far ${median(endedTimes).toFixed(1)} ms`);
  }
  const elapsedMs = performance.now() - started;
  const probes: [number, number] = [probeBefore, speedProbeMs()];

  bench.clients.delete(client);
  client.close();
  await Promise.all([a, b, c].map((server) => server.child.stop(15_000)));
  await bench.stopRedis();
  const summary = (times: number[]) => summarize(times, elapsedMs);
  return {
    rounds: settings.kicks,
    post: summary(postTimes),
    kickEnded: summary(endedTimes),
    kickEntry: summary(entryTimes),
    kickResponse: summary(responseTimes),
    byInstance: [...perInstance].map(([instance, times]) => ({ instance, post: summary(times.post), kickEnded: summary(times.kick) })),
    probes,
  };
};

// ---- the run ----

interface Results {
  startedAt: string;
  settings: typeof settings;
  goals: typeof GOALS;
  environment: Record<string, string | number>;
  post?: PostResults;
  kick?: KickResults;
}

const main = async () => {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const { serverInfo } = await bench.startRedis();
  const environment = describeMachine(serverInfo);
  await bench.stopRedis();
  const results: Results = { startedAt: startedAt.toISOString(), settings, goals: GOALS, environment };
  if (settings.parts.includes('post')) results.post = await runPost();
  if (settings.parts.includes('kick')) results.kick = await runKick();

  printReport(results);
  mkdirSync(join(repoRoot, '.bench'), { recursive: true });
  const out = join(repoRoot, '.bench', `members-${stamp}.json`);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${out}`);
};

// ---- the report ----

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const ratioText = (ratios: number[]) => ratios.map((ratio) => ratio.toFixed(2)).join(' ');

const printReport = (results: Results) => {
  const { settings: s, environment: e } = results;
  console.log(`\nballoons members bench — ${results.startedAt}`);
  console.log(
    `node ${e.node}, ${e.cores} cores, redis ${e.redis} (no persistence); our server with NODE_ENV=${s.nodeEnv}, RATE_LIMITS=0; load average before the run: ${e.loadAverage}`,
  );

  const p = results.post;
  if (p) {
    console.log(
      `\npost cost against room size: two public rooms in one Redis (seeded: ${p.seed.appends.toLocaleString('en-US')} appends in ${p.seed.seconds.toFixed(1)} s);` +
        `\npostMessage over HTTP, ${s.concurrency} in flight, ${s.rounds} rounds per case, the rooms alternating (ABBA), after ${s.warmup} posts per room`,
    );
    console.log(
      formatTable<PostCase>(
        [
          { header: 'case', value: (r) => r.name },
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
          { header: 'p50 ms', value: (r) => r.latency.p50, digits: 2 },
          { header: 'p99 ms', value: (r) => r.latency.p99, digits: 2 },
          { header: 'posts/s', value: (r) => r.latency.perSecond },
          { header: 'probe ms', value: (r) => median(r.slices.map((x) => x.probeMs)), digits: 1 },
        ],
        p.cases,
      ),
    );
    const ratioOf = (name: string, field: 'serverUs' | 'redisUs') => {
      const of = (room: 'small' | 'big') => p.cases.find((c) => c.name === name && c.room === room)![field];
      return of('big') / of('small');
    };
    const memberRatio = ratioOf('member posts', 'serverUs');
    console.log(
      `big/small, server CPU per post: ${memberRatio.toFixed(2)} (medians); paired by round: median ${median(p.ratios.member).toFixed(2)} [${ratioText(p.ratios.member)}];` +
        ` redis ${ratioOf('member posts', 'redisUs').toFixed(2)}; goal ≤ ${GOALS.postRatio}: ${met(memberRatio <= GOALS.postRatio && median(p.ratios.member) <= GOALS.postRatio)}`,
    );
    if (p.ratios.join.length > 0) {
      console.log(
        `first post (joins), big/small: server ${ratioOf('first post (joins)', 'serverUs').toFixed(2)} (medians), paired median ${median(p.ratios.join).toFixed(2)}` +
          ` [${ratioText(p.ratios.join)}]; redis ${ratioOf('first post (joins)', 'redisUs').toFixed(2)}`,
      );
    }
    console.log(
      `server µs/post: our server's CPU (all threads) from /metrics around each round, less ${Math.round(p.scrapeOverheadUs)} µs for a scrape and` +
        ` ${p.idleUsPerMs.toFixed(1)} µs/ms idle; the median of the rounds;` +
        "\nredis µs/post: redis-server's CPU (INFO), median of the rounds; latency as this process sees it over loopback, all rounds pooled;" +
        '\nfirst post: a fresh user (not a member) posts once: refused by the guard, joined, posted again; they leave after the round.',
    );
  }

  const k = results.kick;
  if (k) {
    console.log(
      `\nkick reach on 3 instances: ${k.rounds} rounds, one at a time; a fresh member follows the room on B or C (in turn) over graphql-ws,` +
        `\nthe owner posts a probe, then kicks, through A [speed probe ${k.probes[0].toFixed(1)} → ${k.probes[1].toFixed(1)} ms]`,
    );
    type Row = { what: string; r: LoadResult; goal: string };
    console.log(
      formatTable<Row>(
        [
          { header: 'from sending, through A, to …', value: (row) => row.what },
          { header: 'count', value: (row) => row.r.count },
          { header: 'p50 ms', value: (row) => row.r.p50, digits: 1 },
          { header: 'p90 ms', value: (row) => row.r.p90, digits: 1 },
          { header: 'p99 ms', value: (row) => row.r.p99, digits: 1 },
          { header: 'max ms', value: (row) => row.r.max, digits: 1 },
          { header: `goal p99 < ${GOALS.kickP99Ms} ms`, value: (row) => row.goal },
        ],
        [
          { what: 'baseline: the post reaches the subscriber', r: k.post, goal: '–' },
          { what: 'kick: the subscription ends (FORBIDDEN)', r: k.kickEnded, goal: met(k.kickEnded.p99 < GOALS.kickP99Ms) },
          { what: 'kick: its MembershipChanged entry arrives', r: k.kickEntry, goal: '–' },
          { what: "kick: the mutation's HTTP response", r: k.kickResponse, goal: '–' },
          ...k.byInstance.flatMap(({ instance, post, kickEnded }) => [
            { what: `  on ${instance}: post reaches`, r: post, goal: '–' },
            { what: `  on ${instance}: kick ends`, r: kickEnded, goal: '–' },
          ]),
        ],
      ),
    );
    console.log(
      `kick ends / post reaches: p50 ${(k.kickEnded.p50 / k.post.p50).toFixed(2)}×, p99 ${(k.kickEnded.p99 / k.post.p99).toFixed(2)}×` +
        "\ntimes in this process (performance.now()) from before the mutation is sent to the graphql-ws client's callback: both include" +
        "\nthe append through A, B's or C's tail of the room log, and the socket; the kick adds deciding and appending a membership change" +
        '\nand ending the subscription.',
    );
  }
};

bench.run(main);
