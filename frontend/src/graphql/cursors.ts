/**
 * Cursors of the server's logs (a room's, the lobby's) are Redis stream ids, `<ms>-<seq>`; the
 * server hands them out and takes them back as they are. The UI compares them only to tell which of
 * two events came first.
 */

const CURSOR = /^(\d+)-(\d+)$/;

/** Log order of two cursors: numeric, so "1-10" comes after "1-9". */
export const compareCursors = (a: string, b: string): number => {
  const x = CURSOR.exec(a);
  const y = CURSOR.exec(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  const ms = BigInt(x[1]!) - BigInt(y[1]!);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(x[2]!) - BigInt(y[2]!);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
};

/**
 * The smallest cursor after `cursor`: `before` is exclusive, so `before: toNextCursor(c)` pages from
 * the event at `c` itself backwards. Any well-formed cursor is a valid position, logged or not.
 */
export const toNextCursor = (cursor: string): string => {
  const match = CURSOR.exec(cursor);
  if (!match) return cursor;
  return `${match[1]}-${BigInt(match[2]!) + 1n}`;
};
