/**
 * What REDIS_ACK_REPLICAS=1 costs: event-store appends per second with every append waited onto a
 * replica (WAIT, group-committed on its own connection) against the same appends without WAIT, on
 * one primary and its replica (AOF on both, fsync every second as in production), measured in
 * the same run, rounds interleaved. BENCH_ACK_ROUNDS (default 5) rounds; medians.
 */
import { createRedisEventStore } from '../../backend/src/eventstore/redisEventStore.js';
import { waitForReplicaLink } from '../../backend/src/testing/redisReplicas.js';
import { startTestRedis } from '../../backend/src/testing/redisServer.js';
import { envNumber, log } from '../env.js';
import type { ScalePart } from '../scale.js';
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

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
    } finally {
      await Promise.all([primary.dispose(), replica.dispose()]);
    }
  },
};

export default part;
