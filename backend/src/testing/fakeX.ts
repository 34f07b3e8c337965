import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { escapeHtml } from '../http/httpUtil.js';

/**
 * A small stand-in for X's OAuth 2.0 provider, strict where X is: the authorize endpoint (PKCE S256
 * only, the registered client and redirect URI), the token endpoint (HTTP Basic client
 * authentication, codes that work once, for the client and redirect URI they were issued to,
 * within a minute, and only with the verifier whose S256 hash is the challenge), and
 * `/2/users/me` with the bearer token.
 *
 * Tests start it on a free port and may make it misbehave (`failNext`). `npm run dev:fake-x` runs
 * it for clicking through the sign-in by hand (an approval page asks for a handle).
 */

export interface FakeXUser {
  id: string;
  username: string;
  name: string;
  profile_image_url?: string;
}

/** Ways to misbehave, each for the next request to that endpoint only. */
export type FakeXFault =
  /** 503 with an HTML body, as a proxy in front of a down service answers. */
  | 'down'
  /** 200 with a body that is not JSON. */
  | 'garbage'
  /** 200 with JSON of the wrong shape (no token / a user without id or handle). */
  | 'wrong-shape'
  /** Accepts the connection and never answers. */
  | 'hang';

export interface FakeXOptions {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  /** Show an approval page (handle, Authorize / Cancel) instead of approving at once. */
  interactive?: boolean;
  /** Who approves, when not interactive. */
  user?: FakeXUser;
}

export interface FakeX {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userinfoUrl: string;
  /** The server's configuration for this provider. */
  env(): Record<string, string>;
  /** Who the next approvals sign in as. */
  setUser(user: FakeXUser): void;
  /** The next request to `endpoint` misbehaves. */
  failNext(endpoint: 'token' | 'userinfo', fault: FakeXFault): void;
  /** What the token endpoint refused, newest last (error codes), for assertions. */
  readonly tokenRefusals: string[];
  /** How many tokens it issued. */
  readonly tokensIssued: number;
  close(): Promise<void>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  user: FakeXUser;
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;

const random = () => randomBytes(24).toString('base64url');

const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 16_384) req.destroy();
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
};

/** The user a handle names on the approval page: a stable numeric id per handle. */
const toUser = (handle: string, baseUrl: string): FakeXUser => {
  const id = BigInt(`0x${createHash('sha256').update(handle.toLowerCase()).digest('hex').slice(0, 15)}`).toString();
  return {
    id,
    username: handle,
    name: handle.replace(/_/g, ' '),
    profile_image_url: `${baseUrl}/avatar/${encodeURIComponent(handle)}.svg`,
  };
};

const avatarSvg = (handle: string) => {
  const hue = [...handle].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 0);
  const letter = escapeHtml((handle[0] ?? '?').toUpperCase());
  return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" fill="hsl(${hue} 60% 45%)"/><text x="48" y="62" font-family="sans-serif" font-size="44" fill="#fff" text-anchor="middle">${letter}</text></svg>`;
};

const approvalPage = (params: URLSearchParams, error?: string) => {
  const hidden = [...params]
    .filter(([name]) => !['handle', 'approve', 'deny'].includes(name))
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fake X — authorize</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input[type=text]{font:inherit;padding:.4rem;width:12rem}button{font:inherit;padding:.4rem 1rem;margin:.5rem .5rem 0 0}.error{color:#b00}</style></head>
<body><h1>Fake X</h1><p>An app asks to sign you in (scopes: <code>${escapeHtml(params.get('scope') ?? '')}</code>). Nothing leaves this machine.</p>
<form method="get">${hidden}<label>Sign in as @<input type="text" name="handle" pattern="[A-Za-z0-9_]{1,15}" required autofocus placeholder="alice"></label>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}<div><button type="submit" name="approve" value="1">Authorize app</button><button type="submit" name="deny" value="1" formnovalidate>Cancel</button></div></form></body></html>`;
};

/** Starts the fake provider; resolves once it listens. */
export const startFakeX = async (options: FakeXOptions = {}): Promise<FakeX> => {
  const clientId = options.clientId ?? 'fake-client-id';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, FakeXUser>();
  const faults: { token: FakeXFault[]; userinfo: FakeXFault[] } = { token: [], userinfo: [] };
  const tokenRefusals: string[] = [];
  const hanging = new Set<ServerResponse>();
  let tokensIssued = 0;
  let baseUrl = '';
  let defaultUser: FakeXUser | null = options.user ?? null;

  /** Misbehaves if told to; answers true when it did. */
  const misbehave = (res: ServerResponse, endpoint: 'token' | 'userinfo'): boolean => {
    const fault = faults[endpoint].shift();
    if (!fault) return false;
    if (fault === 'down') {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
    } else if (fault === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<<<not json at all>>>');
    } else if (fault === 'wrong-shape') {
      json(
        res,
        200,
        endpoint === 'token'
          ? { token_type: 'bearer', scope: 'users.read' }
          : { data: { id: '../../etc', username: 'not a handle!', name: 42 } },
      );
    } else {
      hanging.add(res);
    }
    return true;
  };

  const authorize = (_req: IncomingMessage, res: ServerResponse, url: URL) => {
    const params = url.searchParams;
    const redirectUri = params.get('redirect_uri');
    // Without a valid client and redirect URI, X shows an error page and never redirects.
    if (params.get('client_id') !== clientId) return json(res, 400, { error: 'invalid_client' });
    if (!redirectUri || !/^https?:\/\//.test(redirectUri))
      return json(res, 400, { error: 'invalid_request', error_description: 'redirect_uri' });
    const back = new URL(redirectUri);
    const state = params.get('state');
    if (state) back.searchParams.set('state', state);
    const fail = (error: string, description: string) => {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      res.writeHead(302, { location: back.href });
      res.end();
    };
    if (params.get('deny') === '1') return fail('access_denied', 'The user denied the request');
    if (params.get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    const challenge = params.get('code_challenge');
    if (params.get('code_challenge_method') !== 'S256' || !challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return fail('invalid_request', 'PKCE with S256 is required');
    }
    const scopes = (params.get('scope') ?? '').split(' ');
    if (!scopes.includes('users.read') || !scopes.includes('tweet.read'))
      return fail('invalid_scope', 'users.read and tweet.read are needed');
    let user = defaultUser;
    if (options.interactive) {
      const handle = params.get('handle');
      if (params.get('approve') !== '1' || !handle) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(approvalPage(params));
      }
      if (!/^[A-Za-z0-9_]{1,15}$/.test(handle)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(approvalPage(params, 'A handle is 1–15 letters, digits or underscores.'));
      }
      user = toUser(handle, baseUrl);
    }
    user ??= toUser('fake_alice', baseUrl);
    const code = random();
    codes.set(code, { clientId, redirectUri, challenge, user, expiresAt: Date.now() + CODE_TTL_MS });
    back.searchParams.set('code', code);
    res.writeHead(302, { location: back.href });
    res.end();
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    const refuse = (status: number, error: string, description: string) => {
      tokenRefusals.push(error);
      json(res, status, { error, error_description: description }, status === 401 ? { 'www-authenticate': 'Basic realm="fake-x"' } : {});
    };
    if (req.method !== 'POST') return refuse(405, 'invalid_request', 'POST only');
    const body = new URLSearchParams(await readBody(req));
    if (misbehave(res, 'token')) return;
    // Confidential clients authenticate with HTTP Basic: form-urlencoded id and secret (RFC 6749 §2.3.1).
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    const [id, secret] = basic
      ? Buffer.from(basic[1]!, 'base64')
          .toString('utf8')
          .split(':')
          .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')))
      : [];
    if (id !== clientId || !secret || !safeEqual(secret, clientSecret))
      return refuse(401, 'invalid_client', 'client authentication failed');
    if (body.get('grant_type') !== 'authorization_code') return refuse(400, 'unsupported_grant_type', 'authorization_code only');
    const code = body.get('code') ?? '';
    const issued = codes.get(code);
    // A code works once: the first presentation spends it, whatever else is wrong with the request.
    codes.delete(code);
    if (!issued || issued.expiresAt < Date.now()) return refuse(400, 'invalid_grant', 'unknown, used or expired code');
    if (issued.clientId !== id) return refuse(400, 'invalid_grant', 'code issued to another client');
    if (body.get('redirect_uri') !== issued.redirectUri) return refuse(400, 'invalid_grant', 'redirect_uri does not match');
    const verifier = body.get('code_verifier') ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return refuse(400, 'invalid_request', 'code_verifier missing or malformed');
    const computed = createHash('sha256').update(verifier).digest('base64url');
    if (!safeEqual(computed, issued.challenge)) return refuse(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    const accessToken = random();
    tokens.set(accessToken, issued.user);
    tokensIssued++;
    json(res, 200, { token_type: 'bearer', expires_in: 7200, access_token: accessToken, scope: 'users.read tweet.read' });
  };

  const me = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (misbehave(res, 'userinfo')) return;
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const user = bearer ? tokens.get(bearer[1]!) : undefined;
    if (!user) return json(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    const fields = (url.searchParams.get('user.fields') ?? '').split(',');
    const { profile_image_url, ...rest } = user;
    json(res, 200, { data: { ...rest, ...(fields.includes('profile_image_url') && profile_image_url ? { profile_image_url } : {}) } });
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-x');
    const route = async () => {
      if (url.pathname === '/i/oauth2/authorize') return authorize(req, res, url);
      if (url.pathname === '/2/oauth2/token') return token(req, res);
      if (url.pathname === '/2/users/me') return me(req, res, url);
      const avatar = /^\/avatar\/([A-Za-z0-9_]{1,15})\.svg$/.exec(url.pathname);
      if (avatar) {
        res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=3600' });
        return res.end(avatarSvg(avatar[1]!));
      }
      json(res, 404, { error: 'not_found' });
    };
    route().catch(() => {
      if (!res.headersSent) json(res, 500, { error: 'server_error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;

  const fake: FakeX = {
    url: baseUrl,
    clientId,
    clientSecret,
    authorizeUrl: `${baseUrl}/i/oauth2/authorize`,
    tokenUrl: `${baseUrl}/2/oauth2/token`,
    userinfoUrl: `${baseUrl}/2/users/me?user.fields=profile_image_url`,
    env: () => ({
      TWITTER_CLIENT_ID: clientId,
      TWITTER_CLIENT_SECRET: clientSecret,
      TWITTER_AUTHORIZE_URL: fake.authorizeUrl,
      TWITTER_TOKEN_URL: fake.tokenUrl,
      TWITTER_USERINFO_URL: fake.userinfoUrl,
    }),
    setUser(user) {
      defaultUser = user;
    },
    failNext(endpoint, fault) {
      faults[endpoint].push(fault);
    },
    tokenRefusals,
    get tokensIssued() {
      return tokensIssued;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
};

/** `npm run dev:fake-x`: the fake on FAKE_X_PORT (default 4010), with an approval page, and how to point the server at it. */
const runFromCommandLine = async () => {
  const port = Number(process.env.FAKE_X_PORT ?? 4010);
  const fake = await startFakeX({ port, interactive: true });
  const env = Object.entries({ ...fake.env(), AUTH_DEV_LOGIN: '1' })
    .map(([name, value]) => `${name}='${value}'`)
    .join(' \\\n  ');
  console.log(`fake X listening on ${fake.url} (an approval page asks which handle signs in; nothing leaves this machine)

Start the server against it, in another terminal:

  ${env} \\
  npm start

then open http://localhost:4000 and choose "Sign in with X".`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runFromCommandLine().catch((error: unknown) => {
    console.error(`fake X cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
