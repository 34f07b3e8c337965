import type pg from 'pg';
import type { EventStore } from '../eventstore/eventStore.js';
import { LIVE_TABLES, NEXT_TABLES, createNextTables, migrateSearchSchema, swapInNextTables } from './postgresMigrations.js';
import { createPostgresSearchIndex } from './postgresSearchIndex.js';
import { type SearchRooms, catchUpAll, createSearchFolding } from './searchProjector.js';

/**
 * Rebuilds the PostgreSQL search index from the logs while servers keep searching and projecting:
 * folds every room's log into a second set of tables, swaps them in at once (searches answer
 * from the old tables until then), then folds what came meanwhile into the new ones; the servers'
 * projector, whose next write finds the positions changed, carries on from them. Answers the
 * number of messages indexed.
 */
export const rebuildSearchIndex = async (store: EventStore, pool: pg.Pool, rooms: SearchRooms): Promise<number> => {
  await migrateSearchSchema(pool);
  await createNextTables(pool);
  const next = createPostgresSearchIndex({ pool, tables: NEXT_TABLES });
  await catchUpAll(createSearchFolding(store, next, rooms));
  await swapInNextTables(pool);
  await catchUpAll(createSearchFolding(store, createPostgresSearchIndex({ pool }), rooms));
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${LIVE_TABLES.messages}`);
  return Number(rows[0]!.n);
};
