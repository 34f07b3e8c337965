import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compareCursors } from '../../eventstore/eventStore.js';
import { failFastRedisOptions } from '../../redis/connection.js';
import { StoreUnavailableError } from '../../storeUnavailable.js';
import { findFreePort } from '../../testing/freePort.js';
import { startTestRedis, type TestRedis } from '../../testing/redisServer.js';
import { compareByUtf8, toDirectoryMember, toMemberName, toTrigrams } from './directoryEntry.js';
import { describeDirectoryStoreContract } from './directoryStore.contract.js';
import type { DirectoryChange } from './directoryStore.js';
import { directoryMetaKey, toDirectoryAppliedKey, toDirectoryNamesKey, toDirectoryTrigramKey } from './keys.js';
import { createMemoryDirectoryStore } from './memoryDirectoryStore.js';
import { createRedisDirectoryStore } from './redisDirectoryStore.js';

describeDirectoryStoreContract('memory', async () => ({ store: createMemoryDirectoryStore(), cleanup: async () => {} }));
// Blocks of at most 3 rooms: every test then splits, empties and crosses blocks.
describeDirectoryStoreContract('memory, small blocks', async () => ({
  store: createMemoryDirectoryStore({ blockMax: 3 }),
  cleanup: async () => {},
}));

describe('redis', () => {
  let server: TestRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url, failFastRedisOptions);
    await redis.connect();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.dispose();
  });

  describeDirectoryStoreContract('redis', async () => ({
    store: createRedisDirectoryStore(redis),
    cleanup: async () => {
      await redis.flushall();
    },
  }));

  const scanAll = async (pattern: string): Promise<string[]> => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  };

  /** The trigram postings hold exactly the listed members, each under every trigram of its name. */
  const expectIndexConsistent = async (generation: number) => {
    const members = await redis.zrange(toDirectoryNamesKey(generation), '-', '+', 'BYLEX');
    const applied = await redis.hvals(toDirectoryAppliedKey(generation));
    const listedMembers = applied.filter((value) => value.includes(' ')).map((value) => value.slice(value.indexOf(' ') + 1));
    expect(new Set(listedMembers)).toEqual(new Set(members));

    const expected = new Map<string, Set<string>>();
    for (const member of members) {
      for (const trigram of toTrigrams(toMemberName(member))) {
        const key = toDirectoryTrigramKey(generation, trigram);
        expected.set(key, (expected.get(key) ?? new Set()).add(member));
      }
    }
    const trigramKeys = await scanAll(toDirectoryTrigramKey(generation, '*'));
    expect(new Set(trigramKeys)).toEqual(new Set(expected.keys()));
    for (const key of trigramKeys) {
      const posting = await redis.zrange(key, '-', '+', 'BYLEX');
      expect(new Set(posting), key).toEqual(expected.get(key));
      expect(posting).toEqual([...posting].sort((a, b) => compareByUtf8(a, b)));
    }
  };

  describe('redis only', () => {
    afterEach(async () => {
      await redis.flushall();
    });

    it('keeps the trigram index exact while several instances apply the same rooms at once', async () => {
      const words = ['Café', 'Lounge', 'garden', 'Jazz', 'Ödön', 'north', 'Bar', '😀'];
      const rooms = Array.from({ length: 12 }, (_, i) => `room-${i}`);
      const connections = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const connection = new Redis(server.url, failFastRedisOptions);
          await connection.connect();
          return connection;
        }),
      );
      try {
        const stores = connections.map((connection) => createRedisDirectoryStore(connection));
        // Every instance gets every change, in its own order and batches, as redelivery would.
        const changes: DirectoryChange[] = [];
        for (let n = 0; n < 400; n++) {
          const roomId = rooms[n % rooms.length]!;
          const name = `${words[(n * 7) % words.length]} ${words[(n * 3) % words.length]} ${n % 5}`;
          changes.push({ roomId, name, listed: n % 9 !== 0, cursor: `${1 + (n % 17)}-${n}` });
        }
        await Promise.all(
          stores.map(async (store, s) => {
            // A different permutation per instance (a step coprime to the count).
            const step = [3, 7, 11, 13][s]!;
            const mine = changes.map((_, i) => changes[(i * step) % changes.length]!);
            for (let i = 0; i < mine.length; i += 5 + s) expect(await store.apply(1, mine.slice(i, i + 5 + s))).toBe('applied');
          }),
        );

        await expectIndexConsistent(1);
        const latest = new Map<string, DirectoryChange>();
        for (const change of changes) {
          const kept = latest.get(change.roomId);
          if (!kept || compareCursors(change.cursor, kept.cursor) > 0) latest.set(change.roomId, change);
        }
        const expectedMembers = [...latest.values()]
          .filter((change) => change.listed)
          .map((change) => toDirectoryMember(change.roomId, change.name));
        expect(new Set(await redis.zrange(toDirectoryNamesKey(1), '-', '+', 'BYLEX'))).toEqual(new Set(expectedMembers));
      } finally {
        for (const connection of connections) connection.disconnect();
      }
    });

    it('writes only keys in the {lobby} slot, under its generation, and drops them all in batches', async () => {
      const store = createRedisDirectoryStore(redis);
      await store.writeGenerations({ serving: 1, building: 12 });
      // Enough distinct trigrams for several SCAN batches.
      const changes = Array.from({ length: 1_500 }, (_, i) => ({
        roomId: `r-${i}`,
        name: `Room ${i.toString(36)} ${(i * 7919).toString(36)}`,
        listed: true,
        cursor: '1-0',
      }));
      for (let i = 0; i < changes.length; i += 250) await store.apply(12, changes.slice(i, i + 250));
      await store.apply(1, changes.slice(0, 10));
      await expectIndexConsistent(12);

      const keys = await scanAll('*');
      expect(keys.length).toBeGreaterThan(2_000);
      for (const key of keys) expect(key.startsWith('chat:{lobby}:directory:')).toBe(true);
      const twelve = keys.filter((key) => key.startsWith('chat:{lobby}:directory:12:'));
      expect(twelve.length).toBeGreaterThan(2_000);

      await store.dropGeneration(12);
      const left = await scanAll('*');
      expect(left).toContain(directoryMetaKey);
      expect(left.some((key) => key.startsWith('chat:{lobby}:directory:1:'))).toBe(true);
      expect(left.filter((key) => key.includes(':12:'))).toEqual([]);
      await expectIndexConsistent(1);
    });

    it('rejects with StoreUnavailableError when Redis cannot be reached', async () => {
      const unreachable = new Redis(`redis://127.0.0.1:${await findFreePort()}`, failFastRedisOptions);
      unreachable.on('error', () => {});
      const store = createRedisDirectoryStore(unreachable);
      try {
        await expect(store.readPage(1, { first: 10, after: null, search: 'cafe' })).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.apply(1, [{ roomId: 'r-1', name: 'Café', listed: true, cursor: '1-0' }])).rejects.toBeInstanceOf(
          StoreUnavailableError,
        );
        await expect(store.readGenerations()).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.dropGeneration(2)).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        unreachable.disconnect();
      }
    });
  });

  // With a limit of 1, every search of 3 or more code points takes the dense path (a scan of
  // the names in order), which otherwise needs thousands of matching rooms.
  describeDirectoryStoreContract('redis, dense searches', async () => ({
    store: createRedisDirectoryStore(redis, { intersectionLimit: 1 }),
    cleanup: async () => {
      await redis.flushall();
    },
  }));

  // With a scan budget of 1, every scanning search stops after each member and goes on from
  // there in another call: pages must come out the same.
  describeDirectoryStoreContract('redis, scans in calls of one member', async () => ({
    store: createRedisDirectoryStore(redis, { intersectionLimit: 1, scanBudget: 1 }),
    cleanup: async () => {
      await redis.flushall();
    },
  }));
});
