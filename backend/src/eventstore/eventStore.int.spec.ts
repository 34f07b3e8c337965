import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findFreePort } from '../testing/freePort.js';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import type { EventStore, NewEvent, RecordedEvent } from './eventStore.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { describeEventStoreContract } from './eventStore.contract.js';
import { createMemoryEventStore } from './memoryEventStore.js';
import { coalesceWrites } from '../redis/connection.js';
import { createRedisEventStore } from './redisEventStore.js';
import { openStreamSubscription } from '../streaming/subscribeToStream.js';

const event = (type: string): NewEvent => ({ type, data: {}, meta: {}, v: 1 });

describeEventStoreContract('memory', async () => {
  const store = createMemoryEventStore();
  return { store, cleanup: () => store.close() };
});

describe('redis', () => {
  let server: TestRedis;
  let admin: Redis;

  beforeAll(async () => {
    server = await startTestRedis();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.dispose();
  });

  describeEventStoreContract('redis', async () => {
    const store = await createRedisEventStore({ url: server.url });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await admin.flushall();
      },
    };
  });

  it('sends the commands of one turn of the event loop in one write, and every reply arrives', async () => {
    const redis = coalesceWrites(new Redis(server.url));
    await redis.ping();
    // Counted below the stream's buffering: each call here is one write to the socket.
    const socket = redis.stream as typeof redis.stream & { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
    let writes = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method];
      socket[method] = function (this: unknown, ...args: unknown[]) {
        writes++;
        return original.apply(this, args);
      };
    }
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => redis.echo(`reply ${i}`)));
    expect(replies).toEqual(Array.from({ length: 10 }, (_, i) => `reply ${i}`));
    expect(writes).toBe(1);

    // Commands from separate callbacks of one turn (as two sockets' requests read in one poll
    // would send) also share the write: the stream opens again only after the turn's I/O.
    writes = 0;
    const later = await Promise.all([
      redis.echo('first callback'),
      new Promise((resolve) => process.nextTick(() => resolve(redis.echo('second callback')))),
      new Promise((resolve) => setImmediate(() => resolve(redis.echo('next turn')))),
    ]);
    expect(later).toEqual(['first callback', 'second callback', 'next turn']);
    expect(writes).toBe(2);
    redis.disconnect();
  });
});

describe('memory store clock', () => {
  it('keeps ids increasing on the same millisecond and when the clock goes back', async () => {
    let clock = 1_000;
    const store = createMemoryEventStore({ now: () => clock });
    const append = async () => {
      const result = await store.append({ stream: 's', events: [event('E')] });
      return result.status === 'appended' ? result.cursors : [];
    };
    const sameMs = (await Promise.all(Array.from({ length: 12 }, append))).flat();
    expect(sameMs).toEqual(Array.from({ length: 12 }, (_, seq) => `1000-${seq}`));
    clock = 900;
    expect(await append()).toEqual(['1000-12']);
    clock = 2_000;
    expect(await append()).toEqual(['2000-0']);
    const page = await store.readForward('s', { after: '1000-9', count: 2 });
    expect(page.map((recorded) => recorded.cursor)).toEqual(['1000-10', '1000-11']);
  });

  it('forgets an idempotency key after its TTL', async () => {
    let clock = 1_000;
    const store = createMemoryEventStore({ now: () => clock });
    const request = { stream: 's', events: [event('E')], idempotency: { key: 'k', ttlSeconds: 10, result: 'r' } };
    expect((await store.append(request)).status).toBe('appended');
    clock += 9_999;
    expect(await store.append(request)).toEqual({ status: 'duplicate', result: 'r' });
    clock += 1;
    expect((await store.append(request)).status).toBe('appended');
  });
});

describe('redis store across a Redis restart', () => {
  let server: TestRedis;
  let store: EventStore;

  beforeAll(async () => {
    server = await startTestRedis({ appendonly: true });
    store = await createRedisEventStore({ url: server.url });
  });
  afterAll(async () => {
    await store?.close();
    await server?.dispose();
  });

  it('fails fast while Redis is down, then recovers by itself without losing a live event', async () => {
    const stream = 'restart:{t:1}:log';
    const received: RecordedEvent[] = [];
    const unfollow = await store.tailer.follow(stream, (events) => received.push(...events));
    const subscription = await openStreamSubscription(store, stream, { after: null });
    const append = async (type: string) => {
      const result = await store.append({ stream, events: [event(type)] });
      if (result.status !== 'appended') throw new Error(result.status);
      return result.cursors[0]!;
    };
    const before = await append('BeforeOutage');
    await vi.waitFor(() => expect(received.map((recorded) => recorded.cursor)).toEqual([before]));

    await server.stop();
    const calls = [
      () => store.append({ stream, events: [event('DuringOutage')] }),
      () => store.readForward(stream, { count: 1 }),
      () => store.streamInfo(stream),
      () => store.ping(),
      () => store.tailer.follow('restart:{t:2}:log', () => {}),
    ];
    for (const call of calls) {
      const started = performance.now();
      await expect(call()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(performance.now() - started).toBeLessThan(500);
    }

    await server.start();
    await vi.waitFor(() => store.ping(), { timeout: 10_000, interval: 50 });
    const after = [await append('AfterOutage'), await append('AfterOutage')];
    await vi.waitFor(() => expect(received.map((recorded) => recorded.cursor)).toEqual([before, ...after]), {
      timeout: 10_000,
    });
    const delivered: string[] = [];
    for (let i = 0; i < 3; i++) {
      const next = await subscription.next();
      if (!next.done) delivered.push(next.value.cursor);
    }
    expect(delivered).toEqual([before, ...after]);
    unfollow();
    await subscription.return?.();
  });

  it('refuses to start when Redis cannot be reached', async () => {
    const port = await findFreePort();
    await expect(createRedisEventStore({ url: `redis://127.0.0.1:${port}` })).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
