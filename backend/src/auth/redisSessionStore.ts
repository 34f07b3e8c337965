import type { ChainableCommander } from 'ioredis';
import { z } from 'zod';
import type { StoreRedis } from '../redis/client.js';
import { callRedis as call, toStoreError } from '../redis/connection.js';
import {
  generateSessionToken,
  isSessionExpired,
  isSessionTokenShaped,
  toNewSession,
  toSessionDeadline,
  toSessionId,
  toSlidSession,
  type Session,
  type SessionStore,
} from './sessionStore.js';

/** A session: hash of userId, createdAt, expiresAt, idleExpiresAt; expires at the session's deadline. */
const toSessionKey = (sessionId: string) => `chat:session:${sessionId}`;
/** The ids of a user's sessions, for "sign out everywhere"; expires with the user's last session. */
const toUserSessionsKey = (userId: string) => `chat:user-sessions:${userId}`;

/**
 * How long a session read from Redis answers again without another read, while the session-ended
 * hints are heard: a user's operations over a few seconds (posting is limited to one a second,
 * steady) read it once. Sign-outs through this instance forget it at once, others' through the
 * hint (`forget`); expiry is checked against the clock every time. Only a hint published and lost
 * (PUBLISH failing after the session's deletion) leaves a session answering for up to this long.
 */
export const RECENT_SESSION_MS = 5_000;
/**
 * Sessions remembered at most (a few hundred bytes each with its token's id). Past the cap the
 * oldest go first; an instance with more users active at once than this reads a session on most
 * operations.
 */
const RECENT_SESSIONS_MAX = 50_000;

const timestamp = z
  .string()
  .regex(/^\d{1,16}$/)
  .transform(Number);
const storedSessionSchema = z.object({
  userId: z.string().min(1),
  createdAt: timestamp,
  expiresAt: timestamp,
  idleExpiresAt: timestamp,
});

// Conditional so that a slide racing an invalidation cannot bring back a half-written hash, and
// monotonic so that two instances sliding at once (clocks a little apart) never shorten a session.
// Returns 0 when the session is gone.
const SLIDE_SESSION_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local stored = tonumber(redis.call('HGET', KEYS[1], 'idleExpiresAt'))
if stored ~= nil and stored >= tonumber(ARGV[1]) then return 1 end
redis.call('HSET', KEYS[1], 'idleExpiresAt', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
`;

const execOrThrow = async (transaction: ChainableCommander): Promise<void> => {
  const results = await call(() => transaction.exec());
  if (!results) throw new Error('session store: Redis discarded the transaction');
  for (const [error] of results) {
    if (error) throw toStoreError(error);
  }
};

/** Sets `key` as the map's newest entry, dropping the oldest past `RECENT_SESSIONS_MAX`. */
const setNewest = <K, V>(map: Map<K, V>, key: K, value: V) => {
  map.delete(key);
  if (map.size >= RECENT_SESSIONS_MAX) map.delete(map.keys().next().value!);
  map.set(key, value);
};

export interface RedisSessionStoreOptions {
  /** A connection the caller owns (one Redis or a Cluster); `close()` leaves it open. */
  redis: StoreRedis;
  /**
   * The clock (epoch ms); tests inject a fake one. It also sets the real TTLs, so a fake clock must
   * start near the real time (one in the past would have Redis drop keys at once).
   */
  now?: () => number;
  /**
   * Whether this instance hears the session-ended hints (`SessionEvents.hearing`): sessions are
   * remembered for `RECENT_SESSION_MS` only within one value, never while it is null. Default: never.
   */
  hearing?: () => number | null;
}

/**
 * Sessions in Redis, shared by every instance. Only the SHA-256 of a token is ever written.
 *
 * Expiry is decided by the stored timestamps against `now()`; the key TTL (PEXPIREAT at the
 * session's deadline) only reclaims memory, so an injected clock governs validity on its own.
 * A session key and its user's set live in different Redis Cluster slots, so no command spans both:
 * the user's set is written before the session and cleaned after it, which leaves at worst a stale
 * id in the set, never a session that "sign out everywhere" cannot find. Each transaction and script
 * names one key, so the keys are the same on one Redis and on a Cluster (no hash tags were needed,
 * and sessions written before Cluster support stay valid). Needs Redis 7 (PEXPIREAT NX/GT).
 *
 * Every method rejects with `StoreUnavailableError` when Redis cannot answer (on a Cluster, also
 * while a failover moves a slot). A session is acknowledged once its primary has it: replication is
 * asynchronous, so a failover in the next moment may lose it (its user signs in again). The store
 * does not `WAIT` for a replica: on the shared connection a WAIT would hold every other command to
 * that node behind the replica's answer.
 */
export const createRedisSessionStore = (options: RedisSessionStoreOptions): SessionStore => {
  const { redis } = options;
  const now = options.now ?? Date.now;
  const hearing = options.hearing ?? (() => null);

  // Timed with `now`, like expiry: a clock that went back forgets too.
  const recent = new Map<string, { session: Session; readAt: number; hearing: number }>();
  // The ids of remembered sessions' tokens, so that a socket's operations hash its token once
  // (hashing was a visible share of every operation). A pure function's memo: an entry is never wrong.
  const idsByToken = new Map<string, string>();
  const toId = (token: string) => idsByToken.get(token) ?? toSessionId(token);
  // Counts the sessions forgotten, so that a read answered after its session's hint (the reply
  // and the hint come over different connections) is not remembered.
  let forgotten = 0;
  const forget = (sessionId: string) => {
    forgotten++;
    recent.delete(sessionId);
  };
  /** Taken as a read begins: `remember` keeps its answer only if no hint can have been missed meanwhile. */
  const beforeRead = () => ({ hearing: hearing(), forgotten });
  const remember = (token: string, session: Session, read: ReturnType<typeof beforeRead>) => {
    if (read.hearing === null || read.hearing !== hearing() || read.forgotten !== forgotten) return;
    setNewest(recent, session.id, { session, readAt: now(), hearing: read.hearing });
    setNewest(idsByToken, token, session.id);
  };
  /** The session as read a moment ago, while it needs neither a slide nor the expiry's deletion. */
  const recalled = (id: string, at: number): Session | null => {
    const known = recent.get(id);
    if (!known) return null;
    const age = at - known.readAt;
    if (
      known.hearing !== hearing() ||
      age < 0 ||
      age >= RECENT_SESSION_MS ||
      isSessionExpired(known.session, at) ||
      toSlidSession(known.session, at)
    ) {
      recent.delete(id);
      return null;
    }
    return known.session;
  };

  const deleteSession = async (sessionId: string, userId: string) => {
    forget(sessionId);
    await call(() => redis.del(toSessionKey(sessionId)));
    await call(() => redis.srem(toUserSessionsKey(userId), sessionId));
  };

  return {
    async createSession(userId) {
      const token = generateSessionToken();
      const session = toNewSession(token, userId, now());
      const userKey = toUserSessionsKey(userId);
      // The set lives as long as its longest session: NX gives a new set its first deadline, GT only
      // ever extends it.
      await execOrThrow(
        redis.multi().sadd(userKey, session.id).pexpireat(userKey, session.expiresAt, 'NX').pexpireat(userKey, session.expiresAt, 'GT'),
      );
      const sessionKey = toSessionKey(session.id);
      // One transaction so the hash never exists without its TTL.
      await execOrThrow(
        redis
          .multi()
          .hset(sessionKey, {
            userId,
            createdAt: session.createdAt,
            expiresAt: session.expiresAt,
            idleExpiresAt: session.idleExpiresAt,
          })
          .pexpireat(sessionKey, toSessionDeadline(session)),
      );
      return { token, session };
    },

    async validateSessionToken(token) {
      if (!isSessionTokenShaped(token)) return null;
      const id = toId(token);
      const known = recalled(id, now());
      if (known) return known;
      const key = toSessionKey(id);
      const read = beforeRead();
      // A missing key reads as {}, which fails the parse like any hash this store did not write.
      const parsed = storedSessionSchema.safeParse(await call(() => redis.hgetall(key)));
      if (!parsed.success) return null;
      const stored: Session = { id, ...parsed.data };
      const at = now();
      if (isSessionExpired(stored, at)) {
        await deleteSession(id, stored.userId);
        return null;
      }
      const slid = toSlidSession(stored, at);
      if (slid) {
        const exists = await call(() => redis.eval(SLIDE_SESSION_SCRIPT, 1, key, slid.idleExpiresAt, toSessionDeadline(slid)));
        if (exists === 0) return null;
      }
      remember(token, slid ?? stored, read);
      return slid ?? stored;
    },

    async invalidateSession(sessionId) {
      forget(sessionId);
      const userId = await call(() => redis.hget(toSessionKey(sessionId), 'userId'));
      if (userId === null) return;
      await deleteSession(sessionId, userId);
    },

    async invalidateUserSessions(userId) {
      const userKey = toUserSessionsKey(userId);
      const ids = await call(() => redis.smembers(userKey));
      for (const id of ids) forget(id);
      if (ids.length === 0) return;
      // One DEL per key rather than one multi-key DEL: session keys are spread over cluster slots.
      await Promise.all(ids.map((id) => call(() => redis.del(toSessionKey(id)))));
      // SREM of what was read, not DEL of the set: a session created meanwhile must stay findable.
      await call(() => redis.srem(userKey, ...ids));
    },

    forget,

    async close() {
      // The connection belongs to the caller.
    },
  };
};
