import { Redis } from 'ioredis';
import { type TestRedis, startTestRedis } from './redisServer.js';

/** A primary and one replica of it (AOF on both), on free ports, replicating before this resolves. */
export interface TestReplicatedRedis {
  readonly primary: TestRedis;
  readonly replica: TestRedis;
  /** Turns the replica into a primary of its own (`REPLICAOF NO ONE`), as a failover does. */
  promoteReplica(): Promise<void>;
  /** Kills both and removes their directories. */
  dispose(): Promise<void>;
}

const POLL_MS = 20;
const LINK_TIMEOUT_MS = 10_000;

const readReplication = async (port: number): Promise<string> => {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    return await redis.info('replication');
  } finally {
    redis.disconnect();
  }
};

/**
 * Resolves once the replica's link to its primary is up and the primary streams to it (the
 * initial sync done). Redis announces neither, so this asks every few milliseconds.
 */
export const waitForReplicaLink = async (primary: TestRedis, replica: TestRedis): Promise<void> => {
  const deadline = Date.now() + LINK_TIMEOUT_MS;
  for (;;) {
    const [onReplica, onPrimary] = await Promise.all([readReplication(replica.port), readReplication(primary.port)]);
    const linked = /^master_link_status:up/m.test(onReplica);
    const streaming = new RegExp(`^slave\\d+:ip=127\\.0\\.0\\.1,port=${replica.port},state=online`, 'm').test(onPrimary);
    if (linked && streaming) return;
    if (Date.now() > deadline) throw new Error(`replica ${replica.port} did not link to ${primary.port}:\n${onReplica}\n${onPrimary}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
};

export const startReplicatedRedis = async (): Promise<TestReplicatedRedis> => {
  const primary = await startTestRedis({ appendonly: true });
  const replica = await startTestRedis({ appendonly: true, replicaOf: primary.port }).catch(async (error: unknown) => {
    await primary.dispose();
    throw error;
  });
  const dispose = async () => {
    // A paused process would ignore everything but SIGKILL, which dispose sends.
    await Promise.all([primary.dispose(), replica.dispose()]);
  };
  try {
    await waitForReplicaLink(primary, replica);
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    primary,
    replica,
    promoteReplica: async () => {
      const redis = new Redis(replica.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await redis.connect();
        await redis.replicaof('NO', 'ONE');
      } finally {
        redis.disconnect();
      }
    },
    dispose,
  };
};
