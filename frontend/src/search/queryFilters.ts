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

interface Token {
  text: string;
  start: number;
  end: number;
}

/**
 * The query's tokens as the server splits them: runs of non-space, where a double quote starts a
 * phrase that runs to the next quote (spaces included) or to the end.
 */
const tokenize = (query: string): Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    while (i < query.length && /\s/.test(query[i]!)) i++;
    if (i >= query.length) break;
    const start = i;
    while (i < query.length && !/\s/.test(query[i]!)) {
      if (query[i] === '"') {
        const close = query.indexOf('"', i + 1);
        i = close < 0 ? query.length : close + 1;
      } else i++;
    }
    tokens.push({ text: query.slice(start, i), start, end: i });
  }
  return tokens;
};

const FILTER = /^(from|in):(.+)$/i;

/** The `from:` and `in:` filters in the query, in order (an excluded one, `-from:x`, is not a filter). */
export const toFilters = (query: string): QueryFilter[] => {
  const filters: QueryFilter[] = [];
  for (const token of tokenize(query)) {
    const match = FILTER.exec(token.text);
    if (!match) continue;
    const kind = match[1]!.toLowerCase() as FilterKind;
    let value = match[2]!;
    if (value.startsWith('"')) value = value.slice(1, value.endsWith('"') && value.length > 1 ? -1 : undefined);
    if (kind === 'from') value = value.replace(/^@/, '');
    value = value.trim();
    if (value === '') continue;
    filters.push({ kind, value, start: token.start, end: token.end });
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

/** The query with the filter added at its end; the same query when it has it already or cannot say it. */
export const addFilter = (query: string, kind: FilterKind, value: string): string => {
  const token = toFilterToken(kind, value);
  if (token === null || hasFilter(query, kind, value)) return query;
  const rest = query.trim();
  return rest ? `${rest} ${token}` : token;
};
