import { mapAsyncIterator } from './mapAsyncIterator.js';
import { mergeAsyncIterators } from './mergeAsyncIterators.js';
import { type PushableIterator, type Sink, pushTo } from './push.js';

/**
 * `mapAsyncIterator(mergeAsyncIterators(sources), map, hooks.onEnd, hooks.stopAfter)`, as one small object while it is
 * pushed (how a subscriber reads it for as long as it lives): each source's values, mapped, handed
 * on as they come; it ends with the first source that fails, or when all of them have ended, and
 * `cleanup` runs once. Those layers are built only if it is read with `next()` instead.
 */
export const mergeMapped = <T, U>(
  sources: PushableIterator<T>[],
  /** Null skips the value. */
  map: (value: T) => U | null,
  hooks: MergeHooks<U> = NO_HOOKS,
): PushableIterator<U> => new MergeMapped(sources, map, hooks);

/**
 * What a merge calls as it ends and after each value, called as methods of this object (a
 * subscriber's own object, with no closure per subscriber).
 */
export interface MergeHooks<U> {
  /** Runs once, when it ends. */
  onEnd?(): Promise<void> | void;
  /** An error ends it right after the value it answers for (which is delivered). */
  stopAfter?(value: U): unknown;
}

const NO_HOOKS: MergeHooks<never> = {};

/**
 * The merge's state, its steps as methods, and one small `SourceSink` per source: no closures,
 * because one lives per subscriber for as long as it is pushed (memory per idle socket, which
 * bench:scale's sockets part measures).
 */
class MergeMapped<T, U> implements PushableIterator<U> {
  private cleaned = false;
  private pulled: AsyncIterableIterator<U> | null = null;
  /** Pushed: sources not yet complete, whether it ended, sources catching up, and where values go. */
  active = 0;
  ended = false;
  catchingUp = 0;
  sink: Sink<U> | null = null;

  constructor(
    private readonly sources: PushableIterator<T>[],
    readonly map: (value: T) => U | null,
    readonly hooks: MergeHooks<U>,
  ) {}

  async clean() {
    if (this.cleaned) return;
    this.cleaned = true;
    await this.hooks.onEnd?.();
  }

  async returnAll() {
    await Promise.allSettled(this.sources.map((source) => source.return?.()));
    await this.clean();
  }

  [pushTo](sink: Sink<U>) {
    this.sink = sink;
    this.active = this.sources.length;
    // One sink for every source: what it keeps (the counts) is the merge's.
    const sourceSink = new SourceSink(this);
    for (const source of this.sources) source[pushTo](sourceSink);
  }

  next() {
    this.pulled ??= mapAsyncIterator(
      mergeAsyncIterators(this.sources),
      this.map,
      () => this.clean(),
      this.hooks.stopAfter && ((value: U) => this.hooks.stopAfter!(value)),
    );
    return this.pulled.next();
  }

  async return(): Promise<IteratorResult<U>> {
    if (this.pulled) return (await this.pulled.return?.()) ?? { done: true, value: undefined };
    await this.returnAll();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<U>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/** What the sources push to: mapped on to the merge's sink. It ends with the first source that fails, or once all have completed. */
class SourceSink<T, U> implements Sink<T> {
  constructor(private readonly merge: MergeMapped<T, U>) {}

  pace(on: boolean) {
    const merge = this.merge;
    merge.catchingUp += on ? 1 : -1;
    if (on ? merge.catchingUp === 1 : merge.catchingUp === 0) merge.sink!.pace?.(on);
  }

  ready() {
    return this.merge.sink!.ready?.();
  }

  next(value: T) {
    const merge = this.merge;
    if (merge.ended) return;
    const mapped = merge.map(value);
    if (mapped === null) return;
    merge.sink!.next(mapped);
    const stop = merge.hooks.stopAfter?.(mapped);
    if (!stop) return;
    merge.ended = true;
    void merge.returnAll();
    merge.sink!.error(stop);
  }

  error(error: unknown) {
    const merge = this.merge;
    if (merge.ended) return;
    merge.ended = true;
    void merge.returnAll();
    merge.sink!.error(error);
  }

  complete() {
    const merge = this.merge;
    if (merge.ended || --merge.active > 0) return;
    merge.ended = true;
    void merge.clean();
    merge.sink!.complete();
  }
}
