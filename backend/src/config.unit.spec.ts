import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.js';

describe('readConfig', () => {
  it('has the contract defaults', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', redisUrl: null, allowedOrigins: ['http://localhost:4000'], twitter: null, devLogin: true });
    expect(config.publicUrl.href).toBe('http://localhost:4000/');
    expect(config.twitterEndpoints.token.href).toBe('https://api.x.com/2/oauth2/token');
  });

  it('derives the allowed origin from PUBLIC_URL and takes an explicit list', () => {
    expect(readConfig({ PUBLIC_URL: 'https://chat.example.com/app' }).allowedOrigins).toEqual(['https://chat.example.com']);
    expect(readConfig({ ALLOWED_ORIGINS: 'https://a.example, http://localhost:5173' }).allowedOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
  });

  it('turns the development sign-in off in production and when X is configured, unless set', () => {
    expect(readConfig({ NODE_ENV: 'production' }).devLogin).toBe(false);
    expect(readConfig({ TWITTER_CLIENT_ID: 'id', TWITTER_CLIENT_SECRET: 's' }).devLogin).toBe(false);
    expect(readConfig({ NODE_ENV: 'production', AUTH_DEV_LOGIN: '1' }).devLogin).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL: /],
    [{ PUBLIC_URL: 'not a url' }, /^PUBLIC_URL: /],
    [{ PUBLIC_URL: 'ftp://example.com' }, /^PUBLIC_URL: /],
    [{ ALLOWED_ORIGINS: 'https://ok.example,nonsense' }, /^ALLOWED_ORIGINS: /],
    [{ AUTH_DEV_LOGIN: 'yes' }, /^AUTH_DEV_LOGIN: /],
    [{ TWITTER_CLIENT_ID: 'id' }, /^TWITTER_CLIENT_SECRET: /],
    [{ TWITTER_TOKEN_URL: '::' }, /^TWITTER_TOKEN_URL: /],
    [{ ROOM_LOG_MAX_EVENTS: '10' }, /^ROOM_LOG_MAX_EVENTS: /],
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
