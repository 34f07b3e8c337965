import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { createChatLookups } from '../chat/queries.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { projectionVersionsKey, userNamesKey } from './keys.js';
import type { OpenRedisStore } from './redisScenarios.js';
import { backfillUserNames, readUserNames, rebuildUserNames } from './userNames.js';

/** Twelve people, user0…user11, handles `huser0`…, display names `Name user0`…. */
const registerUsers = async (store: EventStore) => {
  const commands = createChatCommands(store, createChatLookups(store));
  const ids = Array.from({ length: 12 }, (_, i) => `user${i}`);
  for (const id of ids) {
    await commands.registerUser({ userId: id, profile: { handle: `h${id}`, displayName: `Name ${id}`, avatarUrl: null } });
  }
  return ids;
};

/* The user names set after an upgrade: on one Redis (userNames.int.spec.ts) and a Redis Cluster (projections.cluster.int.spec.ts). */
export const describeUserNamesBackfill = (name: string, open: OpenRedisStore) =>
  describe(`the user names set in a Redis written before it existed (${name})`, () => {
    it('adds every user from their stored state, wherever their keys live, once', async () => {
      const { store, redis, wipe } = await open();
      try {
        const ids = await registerUsers(store);
        // As an older version left it: no names set, no version.
        await redis.del(userNamesKey);
        await redis.hdel(projectionVersionsKey, 'userNames');
        expect(await readUserNames(store, { prefix: 'huser', first: 50 })).toEqual([]);

        expect(await backfillUserNames(redis)).toBe(ids.length);
        expect((await readUserNames(store, { prefix: 'huser', first: 50 })).sort()).toEqual([...ids].sort());
        expect(await readUserNames(store, { handle: 'HUSER3', first: 1 })).toEqual(['user3']);
        expect(await readUserNames(store, { prefix: 'Name user1', first: 50 })).toEqual(
          expect.arrayContaining(['user1', 'user10', 'user11']),
        );
        expect(await backfillUserNames(redis)).toBe(0);
      } finally {
        await wipe();
      }
    });

    it('is rewritten from the stored states: entries no state makes go, missing ones come', async () => {
      const { store, redis, wipe } = await open();
      try {
        const ids = await registerUsers(store);
        const all = async () => [...(await store.readSetRange(userNamesKey, { min: '-', max: '+', count: 1_000 }))].sort();
        const expected = await all();
        expect(expected).toHaveLength(2 * ids.length);
        // As lost writes after appends can leave it (on a Cluster): an entry missing, a stale one.
        await redis.zrem(userNamesKey, expected[0]!);
        await redis.zadd(userNamesKey, 0, 'h\u0000gone\u0000gone');
        expect(await rebuildUserNames(redis)).toBe(ids.length);
        expect(await all()).toEqual(expected);
      } finally {
        await wipe();
      }
    });
  });
