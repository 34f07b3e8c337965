import { Redis } from 'ioredis';
import type { SessionStore } from '../auth/sessionStore.js';
import { createMemorySessionStore } from '../auth/memorySessionStore.js';
import { type OAuthStateStore, createMemoryOAuthStateStore, createRedisOAuthStateStore } from '../auth/oauthStateStore.js';
import { type RateLimits, createRateLimits, withRateLimits } from '../auth/rateLimits.js';
import { createRedisSessionStore } from '../auth/redisSessionStore.js';
import { type SessionEvents, createLocalSessionEvents, createRedisSessionEvents } from '../auth/sessionEvents.js';
import { type SocketLeases, createMemorySocketLeases, createRedisSocketLeases } from '../auth/socketLeases.js';
import { type ChatCommands, createChatCommands } from '../eventstore/chatCommands.js';
import { type ChatQueries, createChatQueries } from '../eventstore/chatQueries.js';
import { type EventStore, StoreUnavailableError } from '../eventstore/eventStore.js';
import { createMemoryEventStore } from '../eventstore/memoryEventStore.js';
import { createMemoryPresenceStore } from '../eventstore/memoryPresenceStore.js';
import { type Presence, type PresenceOptions, createPresence } from '../eventstore/presence.js';
import { coalesceWrites, createRedisEventStore, failFastRedisOptions } from '../eventstore/redisEventStore.js';
import { createRedisPresenceStore } from '../eventstore/redisPresenceStore.js';
import { startRetention } from '../eventstore/retention.js';
import { type RedisDurability, inspectRedisDurability } from '../eventstore/redisDurability.js';
import { ConfigError } from '../config.js';

/** Everything a server process shares between requests. */
export interface Services {
  store: EventStore;
  sessions: SessionStore;
  /** Sign-ins under way with X (state → PKCE verifier), single-use. */
  oauthStates: OAuthStateStore;
  /** "A session ended" hints between instances, to close its sockets everywhere. */
  sessionEvents: SessionEvents;
  /** Sockets per user, all instances together. */
  socketLeases: SocketLeases;
  limits: RateLimits;
  /** Posting and room creation are rate-limited here, before anything is appended. */
  commands: ChatCommands;
  queries: ChatQueries;
  presence: Presence;
  /** Trims room logs to ROOM_LOG_MAX_EVENTS when that is set. */
  retention: ReturnType<typeof startRetention> | null;
  close(): Promise<void>;
}

/** Refuses an evicting Redis (it could drop the log); warns when a Redis restart would lose events. */
const assertDurable = async ({ appendOnly, evictionPolicy }: RedisDurability) => {
  if (evictionPolicy !== null && evictionPolicy !== 'noeviction') {
    throw new ConfigError(`REDIS_URL: Redis maxmemory-policy is ${evictionPolicy}; it must be noeviction, or Redis may evict the event log`);
  }
  if (appendOnly === false) {
    console.warn('warning: Redis has appendonly off: events acknowledged since its last snapshot are lost if Redis restarts (set appendonly yes)');
  }
  if (appendOnly === null || evictionPolicy === null) {
    console.warn('warning: cannot read Redis CONFIG: make sure appendonly is yes and maxmemory-policy is noeviction');
  }
};

const unlimited: RateLimits = { consume: async () => {} };

/** Redis-backed when `redisUrl` is set (any number of instances), else embedded in memory (one process). */
export const createServices = async (options: {
  redisUrl: string | null;
  presence: PresenceOptions;
  roomLogMaxEvents?: number | null;
  /** Default true; false lets every action through (RATE_LIMITS=0). */
  rateLimits?: boolean;
}): Promise<Services> => {
  const { redisUrl } = options;
  // Sessions, sign-ins under way, socket leases, rate limits and presence leases share one more
  // connection, failing fast like the store's (the session-ended hints subscribe on a duplicate).
  const stateRedis = redisUrl ? coalesceWrites(new Redis(redisUrl, failFastRedisOptions)) : null;
  stateRedis?.on('error', () => {});
  if (stateRedis) {
    try {
      await stateRedis.connect();
      await assertDurable(await inspectRedisDurability(stateRedis));
    } catch (error) {
      stateRedis.disconnect();
      throw error instanceof ConfigError ? error : new StoreUnavailableError(error);
    }
  }
  let store: EventStore;
  try {
    store = redisUrl ? await createRedisEventStore({ url: redisUrl }) : createMemoryEventStore();
  } catch (error) {
    stateRedis?.disconnect();
    throw error;
  }
  let sessionEvents: SessionEvents;
  try {
    sessionEvents = stateRedis ? await createRedisSessionEvents({ redis: stateRedis }) : createLocalSessionEvents();
  } catch (error) {
    stateRedis?.disconnect();
    await store.close();
    throw new StoreUnavailableError(error);
  }
  const sessions = stateRedis ? createRedisSessionStore({ redis: stateRedis, hearing: sessionEvents.hearing }) : createMemorySessionStore();
  const oauthStates = stateRedis ? createRedisOAuthStateStore({ redis: stateRedis }) : createMemoryOAuthStateStore();
  const socketLeases = stateRedis ? createRedisSocketLeases({ redis: stateRedis }) : createMemorySocketLeases();
  const limits = options.rateLimits === false ? unlimited : createRateLimits({ redis: stateRedis });
  const presenceStore = stateRedis ? createRedisPresenceStore(stateRedis) : createMemoryPresenceStore();
  const presence = createPresence(store, presenceStore, options.presence);
  const queries = createChatQueries(store);
  const commands = withRateLimits(createChatCommands(store, queries), limits, queries);
  const retention = options.roomLogMaxEvents ? startRetention(store, { maxEvents: options.roomLogMaxEvents, everyMs: 60_000 }) : null;
  return {
    store, sessions, oauthStates, sessionEvents, socketLeases, limits, commands, queries, presence,
    retention,
    async close() {
      await retention?.stop();
      await presence.close();
      await socketLeases.close();
      await sessionEvents.close();
      await oauthStates.close();
      await sessions.close();
      await store.close();
      await stateRedis?.quit().catch(() => stateRedis.disconnect());
    },
  };
};
