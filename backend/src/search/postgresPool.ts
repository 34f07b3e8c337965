import pg from 'pg';

/**
 * A pool's client for a transaction. While checked out, a client whose connection dies (the server
 * shutting down) emits 'error' besides failing its query: listened to here, so it is not an
 * uncaught exception; release() hands it back broken, and the pool drops it.
 */
export const checkOut = async (pool: pg.Pool): Promise<pg.PoolClient> => {
  const client = await pool.connect();
  const ignore = () => {};
  client.on('error', ignore);
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => {
    client.off('error', ignore);
    release(error);
  };
  return client;
};

/** A pool for `DATABASE_URL`, whose idle connections' errors (the server restarting) are not fatal. */
export const createSearchPool = (databaseUrl: string) => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 6, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {});
  return pool;
};
