import type pg from 'pg';
import { checkOut } from './postgresPool.js';

/** The search read model's tables, by name (a rebuild fills a second set and swaps it in). */
export interface SearchTables {
  messages: string;
  rooms: string;
}

export const LIVE_TABLES: SearchTables = { messages: 'search_messages', rooms: 'search_rooms' };
export const NEXT_TABLES: SearchTables = { messages: 'search_messages_next', rooms: 'search_rooms_next' };

/** Serializes migrations and swaps between instances starting at once. */
const MIGRATION_LOCK = 7_240_315_001;

/**
 * The schema, one version at a time; a version once released is never edited, only followed.
 * `terms` is the body's tsvector as the shared tokenizer makes it (search/tokens.ts): PostgreSQL
 * stores it and answers phrases and exclusions through the GIN index, and both engines find alike.
 */
const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE search_messages (
        message_id text PRIMARY KEY,
        room_id text NOT NULL,
        author_id text NOT NULL,
        body text NOT NULL,
        position text NOT NULL,
        public boolean NOT NULL,
        terms tsvector NOT NULL
      );
      CREATE INDEX search_messages_terms ON search_messages USING gin (terms);
      CREATE INDEX search_messages_position ON search_messages (position DESC);
      CREATE INDEX search_messages_room ON search_messages (room_id, position DESC);
      CREATE INDEX search_messages_author ON search_messages (author_id, position DESC);
      CREATE TABLE search_rooms (room_id text PRIMARY KEY, position text NOT NULL);
    `,
  },
  {
    // A word missing from the statistics was estimated at ~900 rows per million, so the planner
    // walked the position order for it; finer statistics make it take the words' index.
    version: 2,
    sql: `
      ALTER TABLE search_messages ALTER COLUMN terms SET STATISTICS 1000;
      ANALYZE search_messages;
    `,
  },
];

/**
 * Brings the database to the latest schema version, idempotently (each version is applied once,
 * recorded in `search_migrations`), under a lock so that instances starting together take turns.
 * Answers the versions it applied.
 */
export const migrateSearchSchema = async (pool: pg.Pool): Promise<number[]> => {
  const client = await checkOut(pool);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS search_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM search_migrations');
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO search_migrations (version) VALUES ($1)', [migration.version]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
};

/** Empty copies of the live tables, for a rebuild to fill (any left by an earlier one are dropped). */
export const createNextTables = async (pool: pg.Pool) => {
  await pool.query(`DROP TABLE IF EXISTS ${NEXT_TABLES.messages}, ${NEXT_TABLES.rooms}`);
  await pool.query(`CREATE TABLE ${NEXT_TABLES.messages} (LIKE ${LIVE_TABLES.messages} INCLUDING ALL)`);
  await pool.query(`CREATE TABLE ${NEXT_TABLES.rooms} (LIKE ${LIVE_TABLES.rooms} INCLUDING ALL)`);
};

/**
 * Puts the rebuilt tables in place of the live ones, in one transaction: searches answer from the
 * old tables until it commits and from the new ones after; the projector, whose next write finds
 * the rooms' positions changed, reads them again and carries on from the new tables'.
 */
export const swapInNextTables = async (pool: pg.Pool) => {
  const client = await checkOut(pool);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`DROP TABLE ${LIVE_TABLES.messages}, ${LIVE_TABLES.rooms}`);
    await client.query(`ALTER TABLE ${NEXT_TABLES.messages} RENAME TO ${LIVE_TABLES.messages}`);
    await client.query(`ALTER TABLE ${NEXT_TABLES.rooms} RENAME TO ${LIVE_TABLES.rooms}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
};
