/**
 * The stores bench:scale's parts run our server on, shared by `cluster` and `rooms`: one private
 * redis-server, or a Redis Cluster of three primaries and three replicas on this machine
 * (backend/src/testing/redisCluster.ts: node timeout 2 s, AOF on), with our server instances on it
 * (as `npm start` runs them, REDIS_CLUSTER naming every node) and an INFO connection to every Redis
 * process, so that Redis CPU counts all of them: replicas' too, replication costs CPU.
 */
import { Redis } from 'ioredis';
import { startRedisCluster } from '../../backend/src/testing/redisCluster.js';
import { startTestRedis } from '../../backend/src/testing/redisServer.js';
import { redisCpuMicros } from '../metrics.js';
import { type OurServer, startOurServer } from '../servers.js';

export interface StoreSetup {
  /** The store alone, e.g. "one Redis". */
  store: string;
  /** The store and the number of instances, e.g. "one Redis, 1 instance". */
  setting: string;
  servers: OurServer[];
  /** An INFO connection to every Redis process. */
  redis: Redis[];
  /** Each of `redis`'s role and port, in the same order, e.g. "primary 40123". */
  redisNames: string[];
  dispose(): Promise<void>;
}

const toSetting = (store: string, instances: number) => `${store}, ${instances} instance${instances > 1 ? 's' : ''}`;

/** Each Redis process's CPU so far (µs, INFO cpu), in the order of `setup.redis`. */
export const redisNodesCpuMicros = (setup: StoreSetup): Promise<number[]> => Promise.all(setup.redis.map(redisCpuMicros));

/** The CPU of every Redis process of the setup so far, summed (µs). */
export const redisTotalCpuMicros = async (setup: StoreSetup): Promise<number> =>
  (await redisNodesCpuMicros(setup)).reduce((sum, micros) => sum + micros, 0);

/** One private redis-server (AOF on unless `appendonly: false`) and one instance of our server on it. */
export const startOneRedis = async (options: { appendonly?: boolean; env?: Record<string, string> } = {}): Promise<StoreSetup> => {
  const redis = await startTestRedis({ appendonly: options.appendonly ?? true });
  const admin = new Redis(redis.url, { protocol: 2 });
  try {
    const server = await startOurServer({ redisUrl: redis.url, env: options.env });
    return {
      store: 'one Redis',
      setting: toSetting('one Redis', 1),
      servers: [server],
      redis: [admin],
      redisNames: [`redis ${redis.port}`],
      async dispose() {
        await server.child.stop(15_000);
        admin.disconnect();
        await redis.dispose();
      },
    };
  } catch (error) {
    admin.disconnect();
    await redis.dispose();
    throw error;
  }
};

/** A Redis Cluster (3 primaries + 3 replicas) and `instances` of our server on it. */
export const startCluster = async (options: { instances?: number; env?: Record<string, string> } = {}): Promise<StoreSetup> => {
  const instances = options.instances ?? 1;
  const cluster = await startRedisCluster();
  const admins = cluster.seeds.map((seed) => new Redis({ ...seed, protocol: 2 }));
  const servers: OurServer[] = [];
  const dispose = async () => {
    await Promise.all(servers.map((server) => server.child.stop(15_000)));
    for (const admin of admins) admin.disconnect();
    await cluster.stop();
  };
  try {
    const roles = new Map((await cluster.nodes()).map((node) => [node.port, node.role]));
    const env = { ...options.env, REDIS_CLUSTER: cluster.seeds.map((s) => `${s.host}:${s.port}`).join(',') };
    servers.push(...(await Promise.all(Array.from({ length: instances }, () => startOurServer({ env })))));
    const store = 'Redis Cluster (3 primaries + 3 replicas)';
    return {
      store,
      setting: toSetting(store, instances),
      servers,
      redis: admins,
      redisNames: cluster.seeds.map((seed) => `${roles.get(seed.port) ?? '?'} ${seed.port}`),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
};
