/**
 * `npm run projections:rebuild [name…]`: rebuilds read models from the log, on the Redis of
 * REDIS_URL or the Redis Cluster of REDIS_CLUSTER (read as the server reads them), while servers
 * keep running on it. Names: rooms, messages, edits, members, unread, threads, reactions,
 * users (and the user names set), directory, search (the PostgreSQL of DATABASE_URL; without
 * one, each server's index is in its memory and built at its start); none: all.
 */
import { readConfig } from '../config.js';
import { PROJECTION_NAMES, type ProjectionName, rebuildProjections } from './rebuildProjections.js';

const main = async () => {
  const config = readConfig(process.env);
  const target = config.redisCluster ? { cluster: config.redisCluster } : config.redisUrl ? { url: config.redisUrl } : null;
  if (!target) {
    throw new Error(
      'REDIS_URL: set it (or REDIS_CLUSTER) to the Redis the servers use (the embedded store lives inside its server process)',
    );
  }
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(PROJECTION_NAMES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`unknown projection ${unknown.join(', ')}: choose from ${PROJECTION_NAMES.join(', ')}`);
  const names: readonly ProjectionName[] = asked.length ? (asked as ProjectionName[]) : PROJECTION_NAMES;
  if (asked.includes('search') && !config.databaseUrl) {
    throw new Error(
      'DATABASE_URL: set it to the PostgreSQL the servers use (without one, each server indexes in its memory, at every start)',
    );
  }
  await rebuildProjections(target, names, { databaseUrl: config.databaseUrl });
};

main().catch((error: unknown) => {
  // One line, naming the variable or projection at fault (a configuration error names its variable).
  console.error(`projections:rebuild: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
