import { describe, expect, it } from 'vitest';
import { compareCursors, toNextCursor } from './cursors.js';

describe('cursors', () => {
  it('compare numerically, milliseconds then sequence', () => {
    expect(compareCursors('1-9', '1-10')).toBe(-1);
    expect(compareCursors('10-0', '9-99')).toBe(1);
    expect(compareCursors('1732600000000-0', '1732600000000-0')).toBe(0);
    expect(['5-10', '5-9', '12-0', '5-0'].sort(compareCursors)).toEqual(['5-0', '5-9', '5-10', '12-0']);
  });

  it('name the position just after one, so an exclusive `before` includes it', () => {
    expect(toNextCursor('1732600000000-0')).toBe('1732600000000-1');
    expect(toNextCursor('5-18446744073709551615')).toBe('5-18446744073709551616');
    expect(compareCursors(toNextCursor('5-9'), '5-9')).toBe(1);
    expect(compareCursors(toNextCursor('5-9'), '5-10')).toBe(0);
  });
});
