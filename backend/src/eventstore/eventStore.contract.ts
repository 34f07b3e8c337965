import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  compareCursors,
  isCursor,
  StoreUnavailableError,
  type AppendRequest,
  type AppendResult,
  type Cursor,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from './eventStore.js';
import { type PushableIterator, pushTo } from './push.js';
import { CursorExpiredError, openStreamSubscription, type StreamSubscriptionOptions, SubscriberTooSlowError } from './subscribeToStream.js';

export interface ContractSubject {
  store: EventStore;
  cleanup(): Promise<void>;
}

const event = (type: string, data: unknown = {}): NewEvent => ({ type, data, meta: { actorId: 'u1' }, v: 1 });
/** A fresh stream (and hash) name per test, so tests never see each other's data. */
const uniqueName = (kind: string) => `test:{t:${randomUUID()}}:${kind}`;
const cursorsOf = (events: readonly RecordedEvent[]) => events.map((recorded) => recorded.cursor);

const appended = (result: AppendResult): Cursor[] => {
  if (result.status !== 'appended') throw new Error(`expected appended, got ${JSON.stringify(result)}`);
  return result.cursors;
};

/** Appends `count` single-event appends one after another; returns their cursors. */
const appendMany = async (store: EventStore, stream: string, count: number, type = 'E'): Promise<Cursor[]> => {
  const cursors: Cursor[] = [];
  for (let i = 0; i < count; i++) cursors.push(...appended(await store.append({ stream, events: [event(type, { i })] })));
  return cursors;
};

const readAll = async (store: EventStore, stream: string, after?: Cursor): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readForward(stream, { after: events.at(-1)?.cursor ?? after, count: 100 });
    if (page.length === 0) return events;
    events.push(...page);
  }
};

/** The next `count` values of an iterator, which must not end before. */
const take = async <T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> => {
  const values: T[] = [];
  while (values.length < count) {
    const result = await iterator.next();
    if (result.done) throw new Error(`iterator ended after ${values.length} of ${count}`);
    values.push(result.value);
  }
  return values;
};

/** Reads a subscription through its push interface: what the sink gets, pulled back one by one. */
const pulledFromPushes = <T>(source: PushableIterator<T>): AsyncIterableIterator<T> => {
  const values: T[] = [];
  let end: { error?: unknown } | null = null;
  let wake: (() => void) | null = null;
  source[pushTo]({
    next: (value) => {
      if (end) throw new Error('a value after the end');
      values.push(value);
      wake?.();
    },
    error: (error) => {
      if (end) throw new Error('a second end');
      end = { error };
      wake?.();
    },
    complete: () => {
      if (end) throw new Error('a second end');
      end = {};
      wake?.();
    },
  });
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        if (values.length > 0) return { done: false, value: values.shift()! };
        if (end && 'error' in end) {
          const { error } = end;
          end = {};
          throw error;
        }
        if (end) return { done: true, value: undefined };
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
};

/** A cursor above `cursor` that no event has yet. */
const pastTheEnd = (cursor: Cursor): Cursor => `${cursor.split('-')[0]}-999999999`;

const expectIncreasing = (cursors: readonly Cursor[]) => {
  for (const cursor of cursors) expect(isCursor(cursor)).toBe(true);
  for (let i = 1; i < cursors.length; i++) expect(compareCursors(cursors[i - 1]!, cursors[i]!)).toBe(-1);
};

/**
 * The behaviour every `EventStore` promises, run against each implementation. `setup` gives a
 * store for one test; `cleanup` closes it (and may wipe its data).
 */
export const describeEventStoreContract = (name: string, setup: () => Promise<ContractSubject>) => {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    let stream: string;

    beforeEach(async () => {
      ({ store, cleanup } = await setup());
      stream = uniqueName('log');
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('append and read', () => {
      it('reads appended events back in order, forward and backward', async () => {
        const [first] = appended(await store.append({ stream, events: [event('A', { n: 1 })] }));
        const rest = appended(await store.append({ stream, events: [event('B'), event('C'), event('D')] }));
        expect(rest).toHaveLength(3);

        const forward = await store.readForward(stream, { count: 10 });
        expect(forward.map((recorded) => recorded.type)).toEqual(['A', 'B', 'C', 'D']);
        expect(cursorsOf(forward)).toEqual([first, ...rest]);
        expect(forward[0]).toEqual({ stream, cursor: first, type: 'A', data: { n: 1 }, meta: { actorId: 'u1' }, v: 1 });
        expectIncreasing(cursorsOf(forward));

        const backward = await store.readBackward(stream, { count: 10 });
        expect(backward).toEqual([...forward].reverse());
      });

      it('pages forward and backward with exclusive bounds', async () => {
        const cursors = await appendMany(store, stream, 23);

        const forwardPages: Cursor[][] = [];
        for (let after: Cursor | undefined; ; ) {
          const page = await store.readForward(stream, { after, count: 5 });
          if (page.length === 0) break;
          forwardPages.push(cursorsOf(page));
          after = page.at(-1)!.cursor;
        }
        expect(forwardPages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
        expect(forwardPages.flat()).toEqual(cursors);

        const backwardPages: Cursor[][] = [];
        for (let before: Cursor | undefined; ; ) {
          const page = await store.readBackward(stream, { before, count: 5 });
          if (page.length === 0) break;
          backwardPages.push(cursorsOf(page));
          before = page.at(-1)!.cursor;
        }
        expect(backwardPages.flat()).toEqual([...cursors].reverse());

        expect(cursorsOf(await store.readForward(stream, { after: cursors[3]!, count: 2 }))).toEqual(cursors.slice(4, 6));
        expect(cursorsOf(await store.readBackward(stream, { before: cursors[10]!, count: 2 }))).toEqual([
          cursors[9],
          cursors[8],
        ]);
        expect(await store.readForward(stream, { after: cursors.at(-1)!, count: 5 })).toEqual([]);
        expect(await store.readBackward(stream, { before: cursors[0]!, count: 5 })).toEqual([]);
      });

      it('orders cursors numerically, also past a sequence of 9', async () => {
        const cursors = appended(
          await store.append({ stream, events: Array.from({ length: 15 }, (_, i) => event('E', { i })) }),
        );
        expectIncreasing(cursors);
        const sorted = [...cursors].sort(compareCursors);
        expect(sorted).toEqual(cursors);
        expect(cursorsOf(await store.readForward(stream, { after: cursors[9]!, count: 3 }))).toEqual(cursors.slice(10, 13));
        expect(cursorsOf(await store.readBackward(stream, { before: cursors[11]!, count: 2 }))).toEqual([
          cursors[10],
          cursors[9],
        ]);
      });

      it('reads a stream that never existed as empty', async () => {
        expect(await store.readForward(stream, { count: 5 })).toEqual([]);
        expect(await store.readBackward(stream, { count: 5 })).toEqual([]);
        expect(await store.streamInfo(stream)).toEqual({
          length: 0,
          firstCursor: null,
          lastCursor: null,
          maxDeletedCursor: null,
        });
      });

      it('refuses an append without events or snapshot as a bug, not an outage', async () => {
        const refusal = store.append({ stream, events: [] }).catch((error: unknown) => error);
        expect(await refusal).toBeInstanceOf(Error);
        expect(await refusal).not.toBeInstanceOf(StoreUnavailableError);
        expect(await store.readForward(stream, { count: 1 })).toEqual([]);
      });

      it('answers ping while available', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('snapshots', () => {
      const counter = (n: number) => ({ count: n });

      it('creates a snapshot with expectedRev null, then advances it by compare-and-set', async () => {
        const ref = { key: uniqueName('state'), field: 'agg-1' };
        expect(await store.readSnapshot(ref)).toBeNull();
        appended(await store.append({ stream, events: [event('A')], snapshot: { ref, expectedRev: null, state: counter(1) } }));
        expect(await store.readSnapshot(ref)).toEqual({ rev: 1, state: counter(1) });
        appended(await store.append({ stream, events: [event('B')], snapshot: { ref, expectedRev: 1, state: counter(2) } }));
        expect(await store.readSnapshot(ref)).toEqual({ rev: 2, state: counter(2) });
      });

      it('refuses a stale revision with the stored one and appends nothing', async () => {
        const ref = { key: uniqueName('state'), field: 'agg-1' };
        const missing = { key: ref.key, field: 'agg-2' };
        await store.append({ stream, events: [event('A')], snapshot: { ref, expectedRev: null, state: counter(1) } });
        await store.append({ stream, events: [event('B')], snapshot: { ref, expectedRev: 1, state: counter(2) } });

        const stale = { stream, events: [event('X')], snapshot: { ref, expectedRev: 1, state: counter(99) } };
        expect(await store.append(stale)).toEqual({ status: 'conflict', rev: 2 });
        const asNew = { stream, events: [event('X')], snapshot: { ref, expectedRev: null, state: counter(99) } };
        expect(await store.append(asNew)).toEqual({ status: 'conflict', rev: 2 });
        const ahead = { stream, events: [event('X')], snapshot: { ref: missing, expectedRev: 3, state: counter(99) } };
        expect(await store.append(ahead)).toEqual({ status: 'conflict', rev: null });

        expect((await store.readForward(stream, { count: 10 })).map((recorded) => recorded.type)).toEqual(['A', 'B']);
        expect(await store.readSnapshot(ref)).toEqual({ rev: 2, state: counter(2) });
        expect(await store.readSnapshot(missing)).toBeNull();
      });

      it('changes a snapshot without logging an event', async () => {
        const ref = { key: uniqueName('state'), field: 'agg-1' };
        appended(await store.append({ stream, events: [], snapshot: { ref, expectedRev: null, state: { quiet: true } } }));
        expect(await store.readSnapshot(ref)).toEqual({ rev: 1, state: { quiet: true } });
        expect((await store.streamInfo(stream)).length).toBe(0);
      });

      it('reads several snapshots in the order asked, and all of a hash', async () => {
        const key = uniqueName('state');
        for (const field of ['a', 'b']) {
          const snapshot = { ref: { key, field }, expectedRev: null, state: { field } };
          await store.append({ stream, events: [event('Created')], snapshot });
        }
        expect(await store.readSnapshots(key, ['b', 'missing', 'a'])).toEqual([
          { rev: 1, state: { field: 'b' } },
          null,
          { rev: 1, state: { field: 'a' } },
        ]);
        expect(await store.readSnapshots(key, [])).toEqual([]);
        const all = await store.readAllSnapshots(key);
        expect([...all.entries()].sort(([a], [b]) => a.localeCompare(b))).toEqual([
          ['a', { rev: 1, state: { field: 'a' } }],
          ['b', { rev: 1, state: { field: 'b' } }],
        ]);
        expect((await store.readAllSnapshots(uniqueName('state'))).size).toBe(0);
      });
    });

    describe('idempotency', () => {
      it('answers a repeated key with the first result and appends nothing', async () => {
        const idempotency = { key: uniqueName('idem'), ttlSeconds: 60, result: 'first' };
        appended(await store.append({ stream, events: [event('A')], idempotency }));
        const again = await store.append({ stream, events: [event('B')], idempotency: { ...idempotency, result: 'second' } });
        expect(again).toEqual({ status: 'duplicate', result: 'first' });
        expect((await store.readForward(stream, { count: 10 })).map((recorded) => recorded.type)).toEqual(['A']);
        expect(await store.readIdempotent(idempotency.key)).toBe('first');
        expect(await store.readIdempotent(uniqueName('idem'))).toBeNull();
      });

      it('checks the idempotency key before the snapshot revision', async () => {
        const ref = { key: uniqueName('state'), field: 'agg' };
        const request = {
          stream,
          events: [event('A')],
          snapshot: { ref, expectedRev: null, state: {} },
          idempotency: { key: uniqueName('idem'), ttlSeconds: 60, result: 'done' },
        };
        appended(await store.append(request));
        // A retry after a lost reply carries the revision it was decided on, now stale.
        expect(await store.append(request)).toEqual({ status: 'duplicate', result: 'done' });
      });
    });

    describe('claims', () => {
      it('refuses a field owned by another owner, naming the owner', async () => {
        const key = uniqueName('names');
        appended(await store.append({ stream, events: [event('A')], claim: { key, field: 'general', owner: 'room-1' } }));
        const taken = await store.append({ stream, events: [event('B')], claim: { key, field: 'general', owner: 'room-2' } });
        expect(taken).toEqual({ status: 'claimed', owner: 'room-1' });
        expect(await store.readClaim(key, 'general')).toBe('room-1');
        expect(await store.readClaim(key, 'other')).toBeNull();
        expect((await store.readForward(stream, { count: 10 })).map((recorded) => recorded.type)).toEqual(['A']);
      });

      it('lets the owner claim again and release a field it held', async () => {
        const key = uniqueName('names');
        await store.append({ stream, events: [event('A')], claim: { key, field: 'old', owner: 'room-1' } });
        appended(await store.append({ stream, events: [event('B')], claim: { key, field: 'old', owner: 'room-1' } }));
        const renamed = { key, field: 'new', owner: 'room-1', release: 'old' };
        appended(await store.append({ stream, events: [event('Renamed')], claim: renamed }));
        expect(await store.readClaim(key, 'old')).toBeNull();
        expect(await store.readClaim(key, 'new')).toBe('room-1');
        appended(await store.append({ stream, events: [event('C')], claim: { key, field: 'old', owner: 'room-2' } }));
        expect(await store.readClaim(key, 'old')).toBe('room-2');
      });

      it('releases only a field the owner holds', async () => {
        const key = uniqueName('names');
        await store.append({ stream, events: [event('A')], claim: { key, field: 'theirs', owner: 'room-2' } });
        appended(
          await store.append({ stream, events: [event('B')], claim: { key, field: 'mine', owner: 'room-1', release: 'theirs' } }),
        );
        expect(await store.readClaim(key, 'theirs')).toBe('room-2');
      });
    });

    it('writes nothing at all when an append is refused', async () => {
      const ref = { key: uniqueName('state'), field: 'agg' };
      const claims = uniqueName('names');
      const usedKey = uniqueName('idem');
      await store.append({
        stream,
        events: [event('Setup')],
        snapshot: { ref, expectedRev: null, state: { n: 1 } },
        idempotency: { key: usedKey, ttlSeconds: 60, result: 'setup' },
      });
      await store.append({ stream, events: [event('Setup')], claim: { key: claims, field: 'taken', owner: 'other' } });

      const valid: AppendRequest = {
        stream,
        events: [event('Attempt'), event('Attempt')],
        snapshot: { ref, expectedRev: 1, state: { n: 2 } },
        idempotency: { key: uniqueName('idem'), ttlSeconds: 60, result: 'attempt' },
        claim: { key: claims, field: 'free', owner: 'me' },
      };
      const refusals: [AppendRequest, AppendResult['status']][] = [
        [{ ...valid, idempotency: { ...valid.idempotency!, key: usedKey } }, 'duplicate'],
        [{ ...valid, snapshot: { ...valid.snapshot!, expectedRev: 5 } }, 'conflict'],
        [{ ...valid, claim: { ...valid.claim!, field: 'taken' } }, 'claimed'],
        // Checked in this order: duplicate, then conflict, then claimed.
        [{ ...valid, snapshot: { ...valid.snapshot!, expectedRev: 5 }, claim: { ...valid.claim!, field: 'taken' } }, 'conflict'],
      ];
      for (const [request, status] of refusals) expect((await store.append(request)).status).toBe(status);

      expect((await store.streamInfo(stream)).length).toBe(2);
      expect(await store.readSnapshot(ref)).toEqual({ rev: 1, state: { n: 1 } });
      expect(await store.readClaim(claims, 'free')).toBeNull();
      expect(await store.readClaim(claims, 'taken')).toBe('other');
      // The refused attempts did not take the valid request's idempotency key.
      expect(appended(await store.append(valid))).toHaveLength(2);
      expect(await store.append(valid)).toEqual({ status: 'duplicate', result: 'attempt' });
    });

    it('reports stream info and trims below a cursor', async () => {
      const cursors = await appendMany(store, stream, 10);
      expect(await store.streamInfo(stream)).toEqual({
        length: 10,
        firstCursor: cursors[0],
        lastCursor: cursors[9],
        maxDeletedCursor: null,
      });

      await store.trim(stream, cursors[3]!);
      expect(await store.streamInfo(stream)).toEqual({
        length: 7,
        firstCursor: cursors[3],
        lastCursor: cursors[9],
        maxDeletedCursor: cursors[2],
      });
      expect(cursorsOf(await readAll(store, stream))).toEqual(cursors.slice(3));

      await store.trim(stream, cursors[3]!);
      expect((await store.streamInfo(stream)).length).toBe(7);
      await store.trim(uniqueName('log'), cursors[3]!);

      await store.trim(stream, pastTheEnd(cursors[9]!));
      expect(await store.streamInfo(stream)).toEqual({
        length: 0,
        firstCursor: null,
        lastCursor: null,
        maxDeletedCursor: cursors[9],
      });
    });

    describe('tailer', () => {
      it('delivers live events in order to several listeners, and nothing after unfollow', async () => {
        const early = await appendMany(store, stream, 2, 'Before');
        const first: RecordedEvent[] = [];
        const second: RecordedEvent[] = [];
        const unfollowFirst = await store.tailer.follow(stream, (events) => first.push(...events));
        const unfollowSecond = await store.tailer.follow(stream, (events) => second.push(...events));

        const live = await appendMany(store, stream, 5, 'Live');
        live.push(...appended(await store.append({ stream, events: [event('Batch'), event('Batch')] })));
        await vi.waitFor(() => expect(cursorsOf(second)).toEqual(live));
        expect(cursorsOf(first)).toEqual(live);
        expect(cursorsOf(first)).not.toContain(early[1]);

        unfollowFirst();
        const later = await appendMany(store, stream, 3, 'Later');
        await vi.waitFor(() => expect(cursorsOf(second)).toEqual([...live, ...later]));
        expect(cursorsOf(first)).toEqual(live);
        unfollowSecond();
      });

      it('starts a newly followed stream promptly while following another', async () => {
        const quiet = uniqueName('log');
        const unfollowQuiet = await store.tailer.follow(quiet, () => {});
        const received: RecordedEvent[] = [];
        const unfollow = await store.tailer.follow(stream, (events) => received.push(...events));
        const cursors = await appendMany(store, stream, 1);
        await vi.waitFor(() => expect(cursorsOf(received)).toEqual(cursors), { timeout: 1_000 });
        unfollow();
        unfollowQuiet();
      });

      it('gives a stream followed again only what comes after the new follow', async () => {
        const first: RecordedEvent[] = [];
        const unfollowFirst = await store.tailer.follow(stream, (events) => first.push(...events));
        const one = await appendMany(store, stream, 1);
        await vi.waitFor(() => expect(cursorsOf(first)).toEqual(one));
        unfollowFirst();
        await appendMany(store, stream, 1, 'Unfollowed');

        const again: RecordedEvent[] = [];
        const unfollowAgain = await store.tailer.follow(stream, (events) => again.push(...events));
        const three = await appendMany(store, stream, 1);
        await vi.waitFor(() => expect(cursorsOf(again)).toEqual(three));
        expect(cursorsOf(first)).toEqual(one);
        unfollowAgain();
      });

      it('keeps delivering when a listener throws', async () => {
        const report = vi.spyOn(console, 'error').mockImplementation(() => {});
        try {
          const received: RecordedEvent[] = [];
          const unfollowThrowing = await store.tailer.follow(stream, () => {
            throw new Error('listener failed');
          });
          const unfollow = await store.tailer.follow(stream, (events) => received.push(...events));
          const cursors = await appendMany(store, stream, 3);
          await vi.waitFor(() => expect(cursorsOf(received)).toEqual(cursors));
          unfollowThrowing();
          unfollow();
        } finally {
          report.mockRestore();
        }
      });
    });

    describe.each(['next', 'push'] as const)('openStreamSubscription, read by %s()', (mode) => {
      const open = async (from: EventStore, name: string, options: StreamSubscriptionOptions) => {
        const subscription = await openStreamSubscription(from, name, options);
        return mode === 'push' ? pulledFromPushes(subscription) : subscription;
      };

      it('catches up after a cursor, then goes live, in exact order', async () => {
        const history = await appendMany(store, stream, 12, 'History');
        const subscription = await open(store, stream, { after: history[4]!, pageSize: 3 });
        const live = await appendMany(store, stream, 4, 'Live');
        expect(cursorsOf(await take(subscription, 11))).toEqual([...history.slice(5), ...live]);
        const more = await appendMany(store, stream, 2, 'More');
        expect(cursorsOf(await take(subscription, 2))).toEqual(more);
        await subscription.return?.();
      });

      it('without a cursor delivers only events appended after opening', async () => {
        await appendMany(store, stream, 3, 'Old');
        const subscription = await open(store, stream, { after: null });
        const fresh = await appendMany(store, stream, 3, 'New');
        expect(cursorsOf(await take(subscription, 3))).toEqual(fresh);
        await subscription.return?.();

        const empty = uniqueName('log');
        const fromStart = await open(store, empty, { after: null });
        const first = await appendMany(store, empty, 1);
        expect(cursorsOf(await take(fromStart, 1))).toEqual(first);
        await fromStart.return?.();
      });

      it('joins catch-up and live without gap or duplicate while writers keep appending', async () => {
        const backlog = await appendMany(store, stream, 120, 'Backlog');
        const subscriberCount = 6;
        // A catch-up ends with a short page: counting them lets the writers go on until every
        // subscriber has crossed its seam, so each seam falls amid appends.
        let seams = 0;
        const observed: EventStore = Object.create(store, {
          readForward: {
            value: async (name: string, options: { after?: Cursor; count: number }) => {
              const page = await store.readForward(name, options);
              if (page.length < options.count) seams += 1;
              return page;
            },
          },
        });
        const writers = Array.from({ length: 3 }, (_, writer) =>
          (async () => {
            for (let i = 0, afterSeams = 0; afterSeams < 10 && i < 10_000; i++) {
              await store.append({ stream, events: [event('Concurrent', { writer, i })] });
              if (seams >= subscriberCount) afterSeams += 1;
              // Mostly back to back; now and then a turn of the event loop, so readers keep up.
              if (i % 5 === 4) await new Promise(setImmediate);
            }
          })(),
        );

        const subscribers: { after: Cursor; received: RecordedEvent[]; done: Promise<void> }[] = [];
        for (let n = 0; n < subscriberCount; n++) {
          const after = backlog[n * 17]!;
          const subscription = await open(observed, stream, { after, pageSize: 7 });
          const received: RecordedEvent[] = [];
          const done = (async () => {
            for await (const recorded of subscription) {
              received.push(recorded);
              if (recorded.type === 'Marker') return;
            }
          })();
          subscribers.push({ after, received, done });
        }
        await Promise.all(writers);
        await appendMany(store, stream, 1, 'Marker');
        await Promise.all(subscribers.map((subscriber) => subscriber.done));

        for (const { after, received } of subscribers) {
          expect(cursorsOf(received)).toEqual(cursorsOf(await readAll(store, stream, after)));
        }
      });

      it('delivers an event appended while the last catch-up page is on its way', async () => {
        const backlog = await appendMany(store, stream, 10, 'Backlog');
        const seen: RecordedEvent[] = [];
        const unfollow = await store.tailer.follow(stream, (events) => seen.push(...events));
        let inFlight: Cursor | undefined;
        // The last page has been read, and before it arrives an event is appended and tailed.
        const observed: EventStore = Object.create(store, {
          readForward: {
            value: async (name: string, options: { after?: Cursor; count: number }) => {
              const page = await store.readForward(name, options);
              if (page.length < options.count && inFlight === undefined) {
                [inFlight] = appended(await store.append({ stream, events: [event('InFlight')] }));
                await vi.waitFor(() => expect(cursorsOf(seen)).toContain(inFlight));
              }
              return page;
            },
          },
        });
        const subscription = await open(observed, stream, { after: backlog[1]!, pageSize: 4 });
        expect(cursorsOf(await take(subscription, 9))).toEqual([...backlog.slice(2), inFlight]);
        await subscription.return?.();
        unfollow();
      });

      it('refuses something that is not a cursor', async () => {
        await expect(open(store, stream, { after: 'latest' })).rejects.toBeInstanceOf(RangeError);
      });

      it('rejects a cursor at or before the trimmed part with CursorExpiredError', async () => {
        const cursors = await appendMany(store, stream, 10);
        await store.trim(stream, cursors[5]!);
        for (const after of [cursors[0]!, cursors[3]!, cursors[4]!]) {
          await expect(open(store, stream, { after })).rejects.toBeInstanceOf(CursorExpiredError);
        }
        const subscription = await open(store, stream, { after: cursors[5]! });
        expect(cursorsOf(await take(subscription, 4))).toEqual(cursors.slice(6));
        await subscription.return?.();
      });

      it('without a cursor starts at the end of a stream trimmed empty', async () => {
        const cursors = await appendMany(store, stream, 3);
        await store.trim(stream, pastTheEnd(cursors[2]!));
        const subscription = await open(store, stream, { after: null });
        const fresh = await appendMany(store, stream, 2);
        expect(cursorsOf(await take(subscription, 2))).toEqual(fresh);
        await subscription.return?.();
      });

      // Pushing queues live events only during the catch-up; once live, the consumer bounds its own queue.
      if (mode === 'next') it('ends a slow consumer with SubscriberTooSlowError while another one continues', async () => {
        const slow = await open(store, stream, { after: null, maxQueue: 5 });
        const fast = await open(store, stream, { after: null });
        const [first] = await appendMany(store, stream, 1);
        expect(cursorsOf(await take(slow, 1))).toEqual([first]);

        const burst = await appendMany(store, stream, 20);
        expect(cursorsOf(await take(fast, 21))).toEqual([first, ...burst]);
        const error = await slow.next().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(SubscriberTooSlowError);
        expect((error as SubscriberTooSlowError).lastCursor).toBe(first);
        expect(await slow.next()).toEqual({ done: true, value: undefined });

        const after = await appendMany(store, stream, 1);
        expect(cursorsOf(await take(fast, 1))).toEqual(after);
        await fast.return?.();
      });

      it('ends cleanly on return, also while waiting for an event', async () => {
        const subscription = await open(store, stream, { after: null });
        const waiting = subscription.next();
        await subscription.return?.();
        expect(await waiting).toEqual({ done: true, value: undefined });
        await appendMany(store, stream, 1);
        expect(await subscription.next()).toEqual({ done: true, value: undefined });
      });
    });

    describe('under concurrency', () => {
      it('keeps every event of 20 concurrent writers, each in its own order', async () => {
        const writers = Array.from({ length: 20 }, (_, writer) =>
          (async () => {
            for (let i = 0; i < 50; i++) await store.append({ stream, events: [event('Written', { writer, i })] });
          })(),
        );
        await Promise.all(writers);

        const log = await readAll(store, stream);
        expect(log).toHaveLength(1_000);
        expectIncreasing(cursorsOf(log));
        for (let writer = 0; writer < 20; writer++) {
          const own = log.filter((recorded) => (recorded.data as { writer: number }).writer === writer);
          expect(own.map((recorded) => (recorded.data as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        }
      });

      it('serialises compare-and-set increments from 10 writers retrying on conflict', async () => {
        const ref = { key: uniqueName('state'), field: 'counter' };
        const increment = async () => {
          for (;;) {
            const current = await store.readSnapshot<{ count: number }>(ref);
            const count = (current?.state.count ?? 0) + 1;
            const result = await store.append({
              stream,
              events: [event('Incremented', { count })],
              snapshot: { ref, expectedRev: current?.rev ?? null, state: { count } },
            });
            if (result.status === 'appended') return;
            expect(result.status).toBe('conflict');
          }
        };
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            for (let i = 0; i < 10; i++) await increment();
          }),
        );

        expect(await store.readSnapshot(ref)).toEqual({ rev: 100, state: { count: 100 } });
        const log = await readAll(store, stream);
        expect(log.map((recorded) => (recorded.data as { count: number }).count)).toEqual(
          Array.from({ length: 100 }, (_, i) => i + 1),
        );
      });
    });
  });
};
