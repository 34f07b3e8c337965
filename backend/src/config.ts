import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_PRESENCE_OPTIONS, type PresenceOptions } from './presence/presence.js';

/** The process's configuration, read and validated once at start. */
export interface Config {
  port: number;
  host: string;
  redisUrl: string | null;
  /** REDIS_CLUSTER's seed nodes; null: not a cluster (REDIS_URL, or the embedded store). */
  redisCluster: RedisSeed[] | null;
  /**
   * Writes are acknowledged only once this many replicas have them (`WAIT`), or answer
   * UNAVAILABLE after `timeoutMs`. `replicas` null: decided at start, 1 when the connected primary
   * reports replicas, else 0.
   */
  redisAck: { replicas: number | null; timeoutMs: number };
  /** PostgreSQL for the search read model; null: an in-memory index in each process. */
  databaseUrl: string | null;
  publicUrl: URL;
  allowedOrigins: string[];
  twitter: { clientId: string; clientSecret: string } | null;
  twitterEndpoints: { authorize: URL; token: URL; userinfo: URL };
  devLogin: boolean;
  production: boolean;
  /** Schema introspection (and so GraphiQL's docs) answered; off only with `NODE_ENV=production` and `GRAPHQL_INTROSPECTION=0`. */
  introspection: boolean;
  /**
   * Every write and sign-in start are rate-limited (on unless RATE_LIMITS=0: tests and
   * load runs that act as one user at machine speed turn them off).
   */
  rateLimits: boolean;
  presence: PresenceOptions;
  /** Keep about this many events per room log (null: keep everything). */
  roomLogMaxEvents: number | null;
  /**
   * Proxies in front of this server that append the client's address to X-Forwarded-For (0: the
   * TCP peer is the client, and the header is ignored). Decides the address per-IP limits count.
   */
  trustProxyHops: number;
  /** `/metrics` on a port of its own (and not on the app's); null: on the app's, to private addresses only. */
  metricsPort: number | null;
  /** Server processes on the one port (WORKERS; `auto`: one per core); they share nothing but Redis. */
  workers: number;
  /** A request's headers must arrive within `headersMs`, and the whole request (body included) within `requestMs`. */
  httpTimeouts: { headersMs: number; requestMs: number };
  /** How often an open Server-Sent Events stream gets a comment line, so proxies keep it open. */
  sseHeartbeatMs: number;
}

export interface RedisSeed {
  host: string;
  port: number;
}

/** Bad configuration: the message names the variable and is meant to be printed alone on one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const httpUrl = z.string().transform((value, ctx) => {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // fall through to the issue below
  }
  ctx.addIssue({ code: 'custom', message: `must be an http(s) URL, got ${JSON.stringify(value)}` });
  return z.NEVER;
});

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where the server talks to X with its client secret: https, or plain http to this machine only
 * (the fake provider of tests and `npm run dev:fake-x`).
 */
const providerUrl = httpUrl.refine((url) => url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname), {
  error: 'must be an https URL (plain http only for localhost)',
});

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_CLUSTER: z.string().optional(),
  REDIS_ACK_REPLICAS: z.coerce.number().int().min(0).max(64).optional(),
  // WAIT blocks the connection it runs on: past a second a stalled replica had better answer
  // UNAVAILABLE (the client retries with its clientId) than hold posts; the cap stays below the
  // connection's 10 s socket timeout, which would drop a connection silent for that long.
  REDIS_ACK_TIMEOUT_MS: z.coerce.number().int().min(10).max(5_000).default(1_000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PUBLIC_URL: httpUrl.optional(),
  ALLOWED_ORIGINS: z.string().optional(),
  TWITTER_CLIENT_ID: z.string().min(1).optional(),
  TWITTER_CLIENT_SECRET: z.string().min(1).optional(),
  TWITTER_AUTHORIZE_URL: providerUrl.default(new URL('https://x.com/i/oauth2/authorize')),
  TWITTER_TOKEN_URL: providerUrl.default(new URL('https://api.x.com/2/oauth2/token')),
  TWITTER_USERINFO_URL: providerUrl.default(new URL('https://api.x.com/2/users/me?user.fields=profile_image_url')),
  AUTH_DEV_LOGIN: flag.optional(),
  GRAPHQL_INTROSPECTION: flag.optional(),
  RATE_LIMITS: flag.default(true),
  NODE_ENV: z.string().optional(),
  PRESENCE_LEASE_MS: z.coerce.number().int().min(100).default(DEFAULT_PRESENCE_OPTIONS.leaseMs),
  PRESENCE_HEARTBEAT_MS: z.coerce.number().int().min(20).default(DEFAULT_PRESENCE_OPTIONS.heartbeatMs),
  PRESENCE_GRACE_MS: z.coerce.number().int().min(0).default(DEFAULT_PRESENCE_OPTIONS.graceMs),
  PRESENCE_SWEEP_MS: z.coerce.number().int().min(20).default(DEFAULT_PRESENCE_OPTIONS.sweepMs),
  PRESENCE_COALESCE_MS: z.coerce.number().int().min(0).default(DEFAULT_PRESENCE_OPTIONS.coalesceMs),
  PRESENCE_COALESCE_MAX_MS: z.coerce.number().int().min(1).default(DEFAULT_PRESENCE_OPTIONS.coalesceMaxMs),
  ROOM_LOG_MAX_EVENTS: z.coerce.number().int().min(100).optional(),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)], { error: 'must be a number of processes (1–64) or auto' })
    .default(1),
  METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  TYPING_THROTTLE_MS: z.coerce.number().int().min(1).default(DEFAULT_PRESENCE_OPTIONS.typingThrottleMs),
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
});

const toOrigin = (raw: string): string => {
  try {
    const url = new URL(raw.trim());
    if (url.origin !== 'null') return url.origin;
  } catch {
    // reported below
  }
  throw new ConfigError(`ALLOWED_ORIGINS: ${JSON.stringify(raw.trim())} is not an origin like https://chat.example.com`);
};

/**
 * Reads the configuration from an environment. Empty strings count as unset. Throws `ConfigError`
 * with a one-line message naming the variable for anything unusable.
 */
export const readConfig = (env: Record<string, string | undefined>): Config => {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const publicUrl = e.PUBLIC_URL ?? new URL(`http://localhost:${e.PORT}`);
  const allowedOrigins = e.ALLOWED_ORIGINS
    ? e.ALLOWED_ORIGINS.split(',')
        .filter((o) => o.trim() !== '')
        .map(toOrigin)
    : [publicUrl.origin];
  // An empty list would refuse every browser; worse, CORS libraries read "no origins" as "any origin".
  if (allowedOrigins.length === 0) throw new ConfigError('ALLOWED_ORIGINS: lists no origin; leave it unset for the origin of PUBLIC_URL');
  if (Boolean(e.TWITTER_CLIENT_ID) !== Boolean(e.TWITTER_CLIENT_SECRET)) {
    throw new ConfigError(
      `${e.TWITTER_CLIENT_ID ? 'TWITTER_CLIENT_SECRET' : 'TWITTER_CLIENT_ID'}: set both TWITTER_CLIENT_ID and TWITTER_CLIENT_SECRET, or neither`,
    );
  }
  const twitter =
    e.TWITTER_CLIENT_ID && e.TWITTER_CLIENT_SECRET ? { clientId: e.TWITTER_CLIENT_ID, clientSecret: e.TWITTER_CLIENT_SECRET } : null;
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL ?? null,
    redisCluster: toRedisCluster(e),
    redisAck: { replicas: e.REDIS_ACK_REPLICAS ?? null, timeoutMs: e.REDIS_ACK_TIMEOUT_MS },
    databaseUrl: e.DATABASE_URL ?? null,
    publicUrl,
    allowedOrigins,
    twitter,
    twitterEndpoints: { authorize: e.TWITTER_AUTHORIZE_URL, token: e.TWITTER_TOKEN_URL, userinfo: e.TWITTER_USERINFO_URL },
    devLogin: e.AUTH_DEV_LOGIN ?? (!twitter && !production),
    production,
    // GraphiQL is a product feature: only an explicit choice in production turns introspection off.
    introspection: !(production && e.GRAPHQL_INTROSPECTION === false),
    rateLimits: e.RATE_LIMITS,
    presence: toPresenceOptions(e),
    roomLogMaxEvents: e.ROOM_LOG_MAX_EVENTS ?? null,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    metricsPort: e.METRICS_PORT ?? null,
    workers: toWorkers(e),
    httpTimeouts: toHttpTimeouts(e),
    sseHeartbeatMs: e.SSE_HEARTBEAT_MS,
  };
};

const SEED = /^(?<host>\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):(?<port>\d{1,5})$/;

const toRedisSeed = (raw: string): RedisSeed => {
  const match = raw.trim().match(SEED);
  const port = Number(match?.groups?.port);
  if (!match || port < 1 || port > 65_535) {
    throw new ConfigError(`REDIS_CLUSTER: ${JSON.stringify(raw.trim())} is not a host:port seed node like 10.0.0.5:7000`);
  }
  return { host: match.groups!.host!.replace(/^\[|\]$/g, ''), port };
};

const toRedisCluster = (e: z.infer<typeof schema>): RedisSeed[] | null => {
  if (e.REDIS_CLUSTER === undefined) return null;
  if (e.REDIS_URL) throw new ConfigError('REDIS_CLUSTER: set REDIS_CLUSTER or REDIS_URL, not both');
  const seeds = e.REDIS_CLUSTER.split(',')
    .filter((seed) => seed.trim() !== '')
    .map(toRedisSeed);
  if (seeds.length === 0) throw new ConfigError('REDIS_CLUSTER: lists no seed node; leave it unset for REDIS_URL or the embedded store');
  return seeds;
};

const toWorkers = (e: z.infer<typeof schema>) => {
  const workers = e.WORKERS === 'auto' ? availableParallelism() : e.WORKERS;
  if (workers > 1 && !e.REDIS_URL && e.REDIS_CLUSTER === undefined) {
    throw new ConfigError('WORKERS: more than one process needs REDIS_URL or REDIS_CLUSTER (the embedded store lives inside one process)');
  }
  return workers;
};

const toHttpTimeouts = (e: z.infer<typeof schema>) => {
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS: must be at most HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)');
  }
  return { headersMs: e.HTTP_HEADERS_TIMEOUT_MS, requestMs: e.HTTP_REQUEST_TIMEOUT_MS };
};

const toPresenceOptions = (e: z.infer<typeof schema>): PresenceOptions => {
  if (e.PRESENCE_HEARTBEAT_MS * 2 > e.PRESENCE_LEASE_MS) {
    throw new ConfigError('PRESENCE_HEARTBEAT_MS: must be at most half of PRESENCE_LEASE_MS, or leases expire between renewals');
  }
  return {
    leaseMs: e.PRESENCE_LEASE_MS,
    heartbeatMs: e.PRESENCE_HEARTBEAT_MS,
    graceMs: e.PRESENCE_GRACE_MS,
    sweepMs: e.PRESENCE_SWEEP_MS,
    typingThrottleMs: e.TYPING_THROTTLE_MS,
    coalesceMs: e.PRESENCE_COALESCE_MS,
    coalesceMaxMs: Math.max(e.PRESENCE_COALESCE_MS, e.PRESENCE_COALESCE_MAX_MS, 1),
  };
};
