import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Cursor, EventStore, RecordedEvent } from '../eventstore/eventStore.js';
import { appended, appendMany, cursorsOf, event, pastTheEnd, readAll, uniqueName } from '../testing/logFixtures.js';
import { type PushableIterator, pushTo } from './push.js';
import { CursorExpiredError, openStreamSubscription, type StreamSubscriptionOptions, SubscriberTooSlowError } from './subscribeToStream.js';

export interface StreamingSubject {
  store: EventStore;
  cleanup(): Promise<void>;
}

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

/**
 * What a resumable subscription promises over any `EventStore`: catch-up from a cursor, then live
 * events, with no gap and no duplicate at the seam, read by `next()` or by pushes.
 */
export const describeStreamSubscriptionContract = (name: string, setup: () => Promise<StreamingSubject>) => {
  describe(`openStreamSubscription contract: ${name}`, () => {
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

      it('opens subscriptions from now together with one read of where the stream ends, and no page', async () => {
        await appendMany(store, stream, 3, 'Old');
        const reads = { info: 0, pages: 0 };
        const observed: EventStore = Object.create(store, {
          streamInfo: {
            value: (name: string) => {
              reads.info++;
              return store.streamInfo(name);
            },
          },
          readForward: {
            value: (name: string, options: { after?: Cursor; count: number }) => {
              reads.pages++;
              return store.readForward(name, options);
            },
          },
        });
        const subscriptions = await Promise.all(Array.from({ length: 20 }, () => open(observed, stream, { after: null })));
        expect(reads).toEqual({ info: 1, pages: 0 });
        const fresh = await appendMany(store, stream, 2, 'New');
        for (const subscription of subscriptions) {
          expect(cursorsOf(await take(subscription, 2))).toEqual(fresh);
          await subscription.return?.();
        }
      });

      it('starts a subscription from now amid appends with no gap and no duplicate', async () => {
        let writing = true;
        const writer = (async () => {
          for (let i = 0; writing && i < 10_000; i++) {
            await store.append({ stream, events: [event('Concurrent', { i })] });
            if (i % 3 === 2) await new Promise(setImmediate);
          }
        })();
        const subscribers: { received: RecordedEvent[]; done: Promise<void> }[] = [];
        for (let n = 0; n < 6; n++) {
          const subscription = await open(store, stream, { after: null });
          const received: RecordedEvent[] = [];
          const done = (async () => {
            for await (const recorded of subscription) {
              received.push(recorded);
              if (recorded.type === 'Marker') return;
            }
          })();
          subscribers.push({ received, done });
          await new Promise(setImmediate);
        }
        writing = false;
        await writer;
        await appendMany(store, stream, 1, 'Marker');
        await Promise.all(subscribers.map((subscriber) => subscriber.done));
        const all = cursorsOf(await readAll(store, stream));
        for (const { received } of subscribers) {
          // Whatever each started at, it got every event after that, once each, in order.
          const start = all.indexOf(received[0]!.cursor);
          expect(start).toBeGreaterThanOrEqual(0);
          expect(cursorsOf(received)).toEqual(all.slice(start));
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
      if (mode === 'next')
        it('ends a slow consumer with SubscriberTooSlowError while another one continues', async () => {
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
  });
};
