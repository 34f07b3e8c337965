/**
 * Part `rooms` of bench:scale: "Cost per post flat in the number of active rooms: server plus Redis
 * CPU per post at 10,000 active rooms within 1.3× of that at 10; the raw `ws` broadcast server at
 * the same shape as the floor."
 *
 * Shape, for each R in BENCH_SCALE_ROOMS (10,10000): R public rooms with 2 subscriptions each
 * (the UI's RoomEvents document over graphql-ws, BENCH_SCALE_SUBS_PER_SOCKET (20) subscriptions
 * per socket, one signed-in user per socket: a socket holds at most 25 subscriptions), and posts
 * spread round-robin over the R rooms, over HTTP (postMessage, as the UI does), in an open loop at
 * BENCH_SCALE_ROOMS_RATE posts/s (300) for BENCH_SCALE_ROOMS_SECONDS (8), at most 64 in flight.
 * Our server runs in Redis mode as a child process (as `npm start` runs it, RATE_LIMITS=0) on a
 * private redis-server; the floor is bench/baselines/rawWs.ts with `?rooms=`: each socket names
 * its 20 rooms and gets each post to them, serialised once, without protocol or storage.
 *
 * Before measuring, one post to every room warms each subscription up (every one must receive
 * it). Then two windows, CPU read from /proc (the server's process) and INFO (redis-server):
 * an idle one (one-second windows, at least BENCH_SCALE_ROOMS_IDLE_SECONDS (3), until the last
 * three agree: see settledIdleRate) with every subscription open and nothing posted
 * (presence heartbeats, lease sweeps, the tailer's periodic check: what R rooms cost with no
 * post), then the posting window, until the last delivery. CPU per post is the posting window's,
 * and, beside it, the same less the idle rate over the window ("net"), which the ratio uses: the
 * target is about what a post costs, and a room's standing cost is not a post's.
 * BENCH_SCALE_ROOMS_ROUNDS (3) rounds, the room counts in turn; medians are quoted.
 */
import { type ChildServer, processTreeCpuMicros, startChild } from '../childServer.js';
import { envNumber, log } from '../env.js';
import { createHttpClient, type HttpClient } from '../httpClient.js';
import { createLifecycle } from '../lifecycle.js';
import { redisCpuMicros } from '../metrics.js';
import { createRoom, repoRoot, signInAll, startOurServer } from '../servers.js';
import { formatTable } from '../table.js';
import { type GraphqlSocket, POST_MESSAGE, ROOM_EVENTS_DOCUMENT, openGraphqlSocket } from '../wsClient.js';
import WebSocket from 'ws';
import type { ScalePart } from '../scale.js';

const ROOM_COUNTS = (process.env.BENCH_SCALE_ROOMS || '10,10000').split(',').map(Number);
const SUBS_PER_SOCKET = envNumber('BENCH_SCALE_SUBS_PER_SOCKET', 20, 1);
const RATE = envNumber('BENCH_SCALE_ROOMS_RATE', 300, 1);
const SECONDS = envNumber('BENCH_SCALE_ROOMS_SECONDS', 8, 1);
const IDLE_SECONDS = envNumber('BENCH_SCALE_ROOMS_IDLE_SECONDS', 3, 1);
const ROUNDS = envNumber('BENCH_SCALE_ROOMS_ROUNDS', 3, 1);
const MAX_IN_FLIGHT = 64;

interface Row {
  server: string;
  rooms: number;
  subscriptions: number;
  posts: number;
  perSecond: number;
  serverUs: number;
  redisUs: number;
  idleUsPerSecond: number;
  netUs: number;
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
  pid: number;
  open(rooms: string[], deliveries: ReturnType<typeof createCounter>): Promise<{ close(): Promise<void> }>;
  post(roomId: string, body: string): Promise<void>;
  redisUs(): Promise<number>;
}

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
    const serverBefore = processTreeCpuMicros(target.pid);
    const redisBefore = await target.redisUs();
    const started = performance.now();
    await postOpenLoop(posts, (i) => target.post(active[i % active.length]!, `post ${i}`));
    await deliveries.until(before + posts * 2, 60_000);
    const elapsedMs = performance.now() - started;
    const serverUs = (processTreeCpuMicros(target.pid) - serverBefore) / posts;
    const redisUs = ((await target.redisUs()) - redisBefore) / posts;
    return {
      server: target.name,
      rooms: roomCount,
      subscriptions: roomCount * 2,
      posts,
      perSecond: (posts * 1_000) / elapsedMs,
      serverUs,
      redisUs,
      idleUsPerSecond: idleUsPerMs * 1_000,
      netUs: serverUs + redisUs - (idleUsPerMs * elapsedMs) / posts,
      ratio: null,
    };
  } finally {
    await opened.close();
  }
};

/**
 * What the target spends with nothing posted, µs of CPU (server + Redis) per ms: one-second windows
 * until the last three agree within 25 % (what the previous shape's closing set off, 20,000
 * departures announced and swept, has died down) or IDLE_SECONDS × 5 s passed; their median.
 */
const settledIdleRate = async (target: Target): Promise<number> => {
  const rates: number[] = [];
  const until = performance.now() + IDLE_SECONDS * 5_000;
  for (;;) {
    const server = processTreeCpuMicros(target.pid);
    const redis = await target.redisUs();
    const started = performance.now();
    await sleep(1_000);
    const elapsed = performance.now() - started;
    rates.push((processTreeCpuMicros(target.pid) - server + (await target.redisUs()) - redis) / elapsed);
    const last = rates.slice(-3).sort((a, b) => a - b);
    if (last.length === 3 && (last[2]! <= last[0]! * 1.25 || last[2]! - last[0]! < 5) && rates.length >= IDLE_SECONDS) return last[1]!;
    if (performance.now() > until) return last[Math.floor(last.length / 2)]!;
  }
};

/** Splits `count` subscriptions' rooms (each room twice) into sockets of SUBS_PER_SOCKET. */
const toSocketRooms = (rooms: string[]): string[][] => {
  const subscriptions = rooms.flatMap((room) => [room, room]);
  const sockets: string[][] = [];
  for (let i = 0; i < subscriptions.length; i += SUBS_PER_SOCKET) sockets.push(subscriptions.slice(i, i + SUBS_PER_SOCKET));
  return sockets;
};

const ours = async (bench: ReturnType<typeof createLifecycle>, maxRooms: number): Promise<{ target: Target; rooms: string[] }> => {
  const { redis, admin } = await bench.startRedis();
  const server = await startOurServer({ redisUrl: redis.url, env: { RATE_LIMITS: '0' } });
  const http: HttpClient = createHttpClient(server.url, { maxSockets: MAX_IN_FLIGHT });
  bench.clients.add(http);
  const socketCount = Math.ceil((maxRooms * 2) / SUBS_PER_SOCKET);
  const handles = ['scale_poster', ...Array.from({ length: socketCount }, (_, i) => `scale_sub${i}`)];
  log(`rooms: signing ${handles.length} people in`);
  const { cookies } = await signInAll(http, server.origin, handles);
  const poster = cookies[0]!;
  log(`rooms: creating ${maxRooms} rooms`);
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
      name: 'ours',
      pid: server.child.process.pid!,
      redisUs: () => redisCpuMicros(admin),
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
    pid: child.process.pid!,
    redisUs: async () => 0,
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

const part: ScalePart = {
  target: 'server + Redis CPU per post at 10,000 active rooms within 1.3× of 10 (2 subscribers each)',
  async run() {
    const bench = createLifecycle({ stopping: 'our server, raw ws and redis-server', signalGraceMs: 8_000 });
    const maxRooms = Math.max(...ROOM_COUNTS);
    const { target: ourTarget, rooms } = await ours(bench, maxRooms);
    const rawTarget = await raw(bench);
    const rawRooms = Array.from({ length: maxRooms }, (_, i) => `r${i}`);
    // Rounds, the room counts in turn (reversed every other round): the ratio uses medians.
    const rounds: Row[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const counts = round % 2 === 0 ? ROOM_COUNTS : [...ROOM_COUNTS].reverse();
      for (const roomCount of counts) rounds.push(await measure(ourTarget, rooms, roomCount));
      for (const roomCount of counts) rounds.push(await measure(rawTarget, rawRooms, roomCount));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const rows: Row[] = [];
    for (const server of [ourTarget.name, rawTarget.name]) {
      for (const roomCount of ROOM_COUNTS) {
        const mine = rounds.filter((row) => row.server === server && row.rooms === roomCount);
        rows.push({
          ...mine[0]!,
          perSecond: median(mine.map((row) => row.perSecond)),
          serverUs: median(mine.map((row) => row.serverUs)),
          redisUs: median(mine.map((row) => row.redisUs)),
          idleUsPerSecond: median(mine.map((row) => row.idleUsPerSecond)),
          netUs: median(mine.map((row) => row.netUs)),
        });
      }
    }
    for (const row of rows) {
      const base = rows.find((other) => other.server === row.server && other.rooms === Math.min(...ROOM_COUNTS))!;
      row.ratio = row.netUs / base.netUs;
    }
    log(`rooms: every round's net µs/post: ${rounds.map((row) => `${row.server}@${row.rooms}=${Math.round(row.netUs)}`).join(' ')}`);
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
          { header: 'idle µs/s', value: (r) => r.idleUsPerSecond },
          { header: 'net µs/post', value: (r) => r.netUs },
          { header: 'ratio to fewest rooms', value: (r) => r.ratio, digits: 2 },
        ],
        rows,
      ),
    );
    console.log(
      `\nmedians of ${ROUNDS} rounds; net = (server + Redis CPU in the posting window − the idle rate × its length) / posts; target: ours ≤ 1.30`,
    );
    await bench.cleanup();
  },
};

export default part;
