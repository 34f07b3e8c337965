import type { Redis } from 'ioredis';

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

/**
 * Redis mode. Subscribing takes a connection of its own (a subscribed connection can do nothing
 * else), duplicated from `redis`; ioredis resubscribes it after a reconnect.
 *
 * @param options.redis a connection the caller owns, used to publish.
 */
export const createRedisSessionEvents = async (options: { redis: Redis }): Promise<SessionEvents> => {
  const { redis } = options;
  const subscriber = redis.duplicate({
    lazyConnect: true,
    // A subscribed connection is silent between messages; that is not a dead socket.
    socketTimeout: undefined,
    // Subscribed again below at every connection, to know when that took effect.
    autoResubscribe: false,
  });
  subscriber.on('error', () => {});
  const listeners: ((sessionId: string) => void)[] = [];
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== CHANNEL || !SESSION_ID.test(message)) return;
    for (const listener of listeners) listener(message);
  });
  // Hearing from Redis's confirmation of SUBSCRIBE on: a command sent after it is served after it,
  // so a session read then and ended later is followed by a hint that arrives.
  let subscriptions = 0;
  let hearing: number | null = null;
  const subscribe = () =>
    subscriber.subscribe(CHANNEL).then(() => {
      hearing = ++subscriptions;
    });
  subscriber.on('close', () => {
    hearing = null;
  });
  await subscriber.connect();
  await subscribe();
  // 'ready' again after every reconnection; a failed SUBSCRIBE means the connection is going down,
  // and the next 'ready' tries again.
  subscriber.on('ready', () => void subscribe().catch(() => {}));
  return {
    async publishEnded(sessionId) {
      try {
        await redis.publish(CHANNEL, sessionId);
      } catch {
        // Only a hint (see above): the session is gone already.
      }
    },
    onEnded(listener) {
      listeners.push(listener);
    },
    hearing: () => hearing,
    async close() {
      listeners.length = 0;
      hearing = null;
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
};
