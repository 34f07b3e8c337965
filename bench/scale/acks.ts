/**
 * What REDIS_ACK_REPLICAS=1 costs: event-store appends per second with every append waited onto a
 * replica (WAIT, group-committed on its own connection) against the same appends without WAIT, on
 * one primary and its replica (AOF on both, fsync every second as in production), measured in
 * the same run, rounds interleaved. BENCH_ACK_ROUNDS (default 5) rounds; medians.
 *
 * Then what it costs a delivery: with replicas, a reader hands on an entry only once replicas have
 * it (a read barrier, README "Replicas"). One store appends to a stream, one at a time, and
 * another store (another instance) follows it: BENCH_ACK_LATENCY_POSTS (500) appends, the time
 * from the append's call to the follower's receipt, p50 and p99, without and with.
 */
import { createRedisEventStore } from '../../backend/src/eventstore/redisEventStore.js';
import { waitForReplicaLink } from '../../backend/src/testing/redisReplicas.js';
import { startTestRedis } from '../../backend/src/testing/redisServer.js';
import { envNumber, log } from '../env.js';
import { quantile } from '../load.js';
import type { ScalePart } from '../scale.js';
import { median } from '../seed.js';
import { formatTable } from '../table.js';

const ROOMS = 50;

const measure = async (url: string, replicas: 0 | 1, concurrency: number, total: number): Promise<number> => {
  const store = await createRedisEventStore({ url, ack: { replicas, timeoutMs: 1_000 } });
  try {
    let started = 0;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, writer) => {
        while (started < total) {
          started++;
          await store.append({
            stream: `{bench:acks:${writer % ROOMS}}:log`,
            events: [{ type: 'Written', data: { writer }, meta: {}, v: 1 }],
          });
        }
      }),
    );
    return total / ((performance.now() - startedAt) / 1_000);
  } finally {
    await store.close();
  }
};

/** Append → receipt by another store's follower, in ms, one append at a time. */
const measureDelivery = async (url: string, replicas: 0 | 1, count: number): Promise<number[]> => {
  const writer = await createRedisEventStore({ url, ack: { replicas, timeoutMs: 1_000 } });
  const reader = await createRedisEventStore({ url, ack: { replicas, timeoutMs: 1_000 } });
  try {
    const stream = `{bench:acks:delivery:${replicas}:${performance.now()}}:log`;
    const arrivals = new Map<number, (at: number) => void>();
    const unfollow = await reader.tailer.follow(stream, (events) => {
      const at = performance.now();
      for (const event of events) arrivals.get((event.data as { i: number }).i)?.(at);
    });
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const arrived = new Promise<number>((resolve) => arrivals.set(i, resolve));
      const sent = performance.now();
      await writer.append({ stream, events: [{ type: 'Written', data: { i }, meta: {}, v: 1 }] });
      samples.push((await arrived) - sent);
    }
    unfollow();
    return samples;
  } finally {
    await Promise.all([writer.close(), reader.close()]);
  }
};

const part: ScalePart = {
  target: 'failover without loss: the cost of acknowledging an append only once a replica has it',
  run: async () => {
    const rounds = envNumber('BENCH_ACK_ROUNDS', 5, 1);
    const fsync = ['--appendfsync', 'everysec'];
    const primary = await startTestRedis({ appendonly: true, args: fsync });
    const replica = await startTestRedis({ appendonly: true, replicaOf: primary.port, args: fsync });
    try {
      await waitForReplicaLink(primary, replica);
      const shapes = [
        { concurrency: 1, total: 1_000 },
        { concurrency: 200, total: 10_000 },
      ];
      const rows: { shape: string; without: number; with: number }[] = [];
      for (const shape of shapes) {
        const runs = { 0: [] as number[], 1: [] as number[] };
        for (let round = 0; round < rounds; round++) {
          for (const replicas of [0, 1] as const) runs[replicas].push(await measure(primary.url, replicas, shape.concurrency, shape.total));
        }
        log(`acks: ${shape.concurrency} writers done`);
        rows.push({ shape: `${shape.concurrency} writers`, without: median(runs[0]), with: median(runs[1]) });
      }
      console.log(
        formatTable(
          [
            { header: 'appends', value: (row) => row.shape },
            { header: 'REDIS_ACK_REPLICAS=0 /s', value: (row) => row.without },
            { header: 'REDIS_ACK_REPLICAS=1 /s', value: (row) => row.with },
            { header: 'ratio', value: (row) => row.with / row.without, digits: 2 },
          ],
          rows,
        ),
      );
      console.log(`\nMedians of ${rounds} interleaved rounds; one primary and one replica on this machine (loopback).`);

      const posts = Math.round(envNumber('BENCH_ACK_LATENCY_POSTS', 500, 10));
      const delivery = { 0: [] as number[], 1: [] as number[] };
      for (let round = 0; round < 2; round++) {
        for (const replicas of [0, 1] as const) delivery[replicas].push(...(await measureDelivery(primary.url, replicas, posts)));
      }
      log('acks: deliveries done');
      console.log(
        `\n${formatTable(
          [
            { header: 'append → another instance’s follower', value: (row) => row.setting },
            { header: 'p50 ms', value: (row) => quantile(row.sorted, 0.5), digits: 2 },
            { header: 'p99 ms', value: (row) => quantile(row.sorted, 0.99), digits: 2 },
          ],
          [
            { setting: 'REDIS_ACK_REPLICAS=0', sorted: Float64Array.from(delivery[0]).sort() },
            { setting: 'REDIS_ACK_REPLICAS=1 (read barrier)', sorted: Float64Array.from(delivery[1]).sort() },
          ],
        )}`,
      );
      console.log(`\n${2 * posts} appends each, one at a time, 2 interleaved rounds.`);
    } finally {
      await Promise.all([primary.dispose(), replica.dispose()]);
    }
  },
};

export default part;
