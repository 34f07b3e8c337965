/**
 * Rebuilding read models from the log, on the Redis of a running deployment (`npm run
 * projections:rebuild`, see rebuildCli.ts). Names: rooms, messages, edits, members, unread,
 * threads, reactions, users, directory, search (the PostgreSQL of `databaseUrl`).
 */
import { roomSnapshotsKey } from '../chat/keys.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { type RedisTarget, createStoreRedis } from '../redis/client.js';
import { rebuildAsync } from './asyncProjection.js';
import { rebuildEditHistory } from './editHistory.js';
import { rebuildInline } from './inline.js';
import { membersProjection, rebuildUserRooms, toMembersLocation } from './members.js';
import { messageHistoryProjection, toMessageHistoryLocation } from './messageHistory.js';
import { rebuildUnread } from './unread.js';
import { rebuildReactions } from './reactions.js';
import { rebuildThreads } from './threads.js';
import { createDirectoryProjection } from './roomDirectory/directoryProjection.js';
import { createRedisDirectoryStore } from './roomDirectory/redisDirectoryStore.js';
import { roomsLocation, roomsProjection } from './rooms.js';
import { scanKeys } from './scanKeys.js';
import { rebuildUserNames } from './userNames.js';
import { toUserLocation, usersProjection } from './users.js';
import { createChatLookups } from '../chat/queries.js';
import { createSearchPool } from '../search/postgresPool.js';
import { rebuildSearchIndex } from '../search/rebuildSearch.js';

export const PROJECTION_NAMES = [
  'rooms',
  'messages',
  'edits',
  'members',
  'unread',
  'threads',
  'reactions',
  'users',
  'directory',
  'search',
] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

const USER_LOG = /^chat:\{u:(.+)\}:log$/;

/**
 * Rebuilds the named read models from the log on one Redis or a Cluster (`target`), reporting
 * each one's figures through `log`. `databaseUrl`: the search index's PostgreSQL (search is
 * skipped, with a word, without one). Rejects with `StoreUnavailableError` when Redis cannot answer.
 */
export const rebuildProjections = async (
  target: RedisTarget,
  names: readonly ProjectionName[],
  options: { databaseUrl?: string | null; log?: (line: string) => void } = {},
): Promise<void> => {
  const log = options.log ?? console.log;
  const databaseUrl = options.databaseUrl ?? null;
  const store = await createRedisEventStore(target);
  const redis = createStoreRedis(target);
  redis.on('error', () => {});
  try {
    await redis.connect();
    for (const name of names) {
      const started = performance.now();
      let events = 0;
      let models = 1;
      switch (name) {
        case 'rooms':
          events = await rebuildInline(store, roomsProjection, roomsLocation);
          break;
        case 'messages': {
          const roomIds = Object.keys(await redis.hgetall(roomSnapshotsKey));
          models = roomIds.length;
          for (const roomId of roomIds) events += await rebuildInline(store, messageHistoryProjection, toMessageHistoryLocation(roomId));
          break;
        }
        case 'edits': {
          const roomIds = Object.keys(await redis.hgetall(roomSnapshotsKey));
          models = roomIds.length;
          for (const roomId of roomIds) events += await rebuildEditHistory(store, roomId);
          break;
        }
        case 'members': {
          const roomIds = Object.keys(await redis.hgetall(roomSnapshotsKey));
          models = roomIds.length;
          for (const roomId of roomIds) events += await rebuildInline(store, membersProjection, toMembersLocation(roomId));
          await rebuildUserRooms(redis, store, roomIds);
          break;
        }
        case 'unread':
        case 'threads':
        case 'reactions': {
          const rebuild = { unread: rebuildUnread, threads: rebuildThreads, reactions: rebuildReactions }[name];
          const roomIds = Object.keys(await redis.hgetall(roomSnapshotsKey));
          models = roomIds.length;
          for (const roomId of roomIds) events += await rebuild(store, roomId);
          break;
        }
        case 'users': {
          const userIds: string[] = [];
          for await (const keys of scanKeys(redis, 'chat:{u:*}:log')) {
            for (const key of keys) userIds.push(USER_LOG.exec(key)![1]!);
          }
          models = userIds.length;
          for (const userId of userIds) events += await rebuildInline(store, usersProjection, toUserLocation(userId));
          // Then the names set, from the states just rebuilt.
          await rebuildUserNames(redis);
          break;
        }
        case 'directory':
          events = await rebuildAsync(store, createDirectoryProjection(createRedisDirectoryStore(redis)));
          break;
        case 'search': {
          if (!databaseUrl) {
            log('search: no DATABASE_URL, nothing to rebuild (each server builds its index in memory at start)');
            continue;
          }
          const pool = createSearchPool(databaseUrl);
          const lookups = createChatLookups(store);
          try {
            const indexed = await rebuildSearchIndex(store, pool, {
              listRoomIds: async () => Object.keys(await redis.hgetall(roomSnapshotsKey)),
              isPublic: async (roomId) => (await lookups.getRoom(roomId))?.kind === 'PUBLIC',
            });
            log(`search: ${indexed} messages indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
          } finally {
            await pool.end();
          }
          continue;
        }
      }
      const seconds = (performance.now() - started) / 1000;
      log(
        `${name}: ${models} model(s), ${events} events folded in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s)`,
      );
    }
  } finally {
    await store.close();
    redis.disconnect();
  }
};
