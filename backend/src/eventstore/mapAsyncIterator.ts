/**
 * Maps each value of an async iterator. Unlike an async generator wrapping `for await`, `return()`
 * reaches the source at once even while a `next()` is pending, so a subscription that ends
 * releases its source immediately instead of at the next event.
 */
export const mapAsyncIterator = <T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => U | Promise<U>,
): AsyncIterableIterator<U> => {
  const finish = async (): Promise<IteratorResult<U>> => {
    await source.return?.();
    return { done: true, value: undefined };
  };
  return {
    async next() {
      const result = await source.next();
      if (result.done) return { done: true, value: undefined };
      return { done: false, value: await map(result.value) };
    },
    return: finish,
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
};
