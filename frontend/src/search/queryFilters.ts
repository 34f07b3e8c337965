/**
 * The `from:` and `in:` filters of a search query, as chips: found, removed and added by editing the
 * query string, which stays what the server parses. Pure.
 */

export type FilterKind = 'from' | 'in';

/** One filter the query holds: `from:alice`, `in:design`, `in:"room name"`. */
export interface QueryFilter {
  kind: FilterKind;
  /** What it names: a handle (without "@") or a room name (without quotes). */
  value: string;
  /** Where its token is in the query, `[start, end)`. */
  start: number;
  end: number;
}

const OPERATOR = /^(from|in|before|after):(.*)$/isu;
const isSpace = (c: string | undefined) => c !== undefined && /\s/u.test(c);

/** `"…"` from `at` (an opening quote): the text inside and where it ends; an unclosed quote runs to the end. */
const readQuoted = (text: string, at: number) => {
  const close = text.indexOf('"', at + 1);
  return close < 0 ? { inner: text.slice(at + 1), end: text.length } : { inner: text.slice(at + 1, close), end: close + 1 };
};

/**
 * The `from:` and `in:` filters in the query, in order, read as the server reads a query
 * (backend/src/search/query.ts): a phrase in quotes is never a filter, nor is an excluded token
 * (`-from:x`); a word stops at a quote, and `in:` right before one takes the quoted name.
 */
export const toFilters = (query: string): QueryFilter[] => {
  const filters: QueryFilter[] = [];
  let at = 0;
  while (at < query.length) {
    while (at < query.length && isSpace(query[at])) at++;
    if (at >= query.length) break;
    const start = at;
    const negated = query[at] === '-' && at + 1 < query.length && !isSpace(query[at + 1]);
    if (negated) at++;
    if (query[at] === '"') {
      at = readQuoted(query, at).end;
      continue;
    }
    let end = at;
    while (end < query.length && !isSpace(query[end]) && query[end] !== '"') end++;
    const operator = negated ? null : OPERATOR.exec(query.slice(at, end));
    at = end;
    if (!operator) continue;
    let value = operator[2]!;
    if (value === '' && query[at] === '"') {
      const quoted = readQuoted(query, at);
      value = quoted.inner;
      at = quoted.end;
    }
    const kind = operator[1]!.toLowerCase();
    if (kind !== 'from' && kind !== 'in') continue;
    value = value.trim();
    if (kind === 'from') value = value.replace(/^@/u, '');
    if (value !== '') filters.push({ kind, value, start, end: at });
  }
  return filters;
};

/** The query without that filter's token, spaces tidied where it was. */
export const removeFilter = (query: string, filter: Pick<QueryFilter, 'start' | 'end'>): string => {
  const before = query.slice(0, filter.start).trimEnd();
  const after = query.slice(filter.end).trimStart();
  return before && after ? `${before} ${after}` : `${before}${after}`.trim();
};

/** The filter's token: `from:alice`, `in:design`, `in:"room name"`; null for a value no token can say (one with a double quote). */
export const toFilterToken = (kind: FilterKind, value: string): string | null => {
  const plain = kind === 'from' ? value.trim().replace(/^@/, '') : value.trim();
  if (plain === '' || plain.includes('"')) return null;
  return /\s/.test(plain) ? `${kind}:"${plain}"` : `${kind}:${plain}`;
};

/** Whether the query already has this filter (handles and room names compare case-insensitively). */
export const hasFilter = (query: string, kind: FilterKind, value: string): boolean => {
  const wanted = (kind === 'from' ? value.replace(/^@/, '') : value).trim().toLowerCase();
  return toFilters(query).some((f) => f.kind === kind && f.value.toLowerCase() === wanted);
};

/**
 * The query with the filter: in place of one of its kind (the server takes each once), else at the
 * end; the same query when it has it already or no token can say it.
 */
export const addFilter = (query: string, kind: FilterKind, value: string): string => {
  const token = toFilterToken(kind, value);
  if (token === null || hasFilter(query, kind, value)) return query;
  const same = toFilters(query).find((f) => f.kind === kind);
  if (same) return `${query.slice(0, same.start)}${token}${query.slice(same.end)}`.trim();
  const rest = query.trim();
  return rest ? `${rest} ${token}` : token;
};
