import cluster from 'node:cluster';
import { ConfigError, readConfig } from './config.js';
import { StoreUnavailableError } from './storeUnavailable.js';
import { buildApp } from './http/app.js';
import { runWorkers } from './workers.js';

const main = async () => {
  const config = readConfig(process.env);
  if (config.workers > 1 && cluster.isPrimary) {
    runWorkers(config.workers);
    return;
  }
  const app = await buildApp(config);
  // Said once the stores answered: a start that fails prints its one line and nothing else.
  if (!config.redisUrl && !config.redisCluster) {
    console.warn('warning: REDIS_URL is unset: using the embedded in-memory event store (one process; nothing survives a restart)');
  } else if (!config.databaseUrl) {
    console.warn('warning: DATABASE_URL is unset: each instance keeps its own in-memory search index, built from the log at start');
  }
  const url = await app.start();
  const worker = cluster.isWorker ? `, process ${process.pid}` : '';
  console.log(`balloons listening on ${url} (GraphiQL at ${url}/graphql, store: ${app.services.store.kind}${worker})`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed:', error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
};

main().catch((error: unknown) => {
  // One line, no stack: bad configuration or an unreachable store at start is the operator's to fix.
  const message =
    error instanceof ConfigError
      ? error.message
      : error instanceof StoreUnavailableError
        ? `${process.env.REDIS_CLUSTER ? 'REDIS_CLUSTER' : 'REDIS_URL'}: cannot reach Redis (${error.cause instanceof Error ? error.cause.message : 'no answer'})`
        : `cannot start: ${error instanceof Error ? error.message : String(error)}`;
  console.error(message);
  process.exit(1);
});
