import { roomNamesKey, roomSnapshotsKey } from '../chat/keys.js';
import { type RoomState, toRoomKind, toRoomNameKey } from '../domain/room/room.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { type StoreRedis, execByNode } from '../redis/client.js';
import { projectionVersionsKey } from './keys.js';

/*
 * Public rooms' names are unique by `toRoomNameKey`: the append that creates or renames a public
 * room claims its key in the hash `roomNamesKey` (field: the key, value: the room's id), and
 * releases the key of its old name. These claims are kept beside the log, not folded from it, so
 * when the key function changes the claims already made must be made again under the new keys.
 */

/**
 * Which key function the claims were made with: 0 (no version stored) lower case and NFKC
 * (`toLegacyRoomNameKey`); 1 the look-alike skeleton (`toRoomNameKey`, confusables.txt 16.0.0).
 * Bump it with any change of `toRoomNameKey` or its data.
 */
export const ROOM_NAME_KEYS_VERSION = 1;

/**
 * The key names were claimed under before look-alikes were one name (version 0). Still read by
 * `findRoomByName` for rooms whose claim was made by an older instance and not yet made again.
 */
export const toLegacyRoomNameKey = (name: string): string => name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ');

const BATCH = 1_000;

/**
 * Claims every public room's name under its current key, once per Redis and key version, oldest
 * room first: when two existing rooms now share a key, the older one keeps it (the other keeps
 * working, its name just isn't claimed). Fields of older key versions stay, unread: a field is
 * only ever looked up under the current key. Idempotent (HSETNX); answers how many rooms it read.
 */
export const backfillRoomNameClaims = async (redis: StoreRedis, store: EventStore): Promise<number> => {
  if (Number((await redis.hget(projectionVersionsKey, 'roomNames')) ?? 0) >= ROOM_NAME_KEYS_VERSION) return 0;
  const rooms = [...(await store.readAllSnapshots<RoomState>(roomSnapshotsKey)).values()]
    .flatMap(({ state }) => (state.status === 'open' && toRoomKind(state) === 'PUBLIC' ? [state] : []))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  for (let i = 0; i < rooms.length; i += BATCH) {
    // One key, so one slot: a single pipeline on a Cluster too.
    await execByNode(
      redis,
      rooms
        .slice(i, i + BATCH)
        .map((room) => ({ key: roomNamesKey, command: ['hsetnx', roomNamesKey, toRoomNameKey(room.name), room.id] })),
    );
  }
  await redis.hset(projectionVersionsKey, 'roomNames', ROOM_NAME_KEYS_VERSION);
  return rooms.length;
};
