import { describe, expect, it } from 'vitest';
import { mergeMapped } from './mergeMapped.js';
import { type PushableIterator, type Sink, pushTo, returnThis } from './push.js';

/** A source driven by the test: what it pushes, when it fails or ends; records `return()`. */
const controlledSource = (values: number[]) => {
  let sink: Sink<number> | null = null;
  const source = {
    returned: 0,
    sink: () => sink!,
    iterator: {
      [pushTo](to: Sink<number>) {
        sink = to;
        for (const value of values) to.next(value);
      },
      async next() {
        const value = values.shift();
        return value === undefined ? { done: true as const, value: undefined } : { done: false as const, value };
      },
      async return() {
        source.returned++;
        sink?.complete();
        sink = null;
        return { done: true as const, value: undefined };
      },
      [Symbol.asyncIterator]: returnThis,
    } as PushableIterator<number>,
  };
  return source;
};

const recordingSink = () => {
  const seen: { values: string[]; ends: string[] } = { values: [], ends: [] };
  const sink: Sink<string> = {
    next: (value) => seen.values.push(value),
    error: (error) => seen.ends.push(`error: ${(error as Error).message}`),
    complete: () => seen.ends.push('complete'),
  };
  return { seen, sink };
};

describe('mergeMapped', () => {
  it('pushes both sources mapped as they come, and ends once with cleanup once when returned', async () => {
    const a = controlledSource([1, 2]);
    const b = controlledSource([10]);
    let cleanups = 0;
    const merged = mergeMapped([a.iterator, b.iterator], (n) => `#${n}`, { onEnd: () => void cleanups++ });
    const { seen, sink } = recordingSink();
    merged[pushTo](sink);
    a.sink().next(3);
    b.sink().next(11);
    expect(seen.values).toEqual(['#1', '#2', '#10', '#3', '#11']);

    await merged.return?.();
    await merged.return?.();
    expect(seen.ends).toEqual(['complete']);
    expect(cleanups).toBe(1);
    expect(a.returned).toBeGreaterThan(0);
    expect(b.returned).toBeGreaterThan(0);
  });

  it('ends with the first failure, returns the other source, and pushes nothing after', async () => {
    const a = controlledSource([]);
    const b = controlledSource([]);
    let cleanups = 0;
    const merged = mergeMapped([a.iterator, b.iterator], (n) => `#${n}`, { onEnd: () => void cleanups++ });
    const { seen, sink } = recordingSink();
    merged[pushTo](sink);
    const bSink = b.sink();
    a.sink().error(new Error('store unavailable'));
    await new Promise((resolve) => setImmediate(resolve));
    bSink.next(1);
    expect(seen).toEqual({ values: [], ends: ['error: store unavailable'] });
    expect(b.returned).toBe(1);
    expect(cleanups).toBe(1);
  });

  it('reads with next() through merge and map, cleaning up once at the end', async () => {
    const a = controlledSource([1, 2]);
    const b = controlledSource([3]);
    let cleanups = 0;
    const merged = mergeMapped([a.iterator, b.iterator], (n) => `#${n}`, { onEnd: () => void cleanups++ });
    const values: string[] = [];
    for await (const value of merged) values.push(value);
    expect(values.sort()).toEqual(['#1', '#2', '#3']);
    expect(cleanups).toBe(1);
  });
});
