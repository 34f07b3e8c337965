import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { StoreRedis } from '../redis/client.js';
import { callRedis as call } from '../redis/connection.js';

/**
 * Sign-ins under way: what the callback needs (the PKCE verifier, where to go back to), found by
 * the OAuth `state`. Each is single-use and lives 10 minutes. Only the SHA-256 of a state is used
 * as a key, as for sessions.
 */

/** How long a sign-in may take between leaving for X and coming back. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

export interface PendingSignIn {
  /** The PKCE code verifier (RFC 7636); only its S256 challenge went to the provider. */
  codeVerifier: string;
  /** A same-origin path (see `toSafeReturnPath`). */
  returnTo: string;
}

/**
 * Implementations: `createMemoryOAuthStateStore` (embedded mode), `createRedisOAuthStateStore`
 * (shared by every instance, so the callback may land on another instance than the start).
 * Methods reject only when the storage fails (`StoreUnavailableError`).
 */
export interface OAuthStateStore {
  /** Remembers a sign-in under its state for `OAUTH_STATE_TTL_MS`. */
  save(state: string, pending: PendingSignIn): Promise<void>;
  /**
   * The sign-in of that state, removed in the same step: a second `take` of one state, however
   * close in time (two instances at once), answers null. Null too for unknown or expired states.
   */
  take(state: string): Promise<PendingSignIn | null>;
  close(): Promise<void>;
}

const toStateKey = (state: string) => `chat:oauth-state:${createHash('sha256').update(state).digest('hex')}`;

const pendingSchema = z.object({ codeVerifier: z.string().min(43).max(128), returnTo: z.string().startsWith('/') });

/** @param options.now the clock (epoch ms); tests inject a fake one. */
export const createMemoryOAuthStateStore = (options: { now?: () => number } = {}): OAuthStateStore => {
  const now = options.now ?? Date.now;
  const pending = new Map<string, PendingSignIn & { expiresAt: number }>();
  return {
    async save(state, signIn) {
      const at = now();
      // Abandoned sign-ins are never taken: sweep them here, where the map grows.
      for (const [key, entry] of pending) if (entry.expiresAt <= at) pending.delete(key);
      pending.set(toStateKey(state), { ...signIn, expiresAt: at + OAUTH_STATE_TTL_MS });
    },
    async take(state) {
      const key = toStateKey(state);
      const entry = pending.get(key);
      if (!entry) return null;
      pending.delete(key);
      if (entry.expiresAt <= now()) return null;
      return { codeVerifier: entry.codeVerifier, returnTo: entry.returnTo };
    },
    async close() {
      pending.clear();
    },
  };
};

/**
 * One key per state and one command per call (SET, GETDEL), so it runs unchanged on a Cluster.
 *
 * @param options.redis a connection the caller owns (one Redis or a Cluster).
 */
export const createRedisOAuthStateStore = (options: { redis: StoreRedis }): OAuthStateStore => {
  const { redis } = options;
  return {
    async save(state, signIn) {
      await call(() => redis.set(toStateKey(state), JSON.stringify(signIn), 'PX', OAUTH_STATE_TTL_MS));
    },
    async take(state) {
      // GETDEL: read and delete in one command, so a replayed state finds nothing even mid-race.
      const stored = await call(() => redis.getdel(toStateKey(state)));
      if (stored === null) return null;
      try {
        const parsed = pendingSchema.safeParse(JSON.parse(stored));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    async close() {
      // The connection belongs to the caller.
    },
  };
};
