import type { StoreRedis } from '../redis/client.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { rebuildEditHistory } from './editHistory.js';
import { rebuildInline } from './inline.js';
import { rebuildUserRooms } from './members.js';
import { backfillRoomNameClaims } from './roomNames.js';
import { backfillUserNames } from './userNames.js';
import { projectionMigrationLockKey, projectionVersionsKey } from './keys.js';
import { messageHistoryProjection, toMessageHistoryLocation } from './messageHistory.js';
import { rebuildUnread } from './unread.js';

/**
 * Layout versions of the inline models that changed: `messages` 2 added the history index,
 * `unread` 1 numbered the posts (for unread counts), `edits` 1 added the messages' edit histories.
 */
export const INLINE_VERSIONS = { messages: 2, unread: 1, edits: 1 } as const;
/** What a Redis that never recorded a version holds: the layout before versions were kept. */
const BEFORE = { messages: 1, unread: 0, edits: 0 } as const;

/**
 * Versions of what is rebuilt for every room at once: `userRooms` 1 took presence's leases out of
 * the people's room lists (they shared one key: presence listed the rooms someone looked at as
 * theirs, and its sweep emptied the lists).
 */
const WHOLE_VERSIONS = { userRooms: 1 } as const;

const LOCK_MS = 10 * 60_000;

const REBUILD: Record<keyof typeof INLINE_VERSIONS, (store: EventStore, roomId: string) => Promise<number>> = {
  messages: (store, roomId) => rebuildInline(store, messageHistoryProjection, toMessageHistoryLocation(roomId)),
  unread: rebuildUnread,
  edits: rebuildEditHistory,
};

/**
 * Brings a Redis written by an older version up to the current layouts, once, by one instance:
 * rebuilds each room's models whose layout changed from the room's log while the server runs.
 * Others skip while one holds the lock. Answers the number of models rebuilt.
 */
export const migrateInlineProjections = async (
  redis: StoreRedis,
  store: EventStore,
  listRoomIds: () => Promise<string[]>,
): Promise<number> => {
  // Read before this process serves anything: on a Redis with no room yet (a new deployment, a
  // test's), every layout is current, and nothing is rebuilt when the first rooms come meanwhile.
  const empty = (await listRoomIds()).length === 0;
  // Public rooms' names claimed under the current name key (look-alikes are one name), then people
  // who signed in before the names set existed (idempotent: any instance may do either).
  await backfillRoomNameClaims(redis, store);
  await backfillUserNames(redis);
  const names = Object.keys(INLINE_VERSIONS) as (keyof typeof INLINE_VERSIONS)[];
  const stored = await Promise.all(names.map(async (name) => Number((await redis.hget(projectionVersionsKey, name)) ?? BEFORE[name])));
  const due = names.filter((name, i) => stored[i]! < INLINE_VERSIONS[name]);
  const userRoomsDue = Number((await redis.hget(projectionVersionsKey, 'userRooms')) ?? 0) < WHOLE_VERSIONS.userRooms;
  if (due.length === 0 && !userRoomsDue) return 0;
  if (empty) {
    for (const name of due) await redis.hset(projectionVersionsKey, name, INLINE_VERSIONS[name]);
    if (userRoomsDue) await redis.hset(projectionVersionsKey, 'userRooms', WHOLE_VERSIONS.userRooms);
    return 0;
  }
  if ((await redis.set(projectionMigrationLockKey, String(process.pid), 'PX', LOCK_MS, 'NX')) !== 'OK') return 0;
  try {
    const roomIds = await listRoomIds();
    for (const name of due) {
      for (const roomId of roomIds) await REBUILD[name](store, roomId);
      await redis.hset(projectionVersionsKey, name, INLINE_VERSIONS[name]);
    }
    if (userRoomsDue) {
      await rebuildUserRooms(redis, store, roomIds);
      await redis.hset(projectionVersionsKey, 'userRooms', WHOLE_VERSIONS.userRooms);
    }
    return roomIds.length * (due.length + (userRoomsDue ? 1 : 0));
  } finally {
    await redis.del(projectionMigrationLockKey);
  }
};
