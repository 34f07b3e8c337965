import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { callRedis, coalesceWrites, failFastRedisOptions, toStoreError } from './connection.js';

/** Where the store's Redis is: one server (REDIS_URL) or a Cluster's seed nodes (REDIS_CLUSTER). */
export type RedisTarget = { url: string } | { cluster: readonly { host: string; port: number }[] };

/** A connection the stores use: one Redis, or a Cluster routing each command by its key's slot. */
export type StoreRedis = Redis | Cluster;

export const isCluster = (redis: StoreRedis): redis is Cluster => redis instanceof Cluster;

/**
 * The Cluster equivalent of `failFastRedisOptions`: the same options on each node's connection,
 * and at the cluster level no offline queue and nothing sent again once it may have run. MOVED,
 * ASK and TRYAGAIN are followed (the command did not run); a closed connection (`retryDelayOnFailover`)
 * or CLUSTERDOWN (`retryDelayOnClusterDown`) is answered at once as an outage instead, since the
 * command may have run (an append would then run twice). The slot map is read again every second,
 * so a failover is noticed within about a second of the cluster agreeing on it.
 */
export const failFastClusterOptions: ClusterOptions = {
  lazyConnect: true,
  redisOptions: failFastRedisOptions,
  enableOfflineQueue: false,
  retryDelayOnFailover: 0,
  retryDelayOnClusterDown: 0,
  retryDelayOnTryAgain: 20,
  maxRedirections: 16,
  slotsRefreshInterval: 1_000,
  slotsRefreshTimeout: 1_000,
  clusterRetryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1_000),
};

/**
 * A store connection for either target, not yet connected (`connect()` it). `coalesceWrites`
 * applies to a single Redis only: a Cluster's node connections are made and remade inside ioredis.
 */
export const createStoreRedis = (target: RedisTarget, extra: RedisOptions = {}): StoreRedis =>
  'url' in target
    ? coalesceWrites(new Redis(target.url, { ...failFastRedisOptions, ...extra }))
    : coalesceNodeWrites(
        new Cluster([...target.cluster], { ...failFastClusterOptions, redisOptions: { ...failFastRedisOptions, ...extra } }),
      );

/** `coalesceWrites` on each node connection of a Cluster, as ioredis makes them. */
const coalesceNodeWrites = (cluster: Cluster): Cluster => cluster.on('+node', (node: Redis) => coalesceWrites(node));

/**
 * Another connection to the same target with some options changed (for a single Redis, as
 * `duplicate` does; for a Cluster, per node connection).
 */
export const duplicateStoreRedis = (redis: StoreRedis, extra: RedisOptions = {}, cluster: ClusterOptions = {}): StoreRedis =>
  isCluster(redis)
    ? coalesceNodeWrites(redis.duplicate(undefined, { ...cluster, redisOptions: { ...redis.options.redisOptions, ...extra } }))
    : redis.duplicate(extra);

/** What Redis Cluster hashes of a key: the text of its first non-empty `{…}`, else the whole key. */
export const hashTagOf = (key: string): string => {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  return close > open + 1 ? key.slice(open + 1, close) : key;
};

/** CRC16 (XMODEM) of a key's hash tag, as Redis Cluster computes slots (`CLUSTER KEYSLOT`). */
export const keySlot = (key: string): number => {
  let crc = 0;
  for (const byte of Buffer.from(hashTagOf(key))) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16_384;
};

/** The node serving a key's slot as the Cluster knows it now (`host:port`), or the slot when unknown. */
export const nodeOf = (cluster: Cluster, key: string): string => {
  const slot = keySlot(key);
  return cluster.slots[slot]?.[0] ?? `slot:${slot}`;
};

/** One command and the key it is routed by (its first key). */
export interface KeyedCommand {
  key: string;
  command: readonly (string | number)[];
}

/**
 * Runs commands over keys of any slots and answers their replies in the order given; any error
 * reply or outage rejects (as `toStoreError` makes it). On one Redis: one pipeline. On a Cluster:
 * one pipeline per node (ioredis takes the keys of one node's slots together), in parallel.
 * Each command must itself be single-slot.
 */
/** Error replies that say a command did not run on that node: its slot is elsewhere, or moving. */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN) /;

export const execByNode = async (redis: StoreRedis, commands: readonly KeyedCommand[]): Promise<unknown[]> => {
  if (commands.length === 0) return [];
  const groups = new Map<string, number[]>();
  if (isCluster(redis)) {
    commands.forEach(({ key }, i) => {
      const node = nodeOf(redis, key);
      const group = groups.get(node);
      if (group) group.push(i);
      else groups.set(node, [i]);
    });
  } else {
    groups.set(
      '',
      commands.map((_, i) => i),
    );
  }
  const replies = new Array<unknown>(commands.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const results = (await callRedis(() =>
        redis.pipeline(indexes.map((i) => [...commands[i]!.command] as [string, ...unknown[]])).exec(),
      ))!;
      await Promise.all(
        results.map(async ([error, reply], j) => {
          const i = indexes[j]!;
          if (error && isCluster(redis) && REDIRECTED.test(error.message)) {
            // A slot on the move (resharding): ioredis retries a pipeline only when every command
            // in it was redirected alike, so a mixed one answered errors until its slot map was
            // refreshed (up to a second). The redirected command did not run: it goes again alone,
            // and a lone command follows MOVED (refreshing the map), ASK and TRYAGAIN.
            const [name, ...args] = commands[i]!.command;
            replies[i] = await callRedis(() => redis.call(String(name), ...(args as (string | number | Buffer)[])));
            return;
          }
          if (error) throw toStoreError(error);
          replies[i] = reply;
        }),
      );
    }),
  );
  return replies;
};

/**
 * Connects; on a Cluster, resolves once every node's connection is open too (or has failed): a
 * PING to each node waits in the node connection's own queue until it is ready. A Cluster opens
 * a node's connection at its first command and, without an offline queue of its own, refuses every
 * other command for that node until the connection is ready ("Connection is closed"): a burst of
 * requests at start failed at once. (A primary promoted by a failover is still opened lazily: its
 * first requests may answer UNAVAILABLE, which clients retry.)
 */
export const connectStoreRedis = async (redis: StoreRedis): Promise<void> => {
  await redis.connect();
  if (isCluster(redis)) await Promise.all(redis.nodes('all').map((node) => node.ping().catch(() => {})));
};
