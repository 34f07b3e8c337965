import { afterAll, beforeAll } from 'vitest';
import { type TestDatabase, createTestDatabase } from '../testing/testDatabase.js';
import { createMemorySearchIndex } from './memorySearchIndex.js';
import { migrateSearchSchema } from './postgresMigrations.js';
import { createPostgresSearchIndex } from './postgresSearchIndex.js';
import { createSearchPool } from './postgresPool.js';
import { searchIndexContract } from './searchIndex.contract.js';

searchIndexContract('memory', async () => createMemorySearchIndex());

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

searchIndexContract('postgres', async () => {
  // One database for the suite, emptied for each test.
  await database.query('TRUNCATE search_messages, search_rooms');
  const pool = createSearchPool(database.url);
  const index = createPostgresSearchIndex({ pool });
  return {
    ...index,
    async close() {
      await index.close();
      await pool.end();
    },
  };
});
