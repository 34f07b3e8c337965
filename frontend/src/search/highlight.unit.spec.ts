import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toExcerpt, toHighlightSegments, toMarkedSpans } from './highlight.js';

const marked = (text: string, ranges: { start: number; length: number }[]) =>
  toHighlightSegments(text, ranges)
    .map((s) => (s.marked ? `[${s.text}]` : s.text))
    .join('');

describe('search highlights', () => {
  it('splits a body into plain and marked segments at the ranges', () => {
    expect(toHighlightSegments('the red balloon', [{ start: 4, length: 3 }])).toEqual([
      { text: 'the ', marked: false },
      { text: 'red', marked: true },
      { text: ' balloon', marked: false },
    ]);
    expect(
      marked('red and red', [
        { start: 8, length: 3 },
        { start: 0, length: 3 },
      ]),
    ).toBe('[red] and [red]');
    expect(marked('whole', [{ start: 0, length: 5 }])).toBe('[whole]');
    expect(toHighlightSegments('', [])).toEqual([]);
    expect(toHighlightSegments('no match', [])).toEqual([{ text: 'no match', marked: false }]);
  });

  it('merges overlapping and touching ranges, in any order', () => {
    expect(
      marked('balloons fly', [
        { start: 2, length: 4 },
        { start: 0, length: 3 },
      ]),
    ).toBe('[balloo]ns fly');
    expect(
      marked('balloons fly', [
        { start: 0, length: 8 },
        { start: 2, length: 2 },
      ]),
    ).toBe('[balloons] fly');
    expect(
      marked('abcdef', [
        { start: 3, length: 3 },
        { start: 0, length: 3 },
      ]),
    ).toBe('[abcdef]');
    expect(
      toMarkedSpans('abcdef', [
        { start: 1, length: 1 },
        { start: 1, length: 1 },
      ]),
    ).toEqual([[1, 2]]);
  });

  it('cuts ranges at the end of the body and drops empty, negative and odd ones', () => {
    expect(marked('short', [{ start: 3, length: 50 }])).toBe('sho[rt]');
    expect(marked('short', [{ start: -2, length: 4 }])).toBe('[sh]ort');
    expect(marked('short', [{ start: 9, length: 2 }])).toBe('short');
    expect(marked('short', [{ start: 1, length: 0 }])).toBe('short');
    expect(marked('short', [{ start: 1, length: -3 }])).toBe('short');
    expect(marked('short', [{ start: 1.5, length: 2 }])).toBe('short');
    expect(marked('short', [{ start: Number.NaN, length: 2 }])).toBe('short');
    // A body edited since it was indexed: the stale range is cut, never thrown on.
    expect(marked('', [{ start: 0, length: 4 }])).toBe('');
  });

  it('never splits a surrogate pair: a range that ends or starts inside one takes the whole character', () => {
    // "🎈" is two UTF-16 code units (0xD83C 0xDF88).
    const body = 'a🎈b';
    expect(marked(body, [{ start: 1, length: 1 }])).toBe('a[🎈]b');
    expect(marked(body, [{ start: 2, length: 1 }])).toBe('a[🎈]b');
    expect(marked(body, [{ start: 2, length: 2 }])).toBe('a[🎈b]');
    expect(marked('🎈🎈', [{ start: 1, length: 2 }])).toBe('[🎈🎈]');
    expect(marked('café 🎈 party', [{ start: 8, length: 5 }])).toBe('café 🎈 [party]');
  });

  it('joins back to the body and leaves no lone surrogate, whatever the ranges', () => {
    const lone = /(?:[\uD800-\uDBFF](?![\uDC00-\uDFFF]))|(?:(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/;
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.array(fc.record({ start: fc.integer({ min: -5, max: 70 }), length: fc.integer({ min: -2, max: 70 }) }), { maxLength: 6 }),
        (body, ranges) => {
          const segments = toHighlightSegments(body, ranges);
          expect(segments.map((s) => s.text).join('')).toBe(body);
          for (const segment of segments) {
            expect(segment.text).not.toBe('');
            expect(lone.test(segment.text)).toBe(false);
          }
          // Marked and plain alternate: merged ranges leave no two marked segments side by side.
          for (let i = 1; i < segments.length; i++) expect(segments[i]!.marked && segments[i - 1]!.marked).toBe(false);
        },
      ),
    );
  });

  it('shows a long body around its first match, with ellipses where it was cut', () => {
    const body = `${'word '.repeat(100)}needle ${'tail '.repeat(100)}`;
    const start = body.indexOf('needle');
    const excerpt = toExcerpt(body, [{ start, length: 6 }], 120, 30);
    expect(excerpt.clippedStart).toBe(true);
    expect(excerpt.clippedEnd).toBe(true);
    const text = excerpt.segments.map((s) => s.text).join('');
    expect(text.length).toBeLessThanOrEqual(120);
    expect(text.startsWith('word ')).toBe(true); // started at a word
    expect(excerpt.segments.filter((s) => s.marked).map((s) => s.text)).toEqual(['needle']);
  });

  it('keeps a short body whole, and a match near the end of a long one in view', () => {
    expect(toExcerpt('hi there', [{ start: 3, length: 5 }])).toEqual({
      segments: [
        { text: 'hi ', marked: false },
        { text: 'there', marked: true },
      ],
      clippedStart: false,
      clippedEnd: false,
    });
    const body = `${'x'.repeat(500)} end`;
    const excerpt = toExcerpt(body, [{ start: 501, length: 3 }], 100, 20);
    expect(excerpt.clippedEnd).toBe(false);
    expect(excerpt.segments.at(-1)).toEqual({ text: 'end', marked: true });
    // No match at all: the start of the body.
    expect(toExcerpt(body, [], 100).clippedStart).toBe(false);
  });

  it('cuts a long body of emoji between characters, never inside one', () => {
    const body = '🎈'.repeat(300);
    const excerpt = toExcerpt(body, [{ start: 301, length: 2 }], 101, 11);
    const text = excerpt.segments.map((s) => s.text).join('');
    expect(text.length % 2).toBe(0);
    expect([...text].every((c) => c === '🎈')).toBe(true);
  });
});
