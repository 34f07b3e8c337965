import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { createChatLookups } from '../chat/queries.js';
import { readInlineModel } from './inline.js';
import { projectionMigrationLockKey, projectionVersionsKey, toUserRoomsKey } from './keys.js';
import { toMessageHistoryLocation } from './messageHistory.js';
import { INLINE_VERSIONS, migrateInlineProjections } from './migrate.js';
import type { OpenRedisStore } from './redisScenarios.js';

/* Migrating at start: on one Redis (migrate.int.spec.ts) and a Redis Cluster (projections.cluster.int.spec.ts). */
export const describeMigration = (name: string, open: OpenRedisStore) =>
  describe(`migrating a Redis written before the history index (${name})`, () => {
    it('rebuilds every room once, by one instance, and marks the layout current', async () => {
      const { store, redis, wipe } = await open();
      try {
        const commands = createChatCommands(store, createChatLookups(store));
        await commands.registerUser({ userId: 'u', profile: { handle: 'u', displayName: 'u', avatarUrl: null } });
        const rooms = [await commands.createRoom({ actorId: 'u', name: 'one' }), await commands.createRoom({ actorId: 'u', name: 'two' })];
        for (const room of rooms) for (let i = 0; i < 5; i++) await commands.postMessage({ actorId: 'u', roomId: room.id, body: `m${i}` });
        // As an older version left it: no index, no version.
        await store.deleteKeys(rooms.map((room) => toMessageHistoryLocation(room.id).index!));
        const listRoomIds = async () => rooms.map((room) => room.id);

        await redis.set(projectionMigrationLockKey, 'another instance');
        expect(await migrateInlineProjections(redis, store, listRoomIds)).toBe(0);
        expect((await readInlineModel(store, toMessageHistoryLocation(rooms[0]!.id))).index).toEqual([]);
        await redis.del(projectionMigrationLockKey);

        // Two rooms, three models each: the history index, the posts' numbering (unread counts), the
        // edit histories; and once more for the people's room lists.
        expect(await migrateInlineProjections(redis, store, listRoomIds)).toBe(8);
        for (const room of rooms) expect((await readInlineModel(store, toMessageHistoryLocation(room.id))).index).toHaveLength(5);
        expect(await redis.hget(projectionVersionsKey, 'messages')).toBe(String(INLINE_VERSIONS.messages));
        expect(await redis.hget(projectionVersionsKey, 'unread')).toBe(String(INLINE_VERSIONS.unread));
        expect(await redis.exists(projectionMigrationLockKey)).toBe(0);
        expect(await migrateInlineProjections(redis, store, listRoomIds)).toBe(0);
      } finally {
        await wipe();
      }
    });

    it("rewrites the people's room lists that presence's leases shared a key with, once", async () => {
      const { store, redis, wipe } = await open();
      try {
        const commands = createChatCommands(store, createChatLookups(store));
        for (const id of ['u', 'v']) await commands.registerUser({ userId: id, profile: { handle: id, displayName: id, avatarUrl: null } });
        const room = await commands.createRoom({ actorId: 'u', name: 'kept' });
        const all = { min: '-', max: '+', count: 100 };
        const listed = await store.readSetRange(toUserRoomsKey('u'), all);
        expect(listed).toHaveLength(1);
        for (const name of Object.keys(INLINE_VERSIONS) as (keyof typeof INLINE_VERSIONS)[]) {
          await redis.hset(projectionVersionsKey, name, INLINE_VERSIONS[name]);
        }
        // As the older version left it: presence's sweep removed u's membership entry (score 0,
        // below any expiry), and its leases stayed in the lists, u's and v's (v is in no room).
        await redis.zremrangebyscore(toUserRoomsKey('u'), '-inf', Date.now());
        await redis.zadd(toUserRoomsKey('u'), Date.now() + 60_000, 'elsewhere lease-1');
        await redis.zadd(toUserRoomsKey('v'), Date.now() + 60_000, 'elsewhere lease-2');

        expect(await migrateInlineProjections(redis, store, async () => [room.id])).toBe(1);
        expect(await store.readSetRange(toUserRoomsKey('u'), all)).toEqual(listed);
        expect(await redis.exists(toUserRoomsKey('v'))).toBe(0);
        expect(await redis.hget(projectionVersionsKey, 'userRooms')).toBe('1');
        expect(await migrateInlineProjections(redis, store, async () => [room.id])).toBe(0);
      } finally {
        await wipe();
      }
    });
  });
