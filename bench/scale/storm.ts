/**
 * Join storm (issue 16): BENCH_SCALE_STORM_PEOPLE (default 10,000) distinct people subscribe to one
 * room at once, against our server as a child process on a private redis-server. The people are
 * graphql-ws sockets in BENCH_SCALE_STORM_PROCESSES child processes (bench/scale/_stormClients.ts),
 * each from its own loopback source address.
 *
 * Reported per run: subscriptions still open, presence frames per client (max, median) and in all,
 * when every client's count settled (since the storm began, and after the last subscription went
 * out), the server's onlineCount after. The baseline, measured in the same run at
 * BENCH_SCALE_STORM_BASELINE_PEOPLE (default 500: its frames grow as J²), is the same storm with
 * PRESENCE_COALESCE_MS=0, which announces each join on its own to everyone already there, as the
 * server did before PresenceChanged; the coalesced storm at that size is beside it for the ratio
 * (0: no baseline). BENCH_SCALE_STORM_PROFILE=<dir> runs the first storm's server under --cpu-prof
 * and prints where its CPU went.
 */
import { readFileSync } from 'node:fs';
import type { ScalePart } from '../scale.js';
import { type ChildServer, startChild } from '../childServer.js';
import { envNumber, loadAverage, log } from '../env.js';
import { createHttpClient } from '../httpClient.js';
import { createRoom, repoRoot, signInAll, startOurServer } from '../servers.js';
import { mainThreadProfile, summarizeProfile } from '../profile.js';
import { formatTable } from '../table.js';
import { redisCommandCalls, redisCpuMicros } from '../metrics.js';
import { Redis } from 'ioredis';
import { startTestRedis } from '../../backend/src/testing/redisServer.js';
import type { StormClientStats, StormCommand } from './_stormClients.js';

interface StormRun {
  label: string;
  people: number;
  /** Server environment for the coalescing windows (empty: the defaults). */
  env: Record<string, string>;
  coalesced: boolean;
  /** Runs our server under --cpu-prof, written here (BENCH_SCALE_STORM_PROFILE, the first storm only). */
  profileDir?: string | null;
}

interface StormResult {
  label: string;
  people: number;
  open: number;
  framesMax: number;
  framesMedian: number;
  framesTotal: number;
  /** Seconds from the storm's start until every client's count was final; null when it never was. */
  settledS: number | null;
  /** Seconds from the storm's start until the last subscription was sent. */
  subscribedS: number;
  /** Per socket, from opening it until its connection_ack: median and 90th percentile, ms. */
  ackMedianMs: number;
  ack90Ms: number;
  /** The client processes' CPU over the storm, seconds (they share the machine with the server). */
  clientCpuS: number;
  /** Our server's CPU from the storm's start until it settled (or the timeout), seconds. */
  serverCpuS: number;
  /** The storm's span on CLOCK_MONOTONIC in µs (V8's profile clock): from its start until settled (or the timeout). */
  windowUs: [number, number];
  /** redis-server's CPU over the same span, seconds. */
  redisCpuS: number;
  /** Redis commands over the same span (scripts' inner commands included), by name, most first. */
  redisCalls: [string, number][];
  onlineCount: number;
  errors: number;
  errorSamples: string[];
}

/** The soft limit on open files of this process (the children inherit it). */
const openFilesLimit = (): number => {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? Number.POSITIVE_INFINITY);
};

interface ClientProcess {
  child: ChildServer;
  call<T>(command: StormCommand | { op: 'stats' } | { op: 'exit' }): Promise<T>;
}

const startClients = async (name: string): Promise<ClientProcess> => {
  // The people's sockets are file descriptors too: a soft limit below the hard one is raised for them.
  const child = await startChild({
    name,
    command: 'sh',
    args: [
      '-c',
      'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"',
      process.execPath,
      '--import',
      'tsx',
      'bench/scale/_stormClients.ts',
    ],
    cwd: repoRoot,
    readyPattern: /storm clients ready/,
    ipc: true,
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.process.on('message', (message: { id: number; ok: boolean; result?: unknown; error?: string }) => {
    const entry = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.ok) entry?.resolve(message.result);
    else entry?.reject(new Error(`${name}: ${message.error}`));
  });
  return {
    child,
    call: <T>(command: StormCommand | { op: 'stats' } | { op: 'exit' }) =>
      new Promise<T>((resolve, reject) => {
        if (!child.process.connected) return reject(new Error(`${name} is not running`));
        const id = nextId++;
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.process.send({ id, command });
      }),
  };
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

const runStorm = async (run: StormRun, processes: number, timeoutMs: number, clientKind: 'raw' | 'ws'): Promise<StormResult> => {
  const redis = await startTestRedis();
  const clients: ClientProcess[] = [];
  let server: Awaited<ReturnType<typeof startOurServer>> | null = null;
  const http = { close: () => {} } as ReturnType<typeof createHttpClient>;
  const admin = new Redis(redis.url, { lazyConnect: true });
  try {
    await admin.connect();
    server = await startOurServer({ redisUrl: redis.url, profileDir: run.profileDir, env: { RATE_LIMITS: '0', ...run.env } });
    const client = createHttpClient(server.url, { maxSockets: 16 });
    http.close = () => client.close();
    const handles = Array.from({ length: run.people + 1 }, (_, i) => `storm${i}`);
    log(`storm ${run.label}: signing ${handles.length} people in`);
    const { cookies } = await signInAll(client, server.origin, handles);
    const roomId = await createRoom(client, 'storm', cookies[0]);
    for (let i = 0; i < processes; i++) clients.push(await startClients(`storm-clients-${i}`));

    log(`storm ${run.label}: ${run.people} people subscribe at once`);
    const clientCpuBefore = (await Promise.all(clients.map((c) => c.call<StormClientStats>({ op: 'stats' })))).reduce(
      (sum, s) => sum + s.cpuMicros,
      0,
    );
    const cpuBefore = server.child.cpuMicros();
    const redisCpuBefore = await redisCpuMicros(admin);
    const callsBefore = await redisCommandCalls(admin);
    const startedAt = Date.now();
    const startedUs = Number(process.hrtime.bigint() / 1000n);
    const people = cookies.slice(1);
    const share = Math.ceil(people.length / processes);
    await Promise.all(
      clients.map((c, i) =>
        c.call({
          op: 'storm',
          url: `${server!.url.replace(/^http/, 'ws')}/graphql`,
          origin: server!.origin,
          roomId,
          cookies: people.slice(i * share, (i + 1) * share),
          localAddress: `127.0.0.${2 + i}`,
          concurrency: 128,
          client: clientKind,
        }),
      ),
    );

    // Settled, with coalescing: every socket is subscribed and believes the final count (PresenceChanged
    // carries it). Without: lone joins carry no count, so the server counts everyone and no presence
    // frame came for QUIET_MS. Polled; the times come from the clients' own clocks.
    const QUIET_MS = 2_000;
    const readCount = async () =>
      (
        JSON.parse(await client.graphql('query($id: ID!) { room(id: $id) { onlineCount } }', { id: roomId }, cookies[0])) as {
          data: { room: { onlineCount: number } };
        }
      ).data.room.onlineCount;
    let stats: StormClientStats[] = [];
    let settledAt: number | null = null;
    while (Date.now() - startedAt < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      stats = await Promise.all(clients.map((c) => c.call<StormClientStats>({ op: 'stats' })));
      const subscribed = stats.reduce((sum, s) => sum + s.subscribed + s.errors, 0);
      if (subscribed < run.people) continue;
      if (run.coalesced) {
        if (stats.flatMap((s) => s.believed).every((count) => count === run.people)) {
          settledAt = Math.max(...stats.flatMap((s) => s.changedAt));
          break;
        }
      } else {
        const lastFrame = Math.max(...stats.map((s) => s.lastFrameAt));
        if (Date.now() - lastFrame > QUIET_MS && (await readCount()) === run.people) {
          settledAt = lastFrame;
          break;
        }
      }
    }
    const serverCpuS = (server.child.cpuMicros() - cpuBefore) / 1e6;
    const windowUs: [number, number] = [startedUs, Number(process.hrtime.bigint() / 1000n)];
    const redisCpuS = ((await redisCpuMicros(admin)) - redisCpuBefore) / 1e6;
    const callsAfter = await redisCommandCalls(admin);
    const redisCalls = Object.entries(callsAfter)
      .map(([name, calls]): [string, number] => [name, calls - (callsBefore[name] ?? 0)])
      .filter(([name, calls]) => calls > 0 && name !== 'info')
      .sort((a, b) => b[1] - a[1]);
    const onlineCount = await readCount();
    const frames = stats.flatMap((s) => s.frames);
    const acks = stats.flatMap((s) => s.ackMs).sort((a, b) => a - b);
    return {
      label: run.label,
      people: run.people,
      open: stats.reduce((sum, s) => sum + s.open, 0),
      framesMax: Math.max(0, ...frames),
      framesMedian: median(frames),
      framesTotal: frames.reduce((sum, n) => sum + n, 0),
      settledS: settledAt === null ? null : (settledAt - startedAt) / 1000,
      subscribedS: (Math.max(...stats.map((s) => s.lastSubscribedAt)) - startedAt) / 1000,
      ackMedianMs: median(acks),
      ack90Ms: acks[Math.floor(0.9 * (acks.length - 1))] ?? 0,
      clientCpuS: (stats.reduce((sum, s) => sum + s.cpuMicros, 0) - clientCpuBefore) / 1e6,
      serverCpuS,
      windowUs,
      redisCpuS,
      redisCalls,
      onlineCount,
      errors: stats.reduce((sum, s) => sum + s.errors, 0),
      errorSamples: stats.flatMap((s) => s.errorSamples).slice(0, 5),
    };
  } finally {
    await Promise.all(clients.map((c) => c.call({ op: 'exit' }).catch(() => {})));
    await Promise.all(clients.map((c) => c.child.stop(2_000)));
    http.close();
    admin.disconnect();
    await server?.child.stop(5_000);
    await redis.dispose();
  }
};

const part: ScalePart = {
  target:
    'join storm: J people into one room cost O(J) presence frames; all still subscribed, < 10 frames each, settled within 10 s, onlineCount J',
  async run() {
    const people = envNumber('BENCH_SCALE_STORM_PEOPLE', 10_000, 2);
    const baselinePeople = envNumber('BENCH_SCALE_STORM_BASELINE_PEOPLE', 500, 0);
    const processes = envNumber('BENCH_SCALE_STORM_PROCESSES', 4, 1);
    // Subscribing is what takes time (each is an upgrade, a session, a subscription and a lease): on a busy 2-core machine, 100 a second.
    const timeoutMs = envNumber('BENCH_SCALE_STORM_TIMEOUT_MS', 60_000 + 25 * people, 1_000);
    const profileDir = process.env.BENCH_SCALE_STORM_PROFILE || null;
    const client = process.env.BENCH_SCALE_STORM_CLIENT === 'ws' ? 'ws' : 'raw';
    log(`storm: the people are ${client === 'ws' ? '`ws` clients' : 'bare WebSocket clients (BENCH_SCALE_STORM_CLIENT=ws: `ws` ones)'}`);
    const limit = openFilesLimit();
    if (people + 1_000 > limit) log(`storm: the open-files limit (${limit}) may be too low for ${people} sockets in our server`);

    const uncoalesced = { PRESENCE_COALESCE_MS: '0' };
    const results: StormResult[] = [];
    for (const run of [
      { label: 'coalesced (defaults)', people, env: {}, coalesced: true, profileDir },
      ...(baselinePeople > 0
        ? [
            { label: 'coalesced (defaults)', people: baselinePeople, env: {}, coalesced: true },
            { label: 'baseline: not coalesced (one frame per join)', people: baselinePeople, env: uncoalesced, coalesced: false },
          ]
        : []),
    ]) {
      results.push(await runStorm(run, processes, timeoutMs, client));
    }

    console.log(
      formatTable(
        [
          { header: 'storm', value: (r: StormResult) => r.label },
          { header: 'people', value: (r) => r.people },
          { header: 'still open', value: (r) => r.open },
          { header: 'frames/client max', value: (r) => r.framesMax },
          { header: 'median', value: (r) => r.framesMedian },
          { header: 'frames in all', value: (r) => r.framesTotal },
          { header: 'per person', value: (r) => r.framesTotal / r.people, digits: 1 },
          { header: 'all subscribed s', value: (r) => r.subscribedS, digits: 1 },
          { header: 'settled s', value: (r) => r.settledS, digits: 1 },
          { header: 'ack ms p50', value: (r) => r.ackMedianMs, digits: 0 },
          { header: 'p90', value: (r) => r.ack90Ms, digits: 0 },
          { header: 'clients CPU s', value: (r) => r.clientCpuS, digits: 1 },
          { header: 'server CPU s', value: (r) => r.serverCpuS, digits: 1 },
          { header: 'CPU ms/person', value: (r) => (r.serverCpuS * 1000) / r.people, digits: 2 },
          { header: 'redis CPU s', value: (r) => r.redisCpuS, digits: 1 },
          { header: 'redis calls/person', value: (r) => r.redisCalls.reduce((sum, [, n]) => sum + n, 0) / r.people, digits: 1 },
          { header: 'onlineCount', value: (r) => r.onlineCount },
          { header: 'errors', value: (r) => r.errors },
        ],
        results,
      ),
    );
    for (const r of results) {
      const perPerson = r.redisCalls.slice(0, 8).map(([name, n]) => `${name} ${(n / r.people).toFixed(2)}`);
      console.log(`${r.label} @ ${r.people}: redis calls per person: ${perPerson.join(', ')}`);
    }
    for (const r of results) if (r.errorSamples.length > 0) console.log(`${r.label} @ ${r.people}: ${r.errorSamples.join(' | ')}`);
    const [, coalesced, baseline] = results;
    if (coalesced && baseline) {
      console.log(
        `\nAt ${baselinePeople} people, one frame per join costs ${(baseline.framesTotal / Math.max(1, coalesced.framesTotal)).toFixed(1)}× the frames of coalesced presence (it grows as J²/2).`,
      );
    }
    console.log(
      "Times from the storm's start. Settled: every client's count (PresenceChanged carries it) equals the people in the room; for the baseline, whose lone joins carry no count, the last presence frame once the server counts everyone. Presence frames: UserJoined, UserLeft, PresenceChanged. The machine (2 cores) may be shared with other work: see the load average.",
    );
    console.log(`load average: ${loadAverage()}`);
    const profile = profileDir && mainThreadProfile(profileDir);
    if (profile) {
      // The storm's span only (the sign-ins before it are not its cost), when the profile covers it.
      const { windowed, busyMs, buckets } = summarizeProfile(profile, repoRoot, [results[0]!.windowUs], 'function');
      console.log(
        `\nour server's CPU in the first storm (${Math.round(busyMs)} ms busy, ${windowed ? 'from its start until settled' : 'the whole run, sign-ins included'}), top functions by self time:`,
      );
      console.log(`  (${profile}; the storm's window, CLOCK_MONOTONIC µs: ${results[0]!.windowUs.join(' ')})`);
      for (const b of buckets.slice(0, 15)) console.log(`  ${(b.share * 100).toFixed(1).padStart(5)} %  ${b.bucket}`);
    }
  },
};

export default part;
