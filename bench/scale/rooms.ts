/**
 * Part `rooms` of bench:scale: "Cost per post flat in the number of active rooms: server plus Redis
 * CPU per post at 10,000 active rooms within 1.3× of that at 10 (on one Redis and on the
 * cluster); the raw `ws` broadcast server at the same shape as the floor."
 *
 * Shape, for each R in BENCH_SCALE_ROOMS (10,10000): R public rooms with 2 subscriptions each
 * (the UI's RoomEvents document over graphql-ws, BENCH_SCALE_SUBS_PER_SOCKET (20) subscriptions
 * per socket, one signed-in user per socket: a socket holds at most 25 subscriptions), and posts
 * spread round-robin over the R rooms, over HTTP (postMessage, as the UI does), in an open loop at
 * BENCH_SCALE_ROOMS_RATE posts/s (300) for BENCH_SCALE_ROOMS_SECONDS (8), at most 64 in flight.
 * Our server runs in Redis mode as a child process (as `npm start` runs it, RATE_LIMITS=0), one
 * instance on each store of BENCH_SCALE_ROOMS_STORES (redis,cluster; see _stores.ts): `redis`, a
 * private redis-server (no AOF); `cluster`, a Redis Cluster of 3 primaries + 3 replicas (AOF on,
 * writes waiting for a replica), whose Redis CPU is the sum over all six nodes. The floor is
 * bench/baselines/rawWs.ts with `?rooms=`: each socket names its 20 rooms and gets each post to
 * them, serialised once, without protocol or storage.
 *
 * Before measuring, one post to every room warms each subscription up (every one must receive
 * it). Then two windows, CPU read from /proc (the server's process) and INFO (each redis-server):
 * an idle one with every subscription open and nothing posted (presence heartbeats, lease
 * sweeps, the tailer's periodic check, on the cluster the inbox's lost-note sweep: what R rooms
 * cost with no post): one-second windows, at least BENCH_SCALE_ROOMS_IDLE_SECONDS (3), until the
 * last three agree, then one of BENCH_SCALE_ROOMS_IDLE_WINDOW seconds (10) whose rate is used, long
 * enough to hold that work's bursts as the posting window does (see settledIdleRate); then the
 * posting window, until the last delivery. CPU per post is the posting window's,
 * and, beside it, the same less the idle rate over the window ("net"), which the ratio uses: the
 * target is about what a post costs, and a room's standing cost is not a post's ("idle share" says
 * how much of the window the idle rate accounts for: near 100 %, the net figure is a small
 * difference of two large ones). A second table splits the net figure and the idle rate by process
 * (the server, each Redis node), to show which one grows with R.
 * BENCH_SCALE_ROOMS_ROUNDS (3) rounds, the room counts in turn; medians are quoted.
 */
import { type ChildServer, processTreeCpuMicros, startChild } from '../childServer.js';
import { envNumber, log } from '../env.js';
import { createHttpClient, type HttpClient } from '../httpClient.js';
import { createLifecycle } from '../lifecycle.js';
import { createRoom, repoRoot, signInAll } from '../servers.js';
import { formatTable } from '../table.js';
import { type GraphqlSocket, POST_MESSAGE, ROOM_EVENTS_DOCUMENT, openGraphqlSocket } from '../wsClient.js';
import WebSocket from 'ws';
import type { ScalePart } from '../scale.js';
import { median } from '../seed.js';
import { type StoreSetup, redisNodesCpuMicros, startCluster, startOneRedis } from './_stores.js';

const ROOM_COUNTS = (process.env.BENCH_SCALE_ROOMS || '10,10000').split(',').map(Number);
const SUBS_PER_SOCKET = envNumber('BENCH_SCALE_SUBS_PER_SOCKET', 20, 1);
const RATE = envNumber('BENCH_SCALE_ROOMS_RATE', 300, 1);
const SECONDS = envNumber('BENCH_SCALE_ROOMS_SECONDS', 8, 1);
const IDLE_SECONDS = envNumber('BENCH_SCALE_ROOMS_IDLE_SECONDS', 3, 1);
const IDLE_WINDOW_SECONDS = envNumber('BENCH_SCALE_ROOMS_IDLE_WINDOW', 10, 1);
const ROUNDS = envNumber('BENCH_SCALE_ROOMS_ROUNDS', 3, 1);
const STORES = (process.env.BENCH_SCALE_ROOMS_STORES || 'redis,cluster')
  .split(',')
  .map((store) => store.trim())
  .filter(Boolean);
for (const store of STORES)
  if (store !== 'redis' && store !== 'cluster')
    throw new Error(`BENCH_SCALE_ROOMS_STORES: unknown store ${store}; choose from redis, cluster`);
const MAX_IN_FLIGHT = 64;
const GOAL = 1.3;

interface Row {
  server: string;
  /** Whether the goal applies (ours, not the floor). */
  goal: boolean;
  rooms: number;
  subscriptions: number;
  posts: number;
  perSecond: number;
  serverUs: number;
  redisUs: number;
  idleUsPerSecond: number;
  netUs: number;
  /** Net µs per post of each process: the server, then each Redis process (Target.redisNames). */
  processNetUs: number[];
  /** Idle µs of CPU per second of each process, in the same order. */
  processIdleUsPerSecond: number[];
  ratio: number | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts deliveries; `until(n)` resolves once n have come. `warm` holds each room's subscriptions that received a post. */
const createCounter = () => {
  let count = 0;
  let waiter: { target: number; resolve: () => void } | null = null;
  const warm = new Map<string, Set<string>>();
  return {
    warm,
    get count() {
      return count;
    },
    add(roomId?: string, subscription?: string) {
      count++;
      if (roomId !== undefined && subscription !== undefined) {
        let subscriptions = warm.get(roomId);
        if (!subscriptions) warm.set(roomId, (subscriptions = new Set()));
        subscriptions.add(subscription);
      }
      if (waiter && count >= waiter.target) {
        waiter.resolve();
        waiter = null;
      }
    },
    until(target: number, timeoutMs: number) {
      if (count >= target) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`deliveries: ${count} of ${target} after ${timeoutMs} ms`)), timeoutMs);
        waiter = {
          target,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
  };
};

/** Posts `total` times, round-robin over the rooms, at RATE per second, at most MAX_IN_FLIGHT at once. */
const postOpenLoop = async (total: number, post: (i: number) => Promise<void>) => {
  const started = performance.now();
  let sent = 0;
  let inFlight = 0;
  let failures = 0;
  const all: Promise<void>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * RATE) + 1);
    while (sent < due && inFlight < MAX_IN_FLIGHT) {
      inFlight++;
      all.push(
        post(sent++)
          .catch(() => void failures++)
          .finally(() => void inFlight--),
      );
    }
    await sleep(2);
  }
  await Promise.all(all);
  if (failures > 0) throw new Error(`${failures} posts failed`);
};

interface Target {
  name: string;
  goal: boolean;
  pid: number;
  /** What each figure of `redisUs` is, e.g. "primary 40123" (none for the floor). */
  redisNames: string[];
  open(rooms: string[], deliveries: ReturnType<typeof createCounter>): Promise<{ close(): Promise<void> }>;
  post(roomId: string, body: string): Promise<void>;
  /** CPU µs so far of each Redis process the target uses. */
  redisUs(): Promise<number[]>;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** CPU µs so far of each process of the target: the server's process tree, then each Redis process. */
const sampleCpu = async (target: Target): Promise<number[]> => [processTreeCpuMicros(target.pid), ...(await target.redisUs())];

const measure = async (target: Target, rooms: string[], roomCount: number): Promise<Row> => {
  const active = rooms.slice(0, roomCount);
  const deliveries = createCounter();
  log(`rooms: ${target.name}, ${roomCount} rooms, ${roomCount * 2} subscriptions`);
  const opened = await target.open(active, deliveries);
  try {
    // Warm-up: a subscription is live once a post reached it (subscribing answers nothing before
    // that): post to the rooms whose two subscriptions did not both receive one, until all did.
    const warmUntil = performance.now() + 120_000;
    for (;;) {
      const cold = active.filter((roomId) => (deliveries.warm.get(roomId)?.size ?? 0) < 2);
      if (cold.length === 0) break;
      if (performance.now() > warmUntil) throw new Error(`rooms: ${cold.length} rooms' subscriptions never received a post`);
      await postOpenLoop(cold.length, (i) => target.post(cold[i]!, `warm ${i}`));
      await sleep(500);
    }

    const idleUsPerMs = await settledIdleRate(target);

    const posts = RATE * SECONDS;
    const before = deliveries.count;
    const cpuBefore = await sampleCpu(target);
    const started = performance.now();
    await postOpenLoop(posts, (i) => target.post(active[i % active.length]!, `post ${i}`));
    await deliveries.until(before + posts * 2, 60_000);
    const elapsedMs = performance.now() - started;
    const cpuAfter = await sampleCpu(target);
    const grossUs = cpuAfter.map((after, i) => (after - cpuBefore[i]!) / posts);
    const processNetUs = grossUs.map((us, i) => us - (idleUsPerMs[i]! * elapsedMs) / posts);
    const row: Row = {
      server: target.name,
      goal: target.goal,
      rooms: roomCount,
      subscriptions: roomCount * 2,
      posts,
      perSecond: (posts * 1_000) / elapsedMs,
      serverUs: grossUs[0]!,
      redisUs: sum(grossUs.slice(1)),
      idleUsPerSecond: sum(idleUsPerMs) * 1_000,
      netUs: sum(processNetUs),
      processNetUs,
      processIdleUsPerSecond: idleUsPerMs.map((us) => us * 1_000),
      ratio: null,
    };
    if (target.redisNames.length > 0) {
      log(
        `rooms: ${target.name}, ${roomCount} rooms: net µs/post (idle µs/s) by process: ` +
          ['server', ...target.redisNames]
            .map((name, i) => `${name} ${Math.round(processNetUs[i]!)} (${Math.round(idleUsPerMs[i]! * 1_000)})`)
            .join(', '),
      );
    }
    return row;
  } finally {
    await opened.close();
  }
};

/**
 * What the target spends with nothing posted, µs of CPU per ms, per process (the server, then each
 * Redis process). First one-second windows until the last three agree within 25 % in total (what
 * the previous shape's closing set off, 20,000 departures announced and swept, has died down) or
 * IDLE_SECONDS × 5 s passed; then the rate over one window of IDLE_WINDOW_SECONDS. The standing
 * work comes in bursts (every lease renewed each heartbeat, 5 s; on the cluster, every room's log
 * end read by the inbox's sweep each 10 s): a one-second window holds one or none, and with its
 * rate subtracted, the cluster's net figure at 10,000 rooms swung by more than a post's whole cost
 * from round to round.
 */
const settledIdleRate = async (target: Target): Promise<number[]> => {
  const windowRates = async (ms: number) => {
    const before = await sampleCpu(target);
    const started = performance.now();
    await sleep(ms);
    const after = await sampleCpu(target);
    const elapsed = performance.now() - started;
    return after.map((micros, i) => (micros - before[i]!) / elapsed);
  };
  const windows: number[][] = [];
  const until = performance.now() + IDLE_SECONDS * 5_000;
  for (;;) {
    windows.push(await windowRates(1_000));
    const last = windows.slice(-3).sort((a, b) => sum(a) - sum(b));
    const [low, high] = [sum(last[0]!), sum(last.at(-1)!)];
    if (last.length === 3 && (high <= low * 1.25 || high - low < 5) && windows.length >= IDLE_SECONDS) break;
    if (performance.now() > until) break;
  }
  return windowRates(IDLE_WINDOW_SECONDS * 1_000);
};

/** Splits `count` subscriptions' rooms (each room twice) into sockets of SUBS_PER_SOCKET. */
const toSocketRooms = (rooms: string[]): string[][] => {
  const subscriptions = rooms.flatMap((room) => [room, room]);
  const sockets: string[][] = [];
  for (let i = 0; i < subscriptions.length; i += SUBS_PER_SOCKET) sockets.push(subscriptions.slice(i, i + SUBS_PER_SOCKET));
  return sockets;
};

/** Our server on `setup`'s store: its people signed in, `maxRooms` rooms created. */
const ours = async (
  bench: ReturnType<typeof createLifecycle>,
  setup: StoreSetup,
  maxRooms: number,
): Promise<{ target: Target; rooms: string[] }> => {
  const server = setup.servers[0]!;
  const http: HttpClient = createHttpClient(server.url, { maxSockets: MAX_IN_FLIGHT });
  bench.clients.add(http);
  const socketCount = Math.ceil((maxRooms * 2) / SUBS_PER_SOCKET);
  const handles = ['scale_poster', ...Array.from({ length: socketCount }, (_, i) => `scale_sub${i}`)];
  log(`rooms: ${setup.store}: signing ${handles.length} people in`);
  const { cookies } = await signInAll(http, server.origin, handles);
  const poster = cookies[0]!;
  log(`rooms: ${setup.store}: creating ${maxRooms} rooms`);
  const rooms = new Array<string>(maxRooms);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < maxRooms) {
        const i = next++;
        rooms[i] = await createRoom(http, `scale room ${i}`, poster);
      }
    }),
  );
  const wsUrl = `${server.url.replace(/^http/, 'ws')}/graphql`;
  return {
    rooms,
    target: {
      name: `ours, ${setup.store}`,
      goal: true,
      pid: server.child.process.pid!,
      redisNames: setup.redisNames,
      redisUs: () => redisNodesCpuMicros(setup),
      post: async (roomId, body) => {
        await http.graphql(POST_MESSAGE, { roomId, body }, poster);
      },
      open: async (active, deliveries) => {
        const plan = toSocketRooms(active);
        const sockets: GraphqlSocket[] = [];
        for (let i = 0; i < plan.length; i += 32) {
          const opened = await Promise.all(
            plan.slice(i, i + 32).map(async (socketRooms, j) => {
              const socket = await openGraphqlSocket(wsUrl, { origin: server.origin, cookie: cookies[1 + i + j] });
              for (const [k, roomId] of socketRooms.entries()) {
                socket.subscribe(`s${k}`, ROOM_EVENTS_DOCUMENT, { roomId }, (frame) => {
                  if (frame.includes('"MessagePosted"')) deliveries.add(roomId, `${i + j}/${k}`);
                  else if (!frame.includes('"next"')) log(`rooms: subscription ended: ${frame.toString().slice(0, 200)}`);
                });
              }
              return socket;
            }),
          );
          sockets.push(...opened);
        }
        return { close: async () => void (await Promise.all(sockets.map((socket) => socket.close()))) };
      },
    },
  };
};

const raw = async (bench: ReturnType<typeof createLifecycle>): Promise<Target> => {
  const child: ChildServer = await startChild({
    name: 'raw-ws',
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/baselines/rawWs.ts'],
    cwd: repoRoot,
    env: { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' },
    readyPattern: /listening on (\S+)/,
  });
  const http = createHttpClient(child.ready, { maxSockets: MAX_IN_FLIGHT });
  bench.clients.add(http);
  const wsUrl = child.ready.replace(/^http/, 'ws');
  return {
    name: 'raw ws (floor)',
    goal: false,
    pid: child.process.pid!,
    redisNames: [],
    redisUs: async () => [],
    post: async (roomId, body) => {
      const response = await http.post('/post', JSON.stringify({ roomId, body }));
      if (response.status !== 200) throw new Error(`raw post: ${response.status}`);
    },
    open: async (active, deliveries) => {
      const sockets: WebSocket[] = [];
      for (const socketRooms of toSocketRooms(active)) {
        const ws = new WebSocket(`${wsUrl}/?rooms=${socketRooms.join(',')}`, { perMessageDeflate: false });
        ws.on('message', () => deliveries.add());
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        sockets.push(ws);
      }
      // A raw socket is in its rooms once open: nothing to warm up.
      for (const roomId of active) deliveries.warm.set(roomId, new Set(['a', 'b']));
      return {
        close: async () => {
          for (const ws of sockets) ws.terminate();
        },
      };
    },
  };
};

const measureAll = async (bench: ReturnType<typeof createLifecycle>) => {
  const maxRooms = Math.max(...ROOM_COUNTS);
  const fewest = Math.min(...ROOM_COUNTS);
  const ourTargets: { target: Target; rooms: string[]; redisNames: string[] }[] = [];
  for (const store of STORES) {
    const setup =
      store === 'redis'
        ? await startOneRedis({ appendonly: false, env: { RATE_LIMITS: '0' } })
        : await startCluster({ env: { RATE_LIMITS: '0' } });
    bench.onCleanup(() => setup.dispose());
    const { target, rooms } = await ours(bench, setup, maxRooms);
    ourTargets.push({ target, rooms, redisNames: setup.redisNames });
  }
  const rawTarget = await raw(bench);
  const rawRooms = Array.from({ length: maxRooms }, (_, i) => `r${i}`);
  const targets = [...ourTargets, { target: rawTarget, rooms: rawRooms, redisNames: [] }];
  // Rounds, the room counts in turn (reversed every other round): the ratio uses medians.
  const rounds: Row[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const counts = round % 2 === 0 ? ROOM_COUNTS : [...ROOM_COUNTS].reverse();
    for (const { target, rooms } of targets) for (const roomCount of counts) rounds.push(await measure(target, rooms, roomCount));
  }
  const rows: Row[] = [];
  for (const { target } of targets) {
    for (const roomCount of ROOM_COUNTS) {
      const mine = rounds.filter((row) => row.server === target.name && row.rooms === roomCount);
      rows.push({
        ...mine[0]!,
        perSecond: median(mine.map((row) => row.perSecond)),
        serverUs: median(mine.map((row) => row.serverUs)),
        redisUs: median(mine.map((row) => row.redisUs)),
        idleUsPerSecond: median(mine.map((row) => row.idleUsPerSecond)),
        netUs: median(mine.map((row) => row.netUs)),
        processNetUs: mine[0]!.processNetUs.map((_, i) => median(mine.map((row) => row.processNetUs[i]!))),
        processIdleUsPerSecond: mine[0]!.processIdleUsPerSecond.map((_, i) => median(mine.map((row) => row.processIdleUsPerSecond[i]!))),
      });
    }
  }
  for (const row of rows) {
    const base = rows.find((other) => other.server === row.server && other.rooms === fewest)!;
    row.ratio = row.netUs / base.netUs;
  }
  log(`rooms: every round's net µs/post: ${rounds.map((row) => `${row.server}@${row.rooms}=${Math.round(row.netUs)}`).join(' ')}`);
  const verdict = (row: Row) => (row.ratio! <= GOAL ? 'pass' : 'FAIL');
  console.log(
    formatTable(
      [
        { header: 'server', value: (r: Row) => r.server },
        { header: 'rooms', value: (r) => r.rooms },
        { header: 'subscriptions', value: (r) => r.subscriptions },
        { header: 'posts', value: (r) => r.posts },
        { header: 'posts/s', value: (r) => r.perSecond },
        { header: 'server µs/post', value: (r) => r.serverUs },
        { header: 'redis µs/post', value: (r) => r.redisUs },
        { header: 'server + redis µs/post', value: (r) => r.serverUs + r.redisUs },
        { header: 'idle µs/s', value: (r) => r.idleUsPerSecond },
        // How much of the window's CPU the idle rate accounts for: near 100 %, the net figure is a small difference of two large ones.
        { header: 'idle share %', value: (r) => (100 * (r.serverUs + r.redisUs - r.netUs)) / (r.serverUs + r.redisUs) },
        { header: 'net µs/post', value: (r) => r.netUs },
        { header: 'ratio to fewest rooms', value: (r) => r.ratio, digits: 2 },
        { header: `goal ≤ ${GOAL.toFixed(1)}`, value: (r) => (r.goal && r.rooms !== fewest ? verdict(r) : '') },
      ],
      rows,
    ),
  );
  console.log(
    `\nmedians of ${ROUNDS} rounds; net = (server + Redis CPU in the posting window − the idle rate × its length) / posts; ` +
      'Redis CPU on the cluster: all six nodes',
  );
  for (const row of rows.filter((r) => r.goal && r.rooms !== fewest)) {
    console.log(
      `goal (${row.server}): net CPU per post at ${row.rooms.toLocaleString('en-US')} rooms ≤ ${GOAL}× that at ${fewest}: ${row.ratio!.toFixed(2)}×: ${verdict(row)}`,
    );
  }
  // Which process grows with R: each one's net µs per post and idle µs/s (medians), by room count.
  const processRows = ourTargets.flatMap(({ target, redisNames }) =>
    ['server', ...redisNames].map((process, i) => {
      const at = (rooms: number) => rows.find((r) => r.server === target.name && r.rooms === rooms)!;
      return {
        server: target.name,
        process,
        net: (rooms: number) => at(rooms).processNetUs[i]!,
        idle: (rooms: number) => at(rooms).processIdleUsPerSecond[i]!,
      };
    }),
  );
  console.log(
    `\n${formatTable(
      [
        { header: 'server', value: (r: (typeof processRows)[number]) => r.server },
        { header: 'process', value: (r) => r.process },
        ...ROOM_COUNTS.map((rooms) => ({
          header: `net µs/post, ${rooms.toLocaleString('en-US')} rooms`,
          value: (r: (typeof processRows)[number]) => r.net(rooms),
        })),
        ...ROOM_COUNTS.map((rooms) => ({
          header: `idle µs/s, ${rooms.toLocaleString('en-US')} rooms`,
          value: (r: (typeof processRows)[number]) => r.idle(rooms),
        })),
      ],
      processRows,
    )}`,
  );
};

const part: ScalePart = {
  target: 'server + Redis CPU per post at 10,000 active rooms within 1.3× of 10 (2 subscribers each), on one Redis and on the cluster',
  async run() {
    const bench = createLifecycle({ stopping: 'our servers, raw ws and the redis-servers', signalGraceMs: 15_000 });
    try {
      await measureAll(bench);
    } finally {
      await bench.cleanup();
    }
  },
};

export default part;
