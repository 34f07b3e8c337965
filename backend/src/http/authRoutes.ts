import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { readCookie, serializeClearedSessionCookie, serializeSessionCookie, sessionCookieName } from '../auth/cookies.js';
import { parseDevLoginBody, toDevUserId } from '../auth/devLogin.js';
import { SESSION_ABSOLUTE_MS } from '../auth/sessionStore.js';
import { StoreUnavailableError } from '../eventstore/eventStore.js';
import type { Viewer } from '../graphql/context.js';
import { HttpError, isAllowedOrigin, readJsonBody, sendJson } from './httpUtil.js';
import type { Services } from './services.js';

export interface AuthRoutes {
  /** The viewer a request's session cookie proves, or null; rejects with `StoreUnavailableError` when sessions cannot be read. */
  authenticate(cookieHeader: string | undefined): Promise<Viewer | null>;
  /** Handles `/auth/*`; answers false for paths it does not know. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

/** A session store rejects only when its storage fails (see `SessionStore`): that is an outage, answered as one. */
const unlessUnavailable = async <T>(operation: Promise<T>): Promise<T> => {
  try {
    return await operation;
  } catch (error) {
    throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
  }
};

/**
 * Sign-in and sign-out over HTTP. Providers (the development sign-in now, X next) end the same
 * way: register or update the user from the provider's profile, then `startSession`.
 */
export const createAuthRoutes = (config: Config, services: Services, hooks: { onLogout(sessionId: string): void }): AuthRoutes => {
  const cookieName = sessionCookieName(config.publicUrl);

  const authenticate = async (cookieHeader: string | undefined): Promise<Viewer | null> => {
    const token = readCookie(cookieHeader, cookieName);
    if (!token) return null;
    const session = await unlessUnavailable(services.sessions.validateSessionToken(token));
    return session ? { userId: session.userId, sessionId: session.id } : null;
  };

  const startSession = async (res: ServerResponse, userId: string, body: unknown) => {
    const { token } = await unlessUnavailable(services.sessions.createSession(userId));
    const cookie = serializeSessionCookie(token, { publicUrl: config.publicUrl, maxAgeSeconds: SESSION_ABSOLUTE_MS / 1000 });
    sendJson(res, 200, body, { 'set-cookie': cookie, 'cache-control': 'no-store' });
  };

  const requirePost = (req: IncomingMessage) => {
    if (req.method !== 'POST') throw new HttpError(405, 'Use POST', 'METHOD_NOT_ALLOWED');
    // A cross-site form or fetch must not sign someone in or out.
    if (!isAllowedOrigin(req, config.allowedOrigins)) throw new HttpError(403, 'Origin not allowed', 'FORBIDDEN_ORIGIN');
  };

  const devLogin = async (req: IncomingMessage, res: ServerResponse) => {
    requirePost(req);
    const parsed = parseDevLoginBody(await readJsonBody(req));
    if (!parsed.ok) throw new HttpError(400, parsed.message, 'BAD_USER_INPUT');
    const userId = toDevUserId(parsed.handle);
    const user = await services.commands.registerUser({ userId, profile: { handle: parsed.handle, displayName: parsed.handle, avatarUrl: null } });
    await startSession(res, userId, { user });
  };

  const logout = async (req: IncomingMessage, res: ServerResponse) => {
    requirePost(req);
    const viewer = await authenticate(req.headers.cookie);
    if (viewer) {
      await unlessUnavailable(services.sessions.invalidateSession(viewer.sessionId));
      hooks.onLogout(viewer.sessionId);
    }
    sendJson(res, 200, { ok: true }, { 'set-cookie': serializeClearedSessionCookie(config.publicUrl), 'cache-control': 'no-store' });
  };

  return {
    authenticate,
    async handle(req, res, path) {
      if (path === '/auth/dev' && config.devLogin) await devLogin(req, res);
      else if (path === '/auth/logout') await logout(req, res);
      else return false;
      return true;
    },
  };
};
