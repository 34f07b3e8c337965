import { ReplyError } from 'ioredis';
import type { StoreRedis } from '../redis/client.js';
import { callRedis as call } from '../redis/connection.js';
import { type ConsumerGroups, type GroupPosition, NoGroupError } from './eventStore.js';
import { toRecordedEvent } from './redisStreamTailer.js';

const isReply = (error: unknown, code: string) => error instanceof ReplyError && (error as Error).message.startsWith(code);

const noGroupAware = async <T>(command: () => Promise<T>): Promise<T> => {
  try {
    return await call(command);
  } catch (error) {
    if (isReply(error, 'NOGROUP')) throw new NoGroupError((error as Error).message);
    throw error;
  }
};

/** `[name, value, …]` as a map. */
const toFields = (flat: unknown): Map<string, unknown> => {
  const fields = new Map<string, unknown>();
  if (Array.isArray(flat)) for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), flat[i + 1]);
  return fields;
};

/**
 * Consumer groups on Redis Streams. `blocking` is a connection for the blocking reads alone (a
 * blocked XREADGROUP stalls every other command on its connection): reads on it run one at a time.
 * On a Cluster both are Clusters (`blocking` a duplicate of its own): each read names one stream.
 */
export const createRedisConsumerGroups = (redis: StoreRedis, blocking: StoreRedis): ConsumerGroups => ({
  create: async (stream, group, after) => {
    try {
      await call(() => redis.xgroup('CREATE', stream, group, after, 'MKSTREAM'));
    } catch (error) {
      if (!isReply(error, 'BUSYGROUP')) throw error;
    }
  },
  destroy: async (stream, group) => {
    await call(() => redis.xgroup('DESTROY', stream, group));
  },
  read: async (stream, group, consumer, { count, blockMs }) => {
    // BLOCK 0 would wait for ever: no wait is no BLOCK, and then the ordinary connection serves.
    const reply = await noGroupAware(() =>
      blockMs > 0
        ? blocking.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', stream, '>')
        : redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, '>'),
    );
    const entries = (reply as [string, unknown[]][] | null)?.[0]?.[1] ?? [];
    return entries.map((entry) => toRecordedEvent(stream, entry));
  },
  claimStale: async (stream, group, consumer, { minIdleMs, count }) => {
    const reply = (await noGroupAware(() => redis.xautoclaim(stream, group, consumer, minIdleMs, '0-0', 'COUNT', count))) as unknown[];
    // Entries trimmed away since they were handed out come back as nulls (and are dropped from the group).
    const entries = ((reply[1] ?? []) as unknown[]).filter((entry) => Array.isArray(entry));
    return entries.map((entry) => toRecordedEvent(stream, entry));
  },
  ack: async (stream, group, cursors) => {
    if (cursors.length > 0) await call(() => redis.xack(stream, group, ...cursors));
  },
  position: async (stream, group): Promise<GroupPosition | null> => {
    let groups: unknown[];
    try {
      groups = (await call(() => redis.xinfo('GROUPS', stream))) as unknown[];
    } catch (error) {
      if (error instanceof ReplyError && /no such key/i.test((error as Error).message)) return null;
      throw error;
    }
    const info = groups.map(toFields).find((fields) => fields.get('name') === group);
    if (!info) return null;
    const lastDelivered = String(info.get('last-delivered-id'));
    const [pendingSummary, next] = await Promise.all([
      call(() => redis.xpending(stream, group)) as Promise<unknown[]>,
      call(() => redis.xrange(stream, `(${lastDelivered}`, '+', 'COUNT', 1)),
    ]);
    const lag = info.get('lag');
    const oldestUndelivered = next[0]?.[0] ?? null;
    return {
      lastDelivered,
      oldestPending: typeof pendingSummary[1] === 'string' ? pendingSummary[1] : null,
      pending: Number(pendingSummary[0] ?? 0),
      // Redis cannot always tell the lag (after deletions): then at least what is known to wait.
      undelivered: lag === null || lag === undefined ? (oldestUndelivered ? 1 : 0) : Number(lag),
      oldestUndelivered,
    };
  },
});
