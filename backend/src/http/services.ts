import { Redis } from 'ioredis';
import type { SessionStore } from '../auth/sessionStore.js';
import { createMemorySessionStore } from '../auth/memorySessionStore.js';
import { createRedisSessionStore } from '../auth/redisSessionStore.js';
import { type ChatCommands, createChatCommands } from '../eventstore/chatCommands.js';
import { type ChatQueries, createChatQueries } from '../eventstore/chatQueries.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { createMemoryEventStore } from '../eventstore/memoryEventStore.js';
import { createMemoryPresenceStore } from '../eventstore/memoryPresenceStore.js';
import { type Presence, type PresenceOptions, createPresence } from '../eventstore/presence.js';
import { createRedisEventStore, failFastRedisOptions } from '../eventstore/redisEventStore.js';
import { createRedisPresenceStore } from '../eventstore/redisPresenceStore.js';

/** Everything a server process shares between requests. */
export interface Services {
  store: EventStore;
  sessions: SessionStore;
  commands: ChatCommands;
  queries: ChatQueries;
  presence: Presence;
  close(): Promise<void>;
}

/** Redis-backed when `redisUrl` is set (any number of instances), else embedded in memory (one process). */
export const createServices = async (options: { redisUrl: string | null; presence: PresenceOptions }): Promise<Services> => {
  const { redisUrl } = options;
  const store = redisUrl ? await createRedisEventStore({ url: redisUrl }) : createMemoryEventStore();
  // Sessions and presence leases share one more connection, failing fast like the store's.
  const stateRedis = redisUrl ? new Redis(redisUrl, failFastRedisOptions) : null;
  stateRedis?.on('error', () => {});
  if (stateRedis) await stateRedis.connect();
  const sessions = stateRedis ? createRedisSessionStore({ redis: stateRedis }) : createMemorySessionStore();
  const presenceStore = stateRedis ? createRedisPresenceStore(stateRedis) : createMemoryPresenceStore();
  const presence = createPresence(store, presenceStore, options.presence);
  const queries = createChatQueries(store);
  const commands = createChatCommands(store, queries);
  return {
    store, sessions, commands, queries, presence,
    async close() {
      await presence.close();
      await sessions.close();
      await store.close();
      await stateRedis?.quit().catch(() => stateRedis.disconnect());
    },
  };
};
