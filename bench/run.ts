/**
 * `npm run bench`: one run, one private redis-server, and a table of
 *   1. postMessage on our server (Redis mode, a child process) at N concurrent signed-in clients,
 *   2. baseline A: bare Yoga + one XADD per mutation (a child process), same load,
 *   3. baseline B: raw XADD through ioredis from this process, N connections, unpipelined,
 *   4. the ratios between them,
 *   5. history paging over a room of 100,000 messages (random `before` positions, and the newest page).
 * Results also go to .bench/results-<timestamp>.json.
 *
 * Env (all optional): BENCH_SECONDS (5) per measured phase, BENCH_WARMUP_SECONDS (min(2, seconds)),
 * BENCH_ROUNDS (5: phases 1–3 are measured in that many interleaved slices of BENCH_SECONDS/rounds),
 * BENCH_CONCURRENCY (50), BENCH_USERS_PER_CLIENT (60: postMessage is rate-limited per user, so each
 * client posts as its own users in turn), BENCH_HISTORY_MESSAGES (100000), BENCH_HISTORY_SAMPLES (500),
 * BENCH_HISTORY_AUTHORS (10), BENCH_HISTORY_CONCURRENCY (1), BENCH_FILL_CONCURRENCY (64),
 * BENCH_CLIENT (http | fetch), BENCH_NODE_ENV (production), BENCH_SEED (1),
 * BENCH_PROFILE=1 (run our server under --cpu-prof and print where its CPU went; slows it down).
 * Smoke run: BENCH_SECONDS=1 BENCH_HISTORY_MESSAGES=2000 BENCH_HISTORY_SAMPLES=50 npm run bench
 * Live delivery (fan-out, latency, memory per subscriber, catch-up, postMessage over WebSocket) is
 * `npm run bench:fanout` (bench/fanout.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toDevUserId } from '../backend/src/auth/devLogin.js';
import { toRoomStreamKey } from '../backend/src/chat/keys.js';
import { describeMachine, envNumber, log } from './env.js';
import { fillRoom } from './fill.js';
import { HISTORY_PAGE, checkHistoryPage, readLogCursors } from './history.js';
import { type HttpClientKind, createHttpClient } from './httpClient.js';
import { createLifecycle } from './lifecycle.js';
import { quantile, runLoad } from './load.js';
import { type Measured, type MeasureSources, measure } from './metrics.js';
import { type LoadPhase, warmUpAndMeasure } from './phases.js';
import { type ProfileBucket, mainThreadProfile, summarizeProfile } from './profile.js';
import { seededRandom } from './random.js';
import { YOGA_POST, createRoom as createRoomAs, repoRoot, signInAll, startOurServer, startYogaXadd } from './servers.js';
import { formatTable } from './table.js';
import { POST_MESSAGE } from './wsClient.js';

const root = repoRoot;

const seconds = envNumber('BENCH_SECONDS', 5, 0.1);
const settings = {
  seconds,
  warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', Math.min(2, seconds)),
  concurrency: Math.round(envNumber('BENCH_CONCURRENCY', 50, 1)),
  historyMessages: Math.round(envNumber('BENCH_HISTORY_MESSAGES', 100_000, 51)),
  historySamples: Math.round(envNumber('BENCH_HISTORY_SAMPLES', 500, 1)),
  historyAuthors: Math.round(envNumber('BENCH_HISTORY_AUTHORS', 10, 1)),
  rounds: Math.round(envNumber('BENCH_ROUNDS', 5, 1)),
  usersPerClient: Math.round(envNumber('BENCH_USERS_PER_CLIENT', 60, 1)),
  historyConcurrency: Math.round(envNumber('BENCH_HISTORY_CONCURRENCY', 1, 1)),
  fillConcurrency: Math.round(envNumber('BENCH_FILL_CONCURRENCY', 64, 1)),
  client: (process.env.BENCH_CLIENT === 'fetch' ? 'fetch' : 'http') as HttpClientKind,
  nodeEnv: process.env.BENCH_NODE_ENV ?? 'production',
  seed: Math.round(envNumber('BENCH_SEED', 1)),
  profile: process.env.BENCH_PROFILE === '1',
};
const durationMs = settings.seconds * 1000;

// ---- cleanup (bench/lifecycle.ts): the children, redis-server and its directory, on any exit ----

const bench = createLifecycle({ stopping: 'the servers and redis-server', signalGraceMs: 8_000 });
const { clients, connections, connect } = bench;

// ---- helpers ----

const body = (worker: number, seq: number) => `Message ${seq} from bench user ${worker}: the quick brown fox jumps over the lazy dog.`;

// ---- the run ----

interface Results {
  startedAt: string;
  settings: typeof settings;
  environment: Record<string, string | number>;
  phases: Measured[];
  historyFill?: { messages: number; seconds: number; perSecond: number; concurrency: number; authors: number };
  ratios?: Record<string, number>;
  profile?: Record<string, { windowed: boolean; busyMs: number; buckets: ProfileBucket[] }>;
}

const main = async () => {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const profileDir = settings.profile ? join(root, '.bench', 'profiles', stamp) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  log('starting a private redis-server');
  const { redis, admin, serverInfo } = await bench.startRedis();

  const results: Results = {
    startedAt: startedAt.toISOString(),
    settings,
    environment: {
      ...describeMachine(serverInfo),
      redisPersistence: 'appendonly no, no RDB saves (startTestRedis)',
      httpClient: settings.client === 'http' ? 'node:http, keep-alive Agent' : 'global fetch (undici)',
    },
    phases: [],
  };

  // 1. our server
  log(`starting our server (node backend/build/main.js, NODE_ENV=${settings.nodeEnv})`);
  const ours = await startOurServer({ redisUrl: redis.url, nodeEnv: settings.nodeEnv, profileDir });
  const oursClient = createHttpClient(ours.url, { maxSockets: settings.concurrency, kind: settings.client });
  clients.add(oursClient);

  // postMessage is rate-limited per user (a burst, then about one a second): each client rotates
  // over users of its own, enough that none of them goes over.
  const perClient = settings.usersPerClient;
  log(`signing in ${settings.concurrency} × ${perClient} users`);
  const handles = Array.from(
    { length: settings.concurrency * perClient },
    (_, i) => `bench_${i % settings.concurrency}_${Math.floor(i / settings.concurrency)}`,
  );
  const { cookies: cookieList, result: signedIn } = await signInAll(oursClient, ours.origin, handles);
  log(`signed in ${signedIn.count} users in ${(signedIn.elapsedMs / 1000).toFixed(1)} s`);
  /** The cookie for client `worker`'s next post: its users in turn, continuing across warm-up and measurement. */
  const posted = new Array<number>(settings.concurrency).fill(0);
  const cookieOf = (worker: number) => cookieList[(posted[worker]!++ % perClient) * settings.concurrency + worker]!;
  const cookies = cookieList;
  const createRoom = (name: string) => createRoomAs(oursClient, name, cookies[0]);
  const postRoomId = await createRoom(`bench post ${stamp}`);

  const oursSources: MeasureSources = { serverCpuMicros: ours.child.cpuMicros, redisAdmin: admin };
  const ourPhase: LoadPhase = {
    name: 'postMessage (ours)',
    op: (worker, n) =>
      oursClient.graphql(POST_MESSAGE, { roomId: postRoomId, body: body(worker, n), clientId: `c${n}` }, cookieOf(worker)).then(() => {}),
    sources: oursSources,
  };

  // 2. baseline A: Yoga + one XADD
  log('starting baseline A (bench/baselines/yogaXadd.ts)');
  const yoga = await startYogaXadd({ redisUrl: redis.url, nodeEnv: settings.nodeEnv });
  const yogaClient = createHttpClient(yoga.ready, { maxSockets: settings.concurrency, kind: settings.client });
  clients.add(yogaClient);
  const yogaPhase: LoadPhase = {
    name: 'Yoga + 1 XADD',
    op: (worker, n) => yogaClient.graphql(YOGA_POST, { body: body(worker, n), clientId: `c${n}` }).then(() => {}),
    sources: { serverCpuMicros: yoga.cpuMicros, redisAdmin: admin },
  };

  // 3. baseline B: raw XADD, one connection per loop
  log(`opening ${settings.concurrency} Redis connections for baseline B`);
  const loops = await Promise.all(Array.from({ length: settings.concurrency }, () => connect(redis.url)));
  const rawPhase: LoadPhase = {
    name: 'raw XADD (ioredis)',
    op: async (worker, n) => {
      await loops[worker]!.xadd(
        'bench:raw-xadd',
        '*',
        'type',
        'Posted',
        'data',
        JSON.stringify({ body: body(worker, n), clientId: `c${n}`, createdAt: new Date().toISOString() }),
      );
    },
    sources: { redisAdmin: admin },
  };

  results.phases.push(
    ...(await warmUpAndMeasure([ourPhase, yogaPhase, rawPhase], {
      concurrency: settings.concurrency,
      warmupSeconds: settings.warmupSeconds,
      durationMs,
      rounds: settings.rounds,
      describe: (sliceMs) =>
        `measuring ${[ourPhase, yogaPhase, rawPhase].map((p) => p.name).join(', ')}: ${settings.rounds} round(s) of ${(sliceMs / 1000).toFixed(2)} s each, ${settings.concurrency} concurrent`,
    })),
  );
  yogaClient.close();
  clients.delete(yogaClient);
  await yoga.stop();
  for (const connection of loops) {
    connection.disconnect();
    connections.delete(connection);
  }

  // 5. history: fill through the store, exactly as the server writes, then page over HTTP
  const historyRoomId = await createRoom(`bench history ${stamp}`);
  const authors = handles.slice(0, settings.historyAuthors).map(toDevUserId);
  log(
    `filling a room with ${settings.historyMessages.toLocaleString('en-US')} messages (createChatCommands.postMessage, ${settings.fillConcurrency} in flight, ${authors.length} authors)`,
  );
  const fill = await fillRoom({
    redisUrl: redis.url,
    roomId: historyRoomId,
    authors,
    messages: settings.historyMessages,
    concurrency: settings.fillConcurrency,
    clientId: (i) => `fill-${i}`,
    body: (i) => `History message ${i}: the quick brown fox jumps over the lazy dog.`,
  });
  results.historyFill = {
    messages: fill.count,
    seconds: fill.elapsedMs / 1000,
    perSecond: fill.perSecond,
    concurrency: settings.fillConcurrency,
    authors: authors.length,
  };
  log(`filled in ${(fill.elapsedMs / 1000).toFixed(1)} s (${Math.round(fill.perSecond)} messages/s)`);
  const cursors = await readLogCursors(admin, toRoomStreamKey(historyRoomId));
  if (cursors.length !== settings.historyMessages)
    throw new Error(`history room holds ${cursors.length} events, expected ${settings.historyMessages}`);

  const random = seededRandom(settings.seed);
  const pickIndex = () => Math.floor(random() * cursors.length);
  const history = (name: string, positions: () => number) => {
    const run = (check: boolean) => () => {
      const index = positions();
      const before = index === cursors.length ? null : cursors[index]!;
      return oursClient.graphql(HISTORY_PAGE, { id: historyRoomId, before }, cookies[0]).then((text) => {
        if (check) checkHistoryPage(text, cursors, index);
      });
    };
    return async () => {
      const concurrency = settings.historyConcurrency;
      const warmOps = Math.min(100, settings.historySamples);
      log(`${name}: warming up with ${warmOps} checked queries`);
      await runLoad({ concurrency, maxOps: warmOps, maxErrors: 1 }, run(true));
      log(`${name}: measuring ${settings.historySamples} queries at ${concurrency} concurrent`);
      return measure(name, { concurrency, maxOps: settings.historySamples }, run(false), oursSources);
    };
  };
  results.phases.push(await history(`history, random before (${cursors.length.toLocaleString('en-US')})`, pickIndex)());
  results.phases.push(await history('history, newest page', () => cursors.length)());

  oursClient.close();
  clients.delete(oursClient);
  await ours.child.stop();

  // 4. ratios
  const [mine, yogaResult, raw] = results.phases;
  results.ratios = {
    throughputVsYoga: mine!.perSecond / yogaResult!.perSecond,
    throughputVsRawXadd: mine!.perSecond / raw!.perSecond,
    p50VsYoga: mine!.p50 / yogaResult!.p50,
    p99VsYoga: mine!.p99 / yogaResult!.p99,
    p50VsRawXadd: mine!.p50 / raw!.p50,
    p99VsRawXadd: mine!.p99 / raw!.p99,
    serverCpuPerOpVsYoga: mine!.serverCpuUsPerOp! / yogaResult!.serverCpuUsPerOp!,
    redisCpuPerOpVsRawXadd: mine!.redisCpuUsPerOp! / raw!.redisCpuUsPerOp!,
  };

  if (profileDir) {
    const file = mainThreadProfile(profileDir);
    if (file) {
      results.profile = {};
      for (const phase of [mine!, ...results.phases.slice(3)]) results.profile[phase.name] = summarizeProfile(file, root, phase.windowsUs);
    } else {
      log(`no .cpuprofile in ${profileDir}`);
    }
  }

  printReport(results);
  mkdirSync(join(root, '.bench'), { recursive: true });
  const out = join(root, '.bench', `results-${stamp}.json`);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${out}`);
};

const printReport = (results: Results) => {
  const { settings: s, environment: e } = results;
  console.log(`\nballoons bench — ${results.startedAt}`);
  console.log(
    `node ${e.node}, ${e.cores} cores, redis ${e.redis} (${e.redisPersistence}); client: ${e.httpClient}; servers with NODE_ENV=${s.nodeEnv}`,
  );
  console.log(
    `each phase: ${s.warmupSeconds} s warm-up, ${s.seconds} s measured (phases 1–3 interleaved in ${s.rounds} rounds); history: ${s.historySamples} queries at ${s.historyConcurrency} concurrent after ${Math.min(100, s.historySamples)} checked warm-up queries`,
  );
  console.log(
    `postMessage: each of the ${s.concurrency} clients posts as its own ${s.usersPerClient} users in turn (per-user rate limit), one room, a clientId per message`,
  );
  console.log(`load average before the run: ${e.loadAverage}\n`);
  console.log(
    formatTable<Measured>(
      [
        { header: 'phase', value: (r) => r.name },
        { header: 'conc', value: (r) => r.concurrency },
        { header: 'ops', value: (r) => r.count },
        { header: 'ops/s', value: (r) => r.perSecond },
        { header: 'p50 ms', value: (r) => r.p50, digits: 2 },
        { header: 'p90 ms', value: (r) => r.p90, digits: 2 },
        { header: 'p99 ms', value: (r) => r.p99, digits: 2 },
        { header: 'server µs/op', value: (r) => r.serverCpuUsPerOp },
        { header: 'server cores', value: (r) => r.serverCores, digits: 2 },
        { header: 'redis µs/op', value: (r) => r.redisCpuUsPerOp },
        { header: 'bench µs/op', value: (r) => r.benchCpuUsPerOp },
        { header: 'busy cores', value: (r) => r.machineCores, digits: 2 },
        { header: 'other cores', value: (r) => r.otherCores, digits: 2 },
        { header: 'probe ms', value: (r) => quantile(Float64Array.from(r.probeMs).sort(), 0.5), digits: 1 },
        { header: 'errors', value: (r) => r.errors },
      ],
      results.phases,
    ),
  );
  console.log(
    'server/redis/bench µs/op: CPU time per successful operation of the server process, of redis-server, of this' +
      '\nprocess (the load generator); busy cores: the whole machine; other cores: busy minus those three (kernel' +
      '\nloopback networking, and anything else running here: a large value means the phase was disturbed);' +
      "\nprobe ms: median time of a fixed CPU task run around each slice, a gauge of the machine's speed (lower is faster).",
  );

  const r = results.ratios!;
  const x = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`);
  console.log('\nratios, ours (postMessage) / baseline:');
  console.log(
    formatTable<[string, string, string, string, string]>(
      [
        { header: 'vs', value: (row) => row[0] },
        { header: 'throughput', value: (row) => row[1] },
        { header: 'p50', value: (row) => row[2] },
        { header: 'p99', value: (row) => row[3] },
        { header: 'CPU/op', value: (row) => row[4] },
      ],
      [
        ['Yoga + 1 XADD', x(r.throughputVsYoga), x(r.p50VsYoga), x(r.p99VsYoga), `${x(r.serverCpuPerOpVsYoga)} (server)`],
        ['raw XADD', x(r.throughputVsRawXadd), x(r.p50VsRawXadd), x(r.p99VsRawXadd), `${x(r.redisCpuPerOpVsRawXadd)} (redis)`],
      ],
    ),
  );

  console.log('\nRedis commands per operation (INFO commandstats; includes the commands Lua scripts run):');
  for (const phase of results.phases) {
    const calls = Object.entries(phase.redisCallsPerOp)
      .filter(([, n]) => n >= 0.01)
      .sort((a, b) => b[1] - a[1]);
    console.log(`  ${phase.name}: ${calls.map(([command, n]) => `${command} ${n.toFixed(2)}`).join(', ') || '–'}`);
  }

  const fill = results.historyFill;
  if (fill) {
    console.log(
      `\nhistory fill: ${fill.messages.toLocaleString('en-US')} messages by ${fill.authors} authors in ${fill.seconds.toFixed(1)} s` +
        ` (${Math.round(fill.perSecond).toLocaleString('en-US')}/s, createChatCommands.postMessage from the bench process, ${fill.concurrency} in flight)`,
    );
  }
  const errors = results.phases.flatMap((phase) => phase.errorSamples.map((message) => `  ${phase.name}: ${message}`));
  if (errors.length > 0) console.log(`\nfailures:\n${errors.join('\n')}`);

  if (results.profile) {
    for (const [phase, summary] of Object.entries(results.profile)) {
      console.log(
        `\nour server's CPU during "${phase}" (${summary.windowed ? 'measured window' : 'WHOLE profile: window not matched'}, ${Math.round(summary.busyMs)} ms busy), self time by package/file:`,
      );
      console.log(
        formatTable<ProfileBucket>(
          [
            { header: 'where', value: (b) => b.bucket },
            { header: 'share %', value: (b) => b.share * 100, digits: 1 },
            { header: 'ms', value: (b) => b.ms },
          ],
          summary.buckets.slice(0, 15),
        ),
      );
    }
  }
};

bench.run(main);
