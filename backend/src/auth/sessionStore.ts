import { createHash, randomBytes } from 'node:crypto';

/**
 * Sessions: the cookie carries a random token, the store knows only its SHA-256 (`Session.id`), so a
 * leaked store dump cannot be replayed as cookies. Two implementations (memory and Redis) pass the
 * same contract suite (`sessionStore.contract.ts`).
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** A session ends this long after its last use. */
export const SESSION_IDLE_MS = 7 * DAY_MS;
/** A session ends this long after sign-in, however often it is used. */
export const SESSION_ABSOLUTE_MS = 30 * DAY_MS;
/**
 * The idle deadline is written back only when it would move by at least this much, so a busy
 * session costs one write a minute rather than one per request.
 */
export const SESSION_SLIDE_INTERVAL_MS = 60 * 1000;

export interface Session {
  /** SHA-256 of the token, lowercase hex. Safe to log and to store; the token is not. */
  id: string;
  userId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Absolute end: `createdAt + SESSION_ABSOLUTE_MS`. Never moves. */
  expiresAt: number;
  /** Last recorded use + `SESSION_IDLE_MS`, never past `expiresAt`. */
  idleExpiresAt: number;
}

/**
 * Where sessions live. Implementations: `createMemorySessionStore`, `createRedisSessionStore`.
 * Every method rejects only when the backing storage fails; bad input is answered, not thrown.
 */
export interface SessionStore {
  /** Starts a session with a fresh token. The token goes into the cookie and is never stored. */
  createSession(userId: string): Promise<{ token: string; session: Session }>;
  /**
   * The session the token belongs to, or null when the token is malformed (without touching the
   * storage), unknown, or expired (an expired session is deleted when seen). Slides the idle deadline,
   * writing at most about once a minute per session, never past the absolute deadline.
   */
  validateSessionToken(token: string): Promise<Session | null>;
  /** Ends one session. Unknown ids are ignored. */
  invalidateSession(sessionId: string): Promise<void>;
  /** Ends every session of the user. */
  invalidateUserSessions(userId: string): Promise<void>;
  /** Another instance ended the session: drop what this one may remember of it. */
  forget(sessionId: string): void;
  /** Releases what the store owns (nothing, for a store built on a borrowed connection). */
  close(): Promise<void>;
}

/** 32 random bytes as base64url without padding: always 43 characters of `[A-Za-z0-9_-]`. */
export const generateSessionToken = (): string => randomBytes(32).toString('base64url');

/** The stored id of a token: its SHA-256, lowercase hex (64 characters). */
export const toSessionId = (token: string): string => createHash('sha256').update(token).digest('hex');

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** True when `token` could have come from `generateSessionToken`; anything else is rejected unread. */
export const isSessionTokenShaped = (token: unknown): token is string => typeof token === 'string' && TOKEN_SHAPE.test(token);

/** A new session for the token's id, starting at `now`. */
export const toNewSession = (token: string, userId: string, now: number): Session => {
  const expiresAt = now + SESSION_ABSOLUTE_MS;
  const idleExpiresAt = Math.min(now + SESSION_IDLE_MS, expiresAt);
  return { id: toSessionId(token), userId, createdAt: now, expiresAt, idleExpiresAt };
};

/** The moment the session ends unless it is used again: the earlier of its two deadlines. */
export const toSessionDeadline = (session: Session): number => Math.min(session.idleExpiresAt, session.expiresAt);

/** True from the deadline on (a session is dead at the exact millisecond it expires). */
export const isSessionExpired = (session: Session, now: number): boolean => now >= toSessionDeadline(session);

/**
 * The session after a use at `now`, or null when the stored one is still close enough (less than
 * `SESSION_SLIDE_INTERVAL_MS` of movement) that writing it back is not worth it.
 */
export const toSlidSession = (session: Session, now: number): Session | null => {
  const idleExpiresAt = Math.min(now + SESSION_IDLE_MS, session.expiresAt);
  if (idleExpiresAt - session.idleExpiresAt < SESSION_SLIDE_INTERVAL_MS) return null;
  return { ...session, idleExpiresAt };
};
