/**
 * The process lifecycle shared by the bench entry points (bench/run.ts, bench/fanout.ts,
 * bench/projections.ts): a private redis-server, the Redis connections, HTTP clients and WebSockets
 * the run opens, and their cleanup however the run ends: normally, on SIGINT/SIGTERM/SIGHUP (exit
 * 130; a second signal exits at once), or by a last-resort 'exit' hook that SIGKILLs the children and
 * redis-server when we leave without the async cleanup. Child servers are killed by
 * bench/childServer.ts; redis-server and its directory here.
 */
import { existsSync, rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { type TestRedis, startTestRedis } from '../backend/src/testing/redisServer.js';
import { killAllChildren, stopAllChildren } from './childServer.js';
import type { HttpClient } from './httpClient.js';
import { parseInfo } from './metrics.js';
import type { GraphqlSocket } from './wsClient.js';

export interface LifecycleOptions {
  /** What a signal stops, for its message: "\n<SIGNAL>: stopping <what>…". */
  stopping: string;
  /** How long the cleanup after a signal may take before the process exits anyway (ms). */
  signalGraceMs: number;
}

export interface Lifecycle {
  /** Closed (clients), disconnected (connections) or terminated (sockets) by the cleanup; delete what you close yourself. */
  readonly clients: Set<HttpClient>;
  readonly connections: Set<Redis>;
  readonly sockets: Set<GraphqlSocket>;
  /** The private redis-server, once `startRedis` has run (null after the cleanup). */
  readonly redis: TestRedis | null;
  /** Whether a signal arrived (the run then ends with exit code 130). */
  readonly interrupted: boolean;
  /** A Redis connection that the cleanup disconnects. */
  connect(url: string): Promise<Redis>;
  /** Starts the private redis-server and answers an admin connection to it and its INFO server fields. */
  startRedis(): Promise<{ redis: TestRedis; admin: Redis; serverInfo: Map<string, string> }>;
  /**
   * Disconnects every connection `connect` opened, stops the private redis-server and removes its
   * directory, so that a run in parts can start a fresh one for the next part.
   */
  stopRedis(): Promise<void>;
  /** Runs `dispose` in the cleanup, after the child servers stopped: for what a run started itself (a Redis Cluster). */
  onCleanup(dispose: () => Promise<void>): void;
  /** Closes everything (once; later calls answer the same promise). */
  cleanup(): Promise<void>;
  /** Runs `main`, reports its failure, cleans up and exits: 0, 1 on failure, 130 after a signal. */
  run(main: () => Promise<void>): void;
}

export const createLifecycle = (options: LifecycleOptions): Lifecycle => {
  let redis: TestRedis | null = null;
  let redisPid: number | null = null;
  let redisDir: string | null = null;
  let interrupted = false;
  const connections = new Set<Redis>();
  const clients = new Set<HttpClient>();
  const sockets = new Set<GraphqlSocket>();
  const disposers: (() => Promise<void>)[] = [];

  const connect = async (url: string): Promise<Redis> => {
    const connection = new Redis(url, { lazyConnect: true, protocol: 2, maxRetriesPerRequest: 0 });
    connection.on('error', () => {});
    connections.add(connection);
    await connection.connect();
    return connection;
  };

  const startRedis = async () => {
    const started = await startTestRedis();
    redis = started;
    const admin = await connect(started.url);
    const serverInfo = parseInfo(await admin.info('server'));
    redisPid = Number(serverInfo.get('process_id'));
    redisDir = ((await admin.config('GET', 'dir')) as string[])[1] ?? null;
    return { redis: started, admin, serverInfo };
  };

  const stopRedis = async () => {
    for (const connection of connections) connection.disconnect();
    connections.clear();
    await redis?.dispose();
    redis = null;
    redisPid = null;
    redisDir = null;
  };

  let cleanedUp: Promise<void> | null = null;
  const cleanup = () =>
    (cleanedUp ??= (async () => {
      for (const socket of sockets) socket.ws.terminate();
      for (const client of clients) client.close();
      for (const connection of connections) connection.disconnect();
      await stopAllChildren();
      await Promise.all(disposers.map((dispose) => dispose().catch(() => {})));
      await redis?.dispose();
      redis = null;
      redisPid = null;
    })());

  process.on('exit', () => {
    // Last resort when we leave without the async cleanup (a second Ctrl-C, an uncaught error).
    killAllChildren();
    if (redisPid !== null) {
      try {
        process.kill(redisPid, 'SIGKILL');
      } catch {
        // gone already
      }
      if (redisDir) rmSync(redisDir, { recursive: true, force: true });
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`\n${signal}: stopping ${options.stopping}…`);
      const timer = setTimeout(() => process.exit(130), options.signalGraceMs);
      void cleanup().finally(() => {
        clearTimeout(timer);
        process.exit(130);
      });
    });
  }

  const run = (main: () => Promise<void>) => {
    main()
      .then(
        () => 0,
        (error: unknown) => {
          // After Ctrl-C the servers die under the load; that failure is not news.
          if (!interrupted) console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          if (!interrupted && String(error).includes('RATE_LIMITED'))
            console.error("hint: raise BENCH_USERS_PER_CLIENT so that no user posts faster than the server's per-user limit");
          return 1;
        },
      )
      .then(async (code) => {
        await cleanup();
        if (redisDir && existsSync(redisDir)) rmSync(redisDir, { recursive: true, force: true });
        process.exit(interrupted ? 130 : code);
      });
  };

  return {
    clients,
    connections,
    sockets,
    connect,
    startRedis,
    stopRedis,
    onCleanup: (dispose) => void disposers.push(dispose),
    cleanup,
    run,
    get redis() {
      return redis;
    },
    get interrupted() {
      return interrupted;
    },
  };
};
