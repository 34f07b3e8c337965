import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../storeUnavailable.js';

/**
 * Acknowledged only once replicated: a write is answered as done only when `WAIT` reports that
 * `replicas` replicas have it (and everything the connection wrote before it), within `timeoutMs`;
 * otherwise it answers `StoreUnavailableError` (the write may or may not stay: the caller retries
 * it idempotently). `replicas` 0: no WAIT at all.
 */
export interface ReplicaAck {
  replicas: number;
  timeoutMs: number;
}

/** As configured (REDIS_ACK_REPLICAS, REDIS_ACK_TIMEOUT_MS); `replicas` null: decided by `resolveReplicaAck`. */
export interface ReplicaAckOptions {
  replicas: number | null;
  timeoutMs: number;
}

export const DEFAULT_ACK_TIMEOUT_MS = 1_000;

/** `connected_slaves` from `INFO replication`: the replicas this primary streams to now. */
export const readConnectedReplicas = async (redis: Redis): Promise<number> => {
  const info = await redis.info('replication');
  const match = info.match(/^connected_slaves:(\d+)/m);
  return match ? Number(match[1]) : 0;
};

/**
 * Decides the replicas to wait for, once, at start: as configured, or 1 when the primary reports
 * connected replicas (0 without). Warns when more are asked than are connected: every write
 * then answers UNAVAILABLE until enough replicas catch up.
 */
export const resolveReplicaAck = async (redis: Redis, options: ReplicaAckOptions): Promise<ReplicaAck> => {
  const connected = await readConnectedReplicas(redis);
  const replicas = options.replicas ?? (connected > 0 ? 1 : 0);
  if (replicas > connected) {
    console.warn(
      `warning: REDIS_ACK_REPLICAS is ${replicas} but Redis has ${connected} connected replicas: writes answer UNAVAILABLE until enough replicas are connected`,
    );
  }
  return { replicas, timeoutMs: options.timeoutMs };
};

/**
 * Checks the `WAIT` reply that followed a write: fewer replicas than asked within the timeout is
 * an outage for the caller (the write is on the primary, which may still lose it).
 */
export const assertReplicated = (waitReply: [Error | null, unknown] | undefined, ack: ReplicaAck): void => {
  if (!waitReply) throw new StoreUnavailableError(new Error('no WAIT reply'));
  const [error, count] = waitReply;
  if (error) throw new StoreUnavailableError(error);
  if (Number(count) < ack.replicas) {
    throw new StoreUnavailableError(
      new Error(`WAIT: ${Number(count)} of ${ack.replicas} replicas acknowledged the write within ${ack.timeoutMs} ms`),
    );
  }
};
