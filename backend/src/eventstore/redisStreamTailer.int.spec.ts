import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { failFastRedisOptions } from '../redis/connection.js';
import { useTestRedis } from '../testing/useTestRedis.js';
import { measureRedisCost } from '../testing/redisCost.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import type { EventStore, RecordedEvent } from './eventStore.js';
import { createRedisEventStore } from './redisEventStore.js';
import { createRedisStreamTailer, type RedisStreamTailer } from './redisStreamTailer.js';

/*
 * The doorbell tailer's own cases, beyond the store contract: what it does when a bell is lost,
 * garbled or missed while its connection was down, and that a post costs it nothing per followed
 * stream.
 */

const event = (type: string) => ({ type, data: { type }, meta: {}, v: 1 });

describe('redis stream tailer (doorbells)', () => {
  const redis = useTestRedis();
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((thing) => thing.close()));
  });

  const openStore = async () => {
    const store = await createRedisEventStore({ url: redis.url });
    opened.push(store);
    return store;
  };

  /** A tailer of its own with a fast periodic check, reading through `client`. */
  const openTailer = async (
    checkMs: number,
    onError: (error: unknown) => void = () => {},
    confirm?: (stream: string, newest: string) => Promise<void>,
  ) => {
    const bells = new Redis(redis.url, { ...failFastRedisOptions, autoResubscribe: false });
    bells.on('error', () => {});
    await bells.connect();
    const client = redis.client;
    const tailer: RedisStreamTailer = createRedisStreamTailer({
      bells,
      checkMs,
      onError,
      readLastCursors: async (streams) =>
        Promise.all(streams.map(async (stream) => (await client.xrevrange(stream, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0')),
      readAfter: (stream, after, count) => client.xrange(stream, `(${after}`, '+', 'COUNT', count),
      confirm,
    });
    opened.push(tailer);
    return { tailer };
  };

  const appendAll = async (store: EventStore, stream: string, types: string[]) => {
    const cursors: string[] = [];
    for (const type of types) {
      const result = await store.append({ stream, events: [event(type)] });
      if (result.status !== 'appended') throw new Error(result.status);
      cursors.push(result.cursors[0]!);
    }
    return cursors;
  };

  it('with replicas, hands on only confirmed entries: a refused confirmation takes the stream back, and its entries come once, in order, once confirmed', async () => {
    const store = await openStore();
    const stream = 'tail:{t:confirm}:log';
    let replicated = false;
    const refusals: string[] = [];
    let refused!: () => void;
    const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
    const { tailer } = await openTailer(
      60_000,
      () => {},
      async (_stream, newest) => {
        if (replicated) return;
        refusals.push(newest);
        refused();
        throw new StoreUnavailableError(new Error('the replica did not answer in time'));
      },
    );
    const got: string[] = [];
    let all!: () => void;
    const allThree = new Promise<void>((resolve) => (all = resolve));
    await tailer.follow(stream, (events) => {
      got.push(...events.map((e) => e.type));
      if (got.length >= 3) all();
    });
    const [a] = await appendAll(store, stream, ['a', 'b']);
    await firstRefusal;
    expect(refusals[0]).toBe(a);
    expect(got).toEqual([]);
    replicated = true;
    // Heard while the stream is back at its earlier position: held, then read again with the rest.
    await appendAll(store, stream, ['c']);
    await allThree;
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('delivers an entry whose bell never rang, found by the periodic check', async () => {
    const stream = 'tail:{t:silent}:log';
    const { tailer } = await openTailer(200);
    const received: RecordedEvent[] = [];
    await tailer.follow(stream, (events) => received.push(...events));
    // Written behind the scripts' back: no bell.
    const silent = await redis.client.xadd(stream, '*', 'type', 'Silent', 'data', '{}', 'meta', '{}', 'v', '1');
    await vi.waitFor(() => expect(received.map((e) => e.cursor)).toEqual([silent]), { timeout: 3_000 });
  });

  it('reads a garbled bell from the stream instead, reporting it', async () => {
    const stream = 'tail:{t:garbled}:log';
    const store = await openStore();
    const errors: unknown[] = [];
    const { tailer } = await openTailer(60_000, (error) => errors.push(error));
    const received: RecordedEvent[] = [];
    await tailer.follow(stream, (events) => received.push(...events));
    // An entry whose only bell arrives garbled: the tailer must read it from the stream at once
    // (the periodic check, a minute away here, would come too late for the wait below).
    const silent = await redis.client.xadd(stream, '*', 'type', 'Silent', 'data', '{}', 'meta', '{}', 'v', '1');
    await redis.client.call('SPUBLISH', stream, 'not a bell');
    const cursors = await appendAll(store, stream, ['A', 'B']);
    await vi.waitFor(() => expect(received.map((e) => e.cursor)).toEqual([silent, ...cursors]));
    expect(errors).toHaveLength(1);
  });

  it('misses no event, and repeats none, across a drop of its bells connection while appends go on', async () => {
    const stream = 'tail:{t:dropped}:log';
    const store = await openStore();
    const { tailer } = await openTailer(60_000);
    const received: RecordedEvent[] = [];
    await tailer.follow(stream, (events) => received.push(...events));
    const before = await appendAll(store, stream, ['A', 'B']);
    await vi.waitFor(() => expect(received.map((e) => e.cursor)).toEqual(before));
    // Redis drops the subscribers (as it does past their output buffer limit): the appends right
    // after ring while the tailer reconnects (its first retry waits 50 ms), so it never hears them.
    await redis.client.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    const during = await appendAll(store, stream, ['C', 'D', 'E']);
    await vi.waitFor(() => expect(received.length).toBe(5), { timeout: 5_000 });
    const after = await appendAll(store, stream, ['F']);
    await vi.waitFor(() => expect(received.map((e) => e.cursor)).toEqual([...before, ...during, ...after]));
    expect(new Set(received.map((e) => e.cursor)).size).toBe(received.length);
  });

  it('costs Redis nothing per append for the streams it follows, however many', async () => {
    const store = await openStore();
    const { tailer } = await openTailer(60_000);
    for (let i = 0; i < 2_000; i++) await tailer.follow(`tail:{t:many${i}}:log`, () => {});
    const busy = 'tail:{t:many0}:log';
    const received: RecordedEvent[] = [];
    await tailer.follow(busy, (events) => received.push(...events));
    const cost = await measureRedisCost(redis.client, async () => {
      const before = received.length;
      await appendAll(store, busy, ['Post']);
      await vi.waitFor(() => expect(received.length).toBe(before + 1));
    });
    // The append's script (its XADD and bell inside) and nothing from the tailer: no XREAD naming
    // 2,000 keys, no read of the stream at all.
    expect(Object.keys(cost.commands).filter((name) => /^x(read|range|revrange)/.test(name))).toEqual([]);
    expect(cost.commands.spublish).toBe(1);
  });
});
