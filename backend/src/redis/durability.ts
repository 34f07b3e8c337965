import type { Redis } from 'ioredis';
import { ConfigError } from '../config.js';
import { type StoreRedis, isCluster } from './client.js';

/** What the server needs of Redis to keep its promise, as far as Redis lets us read it. */
export interface RedisDurability {
  /** `appendonly yes`: acknowledged events survive a Redis restart (null: CONFIG is disabled here). */
  appendOnly: boolean | null;
  /** Anything but `noeviction` may silently drop the log under memory pressure (null: unknown). */
  evictionPolicy: string | null;
}

const readConfig = async (redis: Redis, name: string): Promise<string | null> => {
  try {
    const reply = (await redis.config('GET', name)) as unknown;
    if (Array.isArray(reply)) return typeof reply[1] === 'string' ? reply[1] : null;
    if (reply && typeof reply === 'object') return String((reply as Record<string, unknown>)[name] ?? '') || null;
    return null;
  } catch {
    return null; // managed Redis often renames or disables CONFIG
  }
};

const inspectNode = async (redis: Redis): Promise<RedisDurability> => {
  const [appendOnly, evictionPolicy] = await Promise.all([readConfig(redis, 'appendonly'), readConfig(redis, 'maxmemory-policy')]);
  return { appendOnly: appendOnly === null ? null : appendOnly === 'yes', evictionPolicy };
};

/**
 * One Redis's settings, or a Cluster's primaries' together: the weakest of them counts (one
 * evicting primary can drop the logs of its slots), and a setting unknown on any primary is unknown.
 */
export const inspectRedisDurability = async (redis: StoreRedis): Promise<RedisDurability> => {
  if (!isCluster(redis)) return inspectNode(redis);
  const nodes = await Promise.all(
    redis.nodes('master').map(async (node) => {
      // Node connections are lazy and queue nothing: open one before asking it.
      if (node.status === 'wait') await node.connect();
      return inspectNode(node);
    }),
  );
  return {
    appendOnly: nodes.some((n) => n.appendOnly === null) ? null : nodes.every((n) => n.appendOnly),
    evictionPolicy:
      nodes.find((n) => n.evictionPolicy !== null && n.evictionPolicy !== 'noeviction')?.evictionPolicy ??
      (nodes.length > 0 && nodes.every((n) => n.evictionPolicy === 'noeviction') ? 'noeviction' : null),
  };
};

/**
 * Refuses an evicting Redis (it could drop the log); warns when a Redis restart would lose events.
 * `variable` names the setting the operator fixes (REDIS_URL or REDIS_CLUSTER).
 */
export const assertDurable = async ({ appendOnly, evictionPolicy }: RedisDurability, variable = 'REDIS_URL') => {
  if (evictionPolicy !== null && evictionPolicy !== 'noeviction') {
    throw new ConfigError(
      `${variable}: Redis maxmemory-policy is ${evictionPolicy}; it must be noeviction, or Redis may evict the event log`,
    );
  }
  if (appendOnly === false) {
    console.warn(
      'warning: Redis has appendonly off: events acknowledged since its last snapshot are lost if Redis restarts (set appendonly yes)',
    );
  }
  if (appendOnly === null || evictionPolicy === null) {
    console.warn('warning: cannot read Redis CONFIG: make sure appendonly is yes and maxmemory-policy is noeviction');
  }
};
