/**
 * `npm run bench:cursorat`: the goal "`cursorAt` in a room of 1,000,000 events: at most two
 * Redis round trips", on a private redis-server with our server as a child process (Redis mode, as
 * `npm start` runs it, RATE_LIMITS=0).
 *
 * One public room is created through our server (its creator joining is its first event); then
 * BENCH_CURSORAT_EVENTS events are written after it through the store's bulk path
 * (`EventStore.writeEntries`, batches of 10,000 per script call), one per millisecond from the
 * millisecond after the room's first event on (ids ahead of the clock are fine for Redis, and
 * nothing else is appended here). Then, one request at a time (no queueing in the figures),
 * BENCH_CURSORAT_QUERIES calls for random moments within the room's span (a tenth before it or after
 * it, which answer null and the last cursor), after BENCH_CURSORAT_WARMUP unmeasured ones:
 *
 *   store: `EventStore.readCursorBefore`, what Room.cursorAt runs, from this process;
 *   http anonymous, http signed in: `room(id) { cursorAt(time) }` over HTTP, signed out and as a
 *     member (whose membership is then read for the access check, beside the cursor).
 *
 * Per case: latency p50/p99 as this process sees it (over loopback, an upper bound on the server's
 * time), our server's CPU per request (/metrics, less a scrape's cost and the idle server's), and
 * what each call cost redis-server: commands by name (INFO commandstats) and socket reads (INFO
 * stats total_reads_processed: a round trip is at least one read), per call, over the whole run.
 * Every answer is checked against the cursor the room's layout says it must be.
 *
 * Env (all optional): BENCH_CURSORAT_EVENTS (1000000), BENCH_CURSORAT_QUERIES (2000 per case),
 * BENCH_CURSORAT_WARMUP (200 per case), BENCH_NODE_ENV (production).
 * Smoke run: BENCH_CURSORAT_EVENTS=20000 BENCH_CURSORAT_QUERIES=200 npm run bench:cursorat
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { toRoomStreamKey } from '../backend/src/chat/keys.js';
import { createRedisEventStore } from '../backend/src/eventstore/redisEventStore.js';
import { describeMachine, envNumber, log } from './env.js';
import { createHttpClient } from './httpClient.js';
import { createLifecycle } from './lifecycle.js';
import { type LoadResult, summarize } from './load.js';
import { measureScrapeAndIdle, parseInfo, redisCommandCalls, scrapeServerCpuMicros } from './metrics.js';
import { createRoom, repoRoot, signIn, startOurServer } from './servers.js';
import { formatTable } from './table.js';

const settings = {
  events: Math.round(envNumber('BENCH_CURSORAT_EVENTS', 1_000_000, 1)),
  queries: Math.round(envNumber('BENCH_CURSORAT_QUERIES', 2_000, 1)),
  warmup: Math.round(envNumber('BENCH_CURSORAT_WARMUP', 200, 0)),
  nodeEnv: process.env.BENCH_NODE_ENV ?? 'production',
};

/** The goal: Redis round trips per cursorAt. */
const GOAL_ROUND_TRIPS = 2;
const BATCH = 10_000;

const bench = createLifecycle({ stopping: 'our server and redis-server', signalGraceMs: 8_000 });

const CURSOR_AT = 'query($id: ID!, $time: DateTime!) { room(id: $id) { cursorAt(time: $time) } }';

interface Case {
  name: string;
  latency: LoadResult;
  /** Our server's CPU per call, µs (null for the in-process store case). */
  serverUs: number | null;
  /** Redis commands per call, by name, as counted (the server's background polls included). */
  commands: Record<string, number>;
  /** The background polls' share of those, per call (from the idle rate). */
  idleCommands: number;
  /** redis-server's own time per readCursorBefore script over the case, µs (INFO commandstats usec), null without one. */
  scriptUs: number | null;
  /** Socket reads per call at redis-server, less the background polls' share. */
  reads: number;
}

const readsProcessed = async (admin: Redis) => Number(parseInfo(await admin.info('stats')).get('total_reads_processed'));
/** redis-server's own time in scripts called by their SHA so far (readCursorBefore's: nothing else runs one here), µs, and their calls. */
const scriptTime = async (admin: Redis) => {
  const stat = parseInfo(await admin.info('commandstats')).get('cmdstat_evalsha') ?? '';
  return { usec: Number(/usec=(\d+)/.exec(stat)?.[1] ?? 0), calls: Number(/calls=(\d+)/.exec(stat)?.[1] ?? 0) };
};

const main = async () => {
  const startedAt = new Date();
  const { redis, admin, serverInfo } = await bench.startRedis();
  const environment = describeMachine(serverInfo);
  log(`starting our server (node backend/build/main.js, NODE_ENV=${settings.nodeEnv}, RATE_LIMITS=0)`);
  const server = await startOurServer({ redisUrl: redis.url, nodeEnv: settings.nodeEnv, env: { RATE_LIMITS: '0' } });
  const client = createHttpClient(server.url, { maxSockets: 1 });
  bench.clients.add(client);
  const cookie = await signIn(client, server.origin, 'c_owner');
  const roomId = await createRoom(client, 'cursorAt bench', cookie);
  const store = await createRedisEventStore({ url: redis.url });
  const stream = toRoomStreamKey(roomId);

  const created = await store.streamInfo(stream);
  const msOf = (cursor: string) => Number(cursor.split('-')[0]);
  const roomStart = msOf(created.firstCursor!);
  const first = msOf(created.lastCursor!) + 1;
  log(`filling the room with ${settings.events.toLocaleString('en-US')} events (writeEntries, ${BATCH} per call)`);
  const fillStarted = performance.now();
  for (let i = 0; i < settings.events; i += BATCH) {
    const entries = Array.from({ length: Math.min(BATCH, settings.events - i) }, (_, j) => ({
      cursor: `${first + i + j}-0`,
      type: 'BenchFiller',
      data: { n: i + j, body: 'a filler event about as long as a short chat message' },
    }));
    await store.writeEntries([{ stream, entries }], settings.events * 2);
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const length = await admin.xlen(stream);
  log(`filled in ${fillSeconds.toFixed(1)} s; the room's log holds ${length.toLocaleString('en-US')} events`);
  const last = first + settings.events - 1;

  // A random moment: mostly within the span, a tenth before the room or in the future. Its expected answer.
  const moment = (): { ms: number; expected: string | null } => {
    const r = Math.random();
    if (r < 0.05) return { ms: roomStart - Math.floor(Math.random() * 1e9), expected: null };
    if (r < 0.1) return { ms: last + 1 + Math.floor(Math.random() * 1e9), expected: `${last}-0` };
    const ms = first + 1 + Math.floor(Math.random() * (settings.events - 1));
    return { ms, expected: `${ms - 1}-0` };
  };
  const check = (answer: string | null, expected: string | null, ms: number) => {
    if (answer !== expected) throw new Error(`cursorAt(${new Date(ms).toISOString()}) answered ${answer}, not ${expected}`);
  };
  const http = (viewer: string | undefined) => async () => {
    const { ms, expected } = moment();
    const text = await client.graphql(CURSOR_AT, { id: roomId, time: new Date(ms).toISOString() }, viewer);
    check((JSON.parse(text) as { data: { room: { cursorAt: string | null } } }).data.room.cursorAt, expected, ms);
  };
  // Moments before the room are earlier than its first event, not before 1970: a time of 0 or less answers without Redis.
  const direct = async () => {
    const { ms, expected } = moment();
    check(await store.readCursorBefore(stream, Math.max(1, ms)), expected, ms);
  };

  const { overheadUs, idleUsPerMs } = await measureScrapeAndIdle(server.url);
  // What redis-server does meanwhile for nobody's call (the server's projectors and presence poll): per ms, subtracted below.
  const idle = await (async () => {
    const reads = await readsProcessed(admin);
    const calls = await redisCommandCalls(admin);
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const callsAfter = await redisCommandCalls(admin);
    const readsAfter = await readsProcessed(admin);
    const ms = performance.now() - started;
    const commands = Object.entries(callsAfter).reduce(
      (sum, [command, n]) => (command === 'info' ? sum : sum + n - (calls[command] ?? 0)),
      0,
    );
    // Our own INFO requests: two reads between the samples.
    return { readsPerMs: (readsAfter - reads - 2) / ms, commandsPerMs: commands / ms };
  })();
  log(
    `redis-server idle: ${(idle.readsPerMs * 1000).toFixed(1)} reads/s, ${(idle.commandsPerMs * 1000).toFixed(1)} commands/s (subtracted)`,
  );
  const run = async (name: string, call: () => Promise<void>, overServer: boolean): Promise<Case> => {
    for (let i = 0; i < settings.warmup; i++) await call();
    const scriptsBefore = await scriptTime(admin);
    const callsBefore = await redisCommandCalls(admin);
    const readsBefore = await readsProcessed(admin);
    const cpuBefore = overServer ? await scrapeServerCpuMicros(server.url) : 0;
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < settings.queries; i++) {
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
    const elapsedMs = performance.now() - started;
    const cpuAfter = overServer ? await scrapeServerCpuMicros(server.url) : 0;
    const readsAfter = await readsProcessed(admin);
    const callsAfter = await redisCommandCalls(admin);
    const scriptsAfter = await scriptTime(admin);
    const commands: Record<string, number> = {};
    for (const [command, calls] of Object.entries(callsAfter)) {
      const delta = calls - (callsBefore[command] ?? 0);
      if (command !== 'info' && delta > 0) commands[command] = delta / settings.queries;
    }
    const idleShare = (perMs: number) => (perMs * elapsedMs) / settings.queries;
    const result: Case = {
      name,
      latency: summarize(latencies, elapsedMs),
      serverUs: overServer ? (cpuAfter - cpuBefore - overheadUs - idleUsPerMs * elapsedMs) / settings.queries : null,
      commands,
      idleCommands: idleShare(idle.commandsPerMs),
      scriptUs:
        scriptsAfter.calls > scriptsBefore.calls
          ? (scriptsAfter.usec - scriptsBefore.usec) / (scriptsAfter.calls - scriptsBefore.calls)
          : null,
      // INFO counts the read of its own request: the second one's is in the difference.
      reads: (readsAfter - readsBefore - 1) / settings.queries - idleShare(idle.readsPerMs),
    };
    log(
      `${name}: p50 ${result.latency.p50.toFixed(3)} ms, p99 ${result.latency.p99.toFixed(3)} ms, ${result.reads.toFixed(2)} reads per call`,
    );
    return result;
  };

  log(`measuring: ${settings.queries} calls per case, one at a time, after ${settings.warmup} unmeasured`);
  const floor = async () => {
    await client.graphql('{ __typename }', {});
  };
  const cases = [
    await run('store.readCursorBefore (this process)', direct, false),
    await run('http, signed out', http(undefined), true),
    await run('http, signed in (a member)', http(cookie), true),
    await run("http, { __typename } (any request's floor)", floor, true),
  ];

  bench.clients.delete(client);
  client.close();
  await store.close();
  await server.child.stop(15_000);
  await bench.stopRedis();

  const results = { startedAt: startedAt.toISOString(), settings, environment, fill: { seconds: fillSeconds, length }, cases };
  printReport(results);
  mkdirSync(join(repoRoot, '.bench'), { recursive: true });
  const out = join(repoRoot, '.bench', `cursorat-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${out}`);
};

const printReport = (results: {
  startedAt: string;
  settings: typeof settings;
  environment: Record<string, string | number>;
  fill: { seconds: number; length: number };
  cases: Case[];
}) => {
  const { settings: s, environment: e, fill, cases } = results;
  console.log(`\nballoons cursorAt bench — ${results.startedAt}`);
  console.log(
    `node ${e.node}, ${e.cores} cores, redis ${e.redis} (no persistence); our server with NODE_ENV=${s.nodeEnv}, RATE_LIMITS=0; load average before the run: ${e.loadAverage}`,
  );
  console.log(
    `one room of ${fill.length.toLocaleString('en-US')} events (filled in ${fill.seconds.toFixed(1)} s); ${s.queries} calls per case, one at a time, random moments (a tenth before the room or in the future)`,
  );
  const total = (commands: Record<string, number>) => Object.values(commands).reduce((sum, n) => sum + n, 0);
  // The server's background polls show as hundredths: lumped together as "other".
  const perCall = (commands: Record<string, number>) => {
    const main = Object.entries(commands).filter(([, n]) => n >= 0.5);
    const other = total(commands) - total(Object.fromEntries(main));
    return [...main.map(([name, n]) => `${name} ${n.toFixed(2)}`), ...(other > 0 ? [`other ${other.toFixed(2)}`] : [])].join(', ');
  };
  console.log(
    formatTable<Case>(
      [
        { header: 'case', value: (c) => c.name },
        { header: 'p50 ms', value: (c) => c.latency.p50, digits: 3 },
        { header: 'p90 ms', value: (c) => c.latency.p90, digits: 3 },
        { header: 'p99 ms', value: (c) => c.latency.p99, digits: 3 },
        { header: 'server µs/call', value: (c) => (c.serverUs === null ? '–' : Math.round(c.serverUs)) },
        { header: 'redis µs/script', value: (c) => c.scriptUs, digits: 1 },
        { header: 'redis commands/call', value: (c) => total(c.commands) - c.idleCommands, digits: 2 },
        { header: 'by command', value: (c) => perCall(c.commands) },
        { header: 'redis reads/call', value: (c) => c.reads, digits: 2 },
        {
          header: `goal ≤ ${GOAL_ROUND_TRIPS} round trips`,
          value: (c) => (c.name.includes('__typename') ? '–' : Math.round(c.reads) <= GOAL_ROUND_TRIPS ? 'met' : 'NOT met'),
        },
      ],
      cases,
    ),
  );
  console.log(
    "latency as this process sees it over loopback (an upper bound on the server's time); server µs/call: our server's CPU from /metrics" +
      "\naround the case, less a scrape's cost and the idle server's; redis figures from INFO commandstats and total_reads_processed over" +
      "\nthe case, divided by the calls, less what an idle server's background polls cost in as long (by command: as counted, polls in 'other');" +
      '\na call makes a whole number of round trips: the goal is judged on reads/call rounded, the hundredths being polls the idle rate missed;' +
      "\nredis commands count those a script runs (readCursorBefore's EVALSHA: an XRANGE, then an XREVRANGE unless nothing lies before);" +
      "\nredis µs/script is redis-server's own time in that script (wall clock: inflated when the machine is busy).",
  );
};

bench.run(main);
