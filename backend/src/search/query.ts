import { ValidationError } from '../domain/errors.js';
import { hasControlCharactersOtherThanNewlineAndTab, hasLoneSurrogates } from '../domain/text.js';
import { type Unit, toUnits } from './tokens.js';

/** A word or a phrase of the query, as units to find one after another. */
export type Sequence = Pick<Unit, 'term' | 'cjk'>[];

/**
 * A parsed search query (pure): what a message must contain, must not contain, and the filters.
 * Times are milliseconds: `before` excludes, `notBefore` includes.
 */
export interface SearchQuery {
  include: Sequence[];
  exclude: Sequence[];
  from: string | null;
  in: string | null;
  before: number | null;
  notBefore: number | null;
}

export const QUERY_MAX_LENGTH = 500;
export const QUERY_MAX_TERMS = 32;
const DAY_MS = 86_400_000;
const OPERATOR = /^(from|in|before|after):(.*)$/isu;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/u;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/u;

const invalid = (message: string) => new ValidationError(message, 'query');

/** A day (UTC) as its first millisecond, or an instant; null when it is neither. */
const parseTime = (text: string): { ms: number; day: boolean } | null => {
  const date = DATE.exec(text);
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    return new Date(ms).toISOString().slice(0, 10) === text ? { ms, day: true } : null;
  }
  if (!INSTANT.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : { ms, day: false };
};

/** Reads `"…"` from `at` (an opening quote): the text inside and where it ends; an unclosed quote runs to the end. */
const readQuoted = (text: string, at: number) => {
  const close = text.indexOf('"', at + 1);
  return close < 0 ? { inner: text.slice(at + 1), end: text.length } : { inner: text.slice(at + 1, close), end: close + 1 };
};

/**
 * Parses a search box's query: words (all must match), `"exact phrases"`, `-excluded` words and
 * phrases, `from:handle`, `in:room` or `in:"room name"`, `before:` and `after:` a day
 * (`2026-12-01`, UTC) or an instant (ISO 8601 with a zone). `before:` a day excludes it, and so
 * does `after:` (after:2026-12-01 starts on the 2nd). An unclosed quote runs to the end.
 * `ValidationError` for an empty query, one of only exclusions or times, a date that does not
 * parse, an operator given twice, or a query over the limits.
 */
export const parseSearchQuery = (text: string): SearchQuery => {
  if (hasLoneSurrogates(text) || hasControlCharactersOtherThanNewlineAndTab(text))
    throw invalid('The query has characters that cannot be searched');
  if ([...text].length > QUERY_MAX_LENGTH) throw invalid(`The query is longer than ${QUERY_MAX_LENGTH} characters`);
  const query: SearchQuery = { include: [], exclude: [], from: null, in: null, before: null, notBefore: null };
  let at = 0;
  while (at < text.length) {
    while (at < text.length && /\s/u.test(text[at]!)) at++;
    if (at >= text.length) break;
    const negated = text[at] === '-' && at + 1 < text.length && !/\s/u.test(text[at + 1]!);
    if (negated) at++;
    let words: string;
    if (text[at] === '"') {
      const quoted = readQuoted(text, at);
      words = quoted.inner;
      at = quoted.end;
    } else {
      let end = at;
      while (end < text.length && !/\s/u.test(text[end]!) && text[end] !== '"') end++;
      words = text.slice(at, end);
      at = end;
      const operator = negated ? null : OPERATOR.exec(words);
      if (operator) {
        let value = operator[2]!;
        if (value === '' && text[at] === '"') {
          const quoted = readQuoted(text, at);
          value = quoted.inner;
          at = quoted.end;
        }
        applyOperator(query, operator[1]!.toLowerCase() as 'from' | 'in' | 'before' | 'after', value.trim());
        continue;
      }
    }
    const units = toUnits(words).map(({ term, cjk }) => ({ term, cjk }));
    if (units.length > 0) (negated ? query.exclude : query.include).push(units);
  }
  const terms = [...query.include, ...query.exclude].reduce((sum, sequence) => sum + sequence.length, 0);
  if (terms > QUERY_MAX_TERMS) throw invalid(`The query has more than ${QUERY_MAX_TERMS} words`);
  if (query.include.length === 0 && query.from === null && query.in === null) {
    throw invalid('Search for at least one word (or a from: or in: filter)');
  }
  return query;
};

const applyOperator = (query: SearchQuery, name: 'from' | 'in' | 'before' | 'after', value: string) => {
  if (value === '') throw invalid(`${name}: needs a value`);
  if (name === 'from' || name === 'in') {
    if (query[name] !== null) throw invalid(`${name}: may be given once`);
    const named = name === 'from' ? value.replace(/^@/u, '') : value;
    if (named === '') throw invalid('from: needs a handle');
    query[name] = named;
    return;
  }
  const time = parseTime(value);
  if (!time)
    throw invalid(`${name}: takes a day (2026-12-01) or an instant (2026-12-01T10:00:00Z), got ${JSON.stringify(value.slice(0, 40))}`);
  if (name === 'before') {
    if (query.before !== null) throw invalid('before: may be given once');
    query.before = time.ms;
  } else {
    if (query.notBefore !== null) throw invalid('after: may be given once');
    query.notBefore = time.day ? time.ms + DAY_MS : time.ms + 1;
  }
};

/** Where a sequence occurs in a text's terms (its units' terms, in order): the index of each occurrence's first. */
export const findSequence = (terms: readonly string[], sequence: Sequence): number[] => {
  const found: number[] = [];
  for (let i = 0; i + sequence.length <= terms.length; i++) {
    if (sequence.every((unit, k) => terms[i + k] === unit.term)) found.push(i);
  }
  return found;
};

/** Whether a text's terms (its units', in order) satisfy the query's words and phrases (the filters are checked elsewhere). */
export const matchesTerms = (query: Pick<SearchQuery, 'include' | 'exclude'>, terms: readonly string[]): boolean =>
  query.include.every((sequence) => findSequence(terms, sequence).length > 0) &&
  query.exclude.every((sequence) => findSequence(terms, sequence).length === 0);

/** Whether a text satisfies the query's words and phrases. */
export const matchesText = (query: Pick<SearchQuery, 'include' | 'exclude'>, text: string): boolean =>
  matchesTerms(
    query,
    toUnits(text).map((unit) => unit.term),
  );

/** The ranges of a body that matched the query's words and phrases, in order, overlaps merged. */
export const toHighlights = (query: Pick<SearchQuery, 'include'>, body: string): { start: number; length: number }[] => {
  const units = toUnits(body);
  const terms = units.map((unit) => unit.term);
  const ranges = query.include
    .flatMap((sequence) =>
      findSequence(terms, sequence).map((i) => {
        const last = units[i + sequence.length - 1]!;
        return { start: units[i]!.start, end: last.start + last.length };
      }),
    )
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: { start: number; end: number }[] = [];
  for (const range of ranges) {
    const previous = merged.at(-1);
    if (previous && range.start <= previous.end) previous.end = Math.max(previous.end, range.end);
    else merged.push({ ...range });
  }
  return merged.map((range) => ({ start: range.start, length: range.end - range.start }));
};
