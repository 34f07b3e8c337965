import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './config.js';
import { DEFAULT_PRESENCE_OPTIONS } from './presence/presence.js';
import { type TestRedis, startTestRedis } from './testing/redisServer.js';
import { createServices } from './services.js';

describe('Redis durability at start', () => {
  let redis: TestRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.dispose();
  });
  afterEach(() => vi.restoreAllMocks());

  const start = () => createServices({ redisUrl: redis.url, presence: DEFAULT_PRESENCE_OPTIONS });

  it('refuses a Redis that may evict keys, naming REDIS_URL', async () => {
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      await expect(start()).rejects.toThrow(ConfigError);
      await expect(start()).rejects.toThrow(/^REDIS_URL: .*maxmemory-policy is allkeys-lru/);
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('warns when appendonly is off, and not when it is on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await admin.config('SET', 'appendonly', 'no');
    await (await start()).close();
    expect(warn.mock.calls.flat().join('\n')).toMatch(/appendonly off/);
    warn.mockClear();
    await admin.config('SET', 'appendonly', 'yes');
    await (await start()).close();
    expect(warn.mock.calls.flat().join('\n')).not.toMatch(/appendonly/);
  });
});
