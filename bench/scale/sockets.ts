/**
 * bench:scale part `sockets`: server memory per idle subscribed socket, against a raw `ws` server
 * at the same N, and BENCH_SCALE_SOCKETS (50,000) concurrent subscribed sockets on one instance,
 * with a post's delivery to all of them.
 *
 * 1. Memory: our server (Redis mode, as `npm start` runs it) with N (BENCH_SCALE_MEMORY_N, 2,000)
 *    signed-in sockets, each subscribed to one room (the UI's RoomEvents) and idle, against the raw
 *    `ws` broadcast server (bench/baselines/rawWs.ts) with N idle sockets: memory with N minus
 *    memory with none, over N, each after forced full GCs once RSS settled (`collectGarbageSettled`).
 * 2. Many sockets: the clients in child processes (bench/subscriberFleet.ts), each connecting from
 *    its own loopback source address (127.0.0.2, 127.0.0.3, …: ephemeral ports are per source
 *    address). The file limit here is 20,000 per process, soft and hard alike, and it cannot be
 *    raised without CAP_SYS_RESOURCE: so the instance runs WORKERS = ⌈N / 18,000⌉ processes on its one
 *    port (one per 18,000 sockets), and the fleets hold at most 12,500 each. Every subscription
 *    starts `after` a message posted before, so each socket's first delivery says its subscription
 *    is live; then one post, timed to its delivery at the last socket.
 *
 * Presence: each user enters the room once first, a few at a time, on a setup instance that then
 * stops (PRESENCE_GRACE_MS = 1 h keeps them in), as bench:fanout does, so that the measured
 * sockets announce nobody; 8 sockets per user (at most 10 are allowed).
 *
 * Env: BENCH_SCALE_MEMORY_N (2000; 0 skips the memory figures), BENCH_SCALE_SOCKETS (50000; 0 skips the run).
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { toRoomStreamKey } from '../../backend/src/chat/keys.js';
import { startTestRedis } from '../../backend/src/testing/redisServer.js';
import { stopAllChildren } from '../childServer.js';
import { envNumber, log } from '../env.js';
import { type Fleet, startFleet } from '../fleet.js';
import { createHttpClient } from '../httpClient.js';
import {
  type OurServer,
  type SettledMemorySample,
  collectGarbageSettled,
  createRoom,
  signInAll,
  startFanoutBaseline,
  startOurServer,
  steadyRssKiB,
} from '../servers.js';
import { formatTable } from '../table.js';
import { POST_MESSAGE, ROOM_EVENTS_DOCUMENT } from '../wsClient.js';

const MEMORY_N = Math.round(envNumber('BENCH_SCALE_MEMORY_N', 2_000, 0));
const SOCKETS = Math.round(envNumber('BENCH_SCALE_SOCKETS', 50_000, 0));
const SOCKETS_PER_SERVER_PROCESS = 18_000;
const SOCKETS_PER_FLEET = 12_500;
const SOCKETS_PER_USER = 8;
const PRESENCE = { PRESENCE_GRACE_MS: '3600000' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const toWs = (url: string) => `${url.replace(/^http/, 'ws')}/graphql`;
const kib = (value: number) => Math.round(value).toLocaleString('en-US');

/** RSS of a process and its descendants (the workers of a WORKERS > 1 instance), KiB. */
const treeRssKiB = (root: number): number => {
  let total = 0;
  const frontier = [root];
  while (frontier.length > 0) {
    const pid = frontier.pop()!;
    try {
      total += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/))
        if (task) frontier.push(Number(task));
    } catch {
      // gone meanwhile
    }
  }
  return total;
};

/** Polls `fleets` until every socket has had `perSocket` deliveries; false on timeout. */
const waitDelivered = async (fleets: Fleet[], sockets: number, timeoutMs: number): Promise<boolean> => {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const stats = await Promise.all(fleets.map((fleet) => fleet.stats()));
    if (stats.reduce((sum, s) => sum + s.socketsWithAny, 0) >= sockets) return true;
    await sleep(100);
  }
  return false;
};

interface Setup {
  cookies: string[];
  roomId: string;
  /** Where subscriptions start: just before the room's first message, whose delivery says a subscription is live. */
  after: string;
  post: (server: OurServer, body: string) => Promise<void>;
}

/**
 * Signs `users` in, creates a room with a first message, and lets every user enter its presence on
 * a setup instance (stopped after), so that the measured instance's sockets announce nobody.
 */
const prepare = async (redisUrl: string, users: number, prefix: string): Promise<Setup> => {
  // Each pre-joining socket waits for its first presence frame: one frame per join gives it at once
  // (coalesced, a steady stream of joins waits for windows of up to 8 s).
  const setup = await startOurServer({ redisUrl, env: { ...PRESENCE, PRESENCE_COALESCE_MS: '0' } });
  const client = createHttpClient(setup.url, { maxSockets: 16 });
  const poster = `${prefix}_poster`;
  try {
    const handles = [poster, ...Array.from({ length: users }, (_, i) => `${prefix}_${i}`)];
    log(`sockets: signing in ${handles.length.toLocaleString('en-US')} users`);
    const { cookies } = await signInAll(client, setup.origin, handles);
    const posterCookie = cookies.shift()!;
    const roomId = await createRoom(client, `${prefix} room`, posterCookie);
    // Before the first message: every subscription starts with it, which tells that it is live.
    const cursor = await latestCursor(redisUrl, roomId);
    await client.graphql(POST_MESSAGE, { roomId, body: 'first', clientId: `${prefix}-first` }, posterCookie);
    log(`sockets: ${users.toLocaleString('en-US')} users enter the room's presence, 16 at a time`);
    const fleet = await startFleet('sockets-prejoin');
    try {
      await fleet.connect({
        url: toWs(setup.url),
        protocol: 'graphql-ws',
        target: users,
        origin: setup.origin,
        cookies,
        query: ROOM_EVENTS_DOCUMENT,
        variables: { roomId, after: null },
        preJoin: true,
        preJoinConcurrency: 16,
      });
    } finally {
      await fleet.stop();
    }
    let seq = 0;
    return {
      cookies,
      roomId,
      after: cursor,
      post: async (server, body) => {
        const http = createHttpClient(server.url, { maxSockets: 1 });
        try {
          await http.graphql(POST_MESSAGE, { roomId, body, clientId: `${prefix}-${seq++}` }, posterCookie);
        } finally {
          http.close();
        }
      },
    };
  } finally {
    client.close();
    await setup.child.stop(15_000);
  }
};

/** The cursor of the room's newest event, read from its stream (the subscriptions start after it). */
const latestCursor = async (redisUrl: string, roomId: string): Promise<string> => {
  const redis = new Redis(redisUrl, { protocol: 2 });
  try {
    const [entry] = await redis.xrevrange(toRoomStreamKey(roomId), '+', '-', 'COUNT', 1);
    if (!entry) throw new Error(`sockets: room ${roomId} has no events`);
    return entry[0];
  } finally {
    redis.disconnect();
  }
};

interface MemoryRow {
  server: string;
  n: number;
  base: SettledMemorySample;
  at: SettledMemorySample;
}

const memoryPart = async (redisUrl: string): Promise<MemoryRow[]> => {
  const n = MEMORY_N;
  const setup = await prepare(redisUrl, Math.ceil(n / SOCKETS_PER_USER), 'mem');
  const cookies = Array.from({ length: n }, (_, i) => setup.cookies[i % setup.cookies.length]!);
  const ours = await startOurServer({ redisUrl, gcOnSignal: true, env: PRESENCE });
  const raw = await startFanoutBaseline('rawWs');
  const [oursFleet, rawFleet] = await Promise.all([startFleet('sockets-ours'), startFleet('sockets-raw')]);
  try {
    const grow = (target: number) =>
      Promise.all([
        oursFleet.connect({
          url: toWs(ours.url),
          protocol: 'graphql-ws',
          target,
          origin: ours.origin,
          cookies,
          query: ROOM_EVENTS_DOCUMENT,
          variables: { roomId: setup.roomId, after: setup.after },
        }),
        rawFleet.connect({ url: `${raw.ready.replace(/^http/, 'ws')}/`, protocol: 'raw', target }),
      ]);
    // Warm-up: code paths compiled and lazy modules loaded before the baseline sample.
    await setup.post(ours, 'warm-up');
    await grow(20);
    if (!(await waitDelivered([oursFleet], 20, 30_000))) throw new Error('sockets: warm-up subscriptions did not deliver');
    await Promise.all([oursFleet.shrink(0), rawFleet.shrink(0)]);
    await Promise.all([oursFleet.reset(), rawFleet.reset()]);
    log('sockets: memory with no sockets');
    const [oursBase, rawBase] = await Promise.all([collectGarbageSettled(ours.child), collectGarbageSettled(raw)]);
    log(`sockets: ${n.toLocaleString('en-US')} idle subscribed sockets on each server`);
    await grow(n);
    if (!(await waitDelivered([oursFleet], n, 120_000))) throw new Error(`sockets: not all ${n} subscriptions delivered`);
    const [oursAt, rawAt] = await Promise.all([collectGarbageSettled(ours.child), collectGarbageSettled(raw)]);
    const errors = (await oursFleet.stats()).errors;
    if (errors > 0)
      throw new Error(`sockets: ${errors} errors on our server's sockets: ${(await oursFleet.stats()).errorSamples.join('; ')}`);
    return [
      { server: 'ours (balloons)', n, base: oursBase, at: oursAt },
      { server: 'raw ws', n, base: rawBase, at: rawAt },
    ];
  } finally {
    await Promise.all([oursFleet.stop(), rawFleet.stop()]);
    await Promise.all([ours.child.stop(15_000), raw.stop()]);
  }
};

interface ManyResult {
  sockets: number;
  workers: number;
  fleets: number;
  open: number;
  connectSeconds: number;
  rssBaseKiB: number;
  rssKiB: number;
  lastDeliveryMs: number;
  medianDeliveryMs: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  retries: number;
  retrySamples: string[];
}

const manyPart = async (redisUrl: string): Promise<ManyResult> => {
  const n = SOCKETS;
  const workers = Math.ceil(n / SOCKETS_PER_SERVER_PROCESS);
  const fleetCount = Math.ceil(n / SOCKETS_PER_FLEET);
  const setup = await prepare(redisUrl, Math.ceil(n / SOCKETS_PER_USER), 'many');
  log(`sockets: our server with WORKERS=${workers} (the file limit is 20,000 per process)`);
  const server = await startOurServer({ redisUrl, env: { ...PRESENCE, WORKERS: String(workers) } });
  const fleets = await Promise.all(Array.from({ length: fleetCount }, (_, i) => startFleet(`sockets-fleet-${i}`)));
  try {
    // Every worker listening before the baseline: the ready line is the primary's.
    await waitForWorkers(server, workers);
    await sleep(2_000);
    const rssBaseKiB = treeRssKiB(server.child.pid);
    const started = performance.now();
    log(`sockets: ${n.toLocaleString('en-US')} sockets from ${fleetCount} fleets (127.0.0.2…127.0.0.${fleetCount + 1})`);
    await Promise.all(
      fleets.map((fleet, f) => {
        const target = Math.min(SOCKETS_PER_FLEET, n - f * SOCKETS_PER_FLEET);
        const cookies = Array.from({ length: target }, (_, i) => setup.cookies[(f * SOCKETS_PER_FLEET + i) % setup.cookies.length]!);
        return fleet.connect({
          url: toWs(server.url),
          protocol: 'graphql-ws',
          target,
          origin: server.origin,
          cookies,
          query: ROOM_EVENTS_DOCUMENT,
          variables: { roomId: setup.roomId, after: setup.after },
          localAddress: `127.0.0.${f + 2}`,
          concurrency: 16,
          retries: 3,
        });
      }),
    );
    const live = await waitDelivered(fleets, n, 300_000);
    const connectSeconds = (performance.now() - started) / 1000;
    log(`sockets: ${live ? 'every subscription live' : 'NOT every subscription live'} after ${connectSeconds.toFixed(0)} s`);
    await sleep(3_000);
    const rssKiB = treeRssKiB(server.child.pid);
    await Promise.all(fleets.map((fleet) => fleet.reset()));
    await Promise.all(fleets.map((fleet) => fleet.latency(true)));
    const body = `t=${Number(process.hrtime.bigint() / 1000n)} one post to every socket`;
    await setup.post(server, body);
    await waitDelivered(fleets, n, 60_000);
    const stats = await Promise.all(fleets.map((fleet) => fleet.stats()));
    return {
      sockets: n,
      workers,
      fleets: fleetCount,
      open: stats.reduce((sum, s) => sum + s.open, 0),
      connectSeconds,
      rssBaseKiB,
      rssKiB,
      lastDeliveryMs: Math.max(...stats.map((s) => s.latency.max)),
      medianDeliveryMs: stats.map((s) => s.latency.p50).sort((a, b) => a - b)[Math.floor(stats.length / 2)]!,
      delivered: stats.reduce((sum, s) => sum + s.delivered, 0),
      errors: stats.reduce((sum, s) => sum + s.errors, 0),
      errorSamples: stats.flatMap((s) => s.errorSamples).slice(0, 5),
      retries: stats.reduce((sum, s) => sum + s.retries, 0),
      retrySamples: stats.flatMap((s) => s.retrySamples).slice(0, 3),
    };
  } finally {
    await Promise.all(fleets.map((fleet) => fleet.stop()));
    await server.child.stop(30_000);
  }
};

/** Resolves once `count` worker processes said they listen (the primary prints its own line first). */
const waitForWorkers = async (server: OurServer, count: number) => {
  if (count <= 1) return;
  const until = performance.now() + 60_000;
  while (performance.now() < until) {
    if ((server.child.output().match(/listening on .*process \d+/g) ?? []).length >= count) return;
    await sleep(100);
  }
  throw new Error(`sockets: ${count} workers did not all start:\n${server.child.output().slice(-2_000)}`);
};

const reportMemory = async (redisUrl: string) => {
  const memory = await memoryPart(redisUrl);
  const perSocket = (row: MemoryRow) => ({
    rss: (row.at.rssKiB - row.base.rssKiB) / row.n,
    steady: (steadyRssKiB(row.at) - steadyRssKiB(row.base)) / row.n,
    heap: (row.at.heapUsedKiB + row.at.externalKiB - row.base.heapUsedKiB - row.base.externalKiB) / row.n,
  });
  const raw = perSocket(memory[1]!);
  console.log(
    `memory per idle subscribed socket at N = ${MEMORY_N.toLocaleString('en-US')} (memory with N minus with none, over N; after forced full GCs, settled), KiB:\n`,
  );
  console.log(
    formatTable(
      [
        { header: 'server', value: (row: MemoryRow) => row.server },
        { header: 'RSS − young gen', value: (row) => perSocket(row).steady, digits: 1 },
        { header: 'RSS', value: (row) => perSocket(row).rss, digits: 1 },
        { header: 'heap + external', value: (row) => perSocket(row).heap, digits: 1 },
        { header: '× raw ws (RSS − young gen)', value: (row) => perSocket(row).steady / raw.steady, digits: 1 },
        { header: '× raw ws (heap + ext)', value: (row) => perSocket(row).heap / raw.heap, digits: 1 },
        { header: 'RSS MiB 0→N', value: (row) => `${kib(row.base.rssKiB / 1024)}→${kib(row.at.rssKiB / 1024)}` },
      ],
      memory,
    ),
  );
  const ours = perSocket(memory[0]!);
  console.log(
    `\ngoal: idle subscribed socket < 8 KiB (RSS − young gen): ${ours.steady.toFixed(1)} KiB: ${ours.steady < 8 ? 'pass' : 'FAIL'}`,
  );
};

export default {
  target: 'memory per idle subscribed socket (< 8 KiB; raw ws as the floor) and 50,000 concurrent subscribed sockets on one instance',
  async run() {
    const redis = await startTestRedis();
    try {
      if (MEMORY_N > 0) await reportMemory(redis.url);
      if (SOCKETS === 0) return;
      const many = await manyPart(redis.url);
      console.log(
        `\n${many.sockets.toLocaleString('en-US')} concurrent subscribed sockets on one instance (WORKERS=${many.workers}: 20,000 open files per process here, hard limit),` +
          `\nfrom ${many.fleets} client processes on 127.0.0.2…127.0.0.${many.fleets + 1}; one post, delivered to every socket:\n`,
      );
      console.log(
        formatTable(
          [
            { header: 'sockets', value: (r: ManyResult) => r.sockets },
            { header: 'open', value: (r) => r.open },
            { header: 'connected + live in s', value: (r) => r.connectSeconds, digits: 0 },
            { header: 'server RSS MiB', value: (r) => r.rssKiB / 1024, digits: 0 },
            { header: 'RSS KiB per socket', value: (r) => (r.rssKiB - r.rssBaseKiB) / r.sockets, digits: 1 },
            { header: 'delivered', value: (r) => r.delivered },
            { header: 'median delivery ms', value: (r) => r.medianDeliveryMs, digits: 0 },
            { header: 'last delivery ms', value: (r) => r.lastDeliveryMs, digits: 0 },
            { header: 'errors', value: (r) => r.errors },
            { header: 'opened again', value: (r) => r.retries },
          ],
          [many],
        ),
      );
      if (many.errorSamples.length > 0) console.log(`errors: ${many.errorSamples.join('; ')}`);
      if (many.retrySamples.length > 0) console.log(`opened again after: ${many.retrySamples.join('; ')}`);
      console.log(
        "\nRSS per socket here: the instance's processes (primary and workers) with the sockets minus before, over N, without a forced GC.",
      );
      console.log(`goal: ${SOCKETS.toLocaleString('en-US')} sockets open on one instance: ${many.open === SOCKETS ? 'pass' : 'FAIL'}`);
    } finally {
      await stopAllChildren();
      await redis.dispose();
    }
  },
};
