import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { failFastRedisOptions } from '../redis/connection.js';
import { startTestRedis, type TestRedis } from './redisServer.js';

/** A private redis-server for the enclosing describe block, and a client to inspect or wipe it. */
export interface UsedRedis {
  readonly server: TestRedis;
  readonly url: string;
  /** Connected as the server's own connections are (failing fast); also for stores under test. */
  readonly client: Redis;
}

/** Starts the server before the block's tests and disposes of it after them. */
export const useTestRedis = (): UsedRedis => {
  let server: TestRedis | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startTestRedis();
    client = new Redis(server.url, failFastRedisOptions);
    await client.connect();
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.dispose();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestRedis: read it inside a test or hook');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get url() {
      return started(server).url;
    },
    get client() {
      return started(client);
    },
  };
};
