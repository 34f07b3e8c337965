import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execByNode, keySlot, nodeOf } from '../redis/client.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { describeStreamSubscriptionContract } from '../streaming/streamSubscription.contract.js';
import { type TestRedisCluster, startRedisCluster } from '../testing/redisCluster.js';
import { describeEventStoreContract } from './eventStore.contract.js';
import type { EventStore, RecordedEvent } from './eventStore.js';
import { createRedisEventStore } from './redisEventStore.js';

/*
 * The Redis store on a real Redis Cluster (three primaries, three replicas): the store's and the
 * streaming contracts, what only a Cluster has (notes in another slot, reads across nodes), and
 * a primary killed under load.
 */

const event = (type: string, data: unknown = {}) => ({ type, data, meta: {}, v: 1 });

describe('redis store on a Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let admin: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    admin = new Cluster(cluster.seeds, { redisOptions: { protocol: 2 } });
    admin.on('error', () => {});
  }, 60_000);
  afterAll(async () => {
    admin?.disconnect();
    await cluster?.stop();
  });

  const flushAll = async () => {
    await Promise.all(admin.nodes('master').map((node) => node.flushall()));
  };
  const subject = async () => {
    const store = await createRedisEventStore({ cluster: cluster.seeds, ack: { replicas: 0, timeoutMs: 1_000 } });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await flushAll();
      },
    };
  };

  describeEventStoreContract('redis cluster', subject);
  describeStreamSubscriptionContract('redis cluster', subject);

  it('computes slots as the cluster does', async () => {
    for (const key of ['chat:{r:1}:log', 'plain', '{}empty', 'a{}{b}', 'chat:{inbox}:activity', '{u:ü}:inbox']) {
      expect(keySlot(key)).toBe(await cluster.slotOf(key));
    }
  });

  it('runs commands over keys of every node in one call, answering in order', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `spread:{k:${i}}`);
    expect(new Set(keys.map(keySlot)).size).toBe(30);
    await execByNode(
      admin,
      keys.map((key, i) => ({ key, command: ['set', key, String(i)] })),
    );
    expect(
      await execByNode(
        admin,
        keys.map((key) => ({ key, command: ['get', key] })),
      ),
    ).toEqual(keys.map((_, i) => String(i)));
  });

  it('runs writes over keys of a slot that moved to another primary since the slot map was read', async () => {
    // A client whose slot map stays as it was (no periodic refresh within the test).
    const stale = new Cluster(cluster.seeds, { redisOptions: { protocol: 2 }, slotsRefreshInterval: 600_000 });
    stale.on('error', () => {});
    try {
      await stale.cluster('SLOTS');
      // Two keys of one primary, in two slots: one pipeline, and only one of its slots moves.
      const keys = Array.from({ length: 200 }, (_, i) => `moving:{m:${i}}`);
      const first = keys[0]!;
      const second = keys.find((key) => nodeOf(stale, key) === nodeOf(stale, first) && keySlot(key) !== keySlot(first))!;
      const writes = (value: string) => [first, second].map((key) => ({ key, command: ['set', key, value] }));
      expect(await execByNode(stale, writes('a'))).toEqual(['OK', 'OK']);
      await cluster.moveSlotOf(first);
      // The moved key's write answers MOVED inside a pipeline whose other write ran: it goes again alone.
      expect(await execByNode(stale, writes('b'))).toEqual(['OK', 'OK']);
      expect(await Promise.all([first, second].map((key) => admin.get(key)))).toEqual(['b', 'b']);
    } finally {
      stale.disconnect();
    }
  });

  describe('with a store', () => {
    let store: EventStore;
    beforeAll(async () => {
      store = await createRedisEventStore({ cluster: cluster.seeds, ack: { replicas: 0, timeoutMs: 1_000 } });
    });
    afterAll(async () => {
      await store?.close();
    });

    it('appends notes to a stream of another slot right after the append, ringing its bell', async () => {
      const room = 'chat:{r:notes}:log';
      const feed = 'chat:{inbox}:activity';
      expect(keySlot(room)).not.toBe(keySlot(feed));
      const heard: RecordedEvent[] = [];
      const unfollow = await store.tailer.follow(feed, (events) => heard.push(...events));
      const result = await store.append({
        stream: room,
        events: [event('Posted')],
        notify: [{ stream: feed, type: 'ACTIVITY', data: { roomId: 'notes' } }],
      });
      expect(result.status).toBe('appended');
      await vi.waitFor(() => expect(heard.map((e) => e.data)).toEqual([{ roomId: 'notes' }]));
      expect((await store.readForward(feed, { count: 10 })).map((e) => e.type)).toEqual(['ACTIVITY']);

      // A mark's note goes only when the mark moved.
      const marks = 'chat:{r:notes}:marks';
      const positions = 'chat:{r:notes}:positions';
      const cursor = result.status === 'appended' ? result.cursors[0]! : '';
      const note = { stream: feed, type: 'READ', data: { roomId: 'notes', userId: 'u1' } };
      await store.advanceMark(marks, 'u1', positions, cursor, note);
      await store.advanceMark(marks, 'u1', positions, cursor, note);
      await vi.waitFor(() => expect(heard.map((e) => e.type)).toEqual(['ACTIVITY', 'READ']));
      unfollow();
    });

    it('misses no event, and repeats none, when every node drops its subscribers while appends go on', async () => {
      const streams = ['tail:{t:a}:log', 'tail:{t:b}:log', 'tail:{t:c}:log'];
      expect(new Set(streams.map((stream) => admin.slots[keySlot(stream)]?.[0])).size).toBe(3);
      const received = new Map<string, string[]>(streams.map((stream) => [stream, []]));
      for (const stream of streams)
        await store.tailer.follow(stream, (events) => received.get(stream)!.push(...events.map((e) => e.cursor)));
      const appendOne = async (stream: string) => {
        const result = await store.append({ stream, events: [event('Posted')] });
        if (result.status !== 'appended') throw new Error(result.status);
        return result.cursors[0]!;
      };
      const before = await Promise.all(streams.map(appendOne));
      await vi.waitFor(() => expect(streams.map((stream) => received.get(stream))).toEqual(before.map((cursor) => [cursor])));
      // Every primary drops its subscribers (as past their output buffer limit); the appends right
      // after ring while the node subscribers reconnect, unheard.
      await Promise.all(admin.nodes('master').map((node) => node.call('CLIENT', 'KILL', 'TYPE', 'pubsub')));
      const during = await Promise.all(streams.map(appendOne));
      // Sooner than the periodic check could (every 15 s by default): the tailer heard the loss.
      await vi.waitFor(() => expect(streams.map((stream) => received.get(stream)!.length)).toEqual([2, 2, 2]), { timeout: 1_500 });
      const after = await Promise.all(streams.map(appendOne));
      await vi.waitFor(() =>
        expect(streams.map((stream) => received.get(stream))).toEqual(streams.map((_, i) => [before[i], during[i], after[i]])),
      );
    });

    it('misses no event, and repeats none, when a followed stream’s slot moves to another primary while appends go on', async () => {
      const stream = 'tail:{t:moving}:log';
      const received: string[] = [];
      await store.tailer.follow(stream, (events) => received.push(...events.map((e) => e.cursor)));
      const appendOne = async () => {
        const result = await store.append({ stream, events: [event('Posted')] });
        if (result.status !== 'appended') throw new Error(result.status);
      };
      await appendOne();
      // While the slot is handed over, appends land on the new primary (the old one answers ASK,
      // the keys are gone) before this process's node subscriber is told to listen there; more follow.
      await cluster.moveSlotOf(stream, { whileHandingOver: () => appendOne().then(appendOne) });
      for (let i = 0; i < 5; i++) await appendOne();
      const log = (await store.readForward(stream, { count: 100_000 })).map((e) => e.cursor);
      await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(log.length), { timeout: 6_000, interval: 50 });
      expect(received).toEqual(log);
    });

    it('delivers an entry whose bell never rang, found by the periodic check', async () => {
      const checked = await createRedisEventStore({ cluster: cluster.seeds, ack: { replicas: 0, timeoutMs: 1_000 }, tailerCheckMs: 1_000 });
      try {
        const stream = 'tail:{t:silent}:log';
        const received: RecordedEvent[] = [];
        await checked.tailer.follow(stream, (events) => received.push(...events));
        // Written behind the scripts' back: no bell. Two check rounds find it.
        const silent = await admin.xadd(stream, '*', 'type', 'Silent', 'data', '{}', 'meta', '{}', 'v', '1');
        await vi.waitFor(() => expect(received.map((e) => e.cursor)).toEqual([silent]), { timeout: 4_000, interval: 50 });
      } finally {
        await checked.close();
      }
    });

    it('reads a garbled bell from the stream instead', async () => {
      const stream = 'tail:{t:garbled}:log';
      const received: RecordedEvent[] = [];
      await store.tailer.follow(stream, (events) => received.push(...events));
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        await admin.spublish(stream, 'not a bell');
        const cursors: string[] = [];
        for (const type of ['A', 'B']) {
          const result = await store.append({ stream, events: [event(type)] });
          if (result.status === 'appended') cursors.push(result.cursors[0]!);
        }
        await vi.waitFor(() => expect(received.map((e) => e.cursor)).toEqual(cursors));
        expect(errors).toHaveBeenCalledTimes(1);
      } finally {
        errors.mockRestore();
      }
    });

    it('writes entries into streams of many slots, each once', async () => {
      const streams = Array.from({ length: 40 }, (_, i) => `chat:{u:w${i}}:inbox`);
      const entries = [
        { cursor: '100-0', type: 'ACTIVITY', data: { n: 1 } },
        { cursor: '200-0', type: 'READ', data: { n: 2 } },
      ];
      const writes = streams.map((stream) => ({ stream, entries }));
      expect(await store.writeEntries(writes, 100)).toBe(80);
      expect(await store.writeEntries(writes, 100)).toBe(0);
      for (const stream of [streams[0]!, streams[39]!]) {
        expect((await store.readForward(stream, { count: 10 })).map((e) => e.cursor)).toEqual(['100-0', '200-0']);
      }
      const hashes = streams.map((stream) => stream.replace('inbox', 'names'));
      await execByNode(
        admin,
        hashes.slice(0, 20).map((key, i) => ({ key, command: ['hset', key, 'f', `v${i}`] })),
      );
      expect(await store.readFieldAcross(hashes, 'f')).toEqual(hashes.map((_, i) => (i < 20 ? `v${i}` : null)));
      await store.deleteKeys(hashes);
      expect(await store.readFieldAcross(hashes, 'f')).toEqual(hashes.map(() => null));
    });
  });

  it('keeps every acknowledged event, once and in order, through kill -9 of a busy room primary, and a follower gets each once in order', async () => {
    // Each primary has one replica: once one is killed, its promoted replica has none, and writes
    // waiting for one answer UNAVAILABLE (never acknowledged unreplicated). A store that does not
    // wait then shows the promoted primary takes the room's appends, and the follower gets them.
    const store = await createRedisEventStore({ cluster: cluster.seeds, ack: { replicas: 1, timeoutMs: 500 } });
    const unacked = await createRedisEventStore({ cluster: cluster.seeds, ack: { replicas: 0, timeoutMs: 1_000 } });
    const watcher = await createRedisEventStore({ cluster: cluster.seeds, ack: { replicas: 0, timeoutMs: 1_000 } });
    try {
      const stream = 'chat:{r:busy}:log';
      const received: RecordedEvent[] = [];
      await watcher.tailer.follow(stream, (events) => received.push(...events));

      const acknowledged: string[] = [];
      let failed = 0;
      let killed = false;
      let failedAfterKill = 0;
      let stop = false;
      let n = 0;
      // Four writers, each retrying an append that failed with the same idempotency key (as a client's clientId does).
      const writer = async (w: number) => {
        while (!stop) {
          const id = `${w}-${n++}`;
          const request = {
            stream,
            events: [event('Posted', { id })],
            idempotency: { key: `chat:{r:busy}:idem:${id}`, ttlSeconds: 600, result: id },
          };
          while (!stop) {
            try {
              const result = await store.append(request);
              if (result.status === 'appended' || result.status === 'duplicate') acknowledged.push(id);
              break;
            } catch (error) {
              if (!(error instanceof StoreUnavailableError)) throw error;
              failed++;
              if (killed) failedAfterKill++;
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          }
        }
      };
      const writers = Array.from({ length: 4 }, (_, w) => writer(w));
      await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(100), { timeout: 10_000 });
      killed = true;
      await cluster.killPrimaryOf(stream);
      await cluster.waitForFailover();
      await vi.waitFor(() => expect(failedAfterKill).toBeGreaterThan(20), { timeout: 10_000 });
      stop = true;
      await Promise.all(writers);
      expect(failed).toBeGreaterThan(0);

      // The promoted primary takes the room's appends (once ioredis has its new slot map).
      const after: string[] = [];
      for (let i = 0; i < 30; i++) {
        for (;;) {
          try {
            const result = await unacked.append({ stream, events: [event('Posted', { id: `after-${i}` })] });
            if (result.status === 'appended') after.push(`after-${i}`);
            break;
          } catch (error) {
            if (!(error instanceof StoreUnavailableError)) throw error;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }

      const log: RecordedEvent[] = [];
      for (let at: string | undefined; ; ) {
        const page = await watcher.readForward(stream, { after: at, count: 1_000 });
        if (page.length === 0) break;
        log.push(...page);
        at = page.at(-1)!.cursor;
      }
      const logIds = log.map((e) => (e.data as { id: string }).id);
      // Every acknowledged event once; an unacknowledged attempt may be there too (once), or lost with the primary.
      expect(new Set(logIds).size).toBe(logIds.length);
      const inLog = new Set(logIds);
      expect(acknowledged.filter((id) => !inLog.has(id))).toEqual([]);
      expect(logIds.slice(-30)).toEqual(after);

      // The follower: every acknowledged event and every later one, once each, in the log's order.
      // (It may also have heard the bell of an event the dead primary took with it: never acknowledged.)
      const wanted = new Set([...acknowledged, ...after]);
      await vi.waitFor(
        () => {
          const heard = received.map((e) => (e.data as { id: string }).id).filter((id) => wanted.has(id));
          expect(heard).toEqual(logIds.filter((id) => wanted.has(id)));
        },
        { timeout: 10_000 },
      );
      const heardCursors = received.map((e) => e.cursor);
      expect(new Set(heardCursors).size).toBe(heardCursors.length);
    } finally {
      await Promise.all([watcher.close(), unacked.close(), store.close()]);
    }
  }, 60_000);
});

describe('redis store on an unreachable Cluster', () => {
  it('refuses to start', async () => {
    await expect(
      createRedisEventStore({ cluster: [{ host: '127.0.0.1', port: 1 }], ack: { replicas: 0, timeoutMs: 1_000 } }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
