import { mapAsyncIterator } from './mapAsyncIterator.js';
import { mergeAsyncIterators } from './mergeAsyncIterators.js';
import { type PushableIterator, pushTo, returnThis } from './push.js';

/**
 * `mapAsyncIterator(mergeAsyncIterators(sources), map, cleanup, stopAfter)`, as one small object while it is
 * pushed (how a subscriber reads it for as long as it lives): each source's values, mapped, handed
 * on as they come; it ends with the first source that fails, or when all of them have ended, and
 * `cleanup` runs once. Those layers are built only if it is read with `next()` instead.
 */
export const mergeMapped = <T, U>(
  sources: PushableIterator<T>[],
  /** Null skips the value. */
  map: (value: T) => U | null,
  cleanup: () => Promise<void> | void,
  /** An error ends it right after the value it answers for (which is delivered). */
  stopAfter?: (value: U) => unknown,
): PushableIterator<U> => {
  let cleaned = false;
  const clean = async () => {
    if (cleaned) return;
    cleaned = true;
    await cleanup();
  };
  let pulled: AsyncIterableIterator<U> | null = null;
  const pull = () => (pulled ??= mapAsyncIterator(mergeAsyncIterators(sources), map, clean, stopAfter));
  const returnAll = async () => {
    await Promise.allSettled(sources.map((source) => source.return?.()));
    await clean();
  };

  const iterator: PushableIterator<U> = {
    [pushTo](sink) {
      let active = sources.length;
      let ended = false;
      // Catching up while any source is.
      let catchingUp = 0;
      for (const source of sources) {
        source[pushTo]({
          pace: (on) => {
            catchingUp += on ? 1 : -1;
            if (on ? catchingUp === 1 : catchingUp === 0) sink.pace?.(on);
          },
          ready: () => sink.ready?.(),
          next: (value) => {
            if (ended) return;
            const mapped = map(value);
            if (mapped === null) return;
            sink.next(mapped);
            const stop = stopAfter?.(mapped);
            if (!stop) return;
            ended = true;
            void returnAll();
            sink.error(stop);
          },
          error: (error) => {
            if (ended) return;
            ended = true;
            void returnAll();
            sink.error(error);
          },
          complete: () => {
            if (ended || --active > 0) return;
            ended = true;
            void clean();
            sink.complete();
          },
        });
      }
    },
    next: () => pull().next(),
    async return() {
      if (pulled) return (await pulled.return?.()) ?? { done: true, value: undefined };
      await returnAll();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: returnThis,
  };
  return iterator;
};
