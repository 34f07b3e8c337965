import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRedisCluster, parseClusterNodes, startRedisCluster } from './redisCluster.js';

/* The cluster harness itself: six real redis-server processes, a real failover. */

describe('parseClusterNodes', () => {
  it('reads roles, primaries, slot ranges and failure flags', () => {
    const nodes = parseClusterNodes(
      [
        'a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460',
        'b2 127.0.0.1:7001@17001 slave a1 0 0 1 connected',
        'c3 127.0.0.1:7002@17002 master,fail - 0 0 2 disconnected 5461-10922 12000 [93->-e4]',
        '',
      ].join('\n'),
    );
    expect(nodes).toEqual([
      { id: 'a1', port: 7000, role: 'primary', primaryId: null, slots: [[0, 5460]], failed: false },
      { id: 'b2', port: 7001, role: 'replica', primaryId: 'a1', slots: [], failed: false },
      {
        id: 'c3',
        port: 7002,
        role: 'primary',
        primaryId: null,
        slots: [
          [5461, 10922],
          [12000, 12000],
        ],
        failed: true,
      },
    ]);
  });
});

/** How many WAITs a node has run: on a connection that never wrote, WAIT counts every replica, so its answer alone proves nothing. */
const countWaits = async (port: number): Promise<number> => {
  const redis = new Redis(port, '127.0.0.1');
  try {
    return Number((await redis.info('commandstats')).match(/^cmdstat_wait:calls=(\d+)/m)?.[1] ?? 0);
  } finally {
    redis.disconnect();
  }
};

describe('startRedisCluster', () => {
  let cluster: TestRedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(cluster.seeds, { redisOptions: { protocol: 2 } });
    client.on('error', () => {});
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('runs three primaries covering every slot, each with a replica', async () => {
    const primaries = await cluster.primaries();
    const replicas = await cluster.replicas();
    expect(primaries).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    expect(new Set(replicas.map((replica) => replica.primaryId))).toEqual(new Set(primaries.map((primary) => primary.id)));
    const covered = primaries.flatMap((primary) => primary.slots).reduce((sum, [from, to]) => sum + to - from + 1, 0);
    expect(covered).toBe(16_384);
  });

  it('keeps a key WAITed onto a replica through kill -9 of its primary and the failover', async () => {
    const key = '{room:harness}:greeting';
    // WAIT has no key: in a pipeline it follows the SET to the node that serves the key's slot.
    const [set, wait] = (await client.pipeline().set(key, 'hello').wait(1, 2_000).exec())!;
    const [setError] = set!;
    const [waitError, replicated] = wait!;
    expect(setError).toBeNull();
    expect(waitError).toBeNull();
    expect(replicated).toBe(1);
    expect(await client.get(key)).toBe('hello');

    const slot = await cluster.slotOf(key);
    const primaries = await cluster.primaries();
    const waits = await Promise.all(primaries.map((primary) => countWaits(primary.port)));
    expect(waits).toEqual(primaries.map((primary) => (primary.slots.some(([from, to]) => slot >= from && slot <= to) ? 1 : 0)));
    const killed = await cluster.killPrimaryOf(key);
    expect(killed.slots.some(([from, to]) => slot >= from && slot <= to)).toBe(true);
    const [promoted] = await cluster.waitForFailover();
    expect(promoted!.port).not.toBe(killed.port);
    expect((await cluster.replicas()).map((replica) => replica.port)).not.toContain(promoted!.port);
    expect(await client.get(key)).toBe('hello');
  }, 60_000);
});
