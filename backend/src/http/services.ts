import { Redis } from 'ioredis';
import type { SessionStore } from '../auth/sessionStore.js';
import { createMemorySessionStore } from '../auth/memorySessionStore.js';
import { createRedisSessionStore } from '../auth/redisSessionStore.js';
import { type ChatCommands, createChatCommands } from '../eventstore/chatCommands.js';
import { type ChatQueries, createChatQueries } from '../eventstore/chatQueries.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { createMemoryEventStore } from '../eventstore/memoryEventStore.js';
import type { Presence } from '../eventstore/presence.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';

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
export const createServices = async (redisUrl: string | null): Promise<Services> => {
  const store = redisUrl ? await createRedisEventStore({ url: redisUrl }) : createMemoryEventStore();
  const sessionRedis = redisUrl ? new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 }) : null;
  if (sessionRedis) await sessionRedis.connect();
  const sessions = sessionRedis ? createRedisSessionStore({ redis: sessionRedis }) : createMemorySessionStore();
  const queries = createChatQueries(store);
  const commands = createChatCommands(store, queries);
  const presence: Presence = {
    listOnline: async () => [],
    announceTyping: async () => undefined,
  };
  return {
    store, sessions, commands, queries, presence,
    async close() {
      await sessions.close();
      sessionRedis?.disconnect();
      await store.close();
    },
  };
};
