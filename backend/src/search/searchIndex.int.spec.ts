import { describe, expect, it, vi } from 'vitest';
import { useSearchDatabase } from '../testing/searchDatabase.js';
import { createMemorySearchIndex } from './memorySearchIndex.js';
import { createPostgresSearchIndex } from './postgresSearchIndex.js';
import { createSearchPool } from './postgresPool.js';
import { searchIndexContract } from './searchIndex.contract.js';
import type { SearchIndex } from './searchIndex.js';

searchIndexContract('memory', async () => createMemorySearchIndex());

const database = useSearchDatabase();

const openPostgres = (window?: number) => async () => {
  // One database for the suite, emptied for each test.
  await database.empty();
  const pool = createSearchPool(database.url);
  const index = createPostgresSearchIndex({ pool, window });
  return {
    ...index,
    async close() {
      await index.close();
      await pool.end();
    },
  };
};
searchIndexContract('postgres', openPostgres());
// A window of two rows: every search goes on below it, through the words' own index.
searchIndexContract('postgres, past the window of newest rows', openPostgres(2));

describe('the PostgreSQL projector lease', () => {
  it('is held by one index at a time, and passes on when its holder closes', async () => {
    const pools = [createSearchPool(database.url), createSearchPool(database.url)];
    const first: SearchIndex = createPostgresSearchIndex({ pool: pools[0]! });
    const second: SearchIndex = createPostgresSearchIndex({ pool: pools[1]! });
    try {
      expect(await first.lead()).toBe(true);
      expect(await second.lead()).toBe(false);
      expect(await first.lead()).toBe(true);
      expect(await second.lead()).toBe(false);
      await first.close();
      expect(await first.lead()).toBe(false);
      await vi.waitFor(async () => expect(await second.lead()).toBe(true), { timeout: 5_000, interval: 20 });
    } finally {
      await Promise.all([first.close(), second.close()]);
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
