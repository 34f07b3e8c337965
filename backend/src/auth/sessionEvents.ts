import type { Cluster, Redis } from 'ioredis';
import { type StoreRedis, isCluster } from '../redis/client.js';
import { StoreUnavailableError } from '../storeUnavailable.js';

/**
 * "This session ended": the hint that makes every instance close the session's WebSockets at once
 * after a sign-out.
 *
 * Only a hint, so Redis pub/sub (at most once) is enough: the session itself is already deleted
 * from the shared store before anything is published, and every operation on a socket checks its
 * session again (ws.ts). The session store remembers a session for a few seconds only while hints
 * are heard (`hearing`), so a subscriber reconnecting at the moment of a sign-out forgets what it
 * remembered. A hint that is published and lost all the same leaves the socket open and working for
 * up to `RECENT_SESSION_MS`, then useless: its next operation answers UNAUTHENTICATED, and its live
 * subscriptions stop at the next one.
 */
export interface SessionEvents {
  /** Tells every instance (this one included) that the session ended. Never rejects. */
  publishEnded(sessionId: string): Promise<void>;
  /** Calls back with the id of every ended session, from any instance. */
  onEnded(listener: (sessionId: string) => void): void;
  /**
   * Whether hints are being heard: null while they may be missed (the channel is down, or not yet
   * subscribed again), else a number that changes at every new subscription, so that what was learnt
   * under one value is known to have heard every hint since (see `RedisSessionStoreOptions.hearing`).
   */
  hearing(): number | null;
  close(): Promise<void>;
}

const CHANNEL = 'chat:session-ended';
const SESSION_ID = /^[0-9a-f]{64}$/;

/** Embedded mode: one process, so the listeners are called directly. */
export const createLocalSessionEvents = (): SessionEvents => {
  const listeners: ((sessionId: string) => void)[] = [];
  return {
    async publishEnded(sessionId) {
      for (const listener of listeners) listener(sessionId);
    },
    onEnded(listener) {
      listeners.push(listener);
    },
    // One process: every hint is heard.
    hearing: () => 0,
    async close() {
      listeners.length = 0;
    },
  };
};

/** A subscribed connection is silent between messages; that is not a dead socket. */
const SUBSCRIBER_OPTIONS = { lazyConnect: true, socketTimeout: undefined, autoResubscribe: false } as const;
/** How long a Cluster subscriber waits before trying the nodes again when none took it, and a publisher before publishing again. */
const RETRY_MS = 200;
const PUBLISH_ATTEMPTS = 3;

interface Hearing {
  /** Null while hints may be missed, else the number of the subscription in effect. */
  current: number | null;
}

/**
 * One Redis: a connection of its own, duplicated from `redis` (a subscribed connection can do
 * nothing else), reconnected by ioredis and subscribed again at every connection.
 */
const subscribeOnOneRedis = async (redis: Redis, onMessage: (channel: string, message: string) => void, hearing: Hearing) => {
  // Reconnected by ioredis; subscribed again below at every connection, to know when that took effect.
  const subscriber = redis.duplicate(SUBSCRIBER_OPTIONS);
  subscriber.on('error', () => {});
  subscriber.on('message', onMessage);
  let subscriptions = 0;
  const subscribe = () =>
    subscriber.subscribe(CHANNEL).then(() => {
      hearing.current = ++subscriptions;
    });
  subscriber.on('close', () => {
    hearing.current = null;
  });
  await subscriber.connect();
  await subscribe();
  // 'ready' again after every reconnection; a failed SUBSCRIBE means the connection is going down,
  // and the next 'ready' tries again.
  subscriber.on('ready', () => void subscribe().catch(() => {}));
  return async () => {
    await subscriber.quit().catch(() => subscriber.disconnect());
  };
};

/**
 * A Cluster: classic PUBLISH reaches every node of a Cluster (over the cluster bus), so one
 * connection subscribed to any node, primary or replica, hears every hint. It is a node
 * connection of our own, duplicated from the Cluster's (so with its options), not the Cluster's
 * own subscriber, which moves to another node by itself and does not say when it is subscribed
 * again: hearing must be null from the loss of one subscription to the confirmation of the next.
 * When the node goes away (killed, failed over), the next live node the Cluster knows takes over.
 */
const subscribeOnCluster = async (cluster: Cluster, onMessage: (channel: string, message: string) => void, hearing: Hearing) => {
  let closed = false;
  let subscriber: Redis | null = null;
  let subscriptions = 0;
  let retry: NodeJS.Timeout | undefined;

  /** Subscribes through the first node that takes it, from a random one on (to spread instances); false when none did. */
  const subscribeAnywhere = async (): Promise<boolean> => {
    const known = cluster.nodes('all');
    const start = Math.floor(Math.random() * known.length);
    for (const node of [...known.slice(start), ...known.slice(0, start)]) {
      if (closed) return true;
      const candidate = node.duplicate({ ...SUBSCRIBER_OPTIONS, retryStrategy: () => null });
      candidate.on('error', () => {});
      try {
        await candidate.connect();
        await candidate.subscribe(CHANNEL);
      } catch {
        candidate.disconnect();
        continue;
      }
      if (closed) {
        candidate.disconnect();
        return true;
      }
      subscriber = candidate;
      candidate.on('message', onMessage);
      candidate.once('close', () => {
        hearing.current = null;
        subscriber = null;
        candidate.disconnect();
        if (!closed) void resubscribe();
      });
      hearing.current = ++subscriptions;
      return true;
    }
    return false;
  };
  const resubscribe = async () => {
    if (await subscribeAnywhere()) return;
    retry = setTimeout(() => void resubscribe(), RETRY_MS);
  };

  if (!(await subscribeAnywhere())) throw new StoreUnavailableError(new Error('no Cluster node took the session-ended subscription'));
  return async () => {
    closed = true;
    clearTimeout(retry);
    const last = subscriber as Redis | null;
    subscriber = null;
    await last?.quit().catch(() => last.disconnect());
  };
};

/**
 * Redis mode, on one Redis or a Cluster. Plain pub/sub rather than sharded (SPUBLISH): on a
 * Cluster every node carries every message, so the subscription may sit on any live node and only
 * that node's loss interrupts it; with sharded pub/sub the one channel would live on one shard and
 * each failover of that shard would interrupt it. What plain pub/sub costs more (each hint goes
 * over the cluster bus to every node) is nothing at the rate people sign out.
 *
 * @param options.redis a connection the caller owns, used to publish (connected, so that on a
 * Cluster its nodes are known).
 */
export const createRedisSessionEvents = async (options: { redis: StoreRedis }): Promise<SessionEvents> => {
  const { redis } = options;
  const listeners: ((sessionId: string) => void)[] = [];
  const onMessage = (channel: string, message: string) => {
    if (channel !== CHANNEL || !SESSION_ID.test(message)) return;
    for (const listener of listeners) listener(message);
  };
  // Hearing from Redis's confirmation of SUBSCRIBE on: a command sent after it is served after it,
  // so a session read then and ended later is followed by a hint that arrives.
  const hearing: Hearing = { current: null };
  const unsubscribe = isCluster(redis)
    ? await subscribeOnCluster(redis, onMessage, hearing)
    : await subscribeOnOneRedis(redis, onMessage, hearing);
  return {
    async publishEnded(sessionId) {
      // On a Cluster a PUBLISH goes to any primary, and one whose connection is being made again (a
      // failover) refuses it at once: another try soon after likely finds one that takes it. A hint
      // heard twice is harmless.
      for (let attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
        try {
          await redis.publish(CHANNEL, sessionId);
          return;
        } catch {
          // Only a hint (see above): the session is gone already.
          if (attempt < PUBLISH_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    },
    onEnded(listener) {
      listeners.push(listener);
    },
    hearing: () => hearing.current,
    async close() {
      listeners.length = 0;
      await unsubscribe();
      hearing.current = null;
    },
  };
};
