import { returnThis } from './push.js';

/**
 * Interleaves several async iterators: each value as soon as its source yields it, sources read
 * concurrently. Ends when every source ended; the first source to fail ends it with that error.
 * `return()` reaches every source at once, even while a `next()` is pending.
 *
 * Each source has exactly one `next()` outstanding whose result goes into a queue: racing the
 * sources' promises anew on every call would pile reactions (holding delivered values) onto a
 * source that stays quiet, a leak that grows with every event of the busy one. Sources are first
 * read at the first `next()`.
 */
export const mergeAsyncIterators = <T>(sources: AsyncIterator<T>[]): AsyncIterableIterator<T> => {
  const ready: IteratorResult<T>[] = [];
  const readyFrom: number[] = [];
  let active = sources.length;
  let failure: { error: unknown } | null = null;
  let finished = false;
  let wake: (() => void) | null = null;
  let started = false;

  const pull = (index: number) => {
    sources[index]!.next().then(
      (result) => {
        ready.push(result);
        readyFrom.push(index);
        wake?.();
      },
      (error: unknown) => {
        failure ??= { error };
        wake?.();
      },
    );
  };

  const finish = async () => {
    if (finished) return;
    finished = true;
    wake?.();
    await Promise.allSettled(sources.map((source) => source.return?.()));
  };

  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      if (!started) {
        started = true;
        for (let index = 0; index < sources.length; index++) pull(index);
      }
      for (;;) {
        if (finished) return { done: true, value: undefined };
        if (failure) {
          const { error } = failure;
          await finish();
          throw error;
        }
        const result = ready.shift();
        const index = readyFrom.shift();
        if (result && index !== undefined) {
          if (!result.done) {
            pull(index);
            return result;
          }
          active--;
          continue;
        }
        if (active === 0) {
          await finish();
          return { done: true, value: undefined };
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    },
    async return() {
      await finish();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: returnThis,
  };
  return iterator;
};
