import { BlockList, isIP } from 'node:net';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';

/** The largest request body accepted anywhere (GraphQL documents, sign-in). */
export const BODY_LIMIT_BYTES = 64 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    /** Headers the answer carries (a 405's `Allow`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 405, saying which methods the resource takes (`Allow`, as RFC 9110 asks). */
export const methodNotAllowed = (allowed: readonly string[]) =>
  new HttpError(405, `Use ${allowed.join(', ')}`, 'METHOD_NOT_ALLOWED', { allow: allowed.join(', ') });

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
};

export const sendError = (res: ServerResponse, error: HttpError) =>
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);

/** The whole body, or `HttpError` 413 as soon as it passes the limit (without reading the rest). */
export const readBody = (req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return reject(tooLarge(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // The client closed the connection before its body arrived: nobody is left to answer.
    req.on('error', () => reject(new ClientGoneError()));
  });

/** The client went away while its request was being read; there is nobody to answer. */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';
  constructor() {
    super('the client closed the connection before its request body arrived');
  }
}

const tooLarge = (limit: number) => new HttpError(413, `Request body larger than ${limit} bytes`, 'PAYLOAD_TOO_LARGE');

/** A JSON body, or `HttpError` 400/413/415. */
export const readJsonBody = async (req: IncomingMessage): Promise<unknown> => {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'Send the body as application/json', 'UNSUPPORTED_MEDIA_TYPE');
  const body = await readBody(req);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'The body is not valid JSON', 'BAD_REQUEST');
  }
};

/** Is the browser request's Origin (if it sent one) one of ours? Non-browser clients send none. */
export const isAllowedOrigin = (req: IncomingMessage, allowedOrigins: readonly string[]): boolean => {
  const origin = req.headers.origin;
  return origin === undefined || allowedOrigins.includes(origin);
};

export const toHeaders = (req: IncomingMessage): Headers => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
};

/** `ws://host` or `wss://host` of an http(s) origin: where the UI's WebSocket goes. */
export const toWebSocketOrigin = (publicUrl: URL): string => `${publicUrl.protocol === 'https:' ? 'wss:' : 'ws:'}//${publicUrl.host}`;

type Directives = Record<string, readonly string[]>;

const toPolicy = (directives: Directives): string =>
  Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');

/** Where avatars come from: X's image hosts, and the configured profile endpoint's origin (the fake provider's, in development). */
const toAvatarSources = (config: Config): string[] => [
  ...new Set(['https://pbs.twimg.com', 'https://abs.twimg.com', config.twitterEndpoints.userinfo.origin]),
];

/**
 * The UI's Content-Security-Policy: its own scripts and styles only (no inline script can run, so
 * markup that slipped into a message could not either), connections to itself and its WebSocket,
 * avatars from X, never framed (clickjacking), no plugins, no `<base>` rewriting.
 */
export const toAppContentSecurityPolicy = (config: Config): string =>
  toPolicy({
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', ...toAvatarSources(config)],
    'connect-src': ["'self'", toWebSocketOrigin(config.publicUrl)],
    'object-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
  });

/**
 * GraphiQL's page (graphiql.ts): its bundle, styles and editor workers come from this server, and
 * it starts with inline scripts. Those are allowed by their SHA-256 (computed from the page itself,
 * so a change to them still works and nothing else inline can run); the editor sets inline styles.
 * Nothing is loaded from another origin.
 */
export const toGraphiQLContentSecurityPolicy = (config: Config, html: string): string => {
  const hashes = [...html.matchAll(/<script(?:\s[^>]*)?>([\s\S]*?)<\/script>/gi)]
    .filter((match) => !/\ssrc=/i.test(match[0].slice(0, match[0].indexOf('>'))) && match[1]!.length > 0)
    .map((match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`);
  return toPolicy({
    'default-src': ["'self'"],
    'script-src': ["'self'", ...hashes],
    'style-src': ["'self'", "'unsafe-inline'"],
    'font-src': ["'self'", 'data:'],
    'img-src': ["'self'", 'data:'],
    'worker-src': ["'self'"],
    'connect-src': ["'self'", toWebSocketOrigin(config.publicUrl)],
    'object-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
  });
};

/**
 * Headers every response gets. The CSP is the UI's; GraphiQL's page replaces it with its own.
 * On JSON it costs nothing and covers a response a browser is tricked into rendering.
 */
export const toSecurityHeaders = (config: Config): Record<string, string> => ({
  'content-security-policy': toAppContentSecurityPolicy(config),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  ...(config.publicUrl.protocol === 'https:' ? { 'strict-transport-security': 'max-age=31536000' } : {}),
});

/** A redirect that no cache keeps (sign-in answers depend on cookies and one-time states). */
export const sendRedirect = (res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}) => {
  res.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': 0, ...headers });
  res.end();
};

/**
 * The client's address, for per-IP limits. With `trustedHops` proxies in front (each appending
 * the address it saw to X-Forwarded-For), it is the address the outermost trusted one saw: the
 * `trustedHops`-th from the right of the header followed by the TCP peer. Entries further left
 * are the client's own claims and never count. With 0, the TCP peer.
 */
export const toClientAddress = (req: IncomingMessage, trustedHops: number): string => {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedHops)]!;
};

const PRIVATE_NETWORKS = new BlockList();
for (const [network, prefix] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
] as const)
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv6');

/** Whether an address is this machine's or a private network's (IPv4-mapped IPv6 included). */
export const isPrivateAddress = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/iu.exec(address)?.[1];
  if (mapped) return PRIVATE_NETWORKS.check(mapped, 'ipv4');
  const type = isIP(address);
  return type !== 0 && PRIVATE_NETWORKS.check(address, type === 4 ? 'ipv4' : 'ipv6');
};

/** Text for HTML (an element's content or a quoted attribute value). */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A warning that may come often (clients going away): one line at most every `everyMs`, saying
 * how many times it happened since the last line.
 */
export const createOneLineLog = (line: (count: number) => string, everyMs = 60_000) => {
  let count = 0;
  let last = Number.NEGATIVE_INFINITY;
  return {
    note() {
      count++;
      const now = performance.now();
      if (now - last < everyMs) return;
      last = now;
      console.warn(line(count));
      count = 0;
    },
  };
};
