import { returnThis } from './push.js';

/**
 * Maps each value of an async iterator. Unlike an async generator wrapping `for await`, `return()`
 * reaches the source at once even while a `next()` is pending, so a subscription that ends
 * releases its source immediately instead of at the next event.
 */
export const mapAsyncIterator = <T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => U,
  /** Runs once when the iterator ends for any reason (return, error, or the source ending). */
  cleanup: () => Promise<void> | void = () => {},
): AsyncIterableIterator<U> => {
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
      try {
        const result = await source.next();
        if (result.done) {
          await clean();
          return { done: true, value: undefined };
        }
        return { done: false, value: map(result.value) };
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
