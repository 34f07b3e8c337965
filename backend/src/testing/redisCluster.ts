import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findFreePort } from './freePort.js';
import { type TestRedis, startTestRedis } from './redisServer.js';

const run = promisify(execFile);

/** One node of the cluster as a live node sees it (`CLUSTER NODES`). */
export interface ClusterNode {
  id: string;
  port: number;
  role: 'primary' | 'replica';
  /** A replica's primary (its node id); null for a primary. */
  primaryId: string | null;
  /** Slot ranges a primary serves, inclusive. */
  slots: [from: number, to: number][];
  /** Marked failed (`fail` or `fail?`) by the node asked. */
  failed: boolean;
}

/**
 * A Redis Cluster of six `redis-server` processes on one machine: three primaries with a replica
 * each, cluster node timeout 2 s, AOF on, free ports and temporary directories of their own.
 */
export interface TestRedisCluster {
  /** Every node's address, as REDIS_CLUSTER or ioredis's `Cluster` take them. */
  readonly seeds: { host: string; port: number }[];
  /** The topology as a live node sees it now. */
  nodes(): Promise<ClusterNode[]>;
  primaries(): Promise<ClusterNode[]>;
  replicas(): Promise<ClusterNode[]>;
  /** The slot of a key (`CLUSTER KEYSLOT`, hash tags honoured). */
  slotOf(key: string): Promise<number>;
  /**
   * Starts one more node and makes it a replica of the primary serving `key`'s slot; resolves once
   * its initial sync is done. With two replicas, a primary's death leaves the promoted one with a
   * replica (the other follows it), so writes waiting for one go on after the failover.
   */
  addReplicaOf(key: string): Promise<ClusterNode>;
  /**
   * Resharding, as `redis-cli --cluster reshard` does it for one slot: moves `key`'s slot to
   * another primary (IMPORTING and MIGRATING, MIGRATE of its keys in batches, then SETSLOT NODE on
   * every primary), with clients working meanwhile (they are redirected with ASK and TRYAGAIN).
   * `whileHandingOver` runs once the new owner has the slot and before the old one is told: the
   * moment every reshard has (a few milliseconds long with redis-cli), drawn out.
   */
  moveSlotOf(key: string, options?: { whileHandingOver?: () => Promise<void> }): Promise<{ from: ClusterNode; to: ClusterNode }>;
  /** `kill -9` of the primary serving `key`'s slot; answers that node as it was. */
  killPrimaryOf(key: string): Promise<ClusterNode>;
  /**
   * Resolves once every live node reports `cluster_state:ok` and agrees that each slot of the
   * killed primaries is served by a live primary (a replica promoted); answers the new owners.
   */
  waitForFailover(options?: { timeoutMs?: number }): Promise<ClusterNode[]>;
  /** Kills every node and removes their directories. */
  stop(): Promise<void>;
}

const SIZE = 6;
const NODE_TIMEOUT_MS = 2_000;
const POLL_MS = 50;
const READY_TIMEOUT_MS = 30_000;

/** `CLUSTER NODES` lines: `<id> <ip:port@bus> <flags> <primary|-> <ping> <pong> <epoch> <link> <slot>…`. */
export const parseClusterNodes = (text: string): ClusterNode[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, address, flags, primary, , , , , ...slotFields] = line.trim().split(' ');
      const flagList = flags!.split(',');
      const slots = slotFields
        .filter((field) => !field.startsWith('[')) // slots being migrated
        .map((field): [number, number] => {
          const [from, to] = field.split('-').map(Number);
          return [from!, to ?? from!];
        });
      return {
        id: id!,
        port: Number(address!.split('@')[0]!.split(':').pop()),
        role: flagList.includes('master') ? 'primary' : 'replica',
        primaryId: primary === '-' ? null : primary!,
        slots,
        failed: flagList.includes('fail') || flagList.includes('fail?'),
      };
    });

const ask = async <T>(port: number, command: (redis: Redis) => Promise<T>): Promise<T> => {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await command(redis);
  } finally {
    redis.disconnect();
  }
};

const clusterInfo = (port: number) => ask(port, (redis) => redis.call('CLUSTER', 'INFO') as Promise<string>);
const clusterNodes = async (port: number) => parseClusterNodes((await ask(port, (redis) => redis.call('CLUSTER', 'NODES'))) as string);

const until = async <T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (error) {
      last = error; // a node still starting or just killed: ask again
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
};

const owns = (node: ClusterNode, slot: number) => node.slots.some(([from, to]) => slot >= from && slot <= to);

/**
 * A cluster-enabled node on free ports; the bus port is a free one of its own (not port + 10000,
 * which may be taken or out of range). A port found free can be taken before redis-server binds
 * it (by another test's process, or as the ephemeral port of an outgoing connection): then the
 * node starts again on other ports (a CI run failed once on a bus port taken so).
 */
const startNode = async (): Promise<TestRedis & { busPort: number }> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNodeOnce();
    } catch (error) {
      if (attempt >= 5 || !String(error).includes('Address already in use')) throw error;
    }
  }
};

const startNodeOnce = async (): Promise<TestRedis & { busPort: number }> => {
  const busPort = await findFreePort();
  const server = await startTestRedis({
    appendonly: true,
    args: [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(NODE_TIMEOUT_MS),
      '--cluster-port',
      String(busPort),
    ],
  });
  return Object.assign(server, { busPort });
};

export const startRedisCluster = async (): Promise<TestRedisCluster> => {
  const servers: (TestRedis & { busPort: number })[] = [];
  const killed = new Set<number>();
  const dead: ClusterNode[] = [];

  const stop = async () => {
    await Promise.all(servers.map((server) => server.dispose()));
  };
  const live = () => servers.filter((server) => !killed.has(server.port));
  const nodes = async () => (await clusterNodes(live()[0]!.port)).filter((node) => !killed.has(node.port));

  try {
    const started = await Promise.all(Array.from({ length: SIZE }, startNode));
    servers.push(...started);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...servers.map((server) => `127.0.0.1:${server.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await until('cluster_state:ok on every node, each knowing all six, every replica in sync', READY_TIMEOUT_MS, async () => {
      for (const server of servers) {
        const info = await clusterInfo(server.port);
        if (!/^cluster_state:ok/m.test(info) || !new RegExp(`^cluster_known_nodes:${SIZE}`, 'm').test(info)) return null;
        const view = await clusterNodes(server.port);
        if (view.filter((node) => node.role === 'replica').length !== SIZE / 2) return null;
        // A replica counts once its initial sync is done: only then can WAIT count it.
        const me = view.find((node) => node.port === server.port);
        if (me?.role === 'replica' && !/^master_link_status:up/m.test(await ask(server.port, (redis) => redis.info('replication')))) {
          return null;
        }
      }
      return true;
    });
  } catch (error) {
    await stop();
    throw error;
  }

  const slotOf = async (key: string) => Number(await ask(live()[0]!.port, (redis) => redis.call('CLUSTER', 'KEYSLOT', key)));

  return {
    seeds: servers.map((server) => ({ host: '127.0.0.1', port: server.port })),
    nodes,
    primaries: async () => (await nodes()).filter((node) => node.role === 'primary'),
    replicas: async () => (await nodes()).filter((node) => node.role === 'replica'),
    slotOf,
    addReplicaOf: async (key) => {
      const slot = await slotOf(key);
      const primary = (await nodes()).find((node) => node.role === 'primary' && owns(node, slot));
      if (!primary) throw new Error(`no live primary serves slot ${slot}`);
      const node = await startNode();
      servers.push(node);
      await ask(primary.port, (redis) => redis.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port), String(node.busPort)));
      // It can follow the primary once it has heard of it through the bus.
      await until('the new node knows the primary', READY_TIMEOUT_MS, async () =>
        (await clusterNodes(node.port)).some((known) => known.id === primary.id) ? true : null,
      );
      await ask(node.port, (redis) => redis.call('CLUSTER', 'REPLICATE', primary.id));
      await until('the new replica in sync', READY_TIMEOUT_MS, async () =>
        /^master_link_status:up/m.test(await ask(node.port, (redis) => redis.info('replication'))) ? true : null,
      );
      return (await nodes()).find((known) => known.port === node.port)!;
    },
    moveSlotOf: async (key, { whileHandingOver } = {}) => {
      const slot = await slotOf(key);
      const primaries = (await nodes()).filter((node) => node.role === 'primary');
      const from = primaries.find((node) => owns(node, slot));
      const to = primaries.find((node) => node !== from);
      if (!from || !to) throw new Error(`no two live primaries to move slot ${slot} between`);
      await ask(to.port, (redis) => redis.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', from.id));
      await ask(from.port, (redis) => redis.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', to.id));
      await ask(from.port, async (redis) => {
        for (;;) {
          const keys = (await redis.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '100')) as string[];
          if (keys.length === 0) return;
          await redis.call('MIGRATE', '127.0.0.1', String(to.port), '', '0', '5000', 'KEYS', ...keys);
        }
      });
      // The new owner first, then the old one (its clients are sent on with MOVED), then the rest.
      const setOwner = (node: ClusterNode) => ask(node.port, (redis) => redis.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id));
      await setOwner(to);
      await whileHandingOver?.();
      for (const node of [from, ...primaries.filter((p) => p !== to && p !== from)]) await setOwner(node);
      return { from, to };
    },
    killPrimaryOf: async (key) => {
      const slot = await slotOf(key);
      const primary = (await nodes()).find((node) => node.role === 'primary' && owns(node, slot));
      if (!primary) throw new Error(`no live primary serves slot ${slot}`);
      const server = servers.find((s) => s.port === primary.port)!;
      killed.add(primary.port);
      dead.push(primary);
      await server.stop({ kill: true });
      return primary;
    },
    waitForFailover: ({ timeoutMs = READY_TIMEOUT_MS } = {}) =>
      until('failover (a replica promoted, cluster_state:ok on every live node)', timeoutMs, async () => {
        let owners: ClusterNode[] = [];
        for (const server of live()) {
          if (!/^cluster_state:ok/m.test(await clusterInfo(server.port))) return null;
          const view = await clusterNodes(server.port);
          const liveOwners = dead.map(
            (gone) =>
              view.find((node) => node.role === 'primary' && !killed.has(node.port) && !node.failed && owns(node, gone.slots[0]![0])) ??
              null,
          );
          if (liveOwners.some((owner) => owner === null)) return null;
          owners = liveOwners as ClusterNode[];
        }
        return owners;
      }),
    stop,
  };
};
