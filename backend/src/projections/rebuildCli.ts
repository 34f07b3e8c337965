/**
 * `npm run projections:rebuild [name…]`: rebuilds read models from the log, on the Redis of
 * REDIS_URL, while servers keep running on it. Names: rooms, messages, edits, members, unread, threads, reactions,
 * users, directory, search (the PostgreSQL of DATABASE_URL; without one, each server's index is in
 * its memory and built at its start); none: all.
 */
import { Redis } from 'ioredis';
import { roomSnapshotsKey } from '../chat/keys.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { coalesceWrites, failFastRedisOptions } from '../redis/connection.js';
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
import { toUserLocation, usersProjection } from './users.js';
import { createChatLookups } from '../chat/queries.js';
import { createSearchPool } from '../search/postgresPool.js';
import { rebuildSearchIndex } from '../search/rebuildSearch.js';

const NAMES = ['rooms', 'messages', 'edits', 'members', 'unread', 'threads', 'reactions', 'users', 'directory', 'search'] as const;
type Name = (typeof NAMES)[number];

const USER_LOG = /^chat:\{u:(.+)\}:log$/;

const main = async () => {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL: set it to the Redis the servers use (the embedded store lives inside its server process)');
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(NAMES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`unknown projection ${unknown.join(', ')}: choose from ${NAMES.join(', ')}`);
  const names: readonly Name[] = asked.length ? (asked as Name[]) : NAMES;
  const databaseUrl = process.env.DATABASE_URL || null;
  if (asked.includes('search') && !databaseUrl) {
    throw new Error(
      'DATABASE_URL: set it to the PostgreSQL the servers use (without one, each server indexes in its memory, at every start)',
    );
  }

  const store = await createRedisEventStore({ url });
  const redis = coalesceWrites(new Redis(url, failFastRedisOptions));
  redis.on('error', () => {});
  await redis.connect();
  try {
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
          for await (const keys of redis.scanStream({ match: 'chat:{u:*}:log', count: 1_000 }) as AsyncIterable<string[]>) {
            for (const key of keys) userIds.push(USER_LOG.exec(key)![1]!);
          }
          models = userIds.length;
          for (const userId of userIds) events += await rebuildInline(store, usersProjection, toUserLocation(userId));
          break;
        }
        case 'directory':
          events = await rebuildAsync(store, createDirectoryProjection(createRedisDirectoryStore(redis)));
          break;
        case 'search': {
          if (!databaseUrl) {
            console.log('search: no DATABASE_URL, nothing to rebuild (each server builds its index in memory at start)');
            continue;
          }
          const pool = createSearchPool(databaseUrl);
          const lookups = createChatLookups(store);
          try {
            const indexed = await rebuildSearchIndex(store, pool, {
              listRoomIds: async () => Object.keys(await redis.hgetall(roomSnapshotsKey)),
              isPublic: async (roomId) => (await lookups.getRoom(roomId))?.kind === 'PUBLIC',
            });
            console.log(`search: ${indexed} messages indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
          } finally {
            await pool.end();
          }
          continue;
        }
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `${name}: ${models} model(s), ${events} events folded in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s)`,
      );
    }
  } finally {
    await store.close();
    redis.disconnect();
  }
};

main().catch((error: unknown) => {
  console.error(`projections:rebuild: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
