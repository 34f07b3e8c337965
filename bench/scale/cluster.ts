/**
 * bench:scale part `cluster`: one Redis with one instance against a Redis Cluster (three
 * primaries, three replicas, all on this machine) with three instances: total posts/s, and the
 * server CPU per delivery (fan-out cost), with the ratios. The cluster with one instance sits
 * between them: what the cluster costs apart from what more instances cost.
 *
 * Same load for both: BENCH_SCALE_CLUSTER_ROOMS (30) rooms × BENCH_SCALE_CLUSTER_SUBSCRIBERS (8)
 * sockets in a fleet process, the rooms' sockets on the instances in turn; posts over HTTP from a
 * poster process with BENCH_SCALE_CLUSTER_CONCURRENCY (48) in flight, its connections on the
 * instances in turn, the rooms at random, enough users that none meets the per-user post limit.
 * Writes wait for one replica on the cluster (REDIS_ACK_REPLICAS defaults to 1 when there are
 * replicas); the single Redis has none. BENCH_SCALE_CLUSTER_ROUNDS (2) windows of
 * BENCH_SCALE_CLUSTER_SECONDS (5) each, medians quoted.
 *
 * Everything shares this machine's cores: nine Redis and server processes on the cluster side
 * against two on the other. The table shows where the CPU went so the ratio can be read against it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAllChildren } from '../childServer.js';
import { envNumber, log } from '../env.js';
import { type Fleet, startFleet } from '../fleet.js';
import { createHttpClient } from '../httpClient.js';
import { createRoom, signInAll } from '../servers.js';
import { formatTable } from '../table.js';
import { ROOM_EVENTS_DOCUMENT } from '../wsClient.js';
import { type PostWindowResult, measurePostWindow, summarizeWindows } from './_postWindow.js';
import { type StoreSetup, redisTotalCpuMicros, startCluster, startOneRedis } from './_stores.js';
import { median } from '../seed.js';

const ROOMS = Math.round(envNumber('BENCH_SCALE_CLUSTER_ROOMS', 30, 1));
const SUBSCRIBERS = Math.round(envNumber('BENCH_SCALE_CLUSTER_SUBSCRIBERS', 8, 1));
const CONCURRENCY = Math.round(envNumber('BENCH_SCALE_CLUSTER_CONCURRENCY', 48, 1));
const SECONDS = envNumber('BENCH_SCALE_CLUSTER_SECONDS', 5, 1);
const ROUNDS = Math.round(envNumber('BENCH_SCALE_CLUSTER_ROUNDS', 2, 1));
const WARMUP_SECONDS = 2;
/** Posting users per window: at ~2,000 posts/s for 7 s, each posts ~6 (a burst of 10, then 1/s). */
const POSTERS_PER_RUN = 2_500;

interface Row extends PostWindowResult {
  setting: string;
  /** Server CPU µs per delivered event. */
  cpuPerDelivery: number;
}

const measure = async (setup: StoreSetup, fleet: Fleet, dir: string): Promise<Row[]> => {
  const [first] = setup.servers;
  const subscriberCount = ROOMS * SUBSCRIBERS;
  const client = createHttpClient(first!.url, { maxSockets: 16 });
  const handles = [
    ...Array.from({ length: subscriberCount }, (_, i) => `cs_${i}`),
    ...Array.from({ length: ROUNDS * POSTERS_PER_RUN }, (_, i) => `cp_${i}`),
  ];
  log(`cluster: ${setup.setting}: signing in ${handles.length.toLocaleString('en-US')} users, creating ${ROOMS} rooms`);
  const { cookies } = await signInAll(client, first!.origin, handles);
  const subscriberCookies = cookies.slice(0, subscriberCount);
  const posterCookies = cookies.slice(subscriberCount);
  const rooms: string[] = [];
  for (let i = 0; i < ROOMS; i++) rooms.push(await createRoom(client, `cluster ${i}`, posterCookies[posterCookies.length - 1 - i]!));
  client.close();
  for (let r = 0; r < ROOMS; r++) {
    const server = setup.servers[r % setup.servers.length]!;
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
  const rows: Row[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const result = await measurePostWindow({
        urls: setup.servers.map((server) => server.url),
        dir,
        name: `${setup.servers.length}-${round}`,
        cookies: posterCookies.slice(round * POSTERS_PER_RUN, (round + 1) * POSTERS_PER_RUN),
        rooms,
        concurrency: CONCURRENCY,
        warmupSeconds: WARMUP_SECONDS,
        seconds: SECONDS,
        fleet,
        serverCpuMicros: () => setup.servers.reduce((sum, server) => sum + server.child.cpuMicros(), 0),
        redisCpuMicros: () => redisTotalCpuMicros(setup),
      });
      if (result.errors > 0) log(`cluster: ${result.errors} failed posts, e.g. ${result.firstError}`);
      rows.push({ setting: setup.setting, ...result, cpuPerDelivery: (result.serverCores * 1e6) / result.deliveriesPerSecond });
      log(
        `cluster: ${setup.setting}: ${Math.round(result.postsPerSecond)} posts/s, ${Math.round(result.deliveriesPerSecond)} deliveries/s`,
      );
    }
  } finally {
    await fleet.shrink(0);
  }
  return rows;
};

export default {
  target:
    'on the cluster (3 primaries): posts/s with three instances ≥ 2× one Redis with one instance; fan-out CPU per delivery within 1.2×',
  async run() {
    const cores = availableParallelism();
    const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const dir = mkdtempSync(join(tmpdir(), 'balloons-cluster-'));
    const fleet = await startFleet('cluster-fleet');
    const results: Row[] = [];
    try {
      for (const start of [() => startOneRedis(), () => startCluster({ instances: 1 }), () => startCluster({ instances: 3 })]) {
        const setup = await start();
        try {
          results.push(...(await measure(setup, fleet, dir)));
        } finally {
          await setup.dispose();
        }
      }
    } finally {
      await fleet.stop();
      await stopAllChildren();
      rmSync(dir, { recursive: true, force: true });
    }
    const settings = [...new Set(results.map((r) => r.setting))];
    const rows = settings.map((setting) => {
      const mine = results.filter((r) => r.setting === setting);
      return { setting, ...summarizeWindows(mine), cpuPerDelivery: median(mine.map((r) => r.cpuPerDelivery)) };
    });
    const one = rows[0]!;
    const many = rows.at(-1)!;
    const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      `${ROOMS} rooms × ${SUBSCRIBERS} subscribers (fleet process), posts over HTTP from a poster process (${CONCURRENCY} in flight), ` +
        `${cores} cores shared by all; medians of ${ROUNDS} windows of ${SECONDS} s; load average ${loadBefore} before, ${loadAfter} after:\n`,
    );
    console.log(
      formatTable(
        [
          { header: 'setting', value: (r: (typeof rows)[number]) => r.setting },
          { header: 'posts/s', value: (r) => r.postsPerSecond },
          { header: 'deliveries/s', value: (r) => r.deliveriesPerSecond },
          { header: '× posts/s', value: (r) => r.postsPerSecond / one.postsPerSecond, digits: 2 },
          { header: 'server µs/delivery', value: (r) => r.cpuPerDelivery, digits: 1 },
          { header: '× µs/delivery', value: (r) => r.cpuPerDelivery / one.cpuPerDelivery, digits: 2 },
          { header: 'server cores', value: (r) => r.serverCores, digits: 2 },
          { header: 'redis cores', value: (r) => r.redisCores, digits: 2 },
          { header: 'client cores', value: (r) => r.clientCores, digits: 2 },
          { header: 'rate-limited', value: (r) => r.rateLimited },
          { header: 'errors', value: (r) => r.errors },
        ],
        rows,
      ),
    );
    const postsRatio = many.postsPerSecond / one.postsPerSecond;
    const cpuRatio = many.cpuPerDelivery / one.cpuPerDelivery;
    console.log(
      `\ngoal: cluster with 3 instances ≥ 2× the posts/s of one Redis with one instance: ${postsRatio.toFixed(2)}×: ${postsRatio >= 2 ? 'pass' : 'FAIL'}` +
        `\ngoal: server CPU per delivery within 1.2×: ${cpuRatio.toFixed(2)}×: ${cpuRatio <= 1.2 ? 'pass' : 'FAIL'}` +
        (cores <= 2 ? ` (${cores} cores for 6 Redis nodes, 3 instances and the clients together)` : ''),
    );
  },
};
