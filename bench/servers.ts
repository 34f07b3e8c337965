import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../backend/src/testing/freePort.js';
import { type ChildServer, startChild } from './childServer.js';
import type { HttpClient } from './httpClient.js';

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
export const startOurServer = async (options: { redisUrl: string; nodeEnv?: string; profileDir?: string | null; echo?: boolean }): Promise<OurServer> => {
  const port = await findFreePort();
  const child = await startChild({
    name: 'balloons',
    command: process.execPath,
    args: [
      ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
      '--import', 'tsx', 'backend/src/main.ts',
    ],
    cwd: repoRoot,
    env: {
      PORT: String(port), HOST: '127.0.0.1', REDIS_URL: options.redisUrl, NODE_ENV: options.nodeEnv ?? 'production', AUTH_DEV_LOGIN: '1',
      // Empty counts as unset: nothing from the caller's shell changes the origin or the sign-in.
      PUBLIC_URL: '', ALLOWED_ORIGINS: '', TWITTER_CLIENT_ID: '', TWITTER_CLIENT_SECRET: '',
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
