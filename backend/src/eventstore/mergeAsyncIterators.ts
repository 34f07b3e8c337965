/**
 * Interleaves several async iterators: each value as soon as its source yields it, sources read
 * concurrently. Ends when every source ended; the first source to fail ends it with that error.
 * `return()` reaches every source at once, even while a `next()` is pending.
 */
export const mergeAsyncIterators = <T>(sources: AsyncIterator<T>[]): AsyncIterableIterator<T> => {
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const pull = (index: number) =>
    pending.set(index, sources[index]!.next().then((result) => ({ index, result })));
  sources.forEach((_, index) => pull(index));
  let finished = false;

  const finish = async () => {
    if (finished) return;
    finished = true;
    pending.clear();
    await Promise.allSettled(sources.map((source) => source.return?.()));
  };

  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      while (!finished && pending.size > 0) {
        let settled: { index: number; result: IteratorResult<T> };
        try {
          settled = await Promise.race(pending.values());
        } catch (error) {
          await finish();
          throw error;
        }
        if (finished) break;
        if (settled.result.done) {
          pending.delete(settled.index);
          continue;
        }
        pull(settled.index);
        return settled.result;
      }
      await finish();
      return { done: true, value: undefined };
    },
    async return() {
      await finish();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
};
