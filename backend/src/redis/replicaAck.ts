import { StoreUnavailableError } from '../storeUnavailable.js';
import { type StoreRedis, hashTagOf, isCluster, nodeOf } from './client.js';
import { toStoreError } from './connection.js';

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
export const readConnectedReplicas = async (redis: StoreRedis): Promise<number> => {
  if (isCluster(redis)) {
    // The fewest any primary has: every slot must be able to keep the promise.
    const counts = await Promise.all(
      redis.nodes('master').map(async (node) => {
        // Node connections are lazy and queue nothing: open one before asking it.
        if (node.status === 'wait') await node.connect();
        return readConnectedReplicas(node);
      }),
    );
    return counts.length ? Math.min(...counts) : 0;
  }
  const info = await redis.info('replication');
  const match = info.match(/^connected_slaves:(\d+)/m);
  return match ? Number(match[1]) : 0;
};

/**
 * Decides the replicas to wait for, once, at start: as configured, or 1 when the primary reports
 * connected replicas (0 without). Warns when more are asked than are connected: every write
 * then answers UNAVAILABLE until enough replicas catch up.
 */
export const resolveReplicaAck = async (redis: StoreRedis, options: ReplicaAckOptions): Promise<ReplicaAck> => {
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
 * Fewer replicas than asked within the timeout is an outage for the caller: the write is on the
 * primary, which may still lose it.
 */
export const assertReplicated = (replicas: number, ack: ReplicaAck): void => {
  if (replicas < ack.replicas) {
    throw new StoreUnavailableError(
      new Error(`WAIT: ${replicas} of ${ack.replicas} replicas acknowledged the write within ${ack.timeoutMs} ms`),
    );
  }
};

/** Sends writes, each followed by a `WAIT` that covers it. */
export interface ReplicatedWriter {
  /**
   * Sends one command; answers its reply and how many replicas `WAIT` found to have it (and every
   * write before it on the connection). Rejects with `StoreUnavailableError` when no answer comes,
   * and with Redis's error reply when the command is refused.
   */
  write(command: readonly (string | number)[]): Promise<{ reply: unknown; replicas: number }>;
  /**
   * Joins the next batch and answers how many replicas its `WAIT` found: that many have everything
   * the primary held when the batch left. A batch with barriers carries one write for them all (an
   * SPUBLISH nobody hears on a channel in `key`'s slot), since `WAIT` covers its connection's last
   * write, and the batch's appends may write nothing (a refusal, a conflict).
   */
  barrier(key: string): Promise<number>;
}

interface Pending {
  /** Null for a barrier. */
  command: readonly (string | number)[] | null;
  /** A barrier's key. */
  key?: string;
  resolve: (answer: { reply: unknown; replicas: number }) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit on one connection. `WAIT` covers everything its connection wrote before it, and
 * holds the connection's later commands until it answers; so one batch is in flight at a time:
 * the writes waiting when it leaves go in one pipeline (one socket write) with one `WAIT` behind
 * them, and those that arrive meanwhile make the next batch. Idle, a write leaves at the end of
 * the event loop's turn with its WAIT, one round trip in all; busy, a round trip to the replica
 * is shared by a whole batch instead of paid once per write in turn. The connection carries
 * nothing else (a read behind a WAIT would wait for the replica too). On Redis Cluster a batch
 * must stay on one node: one writer per primary (`createReplicatedWriters`).
 */
export const createReplicatedWriter = (connection: StoreRedis, ack: ReplicaAck): ReplicatedWriter => {
  let waiting: Pending[] = [];
  let scheduled = false;
  let inFlight = false;

  const send = async () => {
    scheduled = false;
    if (inFlight || waiting.length === 0) return;
    inFlight = true;
    const batch = waiting;
    waiting = [];
    try {
      const writes = batch.filter((pending) => pending.command !== null);
      const barrier = batch.find((pending) => pending.command === null);
      const commands = writes.map((pending) => [...pending.command!]);
      if (barrier) commands.push(['spublish', toBarrierChannel(barrier.key!), '']);
      commands.push(['wait', ack.replicas, ack.timeoutMs]);
      const results = await connection.pipeline(commands).exec();
      const [waitError, replicas] = results?.at(-1) ?? [new Error('no WAIT reply'), 0];
      const published = barrier ? results?.at(-2) : null;
      let written = 0;
      for (const pending of batch) {
        const [error, reply] = pending.command === null ? (published ?? [new Error('no SPUBLISH reply'), null]) : results![written++]!;
        if (error) pending.reject(toStoreError(error));
        else if (waitError) pending.reject(new StoreUnavailableError(waitError));
        else pending.resolve({ reply, replicas: Number(replicas) });
      }
    } catch (error) {
      for (const pending of batch) pending.reject(toStoreError(error));
    } finally {
      inFlight = false;
      if (waiting.length > 0) void send();
    }
  };

  const enqueue = (command: Pending['command'], key?: string) =>
    new Promise<{ reply: unknown; replicas: number }>((resolve, reject) => {
      waiting.push({ command, key, resolve, reject });
      if (scheduled || inFlight) return;
      scheduled = true;
      // The other writes of this turn of the event loop join the batch.
      setImmediate(send);
    });

  return {
    write: (command) => enqueue(command),
    barrier: async (key) => (await enqueue(null, key)).replicas,
  };
};

/**
 * The writer for a write to `key`: on one Redis always the same; on a Cluster, one per primary (as
 * the slot map names it when the write is made), each batching its node's writes with one `WAIT`
 * there. Should the slot map change under a batch (a failover), ioredis refuses the pipeline and
 * its writes answer `StoreUnavailableError`, to be retried; a write told its slot moved (MOVED)
 * goes again to the new owner.
 */
export const createReplicatedWriters = (connection: StoreRedis, ack: ReplicaAck): ((key: string) => ReplicatedWriter) => {
  if (!isCluster(connection)) {
    const writer = createReplicatedWriter(connection, ack);
    return () => writer;
  }
  const writers = new Map<string, ReplicatedWriter>();
  const writerOf = (key: string) => {
    const node = nodeOf(connection, key);
    let writer = writers.get(node);
    if (!writer) {
      writer = createReplicatedWriter(connection, ack);
      writers.set(node, writer);
    }
    return writer;
  };
  const refreshSlots = () => new Promise<void>((resolve) => connection.refreshSlotsCache(() => resolve()));
  return (key) => ({
    barrier: (barrierKey) => writerOf(barrierKey).barrier(barrierKey),
    write: async (command) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await writerOf(key).write(command);
        } catch (error) {
          // The slot moved to another primary (resharding): the write did not run. ioredis follows
          // MOVED for a lone command, not in a pipeline with a WAIT behind it: read the new slot
          // map, then send it to its new primary's writer. (ASK and TRYAGAIN, while the slot's keys
          // move, answer unavailable: its rooms wait for the move to end.)
          if (attempt >= MOVED_ATTEMPTS || !isMoved(error)) throw error;
          await refreshSlots();
        }
      }
    },
  });
};

const MOVED_ATTEMPTS = 3;
const isMoved = (error: unknown) =>
  error instanceof StoreUnavailableError && error.cause instanceof Error && error.cause.message.startsWith('MOVED ');

/**
 * A read barrier: resolves once `ack.replicas` replicas have everything the primary serving `key`
 * held when it was called, and rejects with `StoreUnavailableError` when they do not answer in
 * time. Replication is one ordered stream per primary, and `WAIT` covers its connection's last
 * write and so everything the primary wrote before it, whichever connection wrote it: the barrier
 * joins the next batch of the key's writer (`ReplicatedWriter.barrier`), whose writes (appends, or
 * an SPUBLISH nobody hears, which replicas receive and the keyspace never sees) leave after it was
 * called. Busy, it costs no command of its own. A reader that calls it after reading entries and
 * before handing them on hands on only entries a failover keeps.
 */
export const createReadBarrier =
  (writerFor: (key: string) => ReplicatedWriter, ack: ReplicaAck) =>
  async (key: string): Promise<void> => {
    assertReplicated(await writerFor(key).barrier(key), ack);
  };

/** A channel in `key`'s slot: its hash tag (or the whole key as one), then `:barrier`. */
export const toBarrierChannel = (key: string): string => `{${hashTagOf(key)}}:barrier`;
