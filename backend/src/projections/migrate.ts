import type { Redis } from 'ioredis';
import type { EventStore } from '../eventstore/eventStore.js';
import { rebuildInline } from './inline.js';
import { backfillUserNames } from './userNames.js';
import { projectionMigrationLockKey, projectionVersionsKey } from './keys.js';
import { messageHistoryProjection, toMessageHistoryLocation } from './messageHistory.js';

/** Layout versions of the inline models that changed: `messages` 2 added the history index. */
export const INLINE_VERSIONS = { messages: 2 } as const;

const LOCK_MS = 10 * 60_000;

/**
 * Brings a Redis written by an older version up to the current layouts, once, by one instance:
 * rebuilds each room's messages model (with its history index) from the room's log while the
 * server runs. Others skip while one holds the lock; a fresh Redis is marked current at once.
 * Answers the number of models rebuilt.
 */
export const migrateInlineProjections = async (redis: Redis, store: EventStore, listRoomIds: () => Promise<string[]>): Promise<number> => {
  // People who signed in before the names set existed (idempotent: any instance may do it).
  await backfillUserNames(redis);
  const stored = Number((await redis.hget(projectionVersionsKey, 'messages')) ?? 1);
  if (stored >= INLINE_VERSIONS.messages) return 0;
  if ((await redis.set(projectionMigrationLockKey, String(process.pid), 'PX', LOCK_MS, 'NX')) !== 'OK') return 0;
  try {
    const roomIds = await listRoomIds();
    for (const roomId of roomIds) await rebuildInline(store, messageHistoryProjection, toMessageHistoryLocation(roomId));
    await redis.hset(projectionVersionsKey, 'messages', INLINE_VERSIONS.messages);
    return roomIds.length;
  } finally {
    await redis.del(projectionMigrationLockKey);
  }
};
