import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../backend/src/testing/freePort.js';
import { type ChildServer, startChild } from './childServer.js';
import type { HttpClient } from './httpClient.js';
import { type LoadResult, runLoad } from './load.js';

/** The repository root (the servers run with it as their working directory). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface OurServer {
  child: ChildServer;
  /** Where it listens, e.g. http://127.0.0.1:40123. */
  url: string;
  /** The Origin its sign-in and WebSocket upgrade accept (PUBLIC_URL's default, http://localhost:<port>). */
  origin: string;
}

let serverBuilt = false;
/**
 * Brings backend/build/ up to date (scripts/buildServer.mjs), once per bench process: the benches
 * run what `npm start` runs, plain transpiled JavaScript, not tsx (whose keepNames wraps every
 * named closure and weighs on the memory per subscription).
 */
export const buildOurServer = (): void => {
  if (serverBuilt) return;
  execFileSync(process.execPath, ['scripts/buildServer.mjs'], { cwd: repoRoot, stdio: ['ignore', 2, 'inherit'] });
  serverBuilt = true;
};

/**
 * Our server in Redis mode as a child process: `node --enable-source-maps backend/build/main.js`
 * (as `npm start` runs it; built first by `buildOurServer`), with the development sign-in on.
 * `profileDir` runs it under --cpu-prof (written when it stops; bench/profile.ts maps the build
 * back to backend/src).
 */
export const startOurServer = async (options: {
  /** One Redis (REDIS_URL), or set REDIS_CLUSTER in `env` instead. */
  redisUrl?: string;
  nodeEnv?: string;
  profileDir?: string | null;
  echo?: boolean;
  /** Preload the SIGUSR2 → full GC hook (see `collectGarbage`). */
  gcOnSignal?: boolean;
  /** More environment (e.g. PRESENCE_GRACE_MS). */
  env?: Record<string, string>;
}): Promise<OurServer> => {
  buildOurServer();
  const port = await findFreePort();
  const child = await startChild({
    name: 'balloons',
    command: process.execPath,
    args: [
      ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
      ...(options.gcOnSignal ? GC_ON_SIGNAL_ARGS : []),
      '--enable-source-maps',
      'backend/build/main.js',
    ],
    cwd: repoRoot,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      NODE_ENV: options.nodeEnv ?? 'production',
      AUTH_DEV_LOGIN: '1',
      // Empty counts as unset: nothing from the caller's shell changes the origin or the sign-in.
      PUBLIC_URL: '',
      ALLOWED_ORIGINS: '',
      TWITTER_CLIENT_ID: '',
      TWITTER_CLIENT_SECRET: '',
      ...options.env,
    },
    readyPattern: /listening on (\S+)/,
    echo: options.echo,
  });
  return { child, url: child.ready, origin: `http://localhost:${port}` };
};

/** Development sign-in of `handle`; the session cookie as "name=value". */
export const signIn = async (client: HttpClient, origin: string, handle: string): Promise<string> => {
  const response = await client.post('/auth/dev', JSON.stringify({ handle }), { origin });
  const cookie = ([] as string[]).concat(response.headers['set-cookie'] ?? [])[0]?.split(';')[0];
  if (response.status !== 200 || !cookie) throw new Error(`sign-in of ${handle} failed: ${response.status} ${response.body}`);
  return cookie;
};

/** Signs `handles` in, 16 at a time; their cookies in the same order, and the load's figures. */
export const signInAll = async (
  client: HttpClient,
  origin: string,
  handles: string[],
): Promise<{ cookies: string[]; result: LoadResult }> => {
  const cookies = new Array<string>(handles.length);
  let next = 0;
  const result = await runLoad({ concurrency: 16, maxOps: handles.length, maxErrors: 1 }, async () => {
    const i = next++;
    cookies[i] = await signIn(client, origin, handles[i]!);
  });
  return { cookies, result };
};

/**
 * Makes each user of `cookies` a member of each room, 64 joins at a time. A person's first post in
 * a room joins them (a MemberJoined event beside the message, sent to every subscriber): posters
 * joined first post only messages, so a bench counts the fan-out of messages.
 */
export const joinRooms = async (client: HttpClient, cookies: readonly string[], roomIds: readonly string[]): Promise<void> => {
  const joins = cookies.flatMap((cookie) => roomIds.map((roomId) => ({ cookie, roomId })));
  for (let i = 0; i < joins.length; i += 64) {
    await Promise.all(
      joins
        .slice(i, i + 64)
        .map(({ cookie, roomId }) =>
          client.graphql('mutation Join($roomId: ID!) { joinRoom(roomId: $roomId) { id } }', { roomId }, cookie),
        ),
    );
  }
};

/** Creates a room on our server as the user of `cookie`; its id. */
export const createRoom = async (client: HttpClient, name: string, cookie: string | undefined): Promise<string> => {
  const text = await client.graphql('mutation Create($name: String!) { createRoom(name: $name) { id } }', { name }, cookie);
  return (JSON.parse(text) as { data: { createRoom: { id: string } } }).data.createRoom.id;
};

/** Baseline A's mutation (bench/baselines/yogaXadd.ts). */
export const YOGA_POST =
  'mutation Post($body: String!, $clientId: String) { post(body: $body, clientId: $clientId) { id body createdAt } }';

/** Baseline A (bench/baselines/yogaXadd.ts) as a child process. */
export const startYogaXadd = async (options: { redisUrl: string; nodeEnv?: string }): Promise<ChildServer> =>
  startChild({
    name: 'yoga-xadd',
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/baselines/yogaXadd.ts'],
    cwd: repoRoot,
    env: { PORT: '0', HOST: '127.0.0.1', REDIS_URL: options.redisUrl, NODE_ENV: options.nodeEnv ?? 'production' },
    readyPattern: /listening on (\S+)/,
  });

/**
 * Node arguments that preload a SIGUSR2 handler running a full garbage collection and printing one
 * `gc-sample {...}` line with the memory usage right after it: the approach of
 * backend/src/testing/serverProcess.ts (`gcOnSignal`), repeated here rather than imported (that
 * module keeps it private).
 */
export const GC_ON_SIGNAL_ARGS = [
  '--expose-gc',
  '--import',
  `data:text/javascript,${encodeURIComponent(
    "import { getHeapSpaceStatistics } from 'node:v8'; process.on('SIGUSR2', () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space'); process.stdout.write('gc-sample ' + JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, newSpace: newSpace ? newSpace.space_size : 0, external: m.external, arrayBuffers: m.arrayBuffers }) + '\\n'); });",
  )}`,
];

export interface MemorySample {
  /** VmRSS from /proc right after the collection, KiB. */
  rssKiB: number;
  heapUsedKiB: number;
  /** V8 heap committed (used, free and the young generation's reserve), KiB. */
  heapTotalKiB: number;
  /** The young generation's capacity, KiB: V8's memory reducer shrinks it a few seconds into idleness. */
  newSpaceKiB: number;
  /** V8 external memory (ArrayBuffers, Buffers), KiB. */
  externalKiB: number;
}

const readRssKiB = (pid: number): number => {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
};

/** Full GC in a child started with `GC_ON_SIGNAL_ARGS` (SIGUSR2), then its memory. */
export const collectGarbage = (child: ChildServer, timeoutMs = 10_000): Promise<MemorySample> =>
  new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${child.name}: no gc-sample within ${timeoutMs} ms (started without GC_ON_SIGNAL_ARGS?)`));
    }, timeoutMs);
    const off = child.onOutput((text) => {
      buffer += text;
      const match = /gc-sample (\{[^\n]*\})\n/.exec(buffer);
      if (!match) return;
      clearTimeout(timer);
      off();
      const sample = JSON.parse(match[1]!) as { heapUsed: number; heapTotal: number; newSpace: number; external: number };
      resolve({
        rssKiB: readRssKiB(child.pid),
        heapUsedKiB: sample.heapUsed / 1024,
        heapTotalKiB: sample.heapTotal / 1024,
        newSpaceKiB: sample.newSpace / 1024,
        externalKiB: sample.external / 1024,
      });
    });
    process.kill(child.pid, 'SIGUSR2');
  });

/**
 * RSS without the young generation's reserve, KiB. Right after a full collection the young generation
 * (new space) is empty, yet its committed pages, up to 32 MiB, stay resident until V8's memory reducer
 * shrinks it, a few seconds into idleness or much later when the process still allocates (our server
 * with 1,000 idle subscribers: not within 15 s). Whether a sample falls before or after that swung
 * "RSS per subscriber" by ±30 KiB at N = 1,000; this figure is what RSS settles at once it is shrunk.
 */
export const steadyRssKiB = (sample: MemorySample): number => sample.rssKiB - sample.newSpaceKiB;

export interface SettledMemorySample extends MemorySample {
  /** From the first collection to the one that settled (or the last, when it did not), ms. */
  settleMs: number;
  /** Collections taken. */
  samples: number;
  /** False when the steady RSS still moved by more than the tolerance when time ran out. */
  settled: boolean;
  /** Steady RSS change between the last two samples, % of the earlier. */
  lastChangePercent: number;
  /** Every sample taken, in order (KiB). */
  series: { rssKiB: number; heapTotalKiB: number; newSpaceKiB: number }[];
}

const toSeriesEntry = ({ rssKiB, heapTotalKiB, newSpaceKiB }: MemorySample) => ({ rssKiB, heapTotalKiB, newSpaceKiB });

/**
 * `collectGarbage` every `intervalMs` until `steadyRssKiB` changes by less than `tolerance` (a
 * fraction) between two samples, or `maxMs` has passed; the last sample. Why wait: pages freed by a
 * collection reach the OS over a second or two after thousands of sockets connected or closed.
 * heapUsed and external are exact right after each collection.
 */
export const collectGarbageSettled = async (
  child: ChildServer,
  options: { intervalMs?: number; tolerance?: number; maxMs?: number } = {},
): Promise<SettledMemorySample> => {
  const { intervalMs = 1_000, tolerance = 0.005, maxMs = 15_000 } = options;
  const started = performance.now();
  let previous = await collectGarbage(child);
  const series = [toSeriesEntry(previous)];
  for (;;) {
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
    const sample = await collectGarbage(child);
    series.push(toSeriesEntry(sample));
    const change = Math.abs(steadyRssKiB(sample) - steadyRssKiB(previous)) / steadyRssKiB(previous);
    const settled = change < tolerance;
    const settleMs = performance.now() - started;
    if (settled || settleMs + intervalMs > maxMs) {
      return { ...sample, settleMs, samples: series.length, settled, lastChangePercent: change * 100, series };
    }
    previous = sample;
  }
};

/** A fan-out baseline (bench/baselines/rawWs.ts or yogaWs.ts) as a child process, with the GC hook. */
export const startFanoutBaseline = async (kind: 'rawWs' | 'yogaWs', options: { nodeEnv?: string } = {}): Promise<ChildServer> =>
  startChild({
    name: kind === 'rawWs' ? 'raw-ws' : 'yoga-ws',
    command: process.execPath,
    args: [...GC_ON_SIGNAL_ARGS, '--import', 'tsx', `bench/baselines/${kind}.ts`],
    cwd: repoRoot,
    env: { PORT: '0', HOST: '127.0.0.1', NODE_ENV: options.nodeEnv ?? 'production' },
    readyPattern: /listening on (\S+)/,
  });
