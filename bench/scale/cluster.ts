/**
 * bench:scale part `cluster`: one Redis with one instance against a Redis Cluster (three
 * primaries, three replicas, all on this machine) with three instances: total posts/s, and the
 * server CPU per delivery (fan-out cost), with the ratios. The cluster with one instance sits
 * between them: what the cluster costs apart from what more instances cost.
 *
 * Same load for both: BENCH_SCALE_CLUSTER_ROOMS (30) rooms × BENCH_SCALE_CLUSTER_SUBSCRIBERS (8)
 * sockets in a fleet process, the rooms' sockets on the instances in turn; posts over HTTP from a
 * poster process with BENCH_SCALE_CLUSTER_CONCURRENCY (48) in flight, its connections on the
 * instances in turn, the rooms at random. Rate limits are off (RATE_LIMITS=0) and BENCH_SCALE_CLUSTER_POSTERS
 * (64) people post, each a member of every room first: a person's first post in a room joins them,
 * a MemberJoined frame to every subscriber beside the message, which is not a delivery here.
 * Writes wait for one replica on the cluster (REDIS_ACK_REPLICAS defaults to 1 when there are
 * replicas); the single Redis has none. BENCH_SCALE_CLUSTER_ROUNDS (2) windows of
 * BENCH_SCALE_CLUSTER_SECONDS (5) each, medians quoted.
 *
 * That shape (8 sockets a room, split over the instances) measures throughput: with about three
 * sockets per room on each of three instances, what each instance pays per post (its HTTP request,
 * the bell, one render per instance) weighs on every delivery. The fan-out shape measures what a
 * delivery costs where a post reaches many: BENCH_SCALE_CLUSTER_FANOUT_ROOMS (3) rooms ×
 * BENCH_SCALE_CLUSTER_FANOUT_SUBSCRIBERS (300) sockets, each room's sockets spread over the
 * instances, and BENCH_SCALE_CLUSTER_FANOUT_CONCURRENCY (2) posts in flight.
 *
 * Before a shape's windows, with every socket open and nothing posted, the servers' idle CPU is
 * measured over BENCH_SCALE_CLUSTER_IDLE_SECONDS (5): the standing work of an instance (presence,
 * the tailer's check, ioredis's slot map refresh on a cluster). The CPU per delivery is quoted
 * gross and net of it, as the `rooms` part does: the goal is about what a delivery costs, and at
 * the fan-out shape's few posts a second an instance's standing cost weighs on every one.
 *
 * Everything shares this machine's cores: nine Redis and server processes on the cluster side
 * against two on the other. The table shows where the CPU went so the ratio can be read against it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAllChildren } from '../childServer.js';
import { envNumber, loadAverage, log } from '../env.js';
import { type Fleet, startFleet } from '../fleet.js';
import { createHttpClient } from '../httpClient.js';
import { createRoom, joinRooms, signInAll } from '../servers.js';
import { formatTable } from '../table.js';
import { ROOM_EVENTS_DOCUMENT } from '../wsClient.js';
import { type PostWindowResult, measurePostWindow, summarizeWindows, windowColumns } from './_postWindow.js';
import { type StoreSetup, redisTotalCpuMicros, startCluster, startOneRedis } from './_stores.js';
import { median } from '../seed.js';

const ROOMS = Math.round(envNumber('BENCH_SCALE_CLUSTER_ROOMS', 30, 1));
const SUBSCRIBERS = Math.round(envNumber('BENCH_SCALE_CLUSTER_SUBSCRIBERS', 8, 1));
const CONCURRENCY = Math.round(envNumber('BENCH_SCALE_CLUSTER_CONCURRENCY', 48, 1));
const SECONDS = envNumber('BENCH_SCALE_CLUSTER_SECONDS', 5, 1);
const ROUNDS = Math.round(envNumber('BENCH_SCALE_CLUSTER_ROUNDS', 2, 1));
const FANOUT_ROOMS = Math.round(envNumber('BENCH_SCALE_CLUSTER_FANOUT_ROOMS', 3, 1));
const FANOUT_SUBSCRIBERS = Math.round(envNumber('BENCH_SCALE_CLUSTER_FANOUT_SUBSCRIBERS', 300, 1));
const FANOUT_CONCURRENCY = Math.round(envNumber('BENCH_SCALE_CLUSTER_FANOUT_CONCURRENCY', 2, 1));

/** A load: rooms × sockets each, and posts in flight. */
interface Shape {
  name: 'throughput' | 'fan-out';
  rooms: number;
  subscribers: number;
  concurrency: number;
}
const SHAPES: Shape[] = [
  { name: 'throughput', rooms: ROOMS, subscribers: SUBSCRIBERS, concurrency: CONCURRENCY },
  { name: 'fan-out', rooms: FANOUT_ROOMS, subscribers: FANOUT_SUBSCRIBERS, concurrency: FANOUT_CONCURRENCY },
];
const WARMUP_SECONDS = 2;
const POSTERS = Math.round(envNumber('BENCH_SCALE_CLUSTER_POSTERS', 64, 1));

interface Row extends PostWindowResult {
  setting: string;
  shape: Shape['name'];
  /** Server CPU µs per delivered event. */
  cpuPerDelivery: number;
  /** The servers' CPU with every socket open and nothing posted, in cores. */
  idleCores: number;
  /** The same less the idle rate: what the deliveries themselves cost. */
  netCpuPerDelivery: number;
}

const IDLE_SECONDS = envNumber('BENCH_SCALE_CLUSTER_IDLE_SECONDS', 5, 1);

/** The servers' CPU in cores over IDLE_SECONDS with nothing posted (after a second to settle). */
const idleServerCores = async (setup: StoreSetup) => {
  const cpu = () => setup.servers.reduce((sum, server) => sum + server.child.cpuMicros(), 0);
  await sleep(1_000);
  const before = cpu();
  const started = performance.now();
  await sleep(IDLE_SECONDS * 1_000);
  return (cpu() - before) / ((performance.now() - started) * 1_000);
};

const measure = async (setup: StoreSetup, fleet: Fleet, dir: string): Promise<Row[]> => {
  const [first] = setup.servers;
  const subscriberCount = Math.max(...SHAPES.map((shape) => shape.rooms * shape.subscribers));
  const client = createHttpClient(first!.url, { maxSockets: 16 });
  const handles = [
    ...Array.from({ length: subscriberCount }, (_, i) => `cs_${i}`),
    ...Array.from({ length: POSTERS }, (_, i) => `cp_${i}`),
  ];
  log(`cluster: ${setup.setting}: signing in ${handles.length.toLocaleString('en-US')} users`);
  const { cookies } = await signInAll(client, first!.origin, handles);
  const subscriberCookies = cookies.slice(0, subscriberCount);
  const posterCookies = cookies.slice(subscriberCount);
  const rows: Row[] = [];
  let window = 0;
  for (const shape of SHAPES) {
    const rooms: string[] = [];
    for (let i = 0; i < shape.rooms; i++) rooms.push(await createRoom(client, `${shape.name} ${i}`, posterCookies.at(-1 - i)!));
    await joinRooms(client, posterCookies, rooms);
    // Each room's sockets spread over the instances (on the fan-out shape, every instance delivers
    // every room's posts); on the throughput shape, a room's sockets are on one instance in turn.
    let opened = 0;
    for (let r = 0; r < shape.rooms; r++) {
      const parts = shape.name === 'fan-out' ? setup.servers.length : 1;
      for (let p = 0; p < parts; p++) {
        const server = setup.servers[(r + p) % setup.servers.length]!;
        opened += Math.round((shape.subscribers * (p + 1)) / parts) - Math.round((shape.subscribers * p) / parts);
        await fleet.connect({
          url: `${server.url.replace(/^http/, 'ws')}/graphql`,
          protocol: 'graphql-ws',
          target: opened,
          origin: server.origin,
          cookies: subscriberCookies,
          query: ROOM_EVENTS_DOCUMENT,
          variables: { roomId: rooms[r], after: null },
          concurrency: 32,
        });
      }
    }
    try {
      const idleCores = await idleServerCores(setup);
      for (let round = 0; round < ROUNDS; round++, window++) {
        const result = await measurePostWindow({
          urls: setup.servers.map((server) => server.url),
          dir,
          name: `${setup.servers.length}-${window}`,
          cookies: posterCookies,
          rooms,
          concurrency: shape.concurrency,
          warmupSeconds: WARMUP_SECONDS,
          seconds: SECONDS,
          fleet,
          serverCpuMicros: () => setup.servers.reduce((sum, server) => sum + server.child.cpuMicros(), 0),
          redisCpuMicros: () => redisTotalCpuMicros(setup),
        });
        if (result.errors > 0) log(`cluster: ${result.errors} failed posts, e.g. ${result.firstError}`);
        rows.push({
          setting: setup.setting,
          shape: shape.name,
          ...result,
          cpuPerDelivery: (result.serverCores * 1e6) / result.deliveriesPerSecond,
          idleCores,
          netCpuPerDelivery: ((result.serverCores - idleCores) * 1e6) / result.deliveriesPerSecond,
        });
        log(
          `cluster: ${setup.setting}, ${shape.name}: ${Math.round(result.postsPerSecond)} posts/s, ${Math.round(result.deliveriesPerSecond)} deliveries/s`,
        );
      }
    } finally {
      await fleet.shrink(0);
    }
  }
  client.close();
  return rows;
};

export default {
  target:
    'on the cluster (3 primaries): posts/s with three instances ≥ 2× one Redis with one instance; fan-out CPU per delivery within 1.2×',
  async run() {
    const cores = availableParallelism();
    const loadBefore = loadAverage();
    const dir = mkdtempSync(join(tmpdir(), 'balloons-cluster-'));
    const fleet = await startFleet('cluster-fleet');
    const results: Row[] = [];
    try {
      const env = { RATE_LIMITS: '0' };
      for (const start of [
        () => startOneRedis({ env }),
        () => startCluster({ instances: 1, env }),
        () => startCluster({ instances: 3, env }),
      ]) {
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
    const rowsOf = (shape: Shape['name']) =>
      settings.map((setting) => {
        const mine = results.filter((r) => r.setting === setting && r.shape === shape);
        return {
          setting,
          ...summarizeWindows(mine),
          cpuPerDelivery: median(mine.map((r) => r.cpuPerDelivery)),
          idleCores: median(mine.map((r) => r.idleCores)),
          netCpuPerDelivery: median(mine.map((r) => r.netCpuPerDelivery)),
        };
      });
    const rows = rowsOf('throughput');
    const fanoutRows = rowsOf('fan-out');
    const one = rows[0]!;
    const many = rows.at(-1)!;
    const loadAfter = loadAverage();
    const table = (shapeRows: typeof rows) =>
      formatTable(
        windowColumns(shapeRows[0]!, [
          { header: 'server µs/delivery', value: (r) => r.cpuPerDelivery, digits: 1 },
          { header: '× µs/delivery', value: (r) => r.cpuPerDelivery / shapeRows[0]!.cpuPerDelivery, digits: 2 },
          { header: 'idle server cores', value: (r) => r.idleCores, digits: 2 },
          { header: 'net µs/delivery', value: (r) => r.netCpuPerDelivery, digits: 1 },
          { header: '× net', value: (r) => r.netCpuPerDelivery / shapeRows[0]!.netCpuPerDelivery, digits: 2 },
        ]),
        shapeRows,
      );
    console.log(
      `throughput: ${ROOMS} rooms × ${SUBSCRIBERS} subscribers (fleet process), posts over HTTP from a poster process (${CONCURRENCY} in flight), ` +
        `${cores} cores shared by all; medians of ${ROUNDS} windows of ${SECONDS} s; load average ${loadBefore} before, ${loadAfter} after:\n`,
    );
    console.log(table(rows));
    console.log(
      `\nfan-out: ${FANOUT_ROOMS} rooms × ${FANOUT_SUBSCRIBERS} subscribers, each room's spread over the instances, ${FANOUT_CONCURRENCY} posts in flight:\n`,
    );
    console.log(table(fanoutRows));
    const postsRatio = many.postsPerSecond / one.postsPerSecond;
    const cpuRatio = many.cpuPerDelivery / one.cpuPerDelivery;
    const fanoutRatio = fanoutRows.at(-1)!.netCpuPerDelivery / fanoutRows[0]!.netCpuPerDelivery;
    const fanoutGross = fanoutRows.at(-1)!.cpuPerDelivery / fanoutRows[0]!.cpuPerDelivery;
    console.log(
      `\ngoal: cluster with 3 instances ≥ 2× the posts/s of one Redis with one instance: ${postsRatio.toFixed(2)}×: ${postsRatio >= 2 ? 'pass' : 'FAIL'}` +
        `\ngoal: server CPU per delivery within 1.2×, fan-out shape, net of the idle rate: ${fanoutRatio.toFixed(2)}×: ${fanoutRatio <= 1.2 ? 'pass' : 'FAIL'}` +
        ` (gross ${fanoutGross.toFixed(2)}×; throughput shape: ${cpuRatio.toFixed(2)}× gross)` +
        (cores <= 2 ? ` (${cores} cores for 6 Redis nodes, 3 instances and the clients together)` : ''),
    );
  },
};
