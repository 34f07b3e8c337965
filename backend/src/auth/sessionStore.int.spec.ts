import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { createMemorySessionStore } from './memorySessionStore.js';
import { RECENT_SESSION_MS, createRedisSessionStore } from './redisSessionStore.js';
import { describeSessionStoreContract } from './sessionStore.contract.js';
import { SESSION_IDLE_MS, generateSessionToken, toSessionId, type SessionStore } from './sessionStore.js';

describeSessionStoreContract('memory', async (now) => ({ store: createMemorySessionStore({ now }) }));

/** Every key with its values, as text: what someone holding a dump of the database would see. */
const readAllOfRedis = async (redis: Redis): Promise<string[]> => {
  const texts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 100);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      texts.push(key);
      if (type === 'hash') texts.push(...Object.entries(await redis.hgetall(key)).flat());
      else if (type === 'set') texts.push(...(await redis.smembers(key)));
      else if (type === 'string') texts.push((await redis.get(key)) ?? '');
      else texts.push(`<${type}>`);
    }
  } while (cursor !== '0');
  return texts;
};

describe('Redis session store', () => {
  let server: TestRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
  });

  afterAll(async () => {
    await redis?.quit();
    await server?.dispose();
  });

  describeSessionStoreContract('redis', async (now) => {
    await redis.flushall();
    return { store: createRedisSessionStore({ redis, now }), readStorage: () => readAllOfRedis(redis) };
  });

  describe('storage', () => {
    let time = 0;
    let store: SessionStore;
    /** The shared connection, counting the session reads (HGETALL) sent through it. */
    const countingReads = () => {
      const counted = {
        reads: 0,
        redis: new Proxy(redis, {
          get: (target, property, receiver) => {
            if (property === 'hgetall') counted.reads++;
            return Reflect.get(target, property, receiver);
          },
        }),
      };
      return counted;
    };

    beforeEach(async () => {
      await redis.flushall();
      time = Date.now();
      store = createRedisSessionStore({ redis, now: () => time });
    });

    it('keeps a session as a hash under its id, expiring at its deadline, listed in its user’s set', async () => {
      const { session } = await store.createSession('user-1');
      const key = `chat:session:${session.id}`;

      expect(await redis.hgetall(key)).toEqual({
        userId: 'user-1',
        createdAt: String(session.createdAt),
        expiresAt: String(session.expiresAt),
        idleExpiresAt: String(session.idleExpiresAt),
      });
      expect(await redis.pexpiretime(key)).toBe(session.idleExpiresAt);
      expect(await redis.smembers('chat:user-sessions:user-1')).toEqual([session.id]);
      expect(await redis.pexpiretime('chat:user-sessions:user-1')).toBe(session.expiresAt);
    });

    it('moves the key’s expiry with a slide, and the user set’s with the newest session', async () => {
      const first = await store.createSession('user-1');
      time += 24 * 60 * 60 * 1000;
      const slid = await store.validateSessionToken(first.token);
      const second = await store.createSession('user-1');

      expect(slid?.idleExpiresAt).toBe(time + SESSION_IDLE_MS);
      expect(await redis.pexpiretime(`chat:session:${first.session.id}`)).toBe(time + SESSION_IDLE_MS);
      expect(await redis.pexpiretime('chat:user-sessions:user-1')).toBe(second.session.expiresAt);
    });

    it('removes the key and the set entry on invalidation', async () => {
      const first = await store.createSession('user-1');
      const second = await store.createSession('user-1');

      await store.invalidateSession(first.session.id);
      expect(await redis.exists(`chat:session:${first.session.id}`)).toBe(0);
      expect(await redis.smembers('chat:user-sessions:user-1')).toEqual([second.session.id]);

      await store.invalidateUserSessions('user-1');
      expect(await redis.keys('*')).toEqual([]);
    });

    it('answers a session read a moment ago without reading it again, and forgets it when told', async () => {
      const { token, session } = await store.createSession('user-1');
      const counting = countingReads();
      const instanceA = createRedisSessionStore({ redis: counting.redis, now: () => time, hearing: () => 1 });
      const instanceB = createRedisSessionStore({ redis, now: () => time });

      expect((await instanceA.validateSessionToken(token))?.id).toBe(session.id);
      expect((await instanceA.validateSessionToken(token))?.id).toBe(session.id);
      expect(counting.reads).toBe(1);
      // Read again once the moment has passed.
      time += RECENT_SESSION_MS;
      expect((await instanceA.validateSessionToken(token))?.id).toBe(session.id);
      expect(counting.reads).toBe(2);

      // Ended through another instance: this one learns it from the hint...
      await instanceB.invalidateSession(session.id);
      instanceA.forget(session.id);
      expect(await instanceA.validateSessionToken(token)).toBeNull();

      // ...or, when the hint is lost, from Redis once the moment has passed.
      const other = await store.createSession('user-1');
      expect(await instanceA.validateSessionToken(other.token)).not.toBeNull();
      await instanceB.invalidateSession(other.session.id);
      time += RECENT_SESSION_MS - 1;
      expect(await instanceA.validateSessionToken(other.token)).not.toBeNull();
      time += 1;
      expect(await instanceA.validateSessionToken(other.token)).toBeNull();

      // Expiry is the clock's, remembered or not.
      const third = await store.createSession('user-1');
      expect(await instanceA.validateSessionToken(third.token)).not.toBeNull();
      time = third.session.expiresAt;
      expect(await instanceA.validateSessionToken(third.token)).toBeNull();
    });

    it('remembers a session only while hints are heard, and not across a gap in them', async () => {
      const { token } = await store.createSession('user-1');
      const counting = countingReads();
      let hearing: number | null = null;
      const instance = createRedisSessionStore({ redis: counting.redis, now: () => time, hearing: () => hearing });
      const validate = async () => (await instance.validateSessionToken(token))?.userId;

      // Not hearing: every validation reads.
      await validate();
      await validate();
      expect(counting.reads).toBe(2);

      // Hearing: read once...
      hearing = 1;
      await validate();
      await validate();
      expect(counting.reads).toBe(3);
      // ...until the hints may have been missed (the channel dropped, then subscribed again).
      hearing = null;
      await validate();
      expect(counting.reads).toBe(4);
      hearing = 2;
      await validate();
      await validate();
      expect(counting.reads).toBe(5);

      // A read that began under one subscription and ended under the next is not remembered.
      hearing = 3;
      const pending = validate();
      hearing = 4;
      expect(await pending).toBe('user-1');
      await validate();
      expect(counting.reads).toBe(7);

      // A hint heard while its session was being read: the answer stands, but is not remembered
      // (the reply may have left Redis before the session was ended).
      hearing = 5;
      const racing = validate();
      instance.forget('0'.repeat(64));
      expect(await racing).toBe('user-1');
      await validate();
      expect(counting.reads).toBe(9);
      await validate();
      expect(counting.reads).toBe(9);
    });

    it('does not remember sessions unless told it hears the hints', async () => {
      const { token } = await store.createSession('user-1');
      const counting = countingReads();
      const deaf = createRedisSessionStore({ redis: counting.redis, now: () => time });
      await deaf.validateSessionToken(token);
      await deaf.validateSessionToken(token);
      expect(counting.reads).toBe(2);
    });

    it('rejects a malformed token without sending Redis anything', async () => {
      const untouchable = new Proxy({} as Redis, {
        get: (_target, property) => {
          throw new Error(`touched redis.${String(property)}`);
        },
      });
      const guarded = createRedisSessionStore({ redis: untouchable, now: () => time });

      expect(await guarded.validateSessionToken('not a token')).toBeNull();
      expect(await guarded.validateSessionToken('')).toBeNull();
    });

    it('treats a hash it did not write as no session', async () => {
      const token = generateSessionToken();
      const key = `chat:session:${toSessionId(token)}`;

      await redis.hset(key, { userId: 'user-1', createdAt: 'yesterday' });
      expect(await store.validateSessionToken(token)).toBeNull();

      await redis.hset(key, { createdAt: time, expiresAt: time + 1000, idleExpiresAt: 'soon' });
      expect(await store.validateSessionToken(token)).toBeNull();
    });

    it('does not bring back a session invalidated while it was being slid', async () => {
      const { token, session } = await store.createSession('user-1');
      // Invalidation lands between the store's read and its slide.
      const racing = new Proxy(redis, {
        get: (target, property) => {
          if (property === 'hgetall') {
            return async (key: string) => {
              const fields = await target.hgetall(key);
              await target.del(key);
              return fields;
            };
          }
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const racingStore = createRedisSessionStore({ redis: racing, now: () => time });
      time += 24 * 60 * 60 * 1000;

      expect(await racingStore.validateSessionToken(token)).toBeNull();
      expect(await redis.exists(`chat:session:${session.id}`)).toBe(0);
    });
  });
});
