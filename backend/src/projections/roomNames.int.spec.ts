import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { lobbyStreamKey, roomNamesKey } from '../chat/keys.js';
import { createChatLookups } from '../chat/queries.js';
import { toRoomNameKey } from '../domain/room/room.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { useTestRedis } from '../testing/useTestRedis.js';
import { projectionVersionsKey } from './keys.js';
import { migrateInlineProjections } from './migrate.js';
import { ROOM_NAME_KEYS_VERSION, backfillRoomNameClaims, toLegacyRoomNameKey } from './roomNames.js';

describe('room name claims in a Redis written before look-alikes were one name', () => {
  const redis = useTestRedis();

  it('keeps old claims answering, claims every public name under its new key once, the older room first', async () => {
    const store = await createRedisEventStore({ url: redis.url });
    try {
      let ms = Date.parse('2026-12-01T00:00:00.000Z');
      const commands = createChatCommands(store, createChatLookups(store), () => new Date(ms++));
      await commands.registerUser({ userId: 'u', profile: { handle: 'u', displayName: 'u', avatarUrl: null } });
      const music = await commands.createRoom({ actorId: 'u', name: 'Music' });
      const strasse = await commands.createRoom({ actorId: 'u', name: 'Straße' });
      const secret = await commands.createRoom({ actorId: 'u', name: 'Secret', kind: 'PRIVATE' });
      const paypal = await commands.createRoom({ actorId: 'u', name: 'paypal' });
      // An older version let a look-alike in: its claims compared lower case only.
      await redis.client.hdel(roomNamesKey, toRoomNameKey('paypal'));
      const cyrillic = await commands.createRoom({ actorId: 'u', name: 'раураl' });
      expect(cyrillic.id).not.toBe(paypal.id);
      // The claims as that version left them, and no version recorded.
      await redis.client.del(roomNamesKey);
      for (const room of [music, strasse, paypal, cyrillic]) await redis.client.hset(roomNamesKey, toLegacyRoomNameKey(room.name), room.id);
      await redis.client.hdel(projectionVersionsKey, 'roomNames');
      const lobbyLength = async () => (await store.streamInfo(lobbyStreamKey)).length;

      // Before the migration: an exact name (case aside) still finds its room through the old claim.
      const before = await lobbyLength();
      expect((await commands.createRoom({ actorId: 'u', name: 'MUSIC' })).id).toBe(music.id);
      expect(await lobbyLength()).toBe(before);

      // Another instance holds the migration lock: the names are claimed all the same.
      await redis.client.set('chat:projections:migrating', 'another instance');
      await migrateInlineProjections(redis.client, store, async () => []);
      await redis.client.del('chat:projections:migrating');
      expect(await redis.client.hget(projectionVersionsKey, 'roomNames')).toBe(String(ROOM_NAME_KEYS_VERSION));
      expect(await redis.client.hget(roomNamesKey, toRoomNameKey('Music'))).toBe(music.id);
      expect(await redis.client.hget(roomNamesKey, toRoomNameKey('Secret'))).toBeNull();
      // The older of two look-alikes keeps the name; the other goes on as it was.
      expect(await redis.client.hget(roomNamesKey, toRoomNameKey('paypal'))).toBe(paypal.id);

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
      expect(await backfillRoomNameClaims(redis.client, store)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('does not let a stale old claim answer for a room renamed since', async () => {
    const store = await createRedisEventStore({ url: redis.url });
    try {
      await redis.client.flushall();
      const commands = createChatCommands(store, createChatLookups(store));
      await commands.registerUser({ userId: 'u', profile: { handle: 'u', displayName: 'u', avatarUrl: null } });
      const room = await commands.createRoom({ actorId: 'u', name: 'Room 1' });
      await commands.renameRoom({ actorId: 'u', roomId: room.id, name: 'Lounge' });
      // An old claim of the first name, left behind.
      await redis.client.hset(roomNamesKey, toLegacyRoomNameKey('Room 1'), room.id);
      const fresh = await commands.createRoom({ actorId: 'u', name: 'Room 1' });
      expect(fresh.id).not.toBe(room.id);
      expect(fresh.name).toBe('Room 1');
    } finally {
      await store.close();
    }
  });
});
