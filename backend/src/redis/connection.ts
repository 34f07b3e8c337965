import { type Redis, ReplyError, type RedisOptions } from 'ioredis';
import { StoreUnavailableError } from '../storeUnavailable.js';

/**
 * Fail fast while Redis is down: no offline queue, nothing re-sent after a reconnect (an XADD
 * could run twice, an XREAD could skip), and in-flight commands rejected as soon as the connection
 * drops (`maxRetriesPerRequest: 0`; with more, a command caught by a quick reconnect is never
 * settled). Reconnecting goes on by itself with a capped backoff. RESP2 keeps reply shapes plain.
 */
export const failFastRedisOptions: RedisOptions = {
  lazyConnect: true,
  protocol: 2,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1_000),
  connectTimeout: 5_000,
  // A silent socket with commands waiting is dead: drop it and reconnect.
  socketTimeout: 10_000,
  // No auto-pipelining: it saves a write per command under load but costs more in JavaScript
  // (a pipeline and its promises per tick): a post costs the server less CPU without it
  // (bench:fanout's write phase measures it).
  enableAutoPipelining: false,
};

/**
 * Commands sent within one turn of the event loop (by concurrent requests) leave in one write:
 * the connection's socket is corked at the first and uncorked in the turn's check phase
 * (setImmediate), after every I/O callback of the turn has run. What auto-pipelining saves in
 * system calls, without its pipeline and promises per command. Uncorking at the end of the first
 * callback (nextTick) instead gave one write per request, and more CPU per post on both the
 * server and Redis (bench:fanout's write phase measures it). Applied again at every reconnection.
 */
export const coalesceWrites = (redis: Redis): Redis => {
  redis.on('connect', () => {
    const socket = redis.stream;
    const write = socket.write;
    const uncork = () => socket.uncork();
    socket.write = function (this: typeof socket, ...args: Parameters<typeof write>) {
      if (this.writableCorked === 0) {
        this.cork();
        setImmediate(uncork);
      }
      return write.apply(this, args);
    } as typeof write;
  });
  return redis;
};

/**
 * Transient server states that mean "not now", not "your command is wrong". MOVED and ASK reach a
 * caller only from a Cluster pipeline ioredis did not redirect (a slot moved under it, in a failover):
 * the command did not run.
 */
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY|MISCONF|OOM|MOVED|ASK)\b/;

/** Any failure to get an answer is an outage (`StoreUnavailableError`); an error reply from Redis is a bug and stays as it is. */
export const toStoreError = (error: unknown): unknown =>
  error instanceof ReplyError && !UNAVAILABLE_REPLIES.test((error as Error).message) ? error : new StoreUnavailableError(error);

export const callRedis = async <T>(command: () => Promise<T>): Promise<T> => {
  try {
    return await command();
  } catch (error) {
    throw toStoreError(error);
  }
};
