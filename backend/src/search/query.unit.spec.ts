import { describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/errors.js';
import { matchesText, parseSearchQuery, toHighlights } from './query.js';
import { toIndexTerms, toSequenceLexemes, toUnits } from './tokens.js';
import { toTsquery, toTsvector } from './postgresSearchIndex.js';

const terms = (text: string) => toUnits(text).map((unit) => unit.term);
const words = (sequence: { term: string }[]) => sequence.map((unit) => unit.term).join(' ');

describe('tokens', () => {
  it('folds case and accents, stems English, and keeps digits', () => {
    expect(terms('Running CAFÉ naïve 2026 ＡＢＣ')).toEqual(['run', 'cafe', 'naiv', '2026', 'abc']);
  });

  it('cuts Chinese and Japanese into characters, and indexes neighbouring pairs too', () => {
    const units = toUnits('東京都に行く');
    expect(units.map((unit) => unit.term)).toEqual(['東', '京', '都', 'に', '行', 'く']);
    expect(units.every((unit) => unit.cjk)).toBe(true);
    const indexed = toIndexTerms(units);
    expect(indexed.get('東京')).toEqual([1]);
    expect(indexed.get('京都')).toEqual([2]);
    expect(indexed.get('東')).toEqual([1]);
  });

  it('keeps Latin words apart from CJK written against them', () => {
    expect(terms('hello東京world')).toEqual(['hello', '東', '京', 'world']);
  });

  it('gives ranges in UTF-16 code units, past emoji and surrogate pairs', () => {
    const body = '🎉 party 𝔘nicode';
    const units = toUnits(body);
    expect(units.map((unit) => body.slice(unit.start, unit.start + unit.length))).toEqual(['party', '𝔘nicode']);
  });

  it('finds a CJK word of any length by its pairs, and a lone character by itself', () => {
    expect(toSequenceLexemes(toUnits('東京都')).map((lexeme) => [lexeme.term, lexeme.offset])).toEqual([
      ['東京', 0],
      ['京都', 1],
    ]);
    expect(toSequenceLexemes(toUnits('東')).map((lexeme) => lexeme.term)).toEqual(['東']);
    expect(toSequenceLexemes(toUnits('東京 tower')).map((lexeme) => [lexeme.term, lexeme.offset])).toEqual([
      ['東京', 0],
      ['tower', 2],
    ]);
  });
});

describe('parseSearchQuery', () => {
  it('reads words, phrases, exclusions and filters', () => {
    const query = parseSearchQuery(
      'deploy "release notes" -friday -"on call" from:@Alice in:"design team" before:2026-12-01 after:2026-11-01',
    );
    expect(query.include.map(words)).toEqual(['deploi', 'releas note']);
    expect(query.exclude.map(words)).toEqual(['fridai', 'on call']);
    expect(query.from).toBe('Alice');
    expect(query.in).toBe('design team');
    expect(query.before).toBe(Date.UTC(2026, 11, 1));
    expect(query.notBefore).toBe(Date.UTC(2026, 10, 2));
  });

  it('takes instants with a zone', () => {
    expect(parseSearchQuery('x after:2026-12-01T10:00:00Z').notBefore).toBe(Date.UTC(2026, 11, 1, 10) + 1);
    expect(parseSearchQuery('x before:2026-12-01T10:00:00+01:00').before).toBe(Date.UTC(2026, 11, 1, 9));
  });

  it('runs an unclosed quote to the end, and reads an unknown operator as words', () => {
    expect(parseSearchQuery('"half open phrase').include.map(words)).toEqual(['half open phrase']);
    expect(parseSearchQuery('foo:bar').include.map(words)).toEqual(['foo bar']);
  });

  it('allows a filter alone', () => {
    expect(parseSearchQuery('from:bob').include).toEqual([]);
    expect(parseSearchQuery('in:general -spam').exclude.map(words)).toEqual(['spam']);
  });

  it.each([
    ['', 'at least one word'],
    ['   \t ', 'at least one word'],
    ['-only -exclusions', 'at least one word'],
    ['before:2026-12-01', 'at least one word'],
    ['"!!!" ...', 'at least one word'],
    ['x before:2026-13-01', 'before:'],
    ['x after:2026-02-30', 'after:'],
    ['x before:yesterday', 'before:'],
    ['x from:', 'from: needs a value'],
    ['x from:@', 'from: needs a handle'],
    ['x from:a from:b', 'once'],
    ['x before:2026-01-01 before:2026-01-02', 'once'],
    [Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' '), 'longer than'],
    [Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '), 'more than 32 words'],
    ['x\u0000y', 'cannot be searched'],
    ['x\uD800', 'cannot be searched'],
  ])('refuses %j', (text, message) => {
    expect(() => parseSearchQuery(text)).toThrow(ValidationError);
    expect(() => parseSearchQuery(text)).toThrow(message);
  });
});

describe('matching and highlights', () => {
  it('needs every word, a phrase in order, and no exclusion', () => {
    const units = 'The release notes are out on Friday';
    expect(matchesText(parseSearchQuery('notes release'), units)).toBe(true);
    expect(matchesText(parseSearchQuery('"release notes"'), units)).toBe(true);
    expect(matchesText(parseSearchQuery('"notes release"'), units)).toBe(false);
    expect(matchesText(parseSearchQuery('release -friday'), units)).toBe(false);
    expect(matchesText(parseSearchQuery('release -"on call"'), units)).toBe(true);
  });

  it('highlights each match in the body as it is written, merging overlaps', () => {
    const body = 'Running late? I RUN every day; runs are fun.';
    const ranges = toHighlights(parseSearchQuery('run'), body);
    expect(ranges.map((range) => body.slice(range.start, range.start + range.length))).toEqual(['Running', 'RUN', 'runs']);
    const phrase = toHighlights(parseSearchQuery('"every day" day'), body);
    expect(phrase.map((range) => body.slice(range.start, range.start + range.length))).toEqual(['every day']);
  });

  it('highlights CJK words within a run of characters', () => {
    const body = '明日は東京都庁へ';
    const [range] = toHighlights(parseSearchQuery('東京'), body);
    expect(body.slice(range!.start, range!.start + range!.length)).toBe('東京');
  });
});

describe('PostgreSQL input', () => {
  it('writes a tsvector with positions and quotes every lexeme', () => {
    expect(toTsvector('run ran run')).toBe("'run':1,3 'ran':2");
  });

  it('writes phrases with the distance between their lexemes, and exclusions', () => {
    expect(toTsquery(parseSearchQuery('"release notes" 東京都 -friday'))).toBe("('releas' <1> 'note') & ('東京' <1> '京都') & !('fridai')");
  });
});
