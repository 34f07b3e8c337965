import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.js';

describe('readConfig', () => {
  it('has the contract defaults', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      redisUrl: null,
      allowedOrigins: ['http://localhost:4000'],
      twitter: null,
      devLogin: true,
    });
    expect(config.publicUrl.href).toBe('http://localhost:4000/');
    expect(config.twitterEndpoints.token.href).toBe('https://api.x.com/2/oauth2/token');
  });

  it('derives the allowed origin from PUBLIC_URL and takes an explicit list', () => {
    expect(readConfig({ PUBLIC_URL: 'https://chat.example.com/app' }).allowedOrigins).toEqual(['https://chat.example.com']);
    expect(readConfig({ ALLOWED_ORIGINS: 'https://a.example, http://localhost:5173' }).allowedOrigins).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
  });

  it('turns the development sign-in off in production and when X is configured, unless set', () => {
    expect(readConfig({ NODE_ENV: 'production' }).devLogin).toBe(false);
    expect(readConfig({ TWITTER_CLIENT_ID: 'id', TWITTER_CLIENT_SECRET: 's' }).devLogin).toBe(false);
    expect(readConfig({ NODE_ENV: 'production', AUTH_DEV_LOGIN: '1' }).devLogin).toBe(true);
  });

  it('keeps introspection on unless production and GRAPHQL_INTROSPECTION=0 say otherwise', () => {
    expect(readConfig({}).introspection).toBe(true);
    expect(readConfig({ GRAPHQL_INTROSPECTION: '0' }).introspection).toBe(true);
    expect(readConfig({ NODE_ENV: 'production' }).introspection).toBe(true);
    expect(readConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: '1' }).introspection).toBe(true);
    expect(readConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: '0' }).introspection).toBe(false);
    expect(readConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'false' }).introspection).toBe(false);
  });

  it('rate-limits unless RATE_LIMITS=0', () => {
    expect(readConfig({}).rateLimits).toBe(true);
    expect(readConfig({ NODE_ENV: 'production' }).rateLimits).toBe(true);
    expect(readConfig({ RATE_LIMITS: '0' }).rateLimits).toBe(false);
  });

  it('decides the replicas a write waits for at start unless REDIS_ACK_REPLICAS says, within a second unless told', () => {
    expect(readConfig({}).redisAck).toEqual({ replicas: null, timeoutMs: 1_000 });
    expect(readConfig({ REDIS_ACK_REPLICAS: '0' }).redisAck.replicas).toBe(0);
    expect(readConfig({ REDIS_ACK_REPLICAS: '2', REDIS_ACK_TIMEOUT_MS: '250' }).redisAck).toEqual({ replicas: 2, timeoutMs: 250 });
    expect(readConfig({}).redisCluster).toBeNull();
  });

  it('reads REDIS_CLUSTER as seed nodes (IPv6 in brackets), and lets WORKERS share it', () => {
    const config = readConfig({ REDIS_CLUSTER: '10.0.0.5:7000, [::1]:7001,redis-a:7002', WORKERS: '2' });
    expect(config.redisCluster).toEqual([
      { host: '10.0.0.5', port: 7000 },
      { host: '::1', port: 7001 },
      { host: 'redis-a', port: 7002 },
    ]);
    expect(config.redisUrl).toBeNull();
    expect(config.workers).toBe(2);
  });

  it('trusts no proxy unless told how many are in front', () => {
    expect(readConfig({}).trustProxyHops).toBe(0);
    expect(readConfig({ TRUST_PROXY_HOPS: '2' }).trustProxyHops).toBe(2);
  });

  it('talks to X over https, or plain http only to this machine', () => {
    const local = readConfig({
      TWITTER_TOKEN_URL: 'http://127.0.0.1:4010/2/oauth2/token',
      TWITTER_USERINFO_URL: 'http://localhost:4010/2/users/me',
    });
    expect(local.twitterEndpoints.token.href).toBe('http://127.0.0.1:4010/2/oauth2/token');
    expect(readConfig({}).twitterEndpoints.authorize.href).toBe('https://x.com/i/oauth2/authorize');
    expect(readConfig({}).twitterEndpoints.userinfo.href).toBe('https://api.x.com/2/users/me?user.fields=profile_image_url');
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ GRAPHQL_INTROSPECTION: 'off' }, /^GRAPHQL_INTROSPECTION: /],
    [{ RATE_LIMITS: 'no' }, /^RATE_LIMITS: /],
    [{ TWITTER_TOKEN_URL: 'http://api.x.example/2/oauth2/token' }, /^TWITTER_TOKEN_URL: .*https/],
    [{ TWITTER_USERINFO_URL: 'http://10.0.0.5/2/users/me' }, /^TWITTER_USERINFO_URL: .*https/],
    [{ ALLOWED_ORIGINS: ' , ' }, /^ALLOWED_ORIGINS: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL: /],
    [{ DATABASE_URL: 'mysql://localhost/chat' }, /^DATABASE_URL: /],
    [{ DATABASE_URL: 'localhost:5432' }, /^DATABASE_URL: /],
    [{ PUBLIC_URL: 'not a url' }, /^PUBLIC_URL: /],
    [{ PUBLIC_URL: 'ftp://example.com' }, /^PUBLIC_URL: /],
    [{ ALLOWED_ORIGINS: 'https://ok.example,nonsense' }, /^ALLOWED_ORIGINS: /],
    [{ AUTH_DEV_LOGIN: 'yes' }, /^AUTH_DEV_LOGIN: /],
    [{ TWITTER_CLIENT_ID: 'id' }, /^TWITTER_CLIENT_SECRET: /],
    [{ TWITTER_TOKEN_URL: '::' }, /^TWITTER_TOKEN_URL: /],
    [{ ROOM_LOG_MAX_EVENTS: '10' }, /^ROOM_LOG_MAX_EVENTS: /],
    [{ TRUST_PROXY_HOPS: '-1' }, /^TRUST_PROXY_HOPS: /],
    [{ METRICS_PORT: '0' }, /^METRICS_PORT: /],
    [{ WORKERS: '0' }, /^WORKERS: /],
    [{ WORKERS: 'all' }, /^WORKERS: /],
    [{ WORKERS: '2' }, /^WORKERS: .*REDIS_URL/],
    [{ METRICS_PORT: 'nine' }, /^METRICS_PORT: /],
    [{ REDIS_ACK_REPLICAS: '-1' }, /^REDIS_ACK_REPLICAS: /],
    [{ REDIS_ACK_REPLICAS: 'one' }, /^REDIS_ACK_REPLICAS: /],
    [{ REDIS_ACK_REPLICAS: '1.5' }, /^REDIS_ACK_REPLICAS: /],
    [{ REDIS_ACK_TIMEOUT_MS: '0' }, /^REDIS_ACK_TIMEOUT_MS: /],
    [{ REDIS_ACK_TIMEOUT_MS: '60000' }, /^REDIS_ACK_TIMEOUT_MS: /],
    [{ REDIS_ACK_TIMEOUT_MS: 'soon' }, /^REDIS_ACK_TIMEOUT_MS: /],
    [{ REDIS_CLUSTER: '127.0.0.1:7000', REDIS_URL: 'redis://127.0.0.1:6379' }, /^REDIS_CLUSTER: .*REDIS_URL, not both/],
    [{ REDIS_CLUSTER: '127.0.0.1' }, /^REDIS_CLUSTER: "127.0.0.1" is not a host:port/],
    [{ REDIS_CLUSTER: '127.0.0.1:7000,redis://b:7001' }, /^REDIS_CLUSTER: "redis:\/\/b:7001" is not a host:port/],
    [{ REDIS_CLUSTER: 'a:70000' }, /^REDIS_CLUSTER: "a:70000" is not a host:port/],
    [{ REDIS_CLUSTER: ' , ' }, /^REDIS_CLUSTER: lists no seed node/],
    [{ HTTP_REQUEST_TIMEOUT_MS: '10' }, /^HTTP_REQUEST_TIMEOUT_MS: /],
    [{ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }, /^HTTP_HEADERS_TIMEOUT_MS: /],
    [{ TRUST_PROXY_HOPS: 'yes' }, /^TRUST_PROXY_HOPS: /],
    [{ PRESENCE_LEASE_MS: '1000', PRESENCE_HEARTBEAT_MS: '800' }, /^PRESENCE_HEARTBEAT_MS: /],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
    try {
      readConfig(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
