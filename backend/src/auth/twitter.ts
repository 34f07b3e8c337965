import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import type { Profile } from '../domain/user/user.js';
import type { PendingSignIn } from './oauthStateStore.js';

/**
 * Sign in with X: OAuth 2.0 Authorization Code with PKCE (S256), through oauth4webapi (request
 * building, client authentication, token response validation). X publishes no discovery document,
 * so its endpoints come from the configuration.
 */

/** The scopes `/2/users/me` needs; nothing that could post or read direct messages. */
export const TWITTER_SCOPES = 'users.read tweet.read';

/** No answer from X within this long counts as X being down. */
const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * Why a sign-in did not finish. The code travels to the sign-in page as `?signin_error=<code>`,
 * where the UI turns it into words (see `SIGN_IN_ERROR_MESSAGES`).
 */
export type SignInErrorCode =
  | 'denied'
  | 'provider_error'
  | 'expired'
  | 'exchange_failed'
  | 'provider_unreachable'
  | 'profile_invalid'
  | 'unavailable';

/** What the sign-in page may say for each code (the UI keeps its own copy; these are the reference). */
export const SIGN_IN_ERROR_MESSAGES: Record<SignInErrorCode, string> = {
  denied: 'Sign-in was cancelled on X. Nothing was shared.',
  provider_error: 'X refused the sign-in. Try again in a moment.',
  expired: 'That sign-in link expired or was already used. Start again.',
  exchange_failed: 'X did not confirm the sign-in. Start again.',
  provider_unreachable: 'X cannot be reached right now. Try again in a moment.',
  profile_invalid: 'X sent a profile we cannot use.',
  unavailable: 'Sign-in is unavailable right now. Try again in a moment.',
};

export class SignInError extends Error {
  override name = 'SignInError';
  constructor(
    readonly code: SignInErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface TwitterSignInOptions {
  clientId: string;
  clientSecret: string;
  endpoints: { authorize: URL; token: URL; userinfo: URL };
  /** `$PUBLIC_URL/auth/twitter/callback`, exactly as registered with X. */
  redirectUri: string;
  timeoutMs?: number;
}

/** Who X says signed in, ready for `registerUser`. */
export interface TwitterIdentity {
  /** `x:<numeric X user id>`: stable across handle changes. */
  userId: string;
  profile: Profile;
}

export interface TwitterSignIn {
  /** A fresh state and PKCE pair, and the authorize URL to send the browser to. */
  start(returnTo: string): Promise<{ state: string; pending: PendingSignIn; authorizeUrl: URL }>;
  /**
   * Finishes a sign-in from the callback's URL and the pending sign-in its state named: checks the
   * response, exchanges the code (with the verifier), reads the profile. Throws `SignInError`.
   */
  finish(callbackUrl: URL, state: string, pending: PendingSignIn): Promise<TwitterIdentity>;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

// X's v2 user object: ids are decimal strings (64-bit), usernames 1–15 of [A-Za-z0-9_].
const userResponseSchema = z.object({
  data: z.object({
    id: z.string().regex(/^\d{1,20}$/),
    username: z.string().regex(/^[A-Za-z0-9_]{1,15}$/),
    name: z.string().max(200),
    profile_image_url: z.string().max(2048).optional(),
  }),
});

/** An avatar is shown as an image: only https (plain http from this machine, for the fake provider). */
const toAvatarUrl = (raw: string | undefined): string | null => {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return url.href;
  } catch {
    // no usable avatar
  }
  return null;
};

/** A failure to get an answer at all (refused connection, timeout, DNS) or a 5xx: X is down. */
const isUnreachable = (error: unknown): boolean =>
  (error instanceof TypeError && error.message === 'fetch failed') ||
  (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) ||
  (error instanceof oauth.ResponseBodyError && error.status >= 500);

export const createTwitterSignIn = (options: TwitterSignInOptions): TwitterSignIn => {
  const { endpoints, redirectUri } = options;
  const as: oauth.AuthorizationServer = {
    issuer: endpoints.authorize.origin,
    authorization_endpoint: endpoints.authorize.href,
    token_endpoint: endpoints.token.href,
  };
  const client: oauth.Client = { client_id: options.clientId };
  // X wants confidential clients to authenticate with HTTP Basic at the token endpoint.
  const clientAuth = oauth.ClientSecretBasic(options.clientSecret);
  const timeoutMs = options.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  // The configuration admits plain http only to this machine (the fake provider).
  const httpOptions = () => ({
    signal: AbortSignal.timeout(timeoutMs),
    [oauth.allowInsecureRequests]: endpoints.token.protocol === 'http:' || endpoints.userinfo.protocol === 'http:',
  });

  const exchangeCode = async (params: URLSearchParams, pending: PendingSignIn): Promise<string> => {
    try {
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        params,
        redirectUri,
        pending.codeVerifier,
        httpOptions(),
      );
      if (response.status >= 500) throw new SignInError('provider_unreachable', `X answered the token request with ${response.status}`);
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      if (tokens.token_type !== 'bearer') throw new Error(`unexpected token_type ${tokens.token_type}`);
      return tokens.access_token;
    } catch (error) {
      if (error instanceof SignInError) throw error;
      if (isUnreachable(error)) throw new SignInError('provider_unreachable', 'X did not answer the token request', { cause: error });
      throw new SignInError('exchange_failed', 'X refused the code, or answered something that is not a token', { cause: error });
    }
  };

  const readIdentity = async (accessToken: string): Promise<TwitterIdentity> => {
    let body: unknown;
    try {
      const response = await oauth.protectedResourceRequest(
        accessToken,
        'GET',
        endpoints.userinfo,
        new Headers({ accept: 'application/json' }),
        null,
        httpOptions(),
      );
      if (response.status >= 500) throw new SignInError('provider_unreachable', `X answered ${response.status} for the profile`);
      if (!response.ok) throw new SignInError('profile_invalid', `X answered ${response.status} for the profile`);
      body = await response.json();
    } catch (error) {
      if (error instanceof SignInError) throw error;
      if (isUnreachable(error)) throw new SignInError('provider_unreachable', 'X did not answer the profile request', { cause: error });
      throw new SignInError('profile_invalid', 'X answered the profile request with something unreadable', { cause: error });
    }
    const parsed = userResponseSchema.safeParse(body);
    if (!parsed.success) throw new SignInError('profile_invalid', 'X sent a profile without a usable id or handle');
    const { id, username, name, profile_image_url } = parsed.data.data;
    return { userId: `x:${id}`, profile: { handle: username, displayName: name, avatarUrl: toAvatarUrl(profile_image_url) } };
  };

  return {
    async start(returnTo) {
      const state = oauth.generateRandomState();
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const authorizeUrl = new URL(endpoints.authorize);
      authorizeUrl.searchParams.set('response_type', 'code');
      authorizeUrl.searchParams.set('client_id', options.clientId);
      authorizeUrl.searchParams.set('redirect_uri', redirectUri);
      authorizeUrl.searchParams.set('scope', TWITTER_SCOPES);
      authorizeUrl.searchParams.set('state', state);
      authorizeUrl.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
      authorizeUrl.searchParams.set('code_challenge_method', 'S256');
      return { state, pending: { codeVerifier, returnTo }, authorizeUrl };
    },

    async finish(callbackUrl, state, pending) {
      let params: URLSearchParams;
      try {
        params = oauth.validateAuthResponse(as, client, callbackUrl, state);
      } catch (error) {
        if (error instanceof oauth.AuthorizationResponseError) {
          // access_denied is the user pressing "Cancel" on X's page.
          if (error.error === 'access_denied') throw new SignInError('denied', 'The user did not authorise the app on X');
          throw new SignInError('provider_error', `X answered the authorization with ${error.error}`, { cause: error });
        }
        throw new SignInError('exchange_failed', 'The callback carries no usable authorization code', { cause: error });
      }
      const accessToken = await exchangeCode(params, pending);
      return readIdentity(accessToken);
    },
  };
};
