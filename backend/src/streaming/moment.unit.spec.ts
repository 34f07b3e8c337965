import { describe, expect, it } from 'vitest';
import { sharedPerMoment, sharedPerMomentOf } from './moment.js';

describe('sharedPerMoment', () => {
  it('makes one read for the callers of one moment, after all of them asked, and reads again in the next', async () => {
    const asked: string[] = [];
    let value = 1;
    const read = sharedPerMoment(async (key: string) => {
      asked.push(key);
      return `${key}${value}`;
    });
    const first = [read('a'), read('a'), read('b')];
    // Changed after the callers asked, before the moment ended: every one of them sees it.
    value = 2;
    await Promise.resolve();
    const late = read('a');
    expect(await Promise.all([...first, late])).toEqual(['a2', 'a2', 'b2', 'a2']);
    expect(asked).toEqual(['a', 'b']);
    value = 3;
    expect(await read('a')).toBe('a3');
    expect(asked).toEqual(['a', 'b', 'a']);
  });

  it("rejects every caller of a read that fails, and the next moment's callers read again", async () => {
    let fail = true;
    const read = sharedPerMoment(async (key: string) => {
      if (fail) throw new Error('down');
      return key;
    });
    const results = await Promise.allSettled([read('a'), read('a')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await read('a')).toBe('a');
  });

  it('keeps the reads of different owners apart', async () => {
    const read = sharedPerMomentOf(async (owner: { name: string }, key: string) => `${owner.name}:${key}`);
    expect(await Promise.all([read({ name: 'x' }, 'k'), read({ name: 'y' }, 'k')])).toEqual(['x:k', 'y:k']);
  });
});
