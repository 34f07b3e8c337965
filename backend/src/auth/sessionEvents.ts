import type { Redis } from 'ioredis';

/**
 * "This session ended": the hint that makes every instance close the session's WebSockets at once
 * after a sign-out.
 *
 * Only a hint, so Redis pub/sub (at most once) is enough: the session itself is already deleted
 * from the shared store before anything is published, and every operation on a socket checks its
 * session again (ws.ts). A lost message (a subscriber reconnecting at that moment) leaves the socket
 * open but useless: its next operation answers UNAUTHENTICATED, and its live subscriptions stop at
 * the next one. Nothing here may be relied on for the sign-out itself.
 */
export interface SessionEvents {
  /** Tells every instance (this one included) that the session ended. Never rejects. */
  publishEnded(sessionId: string): Promise<void>;
  /** Calls back with the id of every ended session, from any instance. */
  onEnded(listener: (sessionId: string) => void): void;
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
    autoResubscribe: true,
  });
  subscriber.on('error', () => {});
  const listeners: ((sessionId: string) => void)[] = [];
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== CHANNEL || !SESSION_ID.test(message)) return;
    for (const listener of listeners) listener(message);
  });
  await subscriber.connect();
  await subscriber.subscribe(CHANNEL);
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
    async close() {
      listeners.length = 0;
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
};
