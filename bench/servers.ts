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

/**
 * Our server in Redis mode as a child process: `node --import tsx backend/src/main.ts` (what the
 * `tsx` CLI runs, without its wrapper process, so the pid is the server's own), with the
 * development sign-in on. `profileDir` runs it under --cpu-prof (written when it stops).
 */
export const startOurServer = async (options: {
  redisUrl: string;
  nodeEnv?: string;
  profileDir?: string | null;
  echo?: boolean;
  /** Preload the SIGUSR2 → full GC hook (see `collectGarbage`). */
  gcOnSignal?: boolean;
  /** More environment (e.g. PRESENCE_GRACE_MS). */
  env?: Record<string, string>;
}): Promise<OurServer> => {
  const port = await findFreePort();
  const child = await startChild({
    name: 'balloons',
    command: process.execPath,
    args: [
      ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
      ...(options.gcOnSignal ? GC_ON_SIGNAL_ARGS : []),
      '--import', 'tsx', 'backend/src/main.ts',
    ],
    cwd: repoRoot,
    env: {
      PORT: String(port), HOST: '127.0.0.1', REDIS_URL: options.redisUrl, NODE_ENV: options.nodeEnv ?? 'production', AUTH_DEV_LOGIN: '1',
      // Empty counts as unset: nothing from the caller's shell changes the origin or the sign-in.
      PUBLIC_URL: '', ALLOWED_ORIGINS: '', TWITTER_CLIENT_ID: '', TWITTER_CLIENT_SECRET: '',
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
export const signInAll = async (client: HttpClient, origin: string, handles: string[]): Promise<{ cookies: string[]; result: LoadResult }> => {
  const cookies = new Array<string>(handles.length);
  let next = 0;
  const result = await runLoad({ concurrency: 16, maxOps: handles.length, maxErrors: 1 }, async () => {
    const i = next++;
    cookies[i] = await signIn(client, origin, handles[i]!);
  });
  return { cookies, result };
};

/** Creates a room on our server as the user of `cookie`; its id. */
export const createRoom = async (client: HttpClient, name: string, cookie: string | undefined): Promise<string> => {
  const text = await client.graphql('mutation Create($name: String!) { createRoom(name: $name) { id } }', { name }, cookie);
  return (JSON.parse(text) as { data: { createRoom: { id: string } } }).data.createRoom.id;
};

/** Baseline A's mutation (bench/baselines/yogaXadd.ts). */
export const YOGA_POST = 'mutation Post($body: String!, $clientId: String) { post(body: $body, clientId: $clientId) { id body createdAt } }';

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
    "process.on('SIGUSR2', () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); process.stdout.write('gc-sample ' + JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }) + '\\n'); });",
  )}`,
];

export interface MemorySample {
  /** VmRSS from /proc right after the collection, KiB. */
  rssKiB: number;
  heapUsedKiB: number;
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
      const sample = JSON.parse(match[1]!) as { heapUsed: number; external: number };
      resolve({ rssKiB: readRssKiB(child.pid), heapUsedKiB: sample.heapUsed / 1024, externalKiB: sample.external / 1024 });
    });
    process.kill(child.pid, 'SIGUSR2');
  });

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
