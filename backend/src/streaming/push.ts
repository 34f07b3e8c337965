/**
 * Push delivery for the subscription iterators: a consumer that takes every value as it comes
 * instead of asking for each one. Live fan-out is where it matters: an event reaches each
 * subscriber through plain calls, with no promise per layer per subscriber.
 */
export interface Sink<T> {
  next(value: T): void;
  /** The source ended with an error; nothing follows. */
  error(error: unknown): void;
  /** The source ended; nothing follows. */
  complete(): void;
  /**
   * Optional pacing of a catch-up from a log: `pace(true)` when the source starts one (values then
   * come as fast as pages are read), `pace(false)` once it is live.
   */
  pace?(catchingUp: boolean): void;
  /** Optional: between catch-up pages the source waits for this (the consumer's buffer drained), when it answers a promise. */
  ready?(): Promise<void> | undefined;
}

export const pushTo = Symbol('pushTo');

/**
 * An async iterator that can also push: `[pushTo](sink)` hands the sink every value from then on,
 * in order, then exactly one `error` or `complete`. It replaces `next()`: a consumer uses one or
 * the other, never both. `return()` still ends it (the sink then gets `complete`).
 */
export interface PushableIterator<T> extends AsyncIterableIterator<T> {
  [pushTo](sink: Sink<T>): void;
}

export const canPush = <T>(iterator: AsyncIterator<T>): iterator is PushableIterator<T> =>
  typeof (iterator as Partial<PushableIterator<T>>)[pushTo] === 'function';

/** `[Symbol.asyncIterator]` of an iterator that is its own iterable: one function for all of them. */
export function returnThis<T>(this: T): T {
  return this;
}

/**
 * Where an iterator that settles once reports its end (the shape of a promise's resolvers): `resolve`
 * with `{ done: true }` when it completes, `reject` with the error that ended it.
 */
export interface SettleTarget {
  resolve(result: IteratorResult<never>): void;
  reject(error: unknown): void;
}

export const settleTo = Symbol('settleTo');

/**
 * An iterator that yields nothing and whose one `next()` settles when it ends (a subscription
 * that sends its values itself), which can also report that end without a promise:
 * `[settleTo](target)` instead of `next()`, never both.
 */
export interface SettlingIterator extends AsyncIterableIterator<never> {
  [settleTo](target: SettleTarget): void;
}

export const canSettle = (iterator: AsyncIterator<unknown>): iterator is SettlingIterator =>
  typeof (iterator as Partial<SettlingIterator>)[settleTo] === 'function';
