/**
 * One measured posting window, shared by bench:scale's `workers` and `cluster` parts: a poster
 * process (bench/scale/_workersPoster.ts) posts over HTTP to the given servers, warms up, and
 * posts for the window; the CPU of the server processes, Redis and the clients is read at the
 * window's edges, and the fleet's deliveries counted in it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild } from '../childServer.js';
import type { Fleet } from '../fleet.js';
import { median } from '../seed.js';
import { repoRoot } from '../servers.js';
import type { Column } from '../table.js';

export interface PostWindowResult {
  postsPerSecond: number;
  deliveriesPerSecond: number;
  rateLimited: number;
  errors: number;
  firstError: string;
  /** CPU in the window, in cores (CPU seconds per second). */
  serverCores: number;
  redisCores: number;
  clientCores: number;
}

export const measurePostWindow = async (options: {
  /** The servers' base URLs: the poster's connections go to them in turn. */
  urls: readonly string[];
  /** Where to write the posters' cookies (one a line). */
  dir: string;
  name: string;
  cookies: readonly string[];
  rooms: readonly string[];
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  fleet: Fleet;
  /** CPU µs of the server processes and of Redis so far. */
  serverCpuMicros(): number;
  redisCpuMicros(): Promise<number>;
}): Promise<PostWindowResult> => {
  const cookieFile = join(options.dir, `cookies-${options.name}.txt`);
  writeFileSync(cookieFile, options.cookies.join('\n'));
  await options.fleet.reset();
  const poster = await startChild({
    name: 'poster',
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/scale/_workersPoster.ts'],
    cwd: repoRoot,
    env: {
      POSTER_URL: options.urls.join(','),
      POSTER_COOKIES_FILE: cookieFile,
      POSTER_ROOMS: options.rooms.join(','),
      POSTER_CONCURRENCY: String(options.concurrency),
      POSTER_WARMUP_SECONDS: String(options.warmupSeconds),
      POSTER_SECONDS: String(options.seconds),
    },
    readyPattern: /poster ready/,
  });
  try {
    const windowStarted = new Promise<void>((resolve) => {
      const off = poster.onOutput((text) => {
        if (!text.includes('window start')) return;
        off();
        resolve();
      });
    });
    const finished = new Promise<string>((resolve) => {
      let buffer = '';
      const off = poster.onOutput((text) => {
        buffer += text;
        const match = /result (\{[^\n]*\})/.exec(buffer);
        if (!match) return;
        off();
        resolve(match[1]!);
      });
    });
    await windowStarted;
    await options.fleet.reset();
    const sample = async () => ({
      at: performance.now(),
      server: options.serverCpuMicros(),
      redis: await options.redisCpuMicros(),
      fleet: options.fleet.child.cpuMicros(),
    });
    const before = await sample();
    const result = JSON.parse(await finished) as {
      posts: number;
      rateLimited: number;
      errors: number;
      firstError: string;
      seconds: number;
      cpuMicros: number;
    };
    const stats = await options.fleet.stats();
    const after = await sample();
    const micros = (after.at - before.at) * 1000;
    return {
      postsPerSecond: result.posts / result.seconds,
      deliveriesPerSecond: stats.delivered / ((after.at - before.at) / 1000),
      rateLimited: result.rateLimited,
      errors: result.errors + stats.errors,
      firstError: result.firstError,
      serverCores: (after.server - before.server) / micros,
      redisCores: (after.redis - before.redis) / micros,
      // The poster's CPU as it measured its own window (it may have exited by now).
      clientCores: (after.fleet - before.fleet) / micros + result.cpuMicros / (result.seconds * 1e6),
    };
  } finally {
    await poster.stop();
  }
};

/** The windows of one setting as one row: rates and cores as medians, refusals summed. */
export const summarizeWindows = (windows: readonly PostWindowResult[]) => {
  const pick = (f: (r: PostWindowResult) => number) => median(windows.map(f));
  return {
    postsPerSecond: pick((r) => r.postsPerSecond),
    deliveriesPerSecond: pick((r) => r.deliveriesPerSecond),
    serverCores: pick((r) => r.serverCores),
    redisCores: pick((r) => r.redisCores),
    clientCores: pick((r) => r.clientCores),
    rateLimited: windows.reduce((sum, r) => sum + r.rateLimited, 0),
    errors: windows.reduce((sum, r) => sum + r.errors, 0),
  };
};

type WindowsRow = ReturnType<typeof summarizeWindows> & { setting: string };

/**
 * The columns of a table of summarized windows: the setting, the rates, each rate's multiple of
 * `baseline`'s, then `extra`, then where the CPU went and the refusals.
 */
export const windowColumns = <R extends WindowsRow>(baseline: R, extra: Column<R>[]): Column<R>[] => [
  { header: 'setting', value: (r) => r.setting },
  { header: 'posts/s', value: (r) => r.postsPerSecond },
  { header: 'deliveries/s', value: (r) => r.deliveriesPerSecond },
  { header: '× posts/s', value: (r) => r.postsPerSecond / baseline.postsPerSecond, digits: 2 },
  ...extra,
  { header: 'server cores', value: (r) => r.serverCores, digits: 2 },
  { header: 'redis cores', value: (r) => r.redisCores, digits: 2 },
  { header: 'client cores', value: (r) => r.clientCores, digits: 2 },
  { header: 'rate-limited', value: (r) => r.rateLimited },
  { header: 'errors', value: (r) => r.errors },
];
