import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../../backend/src/search/query.js';
import { addFilter, hasFilter, removeFilter, toFilterToken, toFilters } from './queryFilters.js';

const chips = (query: string) => toFilters(query).map((f) => `${f.kind}=${f.value}`);

describe('search filters as chips', () => {
  it('finds from: and in: filters, with quoted room names and an "@" before a handle', () => {
    expect(chips('launch from:alice in:design')).toEqual(['from=alice', 'in=design']);
    expect(chips('in:"room name" plans')).toEqual(['in=room name']);
    expect(chips('from:@bob')).toEqual(['from=bob']);
    expect(chips('FROM:Carol In:General')).toEqual(['from=Carol', 'in=General']);
    // A quote left open runs to the end, as the server reads it.
    expect(chips('in:"design team')).toEqual(['in=design team']);
    // A word stops at a quote: what follows is a phrase.
    expect(chips('from:alice"launch day"')).toEqual(['from=alice']);
    expect(toFilters('from:alice"launch day"')[0]!.end).toBe('from:alice'.length);
  });

  it('leaves out exclusions, empty filters, and filter words inside a phrase', () => {
    expect(chips('-from:alice -in:random -"in:x"')).toEqual([]);
    expect(chips('from: in:"" in:')).toEqual([]);
    expect(chips('"meet from:alice" words')).toEqual([]);
    expect(chips('before:2026-12-01 after:2026-11-01 hello')).toEqual([]);
    expect(chips('')).toEqual([]);
  });

  it('knows where each filter is, so removing one edits just its token', () => {
    const query = 'ship  from:alice   in:"big room" it';
    const [from, room] = toFilters(query);
    expect(query.slice(from!.start, from!.end)).toBe('from:alice');
    expect(query.slice(room!.start, room!.end)).toBe('in:"big room"');
    expect(removeFilter(query, from!)).toBe('ship in:"big room" it');
    expect(removeFilter(query, room!)).toBe('ship  from:alice it');
    expect(removeFilter('from:alice', toFilters('from:alice')[0]!)).toBe('');
    expect(removeFilter('from:alice launch', toFilters('from:alice launch')[0]!)).toBe('launch');
    expect(removeFilter('launch in:design', toFilters('launch in:design')[0]!)).toBe('launch');
  });

  it('adds a filter at the end, quoting a room name with spaces, once', () => {
    expect(addFilter('launch', 'from', 'alice')).toBe('launch from:alice');
    expect(addFilter('  launch  ', 'in', 'room name')).toBe('launch in:"room name"');
    expect(addFilter('', 'from', '@bob')).toBe('from:bob');
    expect(addFilter('launch from:Alice', 'from', 'alice')).toBe('launch from:Alice');
    expect(addFilter('launch in:"Design"', 'in', 'design')).toBe('launch in:"Design"');
    // The server takes each filter once: a new one of a kind takes the old one's place.
    expect(addFilter('launch from:alice soon', 'from', 'bob')).toBe('launch from:bob soon');
    expect(addFilter('in:"design team" launch', 'in', 'general')).toBe('in:general launch');
    // A name no token can say (a double quote in it) is not added.
    expect(addFilter('launch', 'in', 'the "best" room')).toBe('launch');
    expect(toFilterToken('in', 'the "best" room')).toBeNull();
    expect(toFilterToken('from', '  ')).toBeNull();
  });

  it('reads back what it adds', () => {
    for (const [kind, value] of [
      ['from', 'alice'],
      ['in', 'design'],
      ['in', 'room with spaces'],
      ['in', 'café ☕'],
    ] as const) {
      const query = addFilter('word', kind, value);
      expect(hasFilter(query, kind, value)).toBe(true);
      expect(toFilters(query)).toEqual([expect.objectContaining({ kind, value })]);
      expect(removeFilter(query, toFilters(query)[0]!)).toBe('word');
    }
  });

  it('reads from: and in: as the server’s parser does, whatever the quotes, dashes and spaces', () => {
    const piece = fc.constantFrom(
      'from:',
      'in:',
      'FROM:',
      'from:@',
      '-',
      '"',
      ' ',
      '  ',
      'alice',
      'bob',
      'design team',
      'x',
      ':',
      '@',
      'before:2026-12-01',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const query = pieces.join('');
        let parsed: ReturnType<typeof parseSearchQuery>;
        try {
          parsed = parseSearchQuery(query);
        } catch {
          return; // a query the server refuses has no results, hence no chips to agree on
        }
        const filters = toFilters(query);
        // The server takes a bare "from:@" as an empty handle (which finds nothing); no chip for it.
        expect(filters.find((f) => f.kind === 'from')?.value ?? null).toBe(parsed.from || null);
        expect(filters.find((f) => f.kind === 'in')?.value ?? null).toBe(parsed.in);
      }),
      { numRuns: 2000 },
    );
  });
});
