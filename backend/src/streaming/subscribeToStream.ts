import {
  compareCursors,
  isCursor,
  type Cursor,
  type EventStore,
  type RecordedEvent,
  type StreamInfo,
  type Unfollow,
} from '../eventstore/eventStore.js';
import { type PushableIterator, type Sink, pushTo, returnThis } from './push.js';

/** The resume cursor lies in a part of the stream that was trimmed away: resuming would skip events. */
export class CursorExpiredError extends Error {
  constructor(
    readonly cursor: Cursor,
    readonly maxDeletedCursor: Cursor,
  ) {
    super(`cursor ${cursor} expired: the stream was trimmed up to ${maxDeletedCursor}`);
    this.name = 'CursorExpiredError';
  }
}

/** The subscriber fell too far behind the live stream and was ended; resume after `lastCursor`. */
export class SubscriberTooSlowError extends Error {
  constructor(readonly lastCursor: Cursor) {
    super(`subscriber too slow; resume after ${lastCursor}`);
    this.name = 'SubscriberTooSlowError';
  }
}

/** Something with a position in a stream: a recorded event, or what a mapper made of one. */
export interface Positioned {
  cursor: Cursor;
}

/**
 * Where a subscription's items come from when they are not the raw events: a tailer of mapped
 * items (shared by every subscriber of the stream, so the mapping is done once per event) and the
 * same mapping for the pages read while catching up.
 */
export interface MappedSource<T extends Positioned> {
  /** Its listener gets mapped batches, or an error when a batch could not be mapped. */
  tailer: { follow(stream: string, listener: (items: T[], error?: unknown) => void): Promise<Unfollow> };
  map(events: RecordedEvent[]): Promise<T[]>;
}

export interface StreamSubscriptionOptions {
  /** Deliver the events after this cursor; `null`: only the events appended from now on. */
  after: Cursor | null;
  /** Live events that may wait for the consumer before it is ended as too slow. Default 1000. */
  maxQueue?: number;
  /** Events per read while catching up from the log. Default 100. */
  pageSize?: number;
}

/**
 * Every event of `stream` after `options.after` (or after the stream's end when opened), in stream
 * order, each exactly once: the log is read forward in pages, then live events from the store's
 * tailer follow, and whatever the tailer delivered at or below the last event yielded is dropped,
 * so the seam has no gap and no duplicate.
 *
 * Rejects with `CursorExpiredError` when the stream was trimmed at or past `after`. The iterator's
 * `next()` rejects with `CursorExpiredError` if a trim overtakes the catch-up, with
 * `SubscriberTooSlowError` when more than `maxQueue` live events wait for the consumer, and with
 * `StoreUnavailableError` when a read fails; after any of them, and after `return()`, it is done
 * and no longer follows the stream.
 *
 * It can also push (`[pushTo]`, instead of `next()`): the same events and errors, each page of
 * the catch-up as it is read (the next one once the sink is `ready`), then every live event handed on from within the tailer's dispatch,
 * with nothing queued in between.
 */
export function openStreamSubscription(
  store: EventStore,
  stream: string,
  options: StreamSubscriptionOptions,
): Promise<PushableIterator<RecordedEvent>>;
export function openStreamSubscription<T extends Positioned>(
  store: EventStore,
  stream: string,
  options: StreamSubscriptionOptions,
  source: MappedSource<T>,
): Promise<PushableIterator<T>>;
export async function openStreamSubscription<T extends Positioned>(
  store: EventStore,
  stream: string,
  options: StreamSubscriptionOptions,
  source?: MappedSource<T>,
): Promise<PushableIterator<T>> {
  const { tailer, map } = source ?? {
    tailer: store.tailer as unknown as MappedSource<T>['tailer'],
    map: async (events: RecordedEvent[]) => events as unknown as T[],
  };
  const { after } = options;
  const maxQueue = options.maxQueue ?? 1_000;
  const pageSize = options.pageSize ?? 100;
  if (after !== null && !isCursor(after)) throw new RangeError(`not a cursor: ${after}`);

  const info = await store.streamInfo(stream);
  if (after !== null) assertRetained(info, after);

  /** The last cursor yielded (or the starting position): everything at or below it is done. */
  let last: Cursor = after ?? endOf(info);
  let catchingUp = true;
  let page: T[] = [];
  let live: T[] = [];
  let failure: Error | null = null;
  let done = false;
  let unfollow: Unfollow | null = null;
  let wake: (() => void) | null = null;
  /** The push consumer, once there is one. */
  let sink: Sink<T> | null = null;
  /** Pushing, caught up: live events go to the sink as the tailer hands them over. */
  let direct = false;
  /**
   * Direct, and the tailer has handed over an event above everything the catch-up delivered: the
   * tailer's events come in order, once each, so every later one is above it too.
   */
  let pastSeam = false;

  const finish = () => {
    if (done) return;
    done = true;
    unfollow?.();
    page = [];
    live = [];
    wake?.();
    if (sink) {
      const ended = sink;
      sink = null;
      if (failure) ended.error(failure);
      else ended.complete();
      failure = null;
    }
  };

  const onLive = (events: T[], error?: unknown) => {
    if (done) return;
    if (error !== undefined) {
      failure = error instanceof Error ? error : new Error(String(error));
      finish();
      return;
    }
    if (direct) {
      for (const event of events) {
        if (!sink) return;
        if (pastSeam || compareCursors(event.cursor, last) > 0) {
          pastSeam = true;
          last = event.cursor;
          sink.next(event);
        }
      }
      return;
    }
    live.push(...events);
    const stale = live.findIndex((event) => compareCursors(event.cursor, last) > 0);
    live.splice(0, stale === -1 ? live.length : stale);
    if (live.length > maxQueue) {
      failure = new SubscriberTooSlowError(last);
      finish();
    }
    wake?.();
  };

  const takeLive = (): T | undefined => {
    for (let event = live.shift(); event; event = live.shift()) {
      if (compareCursors(event.cursor, last) > 0) return event;
    }
    return undefined;
  };

  const readPage = async () => {
    const from = last;
    const events = await store.readForward(stream, { after: from, count: pageSize });
    // Checked after the read: a trim past `from` before it would have left a silent gap. Only a
    // trim beyond `from` matters here; whatever lies at or below it was delivered already.
    const { maxDeletedCursor } = await store.streamInfo(stream);
    if (maxDeletedCursor !== null && compareCursors(maxDeletedCursor, from) > 0) {
      throw new CursorExpiredError(from, maxDeletedCursor);
    }
    if (done) return;
    page = await map(events);
    if (done) return;
    if (events.length < pageSize) catchingUp = false;
  };

  const settle = () => {
    pending--;
  };

  const pull = async (): Promise<IteratorResult<T>> => {
    for (;;) {
      if (failure) {
        const error = failure;
        failure = null;
        throw error;
      }
      if (done) return { done: true, value: undefined };
      const event = page.shift() ?? (catchingUp ? undefined : takeLive());
      if (event) {
        last = event.cursor;
        return { done: false, value: event };
      }
      if (catchingUp) {
        try {
          await readPage();
        } catch (error) {
          finish();
          throw error;
        }
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  };

  // next() calls run one after another; the usual caller waits for each, and then pays no queueing.
  let pending = 0;
  let queue: Promise<unknown> | undefined;
  /** Pushes the catch-up page by page, then what the tailer queued meanwhile, then goes direct. */
  const push = async (to: Sink<T>) => {
    const paced = catchingUp;
    if (paced) to.pace?.(true);
    try {
      for (;;) {
        for (let event = page.shift(); event && sink; event = page.shift()) {
          last = event.cursor;
          to.next(event);
        }
        if (!sink || !catchingUp) break;
        // The next page once the consumer has sent this one on: a catch-up goes at its reader's speed.
        await to.ready?.();
        if (!sink) break;
        await readPage();
      }
      for (let event = sink ? takeLive() : undefined; event && sink; event = takeLive()) {
        last = event.cursor;
        to.next(event);
      }
      // No await since the queue was emptied: no live batch came in between.
      if (sink) {
        direct = true;
        live = [];
        if (paced) to.pace?.(false);
      }
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      finish();
    }
  };

  const iterator: PushableIterator<T> = {
    [pushTo](to) {
      if (done) {
        if (failure) to.error(failure);
        else to.complete();
        failure = null;
        return;
      }
      sink = to;
      void push(to);
    },
    next: () => {
      const result = pending === 0 || !queue ? pull() : queue.then(pull);
      pending++;
      queue = result.then(settle, settle);
      return result;
    },
    return: async () => {
      finish();
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]: returnThis,
  };

  unfollow = await tailer.follow(stream, onLive);
  if (done) unfollow();
  return iterator;
}

/** Where the stream ends now: its last event, or the last one trimmed when none is left. */
const endOf = (info: StreamInfo): Cursor => info.lastCursor ?? info.maxDeletedCursor ?? '0-0';

/** As `StreamInfo` documents it: resuming at or before the highest trimmed cursor is refused. */
const assertRetained = (info: StreamInfo, cursor: Cursor) => {
  if (info.maxDeletedCursor !== null && compareCursors(info.maxDeletedCursor, cursor) >= 0) {
    throw new CursorExpiredError(cursor, info.maxDeletedCursor);
  }
};
