import type { Cursor } from '../eventstore/eventStore.js';
import type { Sequence } from './query.js';

/**
 * A message as the search index keeps it. `position` is its post's place in the logs, as a string
 * that sorts like time (see `toPosition`): results are ordered by it, newest first.
 */
export interface IndexedMessage {
  id: string;
  roomId: string;
  authorId: string;
  body: string;
  position: string;
  /** Its room is PUBLIC (readable by anyone signed in); otherwise only its members read it. */
  public: boolean;
}

export type IndexChange =
  | { type: 'put'; message: IndexedMessage }
  | { type: 'edit'; id: string; body: string }
  | { type: 'delete'; id: string };

/** One room's changes, in log order, from the room's position `from` (null: its start) to `to`. */
export interface RoomBatch {
  roomId: string;
  from: Cursor | null;
  to: Cursor;
  changes: IndexChange[];
}

/** What a search asks of the index. Positions bound the results: `below` excludes, `notBelow` includes. */
export interface IndexQuery {
  include: Sequence[];
  exclude: Sequence[];
  /** Which rooms: the public ones and these (the viewer's own), or, when `only` is set, those of `only` among them. */
  readable: { rooms: readonly string[] };
  only: readonly string[] | null;
  authorId: string | null;
  below: string | null;
  notBelow: string | null;
  limit: number;
}

/**
 * The search index port: a read model of every room's messages, kept by the search projector
 * (`searchProjector.ts`) off the write path, with each room's position in its log. Two engines
 * pass one contract suite (`searchIndex.contract.ts`): PostgreSQL (`DATABASE_URL`), shared by every
 * instance, and memory (the embedded default, one per process).
 */
export interface SearchIndex {
  readonly engine: 'postgres' | 'memory';
  /**
   * Whether this process should keep the index now: always for memory; for PostgreSQL, while it
   * holds the projector's lease (one instance at a time; the others stand by).
   */
  lead(): Promise<boolean>;
  /** Each room's position: the last event of its log the index holds (absent: none). */
  positions(roomIds: readonly string[]): Promise<Map<string, Cursor>>;
  /**
   * Applies some rooms' batches at once, each only if its room is still at the batch's `from`
   * (else nothing at all is applied: `moved`, and the caller reads the positions again). Atomic:
   * all batches and their positions, or nothing.
   */
  apply(batches: readonly RoomBatch[]): Promise<'applied' | 'moved'>;
  /** Matching messages' ids and positions, newest first, at most `limit`. */
  search(query: IndexQuery): Promise<{ id: string; roomId: string; position: string }[]>;
  /** Resolves when the engine answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const pad = (n: string) => n.padStart(16, '0');

/** A post's place in the logs: its cursor's time and sequence, zero-padded, then its id (ties between rooms). */
export const toPosition = (cursor: Cursor, messageId: string) => {
  const dash = cursor.indexOf('-');
  return `${pad(cursor.slice(0, dash))}-${pad(cursor.slice(dash + 1))}|${messageId}`;
};

/** The position bound for a time: every post at `ms` or later is at or above it. */
export const toTimeBound = (ms: number) => pad(String(Math.max(0, Math.floor(ms))));

/** Whether a position is a well-formed one (cursors from clients carry one). */
export const isPosition = (value: string) => /^\d{16}-\d{16}\|[A-Za-z0-9_.-]{1,64}$/u.test(value);
