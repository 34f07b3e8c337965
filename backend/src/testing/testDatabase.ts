import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL tests create their databases on: TEST_POSTGRES_URL, else this machine's
 * (127.0.0.1:5432, user postgres, trust auth; `.ci/run` makes sure it runs).
 */
const SERVER_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  /** A client of the test's own, for looking inside. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<R[]>;
  /** Drops the database (closing whatever is still connected to it). */
  drop(): Promise<void>;
}

/** A throwaway database of the test's own, dropped by `drop()`. */
export const createTestDatabase = async (): Promise<TestDatabase> => {
  const name = `balloons_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.href, max: 2 });
  pool.on('error', () => {});
  return {
    url: url.href,
    name,
    query: async (sql, values) => (await pool.query(sql, values)).rows,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: SERVER_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
};
