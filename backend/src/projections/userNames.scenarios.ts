import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { createChatLookups } from '../chat/queries.js';
import { projectionVersionsKey, userNamesKey } from './keys.js';
import type { OpenRedisStore } from './redisScenarios.js';
import { backfillUserNames, readUserNames } from './userNames.js';

/* The user names set after an upgrade: on one Redis (userNames.int.spec.ts) and a Redis Cluster (projections.cluster.int.spec.ts). */
export const describeUserNamesBackfill = (name: string, open: OpenRedisStore) =>
  describe(`the user names set in a Redis written before it existed (${name})`, () => {
    it('adds every user from their stored state, wherever their keys live, once', async () => {
      const { store, redis, wipe } = await open();
      try {
        const commands = createChatCommands(store, createChatLookups(store));
        const ids = Array.from({ length: 12 }, (_, i) => `user${i}`);
        for (const id of ids) {
          await commands.registerUser({ userId: id, profile: { handle: `h${id}`, displayName: `Name ${id}`, avatarUrl: null } });
        }
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
  });
