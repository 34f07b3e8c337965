/**
 * bench:scale part `workers`: WORKERS=1 against WORKERS=auto (one process per core) on one Redis:
 * posts/s and deliveries/s at saturation, with the ratio.
 *
 * Subscribers: BENCH_SCALE_WORKERS_ROOMS (50) rooms × BENCH_SCALE_WORKERS_SUBSCRIBERS (8) sockets,
 * one user each, in a fleet process (bench/subscriberFleet.ts). Posters: postMessage over HTTP from
 * a process of their own (bench/scale/_workersPoster.ts), BENCH_SCALE_WORKERS_CONCURRENCY (32) in
 * flight over as many keep-alive connections (Node's cluster hands connections to the workers in
 * turn), the rooms at random. Rate limits are off (RATE_LIMITS=0) and BENCH_SCALE_WORKERS_POSTERS (64)
 * people post, each a member of every room first (a first post in a room joins: a MemberJoined
 * frame to every subscriber beside the message, which is not a delivery here). Each round
 * starts the server afresh with each setting in turn (sessions stay in Redis), posts for 2 s, then
 * measures BENCH_SCALE_WORKERS_SECONDS (5); BENCH_SCALE_WORKERS_ROUNDS (2) rounds, medians quoted.
 *
 * The clients share the machine's cores with the server and Redis: the fleet and the poster are
 * processes of their own, so the server's figures are not slowed by their work in its event loop,
 * but they take CPU all the same. The table shows where the CPU went in the window (server, Redis,
 * clients), and the cores the server processes used, so the ratio can be read against what was
 * left for them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startTestRedis } from '../../backend/src/testing/redisServer.js';
import { stopAllChildren } from '../childServer.js';
import { envNumber, loadAverage, log } from '../env.js';
import { startFleet } from '../fleet.js';
import { createHttpClient } from '../httpClient.js';
import { redisCpuMicros } from '../metrics.js';
import { createRoom, joinRooms, signInAll, startOurServer } from '../servers.js';
import { formatTable } from '../table.js';
import { ROOM_EVENTS_DOCUMENT } from '../wsClient.js';
import { type PostWindowResult, measurePostWindow, summarizeWindows, windowColumns } from './_postWindow.js';

const ROOMS = Math.round(envNumber('BENCH_SCALE_WORKERS_ROOMS', 50, 1));
const SUBSCRIBERS = Math.round(envNumber('BENCH_SCALE_WORKERS_SUBSCRIBERS', 8, 1));
const CONCURRENCY = Math.round(envNumber('BENCH_SCALE_WORKERS_CONCURRENCY', 32, 1));
const SECONDS = envNumber('BENCH_SCALE_WORKERS_SECONDS', 5, 1);
const WARMUP_SECONDS = 2;
const ROUNDS = Math.round(envNumber('BENCH_SCALE_WORKERS_ROUNDS', 2, 1));
const POSTERS = Math.round(envNumber('BENCH_SCALE_WORKERS_POSTERS', 64, 1));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Run extends PostWindowResult {
  setting: string;
  workers: number;
}

export default {
  target: 'WORKERS=auto on this machine: ≥ 1.6× the posts/s and deliveries/s of one process',
  async run() {
    const cores = availableParallelism();
    // Other work on the machine takes cores from all of these: the load average says how much.
    const loadBefore = loadAverage();
    const redis = await startTestRedis();
    const admin = new Redis(redis.url, { protocol: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'balloons-workers-'));
    try {
      const settings = [
        { setting: 'WORKERS=1', workers: 1 },
        { setting: `WORKERS=auto (${cores})`, workers: cores },
      ];
      const subscriberCount = ROOMS * SUBSCRIBERS;

      log(`workers: signing in ${(subscriberCount + POSTERS).toLocaleString('en-US')} users, creating ${ROOMS} rooms`);
      const env = { RATE_LIMITS: '0' };
      const setup = await startOurServer({ redisUrl: redis.url, env });
      const client = createHttpClient(setup.url, { maxSockets: 16 });
      const handles = [
        ...Array.from({ length: subscriberCount }, (_, i) => `ws_${i}`),
        ...Array.from({ length: POSTERS }, (_, i) => `wp_${i}`),
      ];
      const { cookies } = await signInAll(client, setup.origin, handles);
      const subscriberCookies = cookies.slice(0, subscriberCount);
      const posterCookies = cookies.slice(subscriberCount);
      // createRoom is limited per user: each room by another poster.
      const rooms: string[] = [];
      for (let i = 0; i < ROOMS; i++) rooms.push(await createRoom(client, `workers ${i}`, posterCookies[posterCookies.length - 1 - i]!));
      await joinRooms(client, posterCookies, rooms);
      client.close();
      await setup.child.stop(15_000);

      const fleet = await startFleet('workers-fleet');
      const results: Run[] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          for (const { setting, workers } of settings) {
            const index = round * settings.length + settings.indexOf(settings.find((s) => s.workers === workers)!);
            log(`workers: round ${round + 1}, ${setting}`);
            const server = await startOurServer({ redisUrl: redis.url, env: { ...env, WORKERS: String(workers) } });
            try {
              await waitForWorkers(server.child.output, workers);
              // The fleet subscribes the sockets a connect opens to one room: one connect per room.
              for (let r = 0; r < ROOMS; r++) {
                await fleet.connect({
                  url: `${server.url.replace(/^http/, 'ws')}/graphql`,
                  protocol: 'graphql-ws',
                  target: (r + 1) * SUBSCRIBERS,
                  origin: server.origin,
                  cookies: subscriberCookies,
                  query: ROOM_EVENTS_DOCUMENT,
                  variables: { roomId: rooms[r], after: null },
                  concurrency: 32,
                });
              }
              await sleep(1_000);
              const result = await measurePostWindow({
                urls: [server.url],
                dir,
                name: String(index),
                cookies: posterCookies,
                rooms,
                concurrency: CONCURRENCY,
                warmupSeconds: WARMUP_SECONDS,
                seconds: SECONDS,
                fleet,
                serverCpuMicros: () => server.child.cpuMicros(),
                redisCpuMicros: () => redisCpuMicros(admin),
              });
              if (result.errors > 0) log(`workers: ${result.errors} failed posts, e.g. ${result.firstError}`);
              results.push({ setting, workers, ...result });
              log(
                `workers: ${setting}: ${Math.round(results.at(-1)!.postsPerSecond)} posts/s, ${Math.round(results.at(-1)!.deliveriesPerSecond)} deliveries/s`,
              );
            } finally {
              await fleet.shrink(0);
              await server.child.stop(15_000);
            }
          }
        }
      } finally {
        await fleet.stop();
      }

      const rows = settings.map(({ setting, workers }) => ({
        setting,
        ...summarizeWindows(results.filter((r) => r.workers === workers)),
      }));
      const one = rows[0]!;
      const loadAfter = loadAverage();
      console.log(
        `${ROOMS} rooms × ${SUBSCRIBERS} subscribers (fleet process), posts over HTTP from a poster process (${CONCURRENCY} in flight), ` +
          `${cores} cores shared by all; medians of ${ROUNDS} rounds of ${SECONDS} s; load average ${loadBefore} before, ${loadAfter} after:\n`,
      );
      console.log(
        formatTable(
          windowColumns(one, [
            { header: '× deliveries/s', value: (r) => r.deliveriesPerSecond / one.deliveriesPerSecond, digits: 2 },
            { header: 'posts per server CPU s', value: (r) => r.postsPerSecond / r.serverCores },
          ]),
          rows,
        ),
      );
      const auto = rows[1]!;
      const ratio = Math.min(auto.postsPerSecond / one.postsPerSecond, auto.deliveriesPerSecond / one.deliveriesPerSecond);
      console.log(
        `\ncores: CPU seconds per second in the window (server: the instance's processes; clients: the fleet and the poster).` +
          `\ngoal: WORKERS=auto ≥ 1.6× one process (posts/s and deliveries/s): ${ratio.toFixed(2)}×: ${ratio >= 1.6 ? 'pass' : 'FAIL'}` +
          (cores <= 2 ? ` (${cores} cores for the server, Redis and the clients together)` : ''),
      );
    } finally {
      admin.disconnect();
      await stopAllChildren();
      await redis.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** Resolves once `count` worker processes said they listen (the ready line is the primary's when count > 1). */
const waitForWorkers = async (output: () => string, count: number) => {
  if (count <= 1) return;
  const until = performance.now() + 60_000;
  while (performance.now() < until) {
    if ((output().match(/listening on .*process \d+/g) ?? []).length >= count) return;
    await sleep(100);
  }
  throw new Error(`workers: ${count} workers did not all start:\n${output().slice(-2_000)}`);
};
