import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { readLag, startProjector } from './projections/asyncProjection.js';
import { migrateInlineProjections } from './projections/migrate.js';
import { keepListening, startInboxProjector } from './projections/inbox/inboxProjector.js';
import { createMemoryInboxState, createRedisInboxState } from './projections/inbox/inboxState.js';
import { createDirectoryProjection } from './projections/roomDirectory/directoryProjection.js';
import { createMemoryDirectoryStore } from './projections/roomDirectory/memoryDirectoryStore.js';
import { createRedisDirectoryStore } from './projections/roomDirectory/redisDirectoryStore.js';
import type { SessionStore } from './auth/sessionStore.js';
import { createMemorySessionStore } from './auth/memorySessionStore.js';
import { type OAuthStateStore, createMemoryOAuthStateStore, createRedisOAuthStateStore } from './auth/oauthStateStore.js';
import { type RateLimits, createRateLimits, withRateLimits } from './auth/rateLimits.js';
import { createRedisSessionStore } from './auth/redisSessionStore.js';
import { type SessionEvents, createLocalSessionEvents, createRedisSessionEvents } from './auth/sessionEvents.js';
import { type SocketLeases, createMemorySocketLeases, createRedisSocketLeases } from './auth/socketLeases.js';
import { type ChatCommands, createChatCommands } from './chat/commands.js';
import { type ChatFeeds, createChatFeeds } from './chat/feeds.js';
import { type ChatQueries, createChatQueries } from './chat/queries.js';
import type { EventStore } from './eventstore/eventStore.js';
import { StoreUnavailableError } from './storeUnavailable.js';
import { createMemoryEventStore } from './eventstore/memoryEventStore.js';
import { isActivityKey } from './presence/keys.js';
import { createMemoryPresenceStore } from './presence/memoryPresenceStore.js';
import { type Presence, type PresenceOptions, createPresence } from './presence/presence.js';
import { type StoreClock, createStoreClock } from './presence/storeClock.js';
import { createRedisEventStore } from './eventstore/redisEventStore.js';
import { type RedisTarget, connectStoreRedis, createStoreRedis } from './redis/client.js';
import { createRedisPresenceStore } from './presence/redisPresenceStore.js';
import { startRetention } from './eventstore/retention.js';
import { assertDurable, inspectRedisDurability } from './redis/durability.js';
import type { ReplicaAckOptions } from './redis/replicaAck.js';
import { ConfigError, type RedisSeed } from './config.js';
import { roomSnapshotsKey, toRoomStreamKey } from './chat/keys.js';
import { toHistoryIndexKey } from './projections/keys.js';
import { type MessageSearch, createMessageSearch } from './chat/search.js';
import type { SearchIndex } from './search/searchIndex.js';
import { createMemorySearchIndex } from './search/memorySearchIndex.js';
import { createPostgresSearchIndex } from './search/postgresSearchIndex.js';
import { createSearchPool } from './search/postgresPool.js';
import { migrateSearchSchema } from './search/postgresMigrations.js';
import { type SearchRooms, startSearchProjector } from './search/searchProjector.js';

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
  /** Every write is rate-limited here, before anything is appended. */
  commands: ChatCommands;
  queries: ChatQueries;
  /** What subscribers of rooms and the lobby receive. */
  feeds: ChatFeeds;
  presence: Presence;
  /** Full-text search over the messages a viewer may read. */
  search: MessageSearch;
  /** The search read model (for /readyz). */
  searchIndex: SearchIndex;
  /** How far each asynchronous projection is behind its log (for /metrics). */
  projectionLag(): Promise<{ name: string; events: number; seconds: number }[]>;
  /** Trims room logs to ROOM_LOG_MAX_EVENTS when that is set. */
  retention: ReturnType<typeof startRetention> | null;
  close(): Promise<void>;
}

/** A warning at most once per `ms` (a store outage would otherwise log on every retry). */
const warnEvery = (ms: number, what: string) => {
  let last = 0;
  return (error: unknown) => {
    if (Date.now() - last < ms) return;
    last = Date.now();
    console.warn(`${what}:`, error instanceof Error ? error.message : error);
  };
};

const unlimited: RateLimits = { consume: async () => {} };

/**
 * Redis-backed when `redisUrl` or `redisCluster` is set (any number of instances), else embedded
 * in memory (one process).
 */
export const createServices = async (options: {
  redisUrl: string | null;
  /** REDIS_CLUSTER's seed nodes: everything on a Redis Cluster instead of `redisUrl`. */
  redisCluster?: readonly RedisSeed[] | null;
  presence: PresenceOptions;
  roomLogMaxEvents?: number | null;
  /** Default true; false lets every action through (RATE_LIMITS=0). */
  rateLimits?: boolean;
  /** PostgreSQL for search (DATABASE_URL); unset: an in-memory index in this process. */
  databaseUrl?: string | null;
  /** Replicas an append waits for (REDIS_ACK_REPLICAS, REDIS_ACK_TIMEOUT_MS); default: decided at start. */
  redisAck?: ReplicaAckOptions;
}): Promise<Services> => {
  const target: RedisTarget | null = options.redisCluster?.length
    ? { cluster: options.redisCluster }
    : options.redisUrl
      ? { url: options.redisUrl }
      : null;
  const variable = target && 'cluster' in target ? 'REDIS_CLUSTER' : 'REDIS_URL';
  const searchIndex = options.databaseUrl ? await openPostgresSearchIndex(options.databaseUrl) : createMemorySearchIndex();
  // Sessions, sign-ins under way, socket leases, rate limits and presence leases share one more
  // connection, failing fast like the store's (the session-ended hints subscribe on a duplicate).
  // On a Cluster it routes each command by its key's slot; every one of them is single-slot.
  const stateRedis = target ? createStoreRedis(target) : null;
  stateRedis?.on('error', () => {});
  if (stateRedis) {
    try {
      await connectStoreRedis(stateRedis);
      await assertDurable(await inspectRedisDurability(stateRedis), variable);
    } catch (error) {
      stateRedis.disconnect();
      throw error instanceof ConfigError ? error : new StoreUnavailableError(error);
    }
  }
  let store: EventStore;
  try {
    store = target ? await createRedisEventStore({ ...target, ack: options.redisAck, ephemeral: isActivityKey }) : createMemoryEventStore();
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
  // Presence compares lease times written by different instances: all read the store's clock.
  let clock: StoreClock;
  try {
    clock = await createStoreClock(store, { onError: () => {} });
  } catch (error) {
    await sessionEvents.close();
    stateRedis?.disconnect();
    await store.close();
    throw new StoreUnavailableError(error);
  }
  const sessions = stateRedis ? createRedisSessionStore({ redis: stateRedis, hearing: sessionEvents.hearing }) : createMemorySessionStore();
  const oauthStates = stateRedis ? createRedisOAuthStateStore({ redis: stateRedis }) : createMemoryOAuthStateStore();
  const socketLeases = stateRedis ? createRedisSocketLeases({ redis: stateRedis }) : createMemorySocketLeases();
  const limits = options.rateLimits === false ? unlimited : createRateLimits({ redis: stateRedis });
  const presenceStore = stateRedis ? createRedisPresenceStore(stateRedis) : createMemoryPresenceStore();
  const presence = createPresence(store, presenceStore, options.presence, clock.now);
  const directoryStore = stateRedis ? createRedisDirectoryStore(stateRedis) : createMemoryDirectoryStore();
  const directory = { store: directoryStore, projection: createDirectoryProjection(directoryStore) };
  const queries = createChatQueries(store, directory);
  // Every instance runs the projectors; the consumer group shares the work out.
  const instanceId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const inboxState = stateRedis ? createRedisInboxState(stateRedis, instanceId) : createMemoryInboxState();
  const projectors = [
    startProjector(store, directory.projection, { consumer: instanceId, onError: warnEvery(60_000, 'projector') }),
    // One instance at a time fans the inbox out (it holds a lease); the others stand by.
    startInboxProjector(store, inboxState, { onError: warnEvery(60_000, 'inbox projector') }),
  ];
  /** Every room's id, from the lobby's room snapshots (read whole: for a migration and a rebuild at start). */
  const listRoomIds = async () => [...(await store.readAllSnapshots(roomSnapshotsKey)).keys()];
  const migration = stateRedis
    ? migrateInlineProjections(stateRedis, store, listRoomIds).then(
        (rebuilt) => rebuilt > 0 && console.log(`projections: rebuilt ${rebuilt} room models to the current layout`),
        (error: unknown) =>
          console.warn('projections: migration failed, it runs again at the next start:', error instanceof Error ? error.message : error),
      )
    : Promise.resolve();
  const searchRooms: SearchRooms = {
    listRoomIds,
    isPublic: async (roomId) => (await queries.getRoom(roomId))?.kind === 'PUBLIC',
  };
  const searchProjector = startSearchProjector(store, searchIndex, searchRooms, { onError: warnEvery(60_000, 'search projector') });
  const feeds = createChatFeeds(store, queries, (userId) => keepListening(inboxState, userId));
  const commands = withRateLimits(createChatCommands(store, queries), limits, queries);
  const retention = options.roomLogMaxEvents
    ? startRetention(store, {
        maxEvents: options.roomLogMaxEvents,
        everyMs: 60_000,
        listLogs: async () =>
          (await queries.listRooms()).map((room) => ({ stream: toRoomStreamKey(room.id), indexes: [toHistoryIndexKey(room.id)] })),
      })
    : null;
  return {
    store,
    sessions,
    oauthStates,
    sessionEvents,
    socketLeases,
    limits,
    commands,
    queries,
    feeds,
    presence,
    search: createMessageSearch(searchIndex, queries),
    searchIndex,
    retention,
    projectionLag: async () =>
      Promise.all([directory.projection].map(async (projection) => ({ name: projection.name, ...(await readLag(store, projection)) }))),
    async close() {
      // Closing the store ends the projectors' blocked reads; they stop then.
      const stopped = Promise.all([...projectors, searchProjector].map((projector) => projector.stop()));
      await migration;
      await retention?.stop();
      await presence.close();
      clock.close();
      await socketLeases.close();
      await sessionEvents.close();
      await oauthStates.close();
      await sessions.close();
      await store.close();
      await stopped;
      await stateRedis?.quit().catch(() => stateRedis.disconnect());
      await searchIndex.close();
    },
  };
};

/** The PostgreSQL search index, its schema migrated; an unreachable database stops the start in one line. */
const openPostgresSearchIndex = async (databaseUrl: string) => {
  const pool = createSearchPool(databaseUrl);
  try {
    const applied = await migrateSearchSchema(pool);
    if (applied.length > 0) console.log(`search: migrated the database to version ${applied.at(-1)}`);
  } catch (error) {
    await pool.end().catch(() => {});
    throw new ConfigError(`DATABASE_URL: cannot use PostgreSQL (${error instanceof Error ? error.message : String(error)})`);
  }
  const index = createPostgresSearchIndex({ pool });
  return {
    ...index,
    async close() {
      await index.close();
      await pool.end().catch(() => {});
    },
  } satisfies SearchIndex;
};
