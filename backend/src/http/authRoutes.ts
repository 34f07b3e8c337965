import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { readCookie, serializeClearedSessionCookie, serializeSessionCookie, sessionCookieName } from '../auth/cookies.js';
import { parseDevLoginBody, toDevUserId } from '../auth/devLogin.js';
import { RateLimitedError } from '../auth/limitErrors.js';
import { OAUTH_STATE_TTL_MS, type PendingSignIn } from '../auth/oauthStateStore.js';
import { toReturnUrl, toSafeReturnPath } from '../auth/returnTo.js';
import { SESSION_ABSOLUTE_MS } from '../auth/sessionStore.js';
import { SignInError, type SignInErrorCode, type TwitterIdentity, type TwitterSignIn, createTwitterSignIn } from '../auth/twitter.js';
import { ValidationError } from '../domain/errors.js';
import type { Profile } from '../domain/user/user.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import type { Viewer } from '../graphql/context.js';
import { HttpError, isAllowedOrigin, methodNotAllowed, readJsonBody, sendJson, sendRedirect, toClientAddress } from './httpUtil.js';
import type { Services } from '../services.js';

export interface AuthRoutes {
  /** The viewer a request's session cookie proves, or null; rejects with `StoreUnavailableError` when sessions cannot be read. */
  authenticate(cookieHeader: string | undefined): Promise<Viewer | null>;
  /**
   * The part of a cookie header `authenticate` reads (the session cookie alone), or undefined: what
   * a long-lived connection keeps to authenticate again, instead of every cookie of the site.
   */
  sessionCookie(cookieHeader: string | undefined): string | undefined;
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
 * The cookie that ties a sign-in with X to the browser that started it. Without it, someone could
 * start a sign-in as themselves and get a victim's browser to finish it (the victim would then
 * chat as the attacker: login CSRF). It carries the state, which the callback must match.
 * SameSite=Lax: it comes along on the top-level redirect back from X.
 */
const toStateCookieName = (publicUrl: URL) => (publicUrl.protocol === 'https:' ? '__Host-signin-state' : 'signin-state');
const toStateCookie = (publicUrl: URL, value: string, maxAgeSeconds: number) =>
  `${toStateCookieName(publicUrl)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${publicUrl.protocol === 'https:' ? '; Secure' : ''}`;

/**
 * Sign-in and sign-out over HTTP. Providers (the development sign-in, X) end the same way:
 * register or update the user from the provider's profile, then start a session with a new token.
 *
 * - `GET /auth/providers` → `{ "twitter": boolean, "dev": boolean }`, which sign-ins are offered.
 * - `GET /auth/twitter?returnTo=/path` → 302 to X (429 JSON with `Retry-After` past 10 a minute per IP).
 * - `GET /auth/twitter/callback` → 302 to `returnTo` signed in, or to `/?signin_error=<code>`
 *   (codes: `SignInErrorCode`); never an error status, never a user without a complete profile.
 * - `POST /auth/dev` `{"handle"}` → 200 with the session cookie (development only).
 * - `POST /auth/logout` → ends the session; its sockets close on every instance.
 */
export const createAuthRoutes = (config: Config, services: Services, hooks: { onLogout(sessionId: string): void }): AuthRoutes => {
  const cookieName = sessionCookieName(config.publicUrl);
  const twitter: TwitterSignIn | null = config.twitter
    ? createTwitterSignIn({
        clientId: config.twitter.clientId,
        clientSecret: config.twitter.clientSecret,
        endpoints: config.twitterEndpoints,
        redirectUri: new URL('/auth/twitter/callback', config.publicUrl.origin).href,
      })
    : null;

  const authenticate = async (cookieHeader: string | undefined): Promise<Viewer | null> => {
    const token = readCookie(cookieHeader, cookieName);
    if (!token) return null;
    const session = await unlessUnavailable(services.sessions.validateSessionToken(token));
    return session ? { userId: session.userId, sessionId: session.id } : null;
  };

  const endSession = async (sessionId: string) => {
    await unlessUnavailable(services.sessions.invalidateSession(sessionId));
    // This instance's sockets at once; the others through the broadcast (a hint: see SessionEvents).
    hooks.onLogout(sessionId);
    await services.sessionEvents.publishEnded(sessionId);
  };

  /**
   * A new session for the user: a fresh token every time (a token planted before sign-in is never
   * promoted), and the session the browser held until now, if any, ends.
   */
  const createSessionCookie = async (req: IncomingMessage, userId: string): Promise<string> => {
    const previous = await authenticate(req.headers.cookie).catch(() => null);
    const { token } = await unlessUnavailable(services.sessions.createSession(userId));
    if (previous) await endSession(previous.sessionId).catch(() => {});
    return serializeSessionCookie(token, { publicUrl: config.publicUrl, maxAgeSeconds: SESSION_ABSOLUTE_MS / 1000 });
  };

  const registerUser = (userId: string, profile: Profile) => services.commands.registerUser({ userId, profile });

  const requirePost = (req: IncomingMessage) => {
    if (req.method !== 'POST') throw methodNotAllowed(['POST']);
    // A cross-site form or fetch must not sign someone in or out.
    if (!isAllowedOrigin(req, config.allowedOrigins)) throw new HttpError(403, 'Origin not allowed', 'FORBIDDEN_ORIGIN');
  };

  const requireGet = (req: IncomingMessage) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(['GET', 'HEAD']);
  };

  const providers = (req: IncomingMessage, res: ServerResponse) => {
    requireGet(req);
    sendJson(res, 200, { twitter: twitter !== null, dev: config.devLogin }, { 'cache-control': 'no-store' });
  };

  const devLogin = async (req: IncomingMessage, res: ServerResponse) => {
    requirePost(req);
    const parsed = parseDevLoginBody(await readJsonBody(req));
    if (!parsed.ok) throw new HttpError(400, parsed.message, 'BAD_USER_INPUT');
    const userId = toDevUserId(parsed.handle);
    const user = await registerUser(userId, { handle: parsed.handle, displayName: parsed.handle, avatarUrl: null });
    const cookie = await createSessionCookie(req, userId);
    sendJson(res, 200, { user }, { 'set-cookie': cookie, 'cache-control': 'no-store' });
  };

  /** Every way a sign-in with X can fail ends here: on the sign-in page, saying why. */
  const toSignInPage = (res: ServerResponse, code: SignInErrorCode) =>
    sendRedirect(res, `${config.publicUrl.origin}/?signin_error=${code}`, { 'set-cookie': toStateCookie(config.publicUrl, '', 0) });

  const startTwitterSignIn = async (signIn: TwitterSignIn, req: IncomingMessage, res: ServerResponse) => {
    requireGet(req);
    try {
      await services.limits.consume('signInStart', toClientAddress(req, config.trustProxyHops));
    } catch (error) {
      if (!(error instanceof RateLimitedError)) return toSignInPage(res, 'unavailable');
      const body = {
        error: { code: 'RATE_LIMITED', message: 'Too many sign-in attempts; try again in a minute', retryAfterMs: error.retryAfterMs },
      };
      return sendJson(res, 429, body, { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)), 'cache-control': 'no-store' });
    }
    const returnTo = toSafeReturnPath(new URL(req.url ?? '/', 'http://localhost').searchParams.get('returnTo'), config.publicUrl);
    const { state, pending, authorizeUrl } = await signIn.start(returnTo);
    try {
      await services.oauthStates.save(state, pending);
    } catch {
      return toSignInPage(res, 'unavailable');
    }
    sendRedirect(res, authorizeUrl.href, { 'set-cookie': toStateCookie(config.publicUrl, state, OAUTH_STATE_TTL_MS / 1000) });
  };

  const finishTwitterSignIn = async (signIn: TwitterSignIn, req: IncomingMessage, res: ServerResponse) => {
    requireGet(req);
    const callbackUrl = new URL(req.url ?? '/', config.publicUrl.origin);
    const state = callbackUrl.searchParams.get('state');
    const browserState = readCookie(req.headers.cookie, toStateCookieName(config.publicUrl));
    // Cancelling on X is the common case and needs no state to be explained.
    const deniedOnX = callbackUrl.searchParams.get('error') === 'access_denied';
    let pending: PendingSignIn | null;
    try {
      // Taken (deleted) before anything else: a state works once, whatever happens next.
      pending = state ? await services.oauthStates.take(state) : null;
    } catch {
      return toSignInPage(res, 'unavailable');
    }
    if (!state || !pending || browserState !== state) return toSignInPage(res, deniedOnX ? 'denied' : 'expired');
    let identity: TwitterIdentity;
    try {
      identity = await signIn.finish(callbackUrl, state, pending);
    } catch (error) {
      return toSignInPage(res, error instanceof SignInError ? error.code : 'provider_error');
    }
    // Only now, with a complete and checked profile, is anything written.
    let cookie: string;
    try {
      await registerUser(identity.userId, identity.profile);
      cookie = await createSessionCookie(req, identity.userId);
    } catch (error) {
      return toSignInPage(res, error instanceof ValidationError ? 'profile_invalid' : 'unavailable');
    }
    sendRedirect(res, toReturnUrl(pending.returnTo, config.publicUrl), {
      'set-cookie': [cookie, toStateCookie(config.publicUrl, '', 0)],
    });
  };

  const logout = async (req: IncomingMessage, res: ServerResponse) => {
    requirePost(req);
    const viewer = await authenticate(req.headers.cookie);
    if (viewer) await endSession(viewer.sessionId);
    sendJson(res, 200, { ok: true }, { 'set-cookie': serializeClearedSessionCookie(config.publicUrl), 'cache-control': 'no-store' });
  };

  return {
    authenticate,
    sessionCookie: (cookieHeader) => {
      const token = readCookie(cookieHeader, cookieName);
      return token ? `${cookieName}=${token}` : undefined;
    },
    async handle(req, res, path) {
      if (path === '/auth/providers') providers(req, res);
      else if (path === '/auth/dev' && config.devLogin) await devLogin(req, res);
      else if (path === '/auth/twitter' && twitter) await startTwitterSignIn(twitter, req, res);
      else if (path === '/auth/twitter/callback' && twitter) await finishTwitterSignIn(twitter, req, res);
      else if (path === '/auth/logout') await logout(req, res);
      else return false;
      return true;
    },
  };
};
