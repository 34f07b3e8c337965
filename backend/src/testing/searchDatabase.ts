import { afterAll, beforeAll } from 'vitest';
import { migrateSearchSchema } from '../search/postgresMigrations.js';
import { createSearchPool } from '../search/postgresPool.js';
import { type TestDatabase, createTestDatabase } from './testDatabase.js';

/**
 * A throwaway database with the search schema, for the suite it is called in (created before it,
 * dropped after it); `empty()` clears it between tests.
 */
export const useSearchDatabase = () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    const pool = createSearchPool(database.url);
    await migrateSearchSchema(pool);
    await pool.end();
  });
  afterAll(async () => {
    await database?.drop();
  });
  return {
    get url() {
      return database.url;
    },
    empty: () => database.query('TRUNCATE search_messages, search_rooms'),
  };
};
