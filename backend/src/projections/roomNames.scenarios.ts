import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { lobbyStreamKey, roomNamesKey } from '../chat/keys.js';
import { createChatLookups } from '../chat/queries.js';
import { toRoomNameKey } from '../domain/room/room.js';
import { projectionVersionsKey } from './keys.js';
import { migrateInlineProjections } from './migrate.js';
import type { OpenRedisStore } from './redisScenarios.js';
import { ROOM_NAME_KEYS_VERSION, backfillRoomNameClaims, toLegacyRoomNameKey } from './roomNames.js';

/* Room name claims after an upgrade: on one Redis (roomNames.int.spec.ts) and a Redis Cluster (projections.cluster.int.spec.ts). */
export const describeRoomNameClaims = (name: string, open: OpenRedisStore) =>
  describe(`room name claims in a Redis written before look-alikes were one name (${name})`, () => {
    it('keeps old claims answering, claims every public name under its new key once, the older room first', async () => {
      const { store, redis, wipe } = await open();
      try {
        let ms = Date.parse('2026-12-01T00:00:00.000Z');
        const commands = createChatCommands(store, createChatLookups(store), () => new Date(ms++));
        await commands.registerUser({ userId: 'u', profile: { handle: 'u', displayName: 'u', avatarUrl: null } });
        const music = await commands.createRoom({ actorId: 'u', name: 'Music' });
        const strasse = await commands.createRoom({ actorId: 'u', name: 'Straße' });
        const secret = await commands.createRoom({ actorId: 'u', name: 'Secret', kind: 'PRIVATE' });
        const paypal = await commands.createRoom({ actorId: 'u', name: 'paypal' });
        // An older version let a look-alike in: its claims compared lower case only.
        await redis.hdel(roomNamesKey, toRoomNameKey('paypal'));
        const cyrillic = await commands.createRoom({ actorId: 'u', name: 'раураl' });
        expect(cyrillic.id).not.toBe(paypal.id);
        // The claims as that version left them, and no version recorded.
        await redis.del(roomNamesKey);
        for (const room of [music, strasse, paypal, cyrillic]) await redis.hset(roomNamesKey, toLegacyRoomNameKey(room.name), room.id);
        await redis.hdel(projectionVersionsKey, 'roomNames');
        const lobbyLength = async () => (await store.streamInfo(lobbyStreamKey)).length;

        // Before the migration: an exact name (case aside) still finds its room through the old claim.
        const before = await lobbyLength();
        expect((await commands.createRoom({ actorId: 'u', name: 'MUSIC' })).id).toBe(music.id);
        expect(await lobbyLength()).toBe(before);

        // Another instance holds the migration lock: the names are claimed all the same.
        await redis.set('chat:projections:migrating', 'another instance');
        await migrateInlineProjections(redis, store, async () => []);
        await redis.del('chat:projections:migrating');
        expect(await redis.hget(projectionVersionsKey, 'roomNames')).toBe(String(ROOM_NAME_KEYS_VERSION));
        expect(await redis.hget(roomNamesKey, toRoomNameKey('Music'))).toBe(music.id);
        expect(await redis.hget(roomNamesKey, toRoomNameKey('Secret'))).toBeNull();
        // The older of two look-alikes keeps the name; the other goes on as it was.
        expect(await redis.hget(roomNamesKey, toRoomNameKey('paypal'))).toBe(paypal.id);

        // Look-alikes of existing names now answer the existing room, and log nothing.
        const lobbyBefore = await lobbyLength();
        expect((await commands.createRoom({ actorId: 'u', name: 'STRASSE' })).id).toBe(strasse.id);
        expect((await commands.createRoom({ actorId: 'u', name: 'rnusic' })).id).toBe(music.id);
        expect((await commands.createRoom({ actorId: 'u', name: 'PAYPAL' })).id).toBe(paypal.id);
        expect(await lobbyLength()).toBe(lobbyBefore);
        // The private room's name stays free, and the second look-alike can still be renamed.
        expect((await commands.createRoom({ actorId: 'u', name: 'Secret' })).id).not.toBe(secret.id);
        expect((await commands.renameRoom({ actorId: 'u', roomId: cyrillic.id, name: 'Платёжки' })).name).toBe('Платёжки');

        // Once per Redis: a second run reads nothing.
        expect(await backfillRoomNameClaims(redis, store)).toBe(0);
      } finally {
        await wipe();
      }
    });

    it('does not let a stale old claim answer for a room renamed since', async () => {
      const { store, redis, wipe } = await open();
      try {
        const commands = createChatCommands(store, createChatLookups(store));
        await commands.registerUser({ userId: 'u', profile: { handle: 'u', displayName: 'u', avatarUrl: null } });
        const room = await commands.createRoom({ actorId: 'u', name: 'Room 1' });
        await commands.renameRoom({ actorId: 'u', roomId: room.id, name: 'Lounge' });
        // An old claim of the first name, left behind.
        await redis.hset(roomNamesKey, toLegacyRoomNameKey('Room 1'), room.id);
        const fresh = await commands.createRoom({ actorId: 'u', name: 'Room 1' });
        expect(fresh.id).not.toBe(room.id);
        expect(fresh.name).toBe('Room 1');
      } finally {
        await wipe();
      }
    });
  });
