/**
 * `npm run bench:fanout`: live delivery measured in one run on this machine, with one private
 * redis-server, our server (Redis mode) and two baselines as child processes, and the subscribers
 * in child processes of their own (bench/subscriberFleet.ts, one fleet per server):
 *
 *   1. server memory per connected idle subscriber (RSS and V8 heap after a forced GC, with N idle
 *      subscribed sockets minus with none, over N; RSS also without V8's young-generation reserve,
 *      which the goal uses: see `steadyRssKiB`; each sample once settled, forced GCs a second apart
 *      until that figure moves < 0.5 %, at most 15 s),
 *   2. fan-out at saturation for each N: deliveries/s, server CPU µs per delivery, interleaved
 *      over the servers in rounds (medians quoted),
 *   3. end-to-end latency p50/p99 at a fixed offered rate (post time → receipt in the fleet),
 *   4. catch-up: a client away for 10,000 messages subscribes `after` the cursor before them,
 *   5. the write path: postMessage over an open WebSocket (graphql-ws) at 50 clients, next to
 *      postMessage over HTTP and the bare Yoga + XADD mutation (bench/baselines/yogaXadd.ts),
 *
 * against baseline 1, a raw `ws` broadcast server (bench/baselines/rawWs.ts), and baseline 2, a
 * plain Yoga + graphql-ws server with in-memory pub/sub (bench/baselines/yogaWs.ts), with the
 * same fleet, the same subscription document (the UI's RoomEvents) and the same message shape.
 * Results also go to .bench/fanout-<timestamp>.json.
 *
 * How the saturation phase posts: the bench process posts (over HTTP, as the UI does) as fast as
 * the fan-out keeps up: at most W messages not yet delivered to every subscriber (W ≈ 20,000
 * deliveries / N), from which the rates are taken over a measured window after a warm-up.
 *
 * Presence: every subscriber is a user of its own (one socket per user), so subscribing N sockets
 * to a room announces N UserJoined events, each fanned out to every subscriber already there:
 * N²/2 frames (12.5 million at N = 5,000) before anything is measured. The bench avoids that storm
 * the way a slowly filling room would: our server runs with PRESENCE_GRACE_MS=3600000 (a user stays
 * in the room for an hour after their last subscription ends), and every subscriber user first
 * enters the room once, a few at a time, with a short-lived subscription ("pre-join"); their main
 * subscriptions then join nobody new. The presence leases, heartbeats and Redis calls per
 * subscription stay as in production. Our server runs twice: a first process signs the users in
 * and runs the pre-join, then stops; the measured one starts afresh (sessions and presence are in
 * Redis), so neither weighs on its memory figures.
 *
 * Env (all optional): BENCH_FANOUT_NS (100,1000,5000), BENCH_FANOUT_SERVERS (ours,yoga,raw),
 * BENCH_FANOUT_ROUNDS (3), BENCH_FANOUT_SECONDS (2: measured window per round), BENCH_FANOUT_WARMUP_SECONDS
 * (0.7 per round), BENCH_FANOUT_WINDOW_DELIVERIES (20000), BENCH_FANOUT_RATE (20 messages/s offered in the
 * latency phase, at most BENCH_FANOUT_LATENCY_MAX_LOAD (10000) deliveries/s), BENCH_FANOUT_LATENCY_SECONDS (5),
 * BENCH_CATCHUP_MESSAGES (10000), BENCH_CATCHUP_ROUNDS (3), BENCH_WRITE_SECONDS (5), BENCH_WRITE_WARMUP_SECONDS (2),
 * BENCH_WRITE_ROUNDS (5), BENCH_CONCURRENCY (50), BENCH_USERS_PER_CLIENT (150), BENCH_FANOUT_SKIP (comma list of
 * memory, fanout, latency, catchup, write), BENCH_NODE_ENV (production), BENCH_PROFILE=1 (our server under
 * --cpu-prof: where its CPU goes per delivery during the saturated windows, and per post in the write
 * path's; slows it down).
 * Quick run: BENCH_FANOUT_NS=100,1000 BENCH_FANOUT_ROUNDS=1 BENCH_CATCHUP_ROUNDS=1 BENCH_WRITE_ROUNDS=2 npm run bench:fanout
 * Profile only our server: BENCH_PROFILE=1 BENCH_FANOUT_SERVERS=ours BENCH_FANOUT_SKIP=memory,latency,catchup,write npm run bench:fanout
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { toDevUserId } from '../backend/src/auth/devLogin.js';
import { toRoomStreamKey } from '../backend/src/chat/keys.js';
import type { ChildServer } from './childServer.js';
import { describeMachine, envNumber, log } from './env.js';
import { fillRoom } from './fill.js';
import { type Fleet, type FleetStats, startFleet } from './fleet.js';
import { type HttpClient, createHttpClient } from './httpClient.js';
import { createLifecycle } from './lifecycle.js';
import { quantile, runLoad } from './load.js';
import { type Measured, type MeasureSources, machineBusyMicros, redisCpuMicros, speedProbeMs } from './metrics.js';
import { warmUpAndMeasure } from './phases.js';
import { type ProfileBucket, mainThreadProfile, summarizeProfile } from './profile.js';
import {
  type SettledMemorySample,
  YOGA_POST,
  collectGarbageSettled,
  steadyRssKiB,
  createRoom as createRoomAs,
  joinRooms,
  repoRoot,
  signInAll,
  startFanoutBaseline,
  startOurServer,
  startYogaXadd,
} from './servers.js';
import type { FleetProtocol } from './subscriberFleet.js';
import { formatTable } from './table.js';
import { type GraphqlSocket, POST_MESSAGE, ROOM_EVENTS_DOCUMENT, openGraphqlSocket } from './wsClient.js';

// ---- settings ----

const envList = (name: string, fallback: string): string[] =>
  (process.env[name] || fallback)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

type ServerKey = 'ours' | 'yoga' | 'raw';
const SERVER_KEYS: ServerKey[] = ['ours', 'yoga', 'raw'];
const skip = new Set(envList('BENCH_FANOUT_SKIP', ''));
const settings = {
  ns: [...new Set(envList('BENCH_FANOUT_NS', '100,1000,5000').map(Number))].sort((a, b) => a - b),
  servers: SERVER_KEYS.filter((key) => envList('BENCH_FANOUT_SERVERS', 'ours,yoga,raw').includes(key)),
  rounds: Math.round(envNumber('BENCH_FANOUT_ROUNDS', 3, 1)),
  seconds: envNumber('BENCH_FANOUT_SECONDS', 2, 0.2),
  warmupSeconds: envNumber('BENCH_FANOUT_WARMUP_SECONDS', 0.7, 0),
  windowDeliveries: envNumber('BENCH_FANOUT_WINDOW_DELIVERIES', 20_000, 1),
  latencyRate: envNumber('BENCH_FANOUT_RATE', 20, 0.1),
  latencyMaxLoad: envNumber('BENCH_FANOUT_LATENCY_MAX_LOAD', 10_000, 1),
  latencySeconds: envNumber('BENCH_FANOUT_LATENCY_SECONDS', 5, 0.5),
  catchupMessages: Math.round(envNumber('BENCH_CATCHUP_MESSAGES', 10_000, 1)),
  catchupRounds: Math.round(envNumber('BENCH_CATCHUP_ROUNDS', 3, 1)),
  writeSeconds: envNumber('BENCH_WRITE_SECONDS', 5, 0.1),
  writeWarmupSeconds: envNumber('BENCH_WRITE_WARMUP_SECONDS', 2, 0),
  writeRounds: Math.round(envNumber('BENCH_WRITE_ROUNDS', 5, 1)),
  concurrency: Math.round(envNumber('BENCH_CONCURRENCY', 50, 1)),
  // Enough users that none posts faster than the per-user limit (1/s) below 7,500 posts/s in all.
  usersPerClient: Math.round(envNumber('BENCH_USERS_PER_CLIENT', 150, 1)),
  nodeEnv: process.env.BENCH_NODE_ENV ?? 'production',
  profile: process.env.BENCH_PROFILE === '1',
  phases: ['memory', 'fanout', 'latency', 'catchup', 'write'].filter((phase) => !skip.has(phase)),
};
if (settings.ns.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_FANOUT_NS: positive integers, comma-separated');
if (settings.servers.length === 0) throw new Error('BENCH_FANOUT_SERVERS: name at least one of ours, yoga, raw');
const maxN = settings.ns.at(-1)!;
const WARM_SOCKETS = 20;
/** Our server keeps a user in a room this long after their last subscription (see the header). */
const PRESENCE_GRACE_MS = 3_600_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);
const median = (values: number[]): number => {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
};
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const signed = (value: number, digits = 1) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
const describeSettling = (sample: SettledMemorySample) =>
  `${sample.settled ? 'settled' : 'NOT settled'} in ${(sample.settleMs / 1000).toFixed(1)} s (${sample.samples} forced GCs, last change ${sample.lastChangePercent.toFixed(2)} %; ` +
  `RSS ${Math.round(sample.rssKiB / 1024)} MiB of which young generation ${Math.round(sample.newSpaceKiB / 1024)} MiB)`;
/** What the goal row compares with its target (≤ 20 KB, decimal): steady RSS per subscriber in KB. */
const goalMemoryKB = (row: MemoryRow) => row.steadyRssKiBPerSubscriber * 1.024;

// ---- cleanup (bench/lifecycle.ts): the children, fleets, redis-server and its directory, on any exit ----

const bench = createLifecycle({ stopping: 'the servers, fleets and redis-server', signalGraceMs: 10_000 });
const { clients, connections, sockets, connect } = bench;

// ---- the servers under test ----

interface FanoutServer {
  key: ServerKey;
  label: string;
  child: ChildServer;
  fleet: Fleet;
  wsUrl: string;
  protocol: FleetProtocol;
  origin?: string;
  /** Cookies of the subscriber users, by fleet socket index (ours only). */
  cookies?: string[];
  roomId: string;
  post(body: string, clientId: string): Promise<void>;
  /** Our server's /metrics counters, for renders per event. */
  counters?: () => Promise<{ renders: number; frames: number }>;
}

const LABELS: Record<ServerKey, string> = { ours: 'ours (balloons)', yoga: 'Yoga + graphql-ws', raw: 'raw ws' };

let postSeq = 0;
/** A message body that carries its post time (µs, CLOCK_MONOTONIC: the same clock in the fleet). */
const newBody = () => `t=${nowMicros()} #${postSeq} the quick brown fox jumps over the lazy dog.`;
const postOne = (server: FanoutServer) => {
  const seq = postSeq++;
  return server.post(newBody(), `f${seq}`);
};

const readCounter = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

// ---- fleet helpers ----

/** Connects the server's fleet up to `target` sockets, then posts probes until every socket got one. */
const growFleet = async (server: FanoutServer, target: number, options: { cookies?: string[]; preJoin?: boolean } = {}) => {
  const current = (await server.fleet.stats()).sockets;
  if (current >= target) return;
  const connected = await server.fleet.connect({
    url: server.wsUrl,
    protocol: server.protocol,
    target,
    origin: server.origin,
    cookies: options.cookies ?? server.cookies,
    query: ROOM_EVENTS_DOCUMENT,
    variables: { roomId: server.roomId, after: null },
    preJoin: options.preJoin ?? false,
    preJoinConcurrency: 16,
    concurrency: 64,
  });
  log(
    `${server.label}: ${connected.opened} sockets connected${options.preJoin ? ' (pre-joined)' : ''} in ${(connected.ms / 1000).toFixed(1)} s; waiting until all ${target} receive`,
  );
  await waitUntilAllReceive(server, target);
};

/** Posts a probe every 250 ms until every socket of the fleet received one, then lets it go quiet. */
const waitUntilAllReceive = async (server: FanoutServer, target: number, timeoutMs = 120_000) => {
  await server.fleet.reset();
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    await postOne(server);
    await sleep(250);
    const stats = await server.fleet.stats();
    if (stats.errors > 0) throw new Error(`${server.label}: fleet errors: ${stats.errorSamples.join('; ')}`);
    if (stats.socketsWithAny >= target) break;
    if (performance.now() > deadline)
      throw new Error(`${server.label}: only ${stats.socketsWithAny} of ${target} sockets receive after ${timeoutMs / 1000} s`);
  }
  await waitQuiet(server.fleet);
};

/** Waits until the fleet's delivered count stops moving for 300 ms. */
const waitQuiet = async (fleet: Fleet, timeoutMs = 30_000) => {
  const deadline = performance.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const { delivered } = await fleet.stats();
    if (delivered === last || performance.now() > deadline) return;
    last = delivered;
    await sleep(300);
  }
};

/** Waits until the fleet holds `expected` deliveries (or the time is up); answers the count. */
const waitDelivered = async (fleet: Fleet, expected: number, timeoutMs = 30_000): Promise<FleetStats> => {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const stats = await fleet.stats();
    if (stats.delivered >= expected || performance.now() > deadline) return stats;
    await sleep(20);
  }
};

const shrinkFleet = async (server: FanoutServer, target: number) => {
  await server.fleet.shrink(target);
};

// ---- saturation ----

interface Slice {
  server: ServerKey;
  n: number;
  round: number;
  seconds: number;
  deliveries: number;
  posts: number;
  serverCpuUs: number;
  fleetCpuUs: number;
  benchCpuUs: number;
  redisCpuUs: number;
  machineUs: number;
  probeMs: number;
  windowUs: [number, number];
  postErrors: number;
  postErrorSamples: string[];
  lost: number;
  fleetErrors: string[];
  /** Our server only: results rendered and frames sent over the whole slice (warm-up and drain included), and the messages posted then. */
  renders?: { renders: number; frames: number; posts: number };
  /** CPU of the servers NOT being measured, idle with their N subscribers, over the window (µs). */
  idleCpuUs: Partial<Record<ServerKey, number>>;
}

const saturate = async (server: FanoutServer, n: number, round: number, admin: Redis, everyone: FanoutServer[]): Promise<Slice> => {
  const { fleet } = server;
  const counters0 = await server.counters?.();
  const window = Math.max(2, Math.min(200, Math.ceil(settings.windowDeliveries / n)));
  const concurrency = Math.min(window, 16);
  await fleet.reset();
  let delivered = 0;
  let wake: (() => void) | null = null;
  await fleet.progress((count) => {
    delivered = count;
    wake?.();
  });
  let started = 0;
  let ok = 0;
  let okInWindow = 0;
  let measuring = false;
  let postErrors = 0;
  const postErrorSamples: string[] = [];
  let stop = false;
  const worker = async () => {
    while (!stop) {
      if (started - delivered / n >= window) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 50);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      started++;
      try {
        await postOne(server);
        ok++;
        if (measuring) okInWindow++;
      } catch (error) {
        started--;
        postErrors++;
        const message = errorText(error);
        if (postErrorSamples.length < 3 && !postErrorSamples.includes(message)) postErrorSamples.push(message);
        if (postErrors > 50) stop = true;
        await sleep(10);
      }
    }
  };
  const probeMs = speedProbeMs();
  const workers = Array.from({ length: concurrency }, worker);
  await sleep((round === 0 ? settings.warmupSeconds + 0.5 : settings.warmupSeconds) * 1000);

  const snapshot = async () => {
    const stats = await fleet.stats();
    const bench = process.cpuUsage();
    return {
      at: performance.now(),
      mono: nowMicros(),
      delivered: stats.delivered,
      fleet: stats.cpuMicros,
      server: server.child.cpuMicros(),
      everyone: everyone.map((other) => other.child.cpuMicros()),
      redis: await redisCpuMicros(admin),
      bench: bench.user + bench.system,
      machine: machineBusyMicros(),
    };
  };
  const a = await snapshot();
  measuring = true;
  await sleep(settings.seconds * 1000);
  measuring = false;
  const b = await snapshot();
  stop = true;
  await Promise.all(workers);
  const final = await waitDelivered(fleet, ok * n);
  await fleet.progress(null);
  const counters1 = await server.counters?.();
  const idleCpuUs: Partial<Record<ServerKey, number>> = {};
  everyone.forEach((other, i) => {
    if (other !== server) idleCpuUs[other.key] = b.everyone[i]! - a.everyone[i]!;
  });
  return {
    server: server.key,
    n,
    round,
    seconds: (b.at - a.at) / 1000,
    deliveries: b.delivered - a.delivered,
    posts: okInWindow,
    serverCpuUs: b.server - a.server,
    fleetCpuUs: b.fleet - a.fleet,
    benchCpuUs: b.bench - a.bench,
    redisCpuUs: b.redis - a.redis,
    machineUs: b.machine - a.machine,
    probeMs,
    windowUs: [a.mono, b.mono],
    postErrors,
    postErrorSamples,
    lost: Math.max(0, ok * n - final.delivered),
    fleetErrors: final.errorSamples,
    renders:
      counters0 && counters1
        ? { renders: counters1.renders - counters0.renders, frames: counters1.frames - counters0.frames, posts: ok }
        : undefined,
    idleCpuUs,
  };
};

// ---- latency at a fixed offered rate ----

interface LatencyResult {
  server: ServerKey;
  n: number;
  rate: number;
  messages: number;
  deliveries: number;
  expected: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  postErrors: number;
}

const latencyRun = async (server: FanoutServer, n: number): Promise<LatencyResult> => {
  const { fleet } = server;
  const rate = Math.min(settings.latencyRate, settings.latencyMaxLoad / n);
  const messages = Math.max(1, Math.round(rate * settings.latencySeconds));
  await fleet.reset();
  await fleet.latency(true);
  const t0 = performance.now();
  const posts: Promise<boolean>[] = [];
  for (let k = 0; k < messages; k++) {
    const wait = t0 + (k * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    posts.push(
      postOne(server).then(
        () => true,
        () => false,
      ),
    );
  }
  const ok = (await Promise.all(posts)).filter(Boolean).length;
  const stats = await waitDelivered(fleet, ok * n, 60_000);
  await fleet.latency(false);
  return {
    server: server.key,
    n,
    rate,
    messages,
    deliveries: stats.delivered,
    expected: ok * n,
    p50: stats.latency.p50,
    p90: stats.latency.p90,
    p99: stats.latency.p99,
    max: stats.latency.max,
    postErrors: messages - ok,
  };
};

// ---- results ----

interface MemoryRow {
  server: ServerKey;
  n: number;
  rssKiBPerSubscriber: number;
  /** The same without V8's young-generation reserve (`steadyRssKiB`): the goal's figure. */
  steadyRssKiBPerSubscriber: number;
  heapKiBPerSubscriber: number;
  base: SettledMemorySample;
  at: SettledMemorySample;
}

interface CatchupResult {
  messages: number;
  rounds: { ms: number; serverCpuUs: number }[];
  medianMs: number;
  eventsPerSecond: number;
  serverCpuUsPerEvent: number;
  fill: { seconds: number; perSecond: number };
  errors: string[];
}

interface Results {
  startedAt: string;
  settings: typeof settings;
  environment: Record<string, string | number>;
  connect: Record<string, number>;
  memory: MemoryRow[];
  slices: Slice[];
  latency: LatencyResult[];
  catchup?: CatchupResult;
  write?: Measured[];
  /** By fan-out N (`N=1000`, per delivery) or write-path phase (per post): `count` deliveries or posts. */
  profile?: Record<string, { windowed: boolean; busyMs: number; count: number; buckets: ProfileBucket[]; functions: ProfileBucket[] }>;
}

// ---- the run ----

const main = async () => {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const profileDir = settings.profile ? join(repoRoot, '.bench', 'profiles', `fanout-${stamp}`) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  log('starting a private redis-server');
  const { redis, admin, serverInfo } = await bench.startRedis();

  const results: Results = {
    startedAt: startedAt.toISOString(),
    settings,
    environment: describeMachine(serverInfo),
    connect: {},
    memory: [],
    slices: [],
    latency: [],
  };

  // Our server runs twice: a first process signs the users in and lets them enter the room's
  // presence (see the header), then stops; the measured one starts afresh, so that neither the
  // sign-ins nor the pre-join's peak of sockets weigh on its memory figures.
  log('starting our server for the sign-ins and the pre-join, and the baselines');
  const oursEnv = { PRESENCE_GRACE_MS: String(PRESENCE_GRACE_MS) };
  const [setup, yogaChild, rawChild] = await Promise.all([
    // Each pre-joining socket waits for its first presence frame: coalesced, a steady stream of
    // joins waits for windows of up to 8 s each (the pre-join crawled at ~6 people/s); one frame
    // per join gives it at once, and only the few pre-joining sockets listen.
    startOurServer({ redisUrl: redis.url, nodeEnv: settings.nodeEnv, env: { ...oursEnv, PRESENCE_COALESCE_MS: '0' } }),
    startFanoutBaseline('yogaWs', { nodeEnv: settings.nodeEnv }),
    startFanoutBaseline('rawWs', { nodeEnv: settings.nodeEnv }),
  ]);
  const setupClient = createHttpClient(setup.url, { maxSockets: 64 });
  const yogaClient = createHttpClient(yogaChild.ready, { maxSockets: 32 });
  const rawClient = createHttpClient(rawChild.ready, { maxSockets: 32 });
  for (const client of [setupClient, yogaClient, rawClient]) clients.add(client);

  // Users: one per subscriber socket, a few for warming up, and the writers (50 × 60, rotated: posting is rate-limited per user).
  const writerCount = settings.concurrency * settings.usersPerClient;
  const handles = [
    ...Array.from({ length: writerCount }, (_, i) => `fw_${i % settings.concurrency}_${Math.floor(i / settings.concurrency)}`),
    ...Array.from({ length: WARM_SOCKETS }, (_, i) => `fwarm_${i}`),
    ...(settings.servers.includes('ours') ? Array.from({ length: maxN }, (_, i) => `fs_${i}`) : []),
  ];
  log(`signing in ${handles.length.toLocaleString('en-US')} users on our server (POST /auth/dev)`);
  const { cookies: cookieList, result: signedIn } = await signInAll(setupClient, setup.origin, handles);
  results.connect.signInPerSecond = signedIn.perSecond;
  log(`signed in ${signedIn.count} users in ${(signedIn.elapsedMs / 1000).toFixed(1)} s`);
  const writerCookies = cookieList.slice(0, writerCount);
  const warmCookies = cookieList.slice(writerCount, writerCount + WARM_SOCKETS);
  const subscriberCookies = cookieList.slice(writerCount + WARM_SOCKETS);
  let nextWriter = 0;
  const writerCookie = () => writerCookies[nextWriter++ % writerCookies.length]!;

  const createRoom = (name: string, cookie: string) => createRoomAs(setupClient, name, cookie);
  const fanRoomId = await createRoom(`fan-out ${stamp}`, writerCookies[0]!);
  const catchupRoomId = await createRoom(`catch-up ${stamp}`, writerCookies[1]!);
  const writeRoomId = await createRoom(`write path ${stamp}`, writerCookies[2]!);
  // Every writer joins the fan-out and write-path rooms first: with thousands of writers in turn,
  // most measured posts were first posts (two frames per subscriber, two renders per message).
  log(`joining ${writerCookies.length.toLocaleString('en-US')} writers to the fan-out and write-path rooms`);
  await joinRooms(setupClient, writerCookies, [fanRoomId, writeRoomId]);

  log(`starting ${settings.servers.length} subscriber fleets (bench/subscriberFleet.ts)`);
  const fleets = await Promise.all(settings.servers.map((key) => startFleet(`fleet-${key}`)));
  const fleetOf = (key: ServerKey) => fleets[settings.servers.indexOf(key)]!;
  const toWs = (url: string) => `${url.replace(/^http/, 'ws')}/graphql`;

  if (settings.servers.includes('ours')) {
    const started = performance.now();
    log(`${(maxN + WARM_SOCKETS).toLocaleString('en-US')} subscriber users enter the fan-out room's presence, 16 at a time (pre-join)`);
    const fleet = fleetOf('ours');
    await fleet.connect({
      url: toWs(setup.url),
      protocol: 'graphql-ws',
      target: maxN + WARM_SOCKETS,
      origin: setup.origin,
      cookies: [...subscriberCookies, ...warmCookies],
      query: ROOM_EVENTS_DOCUMENT,
      variables: { roomId: fanRoomId, after: null },
      preJoin: true,
      preJoinConcurrency: 16,
    });
    await fleet.shrink(0);
    results.connect.preJoinSeconds = (performance.now() - started) / 1000;
    log(`pre-join done in ${results.connect.preJoinSeconds.toFixed(1)} s`);
  }
  setupClient.close();
  clients.delete(setupClient);
  await setup.child.stop(15_000);

  log(`starting the measured instance of our server (PRESENCE_GRACE_MS=${PRESENCE_GRACE_MS}${profileDir ? ', --cpu-prof' : ''})`);
  const ours = await startOurServer({ redisUrl: redis.url, nodeEnv: settings.nodeEnv, profileDir, gcOnSignal: true, env: oursEnv });
  const oursClient = createHttpClient(ours.url, { maxSockets: 64 });
  clients.add(oursClient);

  const all: Record<ServerKey, () => FanoutServer> = {
    ours: () => ({
      key: 'ours',
      label: LABELS.ours,
      child: ours.child,
      fleet: fleetOf('ours'),
      wsUrl: toWs(ours.url),
      protocol: 'graphql-ws',
      origin: ours.origin,
      cookies: subscriberCookies,
      roomId: fanRoomId,
      post: (body, clientId) => oursClient.graphql(POST_MESSAGE, { roomId: fanRoomId, body, clientId }, writerCookie()).then(() => {}),
      counters: async () => {
        const text = await (await fetch(`${ours.url}/metrics`)).text();
        return {
          renders: readCounter(text, 'balloons_subscription_renders_total'),
          frames: readCounter(text, 'balloons_subscription_frames_total'),
        };
      },
    }),
    yoga: () => ({
      key: 'yoga',
      label: LABELS.yoga,
      child: yogaChild,
      fleet: fleetOf('yoga'),
      wsUrl: toWs(yogaChild.ready),
      protocol: 'graphql-ws',
      roomId: 'bench',
      post: (body, clientId) => yogaClient.graphql(POST_MESSAGE, { roomId: 'bench', body, clientId }).then(() => {}),
    }),
    raw: () => ({
      key: 'raw',
      label: LABELS.raw,
      child: rawChild,
      fleet: fleetOf('raw'),
      wsUrl: `${rawChild.ready.replace(/^http/, 'ws')}/`,
      protocol: 'raw',
      roomId: 'bench',
      post: async (body, clientId) => {
        const response = await rawClient.post('/post', JSON.stringify({ roomId: 'bench', body, clientId }));
        if (response.status !== 200) throw new Error(`raw ws post: HTTP ${response.status}`);
      },
    }),
  };
  const servers = settings.servers.map((key) => all[key]());

  // Warm-up: a few subscribers and messages on each server, so code paths are compiled and lazily
  // loaded modules are in before the memory baseline is taken.
  for (const server of servers) {
    log(`${server.label}: warming up with ${WARM_SOCKETS} subscribers`);
    await growFleet(server, WARM_SOCKETS, { cookies: server.key === 'ours' ? warmCookies : undefined });
    for (let i = 0; i < 100; i++) await postOne(server);
    await waitQuiet(server.fleet);
    await shrinkFleet(server, 0);
  }
  const oursServer = servers.find((server) => server.key === 'ours');

  // 1. memory per idle subscriber (the servers settle in parallel: each sample is in its own process)
  const settledSamples = async (n: number) => {
    const samples = await Promise.all(servers.map((server) => collectGarbageSettled(server.child)));
    servers.forEach((server, i) => {
      log(`${server.label}: memory with ${n} subscribers ${describeSettling(samples[i]!)}`);
    });
    return new Map(servers.map((server, i) => [server.key, samples[i]!]));
  };
  const base = settings.phases.includes('memory') ? await settledSamples(0) : new Map<ServerKey, SettledMemorySample>();
  for (const n of settings.ns) {
    for (const server of servers) {
      const started = performance.now();
      await growFleet(server, n);
      results.connect[`${server.key}@${n}`] = (performance.now() - started) / 1000;
    }
    if (!settings.phases.includes('memory')) continue;
    const samples = await settledSamples(n);
    for (const server of servers) {
      const at = samples.get(server.key)!;
      const from = base.get(server.key)!;
      results.memory.push({
        server: server.key,
        n,
        base: from,
        at,
        rssKiBPerSubscriber: (at.rssKiB - from.rssKiB) / n,
        steadyRssKiBPerSubscriber: (steadyRssKiB(at) - steadyRssKiB(from)) / n,
        heapKiBPerSubscriber: (at.heapUsedKiB + at.externalKiB - from.heapUsedKiB - from.externalKiB) / n,
      });
      log(
        `${server.label}: ${n} idle subscribers: RSS ${Math.round(at.rssKiB / 1024)} MiB (${signed((at.rssKiB - from.rssKiB) / n)} KiB each; ` +
          `${signed((steadyRssKiB(at) - steadyRssKiB(from)) / n)} KiB without the young generation), ` +
          `heap+ext ${signed((at.heapUsedKiB + at.externalKiB - from.heapUsedKiB - from.externalKiB) / n)} KiB each`,
      );
    }
  }

  // 2 and 3. saturation and latency, from the largest N down (the fleets shrink)
  for (const n of [...settings.ns].reverse()) {
    for (const server of servers) await shrinkFleet(server, n);
    await sleep(500);
    if (settings.phases.includes('fanout')) {
      for (let round = 0; round < settings.rounds; round++) {
        for (const server of servers) {
          const slice = await saturate(server, n, round, admin, servers);
          results.slices.push(slice);
          log(
            `N=${n} round ${round + 1}/${settings.rounds} ${server.label}: ${Math.round(slice.deliveries / slice.seconds).toLocaleString('en-US')} deliveries/s, ` +
              `${(slice.serverCpuUs / slice.deliveries).toFixed(1)} µs server CPU each${slice.lost > 0 ? `, ${slice.lost} LOST` : ''}${slice.postErrors > 0 ? `, ${slice.postErrors} post errors: ${slice.postErrorSamples[0]}` : ''}`,
          );
        }
      }
    }
    if (settings.phases.includes('latency')) {
      for (const server of servers) {
        const result = await latencyRun(server, n);
        results.latency.push(result);
        log(
          `N=${n} latency ${server.label}: ${result.rate.toFixed(1)} msg/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (${result.deliveries}/${result.expected} delivered)`,
        );
      }
    }
  }
  for (const fleet of fleets) await fleet.stop();

  // 4. catch-up
  if (oursServer && settings.phases.includes('catchup'))
    results.catchup = await catchUp(ours.child, toWs(ours.url), ours.origin, writerCookies, catchupRoomId);

  // 5. the write path
  if (oursServer && settings.phases.includes('write')) {
    results.write = await writePath(ours.child, toWs(ours.url), ours.origin, oursClient, writerCookies, writeRoomId, admin);
  }

  await Promise.all([yogaChild.stop(), rawChild.stop()]);
  oursClient.close();
  await ours.child.stop(15_000);

  if (profileDir) {
    const file = mainThreadProfile(profileDir);
    if (file) {
      const profile: NonNullable<Results['profile']> = (results.profile = {});
      const summarize = (label: string, windows: [number, number][], count: number) => {
        const byBucket = summarizeProfile(file, repoRoot, windows);
        const byFunction = summarizeProfile(file, repoRoot, windows, 'function');
        profile[label] = {
          windowed: byBucket.windowed,
          busyMs: byBucket.busyMs,
          count,
          buckets: byBucket.buckets,
          functions: byFunction.buckets,
        };
      };
      for (const n of settings.ns) {
        const slices = results.slices.filter((slice) => slice.server === 'ours' && slice.n === n);
        if (slices.length === 0) continue;
        summarize(
          `N=${n}`,
          slices.map((slice) => slice.windowUs),
          slices.reduce((sum, slice) => sum + slice.deliveries, 0),
        );
      }
      // The write path's phases on our server, per post.
      for (const phase of results.write ?? []) {
        if (phase.name.endsWith('(ours)')) summarize(phase.name, phase.windowsUs, phase.count);
      }
    } else {
      log(`no .cpuprofile in ${profileDir}`);
    }
  }

  printReport(results);
  mkdirSync(join(repoRoot, '.bench'), { recursive: true });
  const out = join(repoRoot, '.bench', `fanout-${stamp}.json`);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${out}`);
};

// ---- 4. catch-up ----

const catchUp = async (child: ChildServer, wsUrl: string, origin: string, cookies: string[], roomId: string): Promise<CatchupResult> => {
  const messages = settings.catchupMessages;
  const authors = Array.from({ length: Math.min(10, settings.concurrency) }, (_, i) => toDevUserId(`fw_${i}_0`));
  log(`catch-up: filling a room with ${messages.toLocaleString('en-US')} messages (createChatCommands.postMessage from this process)`);
  const fill = await fillRoom({
    redisUrl: bench.redis!.url,
    roomId,
    authors,
    messages,
    concurrency: 64,
    clientId: (i) => `catchup-${i}`,
    body: (i) => `Catch-up message ${i}: the quick brown fox jumps over the lazy dog.`,
  });
  const admin = await connect(bench.redis!.url);
  const newest = await admin.xrevrange(toRoomStreamKey(roomId), '+', '-', 'COUNT', messages + 1);
  const after = newest.length > messages ? newest.at(-1)![0] : '0-0';
  const rounds: CatchupResult['rounds'] = [];
  const errors: string[] = [];
  for (let round = 0; round < settings.catchupRounds; round++) {
    const socket = await openGraphqlSocket(wsUrl, { origin, cookie: cookies[(100 + round) % cookies.length] });
    sockets.add(socket);
    const cpu0 = child.cpuMicros();
    const t0 = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        let count = 0;
        const timer = setTimeout(() => reject(new Error(`catch-up: ${count} of ${messages} events after 120 s`)), 120_000);
        socket.subscribe('c', ROOM_EVENTS_DOCUMENT, { roomId, after }, (frame) => {
          const text = frame.toString('latin1', 0, 60);
          if (!text.includes('"type":"next"') || frame.indexOf('"errors"') >= 0) {
            clearTimeout(timer);
            return reject(new Error(`catch-up: ${frame.toString().slice(0, 300)} after ${count} events`));
          }
          if (frame.indexOf('"MessagePosted"') < 0) return;
          if (++count === messages) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      rounds.push({ ms: performance.now() - t0, serverCpuUs: child.cpuMicros() - cpu0 });
      log(`catch-up round ${round + 1}: ${messages} events in ${(rounds.at(-1)!.ms / 1000).toFixed(2)} s`);
    } catch (error) {
      errors.push(errorText(error));
      log(errorText(error));
    }
    socket.complete('c');
    await socket.close();
    sockets.delete(socket);
  }
  admin.disconnect();
  connections.delete(admin);
  const medianMs = median(rounds.map((r) => r.ms));
  return {
    messages,
    rounds,
    medianMs,
    errors,
    eventsPerSecond: (messages * 1000) / medianMs,
    serverCpuUsPerEvent: median(rounds.map((r) => r.serverCpuUs / messages)),
    fill: { seconds: fill.elapsedMs / 1000, perSecond: fill.perSecond },
  };
};

// ---- 5. the write path ----

const writePath = async (
  child: ChildServer,
  wsUrl: string,
  origin: string,
  oursClient: HttpClient,
  cookies: string[],
  roomId: string,
  admin: Redis,
): Promise<Measured[]> => {
  const { concurrency, usersPerClient } = settings;
  log('write path: starting baseline bench/baselines/yogaXadd.ts');
  const yoga = await startYogaXadd({ redisUrl: bench.redis!.url, nodeEnv: settings.nodeEnv });
  const yogaClient = createHttpClient(yoga.ready, { maxSockets: concurrency });
  clients.add(yogaClient);
  log(`write path: opening ${cookies.length} WebSockets, one per writer user (${concurrency} clients × ${usersPerClient} users)`);
  const started = performance.now();
  const wsByUser = new Array<GraphqlSocket>(cookies.length);
  let nextOpen = 0;
  await runLoad({ concurrency: 32, maxOps: cookies.length, maxErrors: 1 }, async () => {
    const i = nextOpen++;
    const socket = await openGraphqlSocket(wsUrl, { origin, cookie: cookies[i] });
    sockets.add(socket);
    wsByUser[i] = socket;
  });
  log(`opened in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Client `worker` posts as its own users in turn (index = turn × concurrency + worker), over HTTP and WS alike.
  const turns = new Array<number>(concurrency).fill(0);
  const userOf = (worker: number) => (turns[worker]!++ % usersPerClient) * concurrency + worker;
  const body = (worker: number, n: number) => `Message ${n} from bench client ${worker}: the quick brown fox jumps over the lazy dog.`;
  const oursSources: MeasureSources = { serverCpuMicros: child.cpuMicros, redisAdmin: admin };
  const phases = [
    {
      name: 'postMessage over WS (ours)',
      op: (worker: number, n: number) =>
        wsByUser[userOf(worker)]!.request(POST_MESSAGE, { roomId, body: body(worker, n), clientId: `w${n}` }).then(() => {}),
      sources: oursSources,
    },
    {
      name: 'postMessage over HTTP (ours)',
      op: (worker: number, n: number) =>
        oursClient.graphql(POST_MESSAGE, { roomId, body: body(worker, n), clientId: `h${n}` }, cookies[userOf(worker)]).then(() => {}),
      sources: oursSources,
    },
    {
      name: 'Yoga + 1 XADD (HTTP)',
      op: (worker: number, n: number) => yogaClient.graphql(YOGA_POST, { body: body(worker, n), clientId: `y${n}` }).then(() => {}),
      sources: { serverCpuMicros: yoga.cpuMicros, redisAdmin: admin } as MeasureSources,
    },
  ];
  const measured = await warmUpAndMeasure(phases, {
    concurrency,
    warmupSeconds: settings.writeWarmupSeconds,
    durationMs: settings.writeSeconds * 1000,
    rounds: settings.writeRounds,
    tolerateErrors: true,
    describe: (sliceMs) =>
      `write path: ${settings.writeRounds} round(s) of ${(sliceMs / 1000).toFixed(2)} s per phase, ${concurrency} concurrent`,
  });
  for (const socket of wsByUser) {
    socket.ws.terminate();
    sockets.delete(socket);
  }
  yogaClient.close();
  clients.delete(yogaClient);
  await yoga.stop();
  return measured;
};

// ---- the report ----

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

interface FanoutRow {
  n: number;
  server: ServerKey;
  rate: number;
  rateMin: number;
  rateMax: number;
  posts: number;
  serverUs: number;
  serverCores: number;
  fleetUs: number;
  redisUs: number;
  benchUs: number;
  otherCores: number;
  probeMs: number;
  lost: number;
  postErrors: number;
  /** Slices whose "other cores" exceeded DISTURBED_CORES. */
  disturbed: number;
  /** Our server: results rendered per message posted during the slices. */
  rendersPerMessage?: number;
  /** This server's CPU while idle with N subscribers (measured while the others ran), cores. */
  idleCores: number;
  latency?: LatencyResult;
}

/** A window where the machine spent more than this many cores on other work counts as disturbed. */
const DISTURBED_CORES = 0.5;
const otherCoresOf = (s: Slice) =>
  Math.max(0, s.machineUs - s.serverCpuUs - s.fleetCpuUs - s.redisCpuUs - s.benchCpuUs) / (s.seconds * 1e6);

const toRows = (results: Results): FanoutRow[] => {
  const rows: FanoutRow[] = [];
  for (const n of settings.ns) {
    for (const server of settings.servers) {
      const slices = results.slices.filter((s) => s.n === n && s.server === server);
      const latency = results.latency.find((l) => l.n === n && l.server === server);
      if (slices.length === 0 && !latency) continue;
      const rates = slices.map((s) => s.deliveries / s.seconds);
      const per = (pick: (s: Slice) => number) => median(slices.map((s) => pick(s) / s.deliveries));
      rows.push({
        n,
        server,
        rate: median(rates),
        rateMin: Math.min(...rates),
        rateMax: Math.max(...rates),
        posts: median(slices.map((s) => s.posts / s.seconds)),
        serverUs: per((s) => s.serverCpuUs),
        serverCores: median(slices.map((s) => s.serverCpuUs / (s.seconds * 1e6))),
        fleetUs: per((s) => s.fleetCpuUs),
        redisUs: per((s) => s.redisCpuUs),
        benchUs: per((s) => s.benchCpuUs),
        otherCores: median(slices.map(otherCoresOf)),
        disturbed: slices.filter((s) => otherCoresOf(s) > DISTURBED_CORES).length,
        rendersPerMessage: slices.every((s) => s.renders)
          ? slices.reduce((sum, s) => sum + s.renders!.renders, 0) /
            Math.max(
              1,
              slices.reduce((sum, s) => sum + s.renders!.posts, 0),
            )
          : undefined,
        idleCores: (() => {
          const others = results.slices.filter((s) => s.n === n && s.server !== server && s.idleCpuUs[server] !== undefined);
          const seconds = others.reduce((sum, s) => sum + s.seconds, 0);
          return seconds > 0 ? others.reduce((sum, s) => sum + s.idleCpuUs[server]!, 0) / (seconds * 1e6) : Number.NaN;
        })(),
        probeMs: median(slices.map((s) => s.probeMs)),
        lost: slices.reduce((sum, s) => sum + s.lost, 0),
        postErrors: slices.reduce((sum, s) => sum + s.postErrors, 0),
        latency,
      });
    }
  }
  return rows;
};

const printReport = (results: Results) => {
  const s = settings;
  const e = results.environment;
  console.log(`\nballoons fan-out bench — ${results.startedAt}`);
  console.log(
    `node ${e.node}, ${e.cores} cores, redis ${e.redis} (no persistence); servers with NODE_ENV=${s.nodeEnv}; load average before the run: ${e.loadAverage}`,
  );
  console.log(
    `subscribers: one WebSocket per subscriber (ours: one user each), in a fleet process per server, all in one room, the UI's RoomEvents document;` +
      `\nposting over HTTP from this process. Saturation: ${s.rounds} round(s) per N, servers interleaved, each ${s.warmupSeconds} s warm-up + ${s.seconds} s measured, medians quoted.`,
  );

  const rows = toRows(results);
  console.log('\nfan-out (deliveries = MessagePosted frames received by subscribers):');
  console.log(
    formatTable<FanoutRow>(
      [
        { header: 'N', value: (r) => r.n },
        { header: 'server', value: (r) => LABELS[r.server] },
        { header: 'deliveries/s', value: (r) => r.rate },
        {
          header: '(min–max)',
          value: (r) => (r.rateMin === Number.POSITIVE_INFINITY ? '–' : `${fmt(r.rateMin / 1000, 1)}k–${fmt(r.rateMax / 1000, 1)}k`),
        },
        { header: 'msgs/s', value: (r) => r.posts },
        { header: 'server µs/deliv', value: (r) => r.serverUs, digits: 1 },
        { header: 'server cores', value: (r) => r.serverCores, digits: 2 },
        { header: 'redis µs/deliv', value: (r) => r.redisUs, digits: 2 },
        { header: 'fleet µs/deliv', value: (r) => r.fleetUs, digits: 1 },
        { header: 'poster µs/deliv', value: (r) => r.benchUs, digits: 1 },
        { header: 'other cores', value: (r) => r.otherCores, digits: 2 },
        { header: 'disturbed', value: (r) => `${r.disturbed}/${settings.rounds}` },
        { header: 'probe ms', value: (r) => r.probeMs, digits: 1 },
        { header: 'lost', value: (r) => r.lost },
        { header: 'post errors', value: (r) => r.postErrors },
      ],
      rows,
    ),
  );
  console.log(
    'µs/deliv: CPU time per delivery of the server process, of redis-server, of the subscriber fleet and of this' +
      "\nprocess (posting); other cores: the machine's busy CPU beyond those (kernel loopback work, other sessions: a large value" +
      `\nmeans the window was disturbed); disturbed: windows with other cores > ${DISTURBED_CORES}; probe ms: median time of a fixed CPU` +
      '\ntask before each window (lower is faster); lost: deliveries that never arrived.',
  );

  const latencyRows = rows.filter((r) => r.latency || Number.isFinite(r.idleCores));
  if (latencyRows.length > 0) {
    console.log(
      `\nlatency, post time (before the HTTP request) → receipt in the fleet, at a fixed offered rate (${s.latencyRate} msg/s, at most` +
        ` ${fmt(s.latencyMaxLoad)} deliveries/s) for ${s.latencySeconds} s, every delivery a sample; and the server's CPU while idle with its N subscribers:`,
    );
    console.log(
      formatTable<FanoutRow>(
        [
          { header: 'N', value: (r) => r.n },
          { header: 'server', value: (r) => LABELS[r.server] },
          { header: 'msgs/s', value: (r) => r.latency?.rate, digits: 1 },
          { header: 'deliveries/s', value: (r) => (r.latency ? r.latency.rate * r.n : undefined) },
          { header: 'p50 ms', value: (r) => r.latency?.p50, digits: 1 },
          { header: 'p90 ms', value: (r) => r.latency?.p90, digits: 1 },
          { header: 'p99 ms', value: (r) => r.latency?.p99, digits: 1 },
          { header: 'max ms', value: (r) => r.latency?.max, digits: 1 },
          {
            header: 'lost',
            value: (r) => (r.latency ? r.latency.expected - Math.min(r.latency.expected, r.latency.deliveries) : undefined),
          },
          { header: 'post errors', value: (r) => r.latency?.postErrors },
          { header: 'idle cores', value: (r) => r.idleCores, digits: 3 },
        ],
        latencyRows,
      ),
    );
    console.log(
      "idle cores: the server process's CPU with its N subscribers connected and idle (heartbeats, pings, timers), measured" +
        "\nduring the other servers' saturated windows.",
    );
  }

  if (results.memory.length > 0) {
    console.log(
      '\nserver memory per idle subscribed connection (with N minus with none, over N; each sample after forced full GCs, once' +
        '\n"RSS − young gen" moved < 0.5 % between two samples 1 s apart, at most 15 s); KiB, but the goal row\'s figure in KB (1,000 B):',
    );
    const memoryRows = settings.servers.map((server) => ({
      server,
      cells: settings.ns.map((n) => results.memory.find((m) => m.server === server && m.n === n)),
    }));
    console.log(
      formatTable<(typeof memoryRows)[number]>(
        [
          { header: 'server', value: (r) => LABELS[r.server] },
          ...settings.ns.map((n, i) => ({
            header: `RSS @${n}`,
            value: (r: (typeof memoryRows)[number]) => r.cells[i]?.rssKiBPerSubscriber,
            digits: 1,
          })),
          ...settings.ns.map((n, i) => ({
            header: `RSS − young gen @${n}`,
            value: (r: (typeof memoryRows)[number]) => r.cells[i]?.steadyRssKiBPerSubscriber,
            digits: 1,
          })),
          ...settings.ns.map((n, i) => ({
            header: `heap+ext @${n}`,
            value: (r: (typeof memoryRows)[number]) => r.cells[i]?.heapKiBPerSubscriber,
            digits: 1,
          })),
          ...settings.ns.map((n, i) => ({
            header: `goal's figure (ours, KB) @${n}`,
            value: (r: (typeof memoryRows)[number]) => (r.server === 'ours' && r.cells[i] ? goalMemoryKB(r.cells[i]) : undefined),
            digits: 1,
          })),
          {
            header: `RSS MiB @0→${maxN}`,
            value: (r) => {
              const last = r.cells.at(-1);
              return last ? `${fmt(last.base.rssKiB / 1024)}→${fmt(last.at.rssKiB / 1024)}` : '–';
            },
          },
          {
            header: 'settled in s @0, @N',
            value: (r) => {
              const base = r.cells.find((cell) => cell)?.base;
              const settle = (sample: SettledMemorySample) => `${(sample.settleMs / 1000).toFixed(1)}${sample.settled ? '' : '!'}`;
              return base ? [base, ...r.cells.map((cell) => cell?.at)].map((sample) => (sample ? settle(sample) : '–')).join(', ') : '–';
            },
          },
        ],
        memoryRows,
      ),
    );
    console.log(
      "RSS − young gen: RSS less V8's new space, empty after the GC but resident (up to 32 MiB) until V8's memory reducer returns it, seconds" +
        "\nor minutes into idleness: whether that happened before a sample swung the RSS column by ±30 KiB at N=1,000. goal's figure: what the goal" +
        '\nrow "memory per idle subscribed connection (RSS − young gen)" compares with ≤ 20 KB (RSS − young gen × 1.024). settled in: seconds from the first' +
        '\nforced GC until two samples 1 s apart differed by < 0.5 % (! = still moving after 15 s).',
    );
  }

  const renders = rows.filter((r) => r.server === 'ours' && r.rendersPerMessage !== undefined);
  if (renders.length > 0) {
    console.log(
      `\nour server's renders (execute + serialise) per message posted in the saturated slices: ${renders.map((r) => `N=${r.n}: ${r.rendersPerMessage!.toFixed(2)}`).join(', ')}` +
        ' (1 = once per subscription group, whatever N).',
    );
  }

  const c = results.catchup;
  if (c) {
    console.log(
      `\ncatch-up (ours, Redis): a client away for ${fmt(c.messages)} messages subscribes \`after\` the cursor before them; time until the last arrives:`,
    );
    console.log(
      `  ${c.rounds.map((r) => `${(r.ms / 1000).toFixed(2)} s`).join(', ')} → median ${(c.medianMs / 1000).toFixed(2)} s (${fmt(c.eventsPerSecond)} events/s, ${c.serverCpuUsPerEvent.toFixed(1)} µs server CPU per event)` +
        `${c.errors.length > 0 ? `; FAILED: ${c.errors.join('; ')}` : ''}`,
    );
    console.log(
      `  (room filled in ${c.fill.seconds.toFixed(1)} s, ${fmt(c.fill.perSecond)} messages/s through createChatCommands from this process)`,
    );
  }

  if (results.write) {
    console.log(
      `\nwrite path at ${s.concurrency} concurrent clients (each posts as its own ${s.usersPerClient} users in turn; ${s.writeRounds} interleaved rounds, ${s.writeSeconds} s each phase):`,
    );
    console.log(
      formatTable<Measured>(
        [
          { header: 'phase', value: (r) => r.name },
          { header: 'ops', value: (r) => r.count },
          { header: 'ops/s', value: (r) => r.perSecond },
          { header: 'p50 ms', value: (r) => r.p50, digits: 2 },
          { header: 'p99 ms', value: (r) => r.p99, digits: 2 },
          { header: 'server µs/op', value: (r) => r.serverCpuUsPerOp },
          { header: 'server cores', value: (r) => r.serverCores, digits: 2 },
          { header: 'redis µs/op', value: (r) => r.redisCpuUsPerOp },
          { header: 'bench µs/op', value: (r) => r.benchCpuUsPerOp },
          { header: 'other cores', value: (r) => r.otherCores, digits: 2 },
          { header: 'probe ms', value: (r) => quantile(Float64Array.from(r.probeMs).sort(), 0.5), digits: 1 },
          { header: 'errors', value: (r) => r.errors },
        ],
        results.write,
      ),
    );
    for (const phase of results.write)
      if (phase.errorSamples.length > 0) console.log(`  ${phase.name} failures: ${phase.errorSamples.join(' | ')}`);
  }

  // goals
  const goals: [string, string, string, string][] = [];
  const verdict = (ok: boolean | null) => (ok === null ? '–' : ok ? 'pass' : 'SHORT');
  for (const n of settings.ns) {
    const ours = rows.find((r) => r.n === n && r.server === 'ours');
    const yoga = rows.find((r) => r.n === n && r.server === 'yoga');
    const raw = rows.find((r) => r.n === n && r.server === 'raw');
    if (ours && yoga && results.slices.length > 0) {
      const x = ours.rate / yoga.rate;
      goals.push([`N=${n}: fan-out throughput vs Yoga + graphql-ws`, '≥ 3×', ratio(x), verdict(Number.isFinite(x) ? x >= 3 : null)]);
    }
    if (ours && raw && results.slices.length > 0) {
      const x = ours.serverUs / raw.serverUs;
      goals.push([`N=${n}: server CPU per delivery vs raw ws`, '≤ 2×', ratio(x), verdict(Number.isFinite(x) ? x <= 2 : null)]);
    }
    if (ours && raw && results.slices.length > 0)
      goals.push([`N=${n}: fan-out throughput vs raw ws (for reference)`, '', ratio(ours.rate / raw.rate), '']);
    const memory = results.memory.find((m) => m.server === 'ours' && m.n === n);
    // Below ~1,000 connections the RSS difference is within the noise of a process's RSS.
    if (memory) {
      const kb = goalMemoryKB(memory);
      goals.push([
        `N=${n}: memory per idle subscribed connection (RSS − young gen)`,
        '≤ 20 KB',
        `${kb.toFixed(1)} KB (${memory.steadyRssKiBPerSubscriber.toFixed(1)} KiB)`,
        n < 1000 ? '(N too small to tell)' : verdict(kb <= 20),
      ]);
    }
  }
  const w = results.write;
  if (w) {
    const [overWs, overHttp, yoga] = w as [Measured, Measured, Measured];
    // Like the fan-out rows, a median over the rounds: each round's ratio pairs slices measured
    // seconds apart, so the machine's drift between rounds cancels out.
    const perRound = overWs.slicePerSecond.map((rate, i) => rate / yoga.slicePerSecond[i]!);
    const wsVsYoga = median(perRound);
    goals.push([
      'postMessage over WS vs bare Yoga + XADD (throughput, median of the rounds)',
      '≥ 2×',
      `${ratio(wsVsYoga)} (rounds ${ratio(Math.min(...perRound))}–${ratio(Math.max(...perRound))}; all rounds pooled ${ratio(overWs.perSecond / yoga.perSecond)})`,
      verdict(wsVsYoga >= 2),
    ]);
    goals.push([`postMessage over WS p99 at ${s.concurrency} clients`, '< 50 ms', `${overWs.p99.toFixed(1)} ms`, verdict(overWs.p99 < 50)]);
    goals.push(['postMessage over HTTP vs bare Yoga + XADD (for reference)', '', ratio(overHttp.perSecond / yoga.perSecond), '']);
    goals.push(['postMessage over WS vs over HTTP (for reference)', '', ratio(overWs.perSecond / overHttp.perSecond), '']);
    goals.push(['server CPU per post: WS vs HTTP (for reference)', '', ratio(overWs.serverCpuUsPerOp! / overHttp.serverCpuUsPerOp!), '']);
  }
  if (goals.length > 0) console.log('\nissue #4 goals:');
  if (goals.length > 0)
    console.log(
      formatTable<[string, string, string, string]>(
        [
          { header: 'goal', value: (g) => g[0] },
          { header: 'target', value: (g) => g[1] },
          { header: 'measured', value: (g) => g[2] },
          { header: '', value: (g) => g[3] },
        ],
        goals,
      ),
    );

  const errors = [
    ...results.slices
      .filter((slice) => slice.fleetErrors.length > 0 || slice.postErrors > 0)
      .map(
        (slice) =>
          `  N=${slice.n} ${LABELS[slice.server]} round ${slice.round + 1}: ${[...slice.postErrorSamples, ...slice.fleetErrors].join(' | ')}`,
      ),
  ];
  if (errors.length > 0) console.log(`\nfailures:\n${[...new Set(errors)].join('\n')}`);

  if (results.profile) {
    for (const [label, summary] of Object.entries(results.profile)) {
      const perUnit = (b: ProfileBucket) => (b.ms * 1000) / Math.max(1, summary.count);
      const fanout = label.startsWith('N=');
      const unit = fanout ? 'µs/deliv' : 'µs/post';
      console.log(
        `\nour server's CPU in the saturated windows ${fanout ? 'at' : 'of'} ${label} (${summary.windowed ? 'measured windows' : 'WHOLE profile: windows not matched'}, ` +
          `${Math.round(summary.busyMs)} ms busy for ${fmt(summary.count)} ${fanout ? 'deliveries' : 'posts'}; profiling slows the server), self time by package/file:`,
      );
      console.log(
        formatTable<ProfileBucket>(
          [
            { header: 'where', value: (b) => b.bucket },
            { header: 'share %', value: (b) => b.share * 100, digits: 1 },
            { header: unit, value: perUnit, digits: 2 },
          ],
          summary.buckets.slice(0, 14),
        ),
      );
      console.log('top functions by self time:');
      console.log(
        formatTable<ProfileBucket>(
          [
            { header: 'function', value: (b) => b.bucket },
            { header: 'share %', value: (b) => b.share * 100, digits: 1 },
            { header: unit, value: perUnit, digits: 2 },
          ],
          summary.functions.slice(0, 30),
        ),
      );
    }
  }
};

bench.run(main);
