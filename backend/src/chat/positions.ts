import { ValidationError } from '../domain/errors.js';
import { type Cursor, type EventStore, compareCursors, toPreviousCursor } from '../eventstore/eventStore.js';

/**
 * Whether `cursor` is a position of this log: an event's cursor in it (or "0-0", its start). A
 * cursor beyond the log's end, or another log's, would have a subscriber or a marker silently skip
 * events. One trimmed away counts as a position (the subscription answers CURSOR_EXPIRED for it).
 */
export const isPositionOf = async (store: EventStore, stream: string, cursor: Cursor): Promise<boolean> => {
  if (cursor === '0-0') return true;
  const [event] = await store.readForward(stream, { after: toPreviousCursor(cursor), count: 1 });
  if (event?.cursor === cursor) return true;
  const { maxDeletedCursor } = await store.streamInfo(stream);
  return maxDeletedCursor !== null && compareCursors(cursor, maxDeletedCursor) <= 0;
};

/** `cursor`, if a position of this log (see `isPositionOf`); else BAD_USER_INPUT naming the argument. */
export const requirePositionOf = async (store: EventStore, stream: string, cursor: Cursor, argument: string, what: string) => {
  if (!(await isPositionOf(store, stream, cursor))) throw new ValidationError(`${argument} is not a position in ${what}`, argument);
  return cursor;
};
