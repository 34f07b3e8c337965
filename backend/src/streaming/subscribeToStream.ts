import {
  compareCursors,
  isCursor,
  type Cursor,
  type EventStore,
  type RecordedEvent,
  type StreamInfo,
  type Unfollow,
} from '../eventstore/eventStore.js';
import { sharedPerMomentOf } from './moment.js';
import { type PushableIterator, type Sink, pushTo } from './push.js';

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
  tailer: { follow(stream: string, listener: LiveListener<T>): Promise<Following<T>> };
  map(events: RecordedEvent[]): Promise<T[]>;
}

/** What a tailer hands a stream's batches to: an object, so that following needs no closure per subscriber. */
export interface LiveListener<T> {
  /** A batch, in stream order; or an error when a batch could not be mapped (the listener should then end). */
  onLive(items: T[], error?: unknown): void;
}

/** A stream followed: shared by every listener of the stream in this process. */
export interface Following<T> {
  /** The stream's key (one string for all its listeners). */
  readonly stream: string;
  /** Stops handing batches to `listener`. */
  remove(listener: LiveListener<T>): void;
}

/** The store's own tailer as a `MappedSource` tailer (raw events; one closure per follow, off the hot path). */
const followRaw = async <T>(store: EventStore, stream: string, listener: LiveListener<T>): Promise<Following<T>> => {
  const unfollow: Unfollow = await store.tailer.follow(stream, (events) => listener.onLive(events as unknown as T[]));
  return { stream, remove: () => unfollow() };
};

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
  const { after } = options;
  if (after !== null && !isCursor(after)) throw new RangeError(`not a cursor: ${after}`);
  const subscription = new StreamSubscription<T>(
    readerOf(
      store,
      source?.map ?? (mapNothing as unknown as MappedSource<T>['map']),
      options.maxQueue ?? DEFAULT_MAX_QUEUE,
      options.pageSize ?? DEFAULT_PAGE_SIZE,
    ),
    stream,
    after,
  );
  // Following first, then reading where the stream ends: the tailer delivers every event above a
  // position that is not above the stream's end when `follow` resolved, so every event above the
  // end read after it comes live, and a subscription from now needs no catch-up read at all.
  const following = source ? await source.tailer.follow(stream, subscription) : await followRaw(store, stream, subscription);
  if (subscription.ended) following.remove(subscription);
  else subscription.follows(following);
  let info: StreamInfo;
  try {
    info = await streamInfoOfTheMoment(store, stream);
    if (after !== null) assertRetained(info, after);
  } catch (error) {
    await subscription.return();
    throw error;
  }
  subscription.positionAt(after ?? endOf(info));
  return subscription;
}

/** `store.streamInfo`, one read for the subscriptions to a stream opened in one moment (see `sharedPerMoment`). */
const streamInfoOfTheMoment = sharedPerMomentOf((store: EventStore, stream: string) => store.streamInfo(stream));

/** A subscription read with next(): who waits for a live event, and the calls in turn (the usual caller waits for each, and then pays no queueing). */
interface Pulling {
  wake: (() => void) | null;
  pending: number;
  queue: Promise<unknown> | undefined;
}

const DEFAULT_MAX_QUEUE = 1_000;
const DEFAULT_PAGE_SIZE = 100;

/** What the subscriptions of one stream source read with, and their limits: one object for all of them. */
interface StreamReader<T extends Positioned> {
  store: EventStore;
  map: MappedSource<T>['map'];
  maxQueue: number;
  pageSize: number;
}

/** Readers by mapping (usually one per source and store), for subscriptions with the default limits. */
const readers = new WeakMap<object, StreamReader<Positioned>>();
const readerOf = <T extends Positioned>(
  store: EventStore,
  map: MappedSource<T>['map'],
  maxQueue: number,
  pageSize: number,
): StreamReader<T> => {
  if (maxQueue !== DEFAULT_MAX_QUEUE || pageSize !== DEFAULT_PAGE_SIZE) return { store, map, maxQueue, pageSize };
  const known = readers.get(map) as StreamReader<T> | undefined;
  if (known?.store === store) return known;
  const reader = { store, map, maxQueue, pageSize };
  readers.set(map, reader as unknown as StreamReader<Positioned>);
  return reader;
};

const mapNothing = async (events: RecordedEvent[]) => events;
const NOTHING: never[] = [];

/**
 * One subscription's state, its steps as methods: a class rather than closures over shared
 * variables, because one lives per subscriber for as long as it follows its stream (memory per
 * idle socket, which bench:scale's sockets part measures). Its arrays are shared empty ones until
 * something is queued.
 */
class StreamSubscription<T extends Positioned> implements PushableIterator<T>, LiveListener<T> {
  /**
   * The last cursor yielded (or the starting position): everything at or below it is done. Null
   * until `positionAt`: a subscription from now follows before it knows where the stream ends.
   */
  private last: Cursor | null;
  private catchingUp: boolean;
  private page: T[] = NOTHING;
  private live: T[] = NOTHING;
  private failure: Error | null = null;
  ended = false;
  private following: Following<T> | null = null;
  /** The push consumer, once there is one. */
  private sink: Sink<T> | null = null;
  /** Pushing, caught up: live events go to the sink as the tailer hands them over. */
  private direct = false;
  /**
   * Direct, and the tailer has handed over an event above everything the catch-up delivered: the
   * tailer's events come in order, once each, so every later one is above it too.
   */
  private pastSeam = false;
  /** Read with next() instead of pushed: its state, made at the first call (a pushed subscription never has it). */
  private pulling: Pulling | null = null;

  constructor(
    /** Shared by the subscriptions of its source (memory per idle subscriber). */
    private readonly reader: StreamReader<T>,
    private stream: string,
    after: Cursor | null,
  ) {
    this.last = after;
    this.catchingUp = after !== null;
  }

  /** Following its stream: the key becomes the channel's, so that subscribers of a stream share one string. */
  follows(following: Following<T>) {
    this.following = following;
    this.stream = following.stream;
  }

  /** Where it starts: `after`, or the stream's end read once following. Live events at or below it are dropped as they are taken. */
  positionAt(last: Cursor) {
    this.last = last;
    if (this.live !== NOTHING) this.trimLive(last);
  }

  /** Drops queued live events at or below `last`; ends the subscription when more than `maxQueue` wait. */
  private trimLive(last: Cursor) {
    const live = this.live;
    const stale = live.findIndex((event) => compareCursors(event.cursor, last) > 0);
    live.splice(0, stale === -1 ? live.length : stale);
    if (live.length > this.reader.maxQueue) {
      this.failure = new SubscriberTooSlowError(last);
      this.finish();
    }
  }

  private finish() {
    if (this.ended) return;
    this.ended = true;
    this.following?.remove(this);
    this.following = null;
    this.page = NOTHING;
    this.live = NOTHING;
    this.pulling?.wake?.();
    if (this.sink) {
      const ended = this.sink;
      this.sink = null;
      if (this.failure) ended.error(this.failure);
      else ended.complete();
      this.failure = null;
    }
  }

  onLive(events: T[], error?: unknown) {
    if (this.ended) return;
    if (error !== undefined) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.finish();
      return;
    }
    if (this.direct) {
      for (const event of events) {
        if (!this.sink) return;
        if (this.pastSeam || compareCursors(event.cursor, this.last!) > 0) {
          this.pastSeam = true;
          this.last = event.cursor;
          this.sink.next(event);
        }
      }
      return;
    }
    if (this.live === NOTHING) this.live = [];
    this.live.push(...events);
    // Not positioned yet: kept whole until it is (a moment's events at most).
    if (this.last !== null) this.trimLive(this.last);
    this.pulling?.wake?.();
  }

  private takeLive(): T | undefined {
    for (let event = this.live.shift(); event; event = this.live.shift()) {
      if (compareCursors(event.cursor, this.last!) > 0) return event;
    }
    return undefined;
  }

  private async readPage() {
    const from = this.last!;
    const { store, map, pageSize } = this.reader;
    const events = await store.readForward(this.stream, { after: from, count: pageSize });
    // Checked after the read: a trim past `from` before it would have left a silent gap. Only a
    // trim beyond `from` matters here; whatever lies at or below it was delivered already.
    const { maxDeletedCursor } = await store.streamInfo(this.stream);
    if (maxDeletedCursor !== null && compareCursors(maxDeletedCursor, from) > 0) {
      throw new CursorExpiredError(from, maxDeletedCursor);
    }
    if (this.ended) return;
    this.page = await map(events);
    if (this.ended) return;
    if (events.length < pageSize) this.catchingUp = false;
  }

  private async pull(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.failure) {
        const error = this.failure;
        this.failure = null;
        throw error;
      }
      if (this.ended) return { done: true, value: undefined };
      const event = this.page.shift() ?? (this.catchingUp ? undefined : this.takeLive());
      if (event) {
        this.last = event.cursor;
        return { done: false, value: event };
      }
      if (this.catchingUp) {
        try {
          await this.readPage();
        } catch (error) {
          this.finish();
          throw error;
        }
        continue;
      }
      const pulling = this.pulling!;
      await new Promise<void>((resolve) => (pulling.wake = resolve));
      pulling.wake = null;
    }
  }

  /** Pushes the catch-up page by page, then what the tailer queued meanwhile, then goes direct. */
  private async push(to: Sink<T>) {
    const paced = this.catchingUp;
    if (paced) to.pace?.(true);
    try {
      for (;;) {
        for (let event = this.page.shift(); event && this.sink; event = this.page.shift()) {
          this.last = event.cursor;
          to.next(event);
        }
        if (!this.sink || !this.catchingUp) break;
        // The next page once the consumer has sent this one on: a catch-up goes at its reader's speed.
        await to.ready?.();
        if (!this.sink) break;
        await this.readPage();
      }
      for (let event = this.sink ? this.takeLive() : undefined; event && this.sink; event = this.takeLive()) {
        this.last = event.cursor;
        to.next(event);
      }
      // No await since the queue was emptied: no live batch came in between.
      if (this.sink) {
        this.direct = true;
        this.page = NOTHING;
        this.live = NOTHING;
        if (paced) to.pace?.(false);
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.finish();
    }
  }

  [pushTo](to: Sink<T>) {
    if (this.ended) {
      if (this.failure) to.error(this.failure);
      else to.complete();
      this.failure = null;
      return;
    }
    this.sink = to;
    void this.push(to);
  }

  next(): Promise<IteratorResult<T>> {
    const pulling = (this.pulling ??= { wake: null, pending: 0, queue: undefined });
    const result = pulling.pending === 0 || !pulling.queue ? this.pull() : pulling.queue.then(() => this.pull());
    pulling.pending++;
    const settle = () => {
      pulling.pending--;
    };
    pulling.queue = result.then(settle, settle);
    return result;
  }

  async return(): Promise<IteratorResult<T>> {
    this.finish();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    this.finish();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/** Where the stream ends now: its last event, or the last one trimmed when none is left. */
const endOf = (info: StreamInfo): Cursor => info.lastCursor ?? info.maxDeletedCursor ?? '0-0';

/** As `StreamInfo` documents it: resuming at or before the highest trimmed cursor is refused. */
const assertRetained = (info: StreamInfo, cursor: Cursor) => {
  if (info.maxDeletedCursor !== null && compareCursors(info.maxDeletedCursor, cursor) >= 0) {
    throw new CursorExpiredError(cursor, info.maxDeletedCursor);
  }
};
