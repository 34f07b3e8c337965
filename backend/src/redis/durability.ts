import type { Redis } from 'ioredis';
import { ConfigError } from '../config.js';

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

export const inspectRedisDurability = async (redis: Redis): Promise<RedisDurability> => {
  const [appendOnly, evictionPolicy] = await Promise.all([readConfig(redis, 'appendonly'), readConfig(redis, 'maxmemory-policy')]);
  return { appendOnly: appendOnly === null ? null : appendOnly === 'yes', evictionPolicy };
};

/** Refuses an evicting Redis (it could drop the log); warns when a Redis restart would lose events. */
export const assertDurable = async ({ appendOnly, evictionPolicy }: RedisDurability) => {
  if (evictionPolicy !== null && evictionPolicy !== 'noeviction') {
    throw new ConfigError(
      `REDIS_URL: Redis maxmemory-policy is ${evictionPolicy}; it must be noeviction, or Redis may evict the event log`,
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
