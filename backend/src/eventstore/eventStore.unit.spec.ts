import { describe, expect, it } from 'vitest';
import { compareCursors, isCursor } from './eventStore.js';

describe('cursors', () => {
  it('compare numerically, ms first, then seq', () => {
    expect(compareCursors('1-10', '1-9')).toBe(1);
    expect(compareCursors('1-9', '1-10')).toBe(-1);
    expect(compareCursors('10-0', '9-99')).toBe(1);
    expect(compareCursors('1700000000000-3', '1700000000000-3')).toBe(0);
    expect(compareCursors('1700000000001-0', '1700000000000-18446744073709551615')).toBe(1);
    expect(compareCursors('0-0', '0-1')).toBe(-1);
  });

  it('agree with BigInt order on random pairs', () => {
    const random = () => `${Math.floor(Math.random() * 3) * 10 ** Math.floor(Math.random() * 13)}-${Math.floor(Math.random() * 12)}`;
    for (let i = 0; i < 2000; i++) {
      const [a, b] = [random(), random()];
      const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
      const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
      const expected = am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
      expect(compareCursors(a, b)).toBe(expected);
    }
  });

  it('accept only the store format, without leading zeros', () => {
    for (const ok of ['0-0', '1-0', '1700000000000-12']) expect(isCursor(ok)).toBe(true);
    for (const bad of ['', '-', '+', '$', '1', '1-', '-1', '01-0', '1-01', 'a-b', '1-0 ', '1.5-0', '12345678901234567-0'])
      expect(isCursor(bad)).toBe(false);
  });
});
