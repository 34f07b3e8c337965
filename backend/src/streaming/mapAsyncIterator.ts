import { returnThis } from './push.js';

/**
 * Maps each value of an async iterator; a value mapped to null is skipped. With `stopAfter`, a
 * value for which it answers an error is the last: the next `next()` ends the source and throws it. Unlike an async generator wrapping `for await`, `return()`
 * reaches the source at once even while a `next()` is pending, so a subscription that ends
 * releases its source immediately instead of at the next event.
 */
export const mapAsyncIterator = <T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => U | null,
  /** Runs once when the iterator ends for any reason (return, error, or the source ending). */
  cleanup: () => Promise<void> | void = () => {},
  stopAfter?: (value: U) => unknown,
): AsyncIterableIterator<U> => {
  let stopWith: unknown = null;
  let cleaned = false;
  const clean = async () => {
    if (cleaned) return;
    cleaned = true;
    await cleanup();
  };
  const finish = async (): Promise<IteratorResult<U>> => {
    try {
      await source.return?.();
    } finally {
      await clean();
    }
    return { done: true, value: undefined };
  };
  const iterator: AsyncIterableIterator<U> = {
    async next() {
      if (stopWith) {
        const error = stopWith;
        stopWith = null;
        await finish();
        throw error;
      }
      try {
        for (;;) {
          const result = await source.next();
          if (result.done) {
            await clean();
            return { done: true, value: undefined };
          }
          const value = map(result.value);
          if (value === null) continue;
          stopWith = stopAfter?.(value) ?? null;
          return { done: false, value };
        }
      } catch (error) {
        await finish();
        throw error;
      }
    },
    return: finish,
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: returnThis,
  };
  return iterator;
};
