/**
 * The event store boundary. Two implementations (Redis Streams and in-memory) pass the same
 * contract suite (`eventStore.contract.ts`); nothing outside `eventstore/` knows which one runs.
 *
 * Storage model: a stream is an append-only log whose entry ids (`<ms>-<seq>`) are the cursors.
 * Several aggregates share one stream (every message of a room lives in the room's log), so
 * optimistic concurrency is per aggregate: each aggregate has a snapshot (its folded state plus a
 * revision) that the append writes atomically with the events, and an append names the revision
 * it decided on. Snapshots are inline read models: they only ever hold what `evolve` folded from
 * the events appended with them, so they can be rebuilt from the log.
 */

import type { Mark } from './marks.js';
import type { TallyChange } from './tallies.js';

/** A position in one stream: the store's entry id `<ms>-<seq>`. Compare with `compareCursors`. */
export type Cursor = string;

export interface EventMeta {
  actorId?: string;
  clientId?: string;
  correlationId?: string;
}

export interface NewEvent {
  type: string;
  data: unknown;
  meta: EventMeta;
  /** Schema version of `data`; old versions are upcast when read, never rewritten. */
  v: number;
}

export interface RecordedEvent extends NewEvent {
  cursor: Cursor;
  stream: string;
}

/** Where an aggregate's snapshot lives: one field of one hash. */
export interface SnapshotRef {
  key: string;
  field: string;
}

export interface Snapshot<S = unknown> {
  /** Number of appends that changed this snapshot; 1 after the first. */
  rev: number;
  state: S;
}

export interface AppendRequest {
  stream: string;
  /** May be empty only together with `snapshot` (a state change that logs nothing is refused). */
  events: NewEvent[];
  /**
   * Compare-and-set of the aggregate's snapshot: the append happens only if the stored revision is
   * `expectedRev` (`null`: no snapshot yet); then `state` is stored with revision `expectedRev + 1`.
   */
  snapshot?: { ref: SnapshotRef; expectedRev: number | null; state: unknown };
  /**
   * Makes the append idempotent: if `key` exists, nothing is appended and its stored value is
   * returned as `duplicate`; otherwise `key` is set to `result` with the TTL, atomically with the append.
   */
  idempotency?: { key: string; ttlSeconds: number; result: string };
  /**
   * A uniqueness claim on `field` of hash `key`: if the field is owned by another `owner`, nothing
   * is appended and the owner is returned as `claimed`. `release` drops a field this owner held.
   */
  claim?: { key: string; field: string; owner: string; release?: string };
  /**
   * Inline index entries, written in the same step as the events: for `events[event]` (from 0), an
   * entry in the index stream `key` with that event's own cursor, naming `ref`. An index keeps some
   * of a log's events in the log's order (a room's posts among its edits and deletions), so a reader
   * pages through just those.
   */
  indexes?: { event: number; key: string; ref: string }[];
  /**
   * Refuses the append unless the member document at `field` of hash `key` (a snapshot, see
   * `appendGuard.ts` for the fields it reads) says JOINED, not banned and not muted at `now`:
   * checked in the same step as the write, so nothing racing a ban slips past it. Checked after
   * the idempotency key (a retry of what was accepted is still a duplicate) and before the rest.
   */
  guard?: { key: string; field: string; now: string };
  /**
   * Lexicographic sets (Redis sorted sets with every score 0), written in the same step: `remove`
   * first, then `add`. A read model keeps an order in one (a room's member list).
   */
  sets?: { key: string; add?: readonly string[]; remove?: readonly string[] }[];
  /**
   * Numbers `events[event]` in a numbered log (see `marks.ts`): the next number in `counters`,
   * its position in the lex set `positions`, the number in each `refs` field, and a mark
   * `<n>:<cursor>` in each `marks` field (the poster has read their own post).
   */
  sequence?: {
    event: number;
    counters: string;
    positions: string;
    refs?: readonly { key: string; field: string }[];
    marks?: readonly { key: string; field: string }[];
  };
  /**
   * Events appended in the same step to other streams (an activity feed a projector fans out):
   * their own cursors, no snapshot, no checks. On Redis Cluster they must share the slot.
   */
  notify?: readonly { stream: string; type: string; data: unknown }[];
  /** Sorted sets scored by a number, or by this append's `sequence` number: `remove` first, then `add`. */
  scored?: { key: string; score: number | 'sequence'; add?: readonly string[]; remove?: readonly string[] }[];
  /** Counters in plain hashes moved by `by` (a counter that reaches 0 or less goes), in the same step. */
  counts?: readonly { key: string; field: string; by: number }[];
  /** Plain hash fields set, in the same step. */
  values?: readonly { key: string; field: string; value: string }[];
  /**
   * Grouped tallies (a message's reactions by emoji, see `tallies.ts`), changed in the same step;
   * an `add` that would start a group past `maxGroups` refuses the append (reason `full`), checked
   * after the guard and the snapshot's revision, before anything is written.
   */
  tallies?: readonly TallyChange[];
}

/** Why a guarded append was refused; `until` is when a ban or mute ends (null: for good, or not one). */
export type RefusalReason = 'not-member' | 'banned' | 'muted' | 'full';

/** An entry of an index stream: the cursor of the event it stands for, and what it names. */
export interface IndexEntry {
  cursor: Cursor;
  ref: string;
}

/** A reader in a numbered log, for `readMarks`. */
export interface MarksRequest {
  counters: string;
  marks: string;
  positions: string;
  field: string;
  above: readonly string[];
  also?: { snapshots?: readonly SnapshotRef[]; newest?: { index: string; join: string } };
}

/** Where a reader stands (`readMarks`); `snapshots` and `newest` when the request asked for them. */
export interface MarksReply {
  last: number;
  lastCursor: Cursor | null;
  mark: Mark | null;
  above: number[];
  snapshots?: (Snapshot | null)[];
  /** Null when the index is empty. */
  newest?: (IndexEntry & { snapshot: Snapshot | null }) | null;
}

/** What a rebuild writes beside a live read model before swapping it in (see `swapRebuilt`). */
export interface RebuiltPart {
  index?: { key: string; entries: readonly IndexEntry[] };
  snapshots?: { key: string; values: readonly (readonly [field: string, snapshot: Snapshot])[] };
  /** Lexicographic sets: members to take out and to put in (disjoint), per key. */
  sets?: readonly { key: string; add: readonly string[]; remove: readonly string[] }[];
  /** Plain hashes: fields to set, and fields to take out, per key. */
  fields?: readonly { key: string; values: readonly (readonly [field: string, value: string])[]; remove?: readonly string[] }[];
  /** Scored sets: members to put in with their scores, and members to take out, per key. */
  scored?: readonly { key: string; add: readonly (readonly [member: string, score: number])[]; remove: readonly string[] }[];
}

export type AppendResult =
  | { status: 'appended'; cursors: Cursor[] }
  | { status: 'duplicate'; result: string }
  | { status: 'conflict'; rev: number | null }
  | { status: 'claimed'; owner: string }
  | { status: 'refused'; reason: RefusalReason; until: string | null };

export interface StreamInfo {
  length: number;
  firstCursor: Cursor | null;
  lastCursor: Cursor | null;
  /** The highest cursor ever removed by trimming, `null` when nothing was: resuming at or before it would skip events. */
  maxDeletedCursor: Cursor | null;
}

export type Unfollow = () => void;

/**
 * Live delivery of appended events to this process. One per store.
 *
 * `follow` resolves once the tailer holds a position `p` for the stream; from then on the listener
 * receives, in stream order and in batches, every event with a cursor above `p`. `p` is never
 * above the stream's end at the moment `follow` resolves, so a reader that reads the log forward
 * after `follow` resolved and drops what it already has misses nothing and sees nothing twice.
 */
export interface StreamTailer {
  follow(stream: string, listener: (events: RecordedEvent[]) => void): Promise<Unfollow>;
}

/** Where a consumer group stands in its stream. */
export interface GroupPosition {
  /** The last entry handed to a consumer ("0-0" before the first). */
  lastDelivered: Cursor;
  /** The oldest entry handed out and not acknowledged, null when none: everything before it is done. */
  oldestPending: Cursor | null;
  pending: number;
  /** Entries not yet handed out. */
  undelivered: number;
  /** The oldest of those, null when none. */
  oldestUndelivered: Cursor | null;
}

/**
 * Consumer groups over a stream (Redis's XREADGROUP family), for projectors: any number of
 * consumers in any number of processes share a group; each entry goes to one of them, and stays
 * pending until acknowledged, so the entries of a consumer that died are claimed by another.
 */
export interface ConsumerGroups {
  /** Creates the group positioned after `after` ("0-0": from the start); nothing when it exists. */
  create(stream: string, group: string, after: Cursor): Promise<void>;
  destroy(stream: string, group: string): Promise<void>;
  /**
   * Entries never handed out before, oldest first, now pending for `consumer`; waits up to
   * `blockMs` for one when there are none. Rejects with `NoGroupError` when the group is gone.
   */
  read(stream: string, group: string, consumer: string, options: { count: number; blockMs: number }): Promise<RecordedEvent[]>;
  /** Takes over entries pending for at least `minIdleMs` with any consumer (one that died), oldest first. */
  claimStale(stream: string, group: string, consumer: string, options: { minIdleMs: number; count: number }): Promise<RecordedEvent[]>;
  ack(stream: string, group: string, cursors: readonly Cursor[]): Promise<void>;
  /** Null when the group does not exist. */
  position(stream: string, group: string): Promise<GroupPosition | null>;
}

/** The consumer group was destroyed (a rebuild moved its projection on). */
export class NoGroupError extends Error {
  override name = 'NoGroupError';
}

/**
 * The event store. Every method rejects with `StoreUnavailableError` when the backing store
 * cannot be reached; any other rejection is a bug.
 */
export interface EventStore {
  readonly kind: 'redis' | 'memory';
  readonly tailer: StreamTailer;
  readonly groups: ConsumerGroups;
  /** Atomic: either all of the request happens or none of it. */
  append(request: AppendRequest): Promise<AppendResult>;
  /**
   * Appends one ephemeral event (presence, typing) to a capped stream that keeps about `maxLen`
   * entries: followers get it live like any other; nobody resumes from it, so no read model folds it.
   */
  appendEphemeral(stream: string, event: NewEvent, maxLen: number): Promise<Cursor>;
  readSnapshot<S>(ref: SnapshotRef): Promise<Snapshot<S> | null>;
  /** Snapshots from any hashes, in the order asked, in one round trip. */
  readSnapshotsAt<S>(refs: readonly SnapshotRef[]): Promise<(Snapshot<S> | null)[]>;
  /** Snapshots of many fields of one hash, in the order asked. */
  readSnapshots<S>(key: string, fields: readonly string[]): Promise<(Snapshot<S> | null)[]>;
  readAllSnapshots<S>(key: string): Promise<Map<string, Snapshot<S>>>;
  readClaim(key: string, field: string): Promise<string | null>;
  /** The `result` an idempotent append stored under `key`, while its TTL lasts; else null. */
  readIdempotent(key: string): Promise<string | null>;
  /** Oldest first; events strictly after `after` (default: from the start). */
  readForward(stream: string, options: { after?: Cursor; count: number }): Promise<RecordedEvent[]>;
  /** Newest first; events strictly before `before` (default: from the end). */
  readBackward(stream: string, options: { before?: Cursor; count: number }): Promise<RecordedEvent[]>;
  /**
   * The cursor of the last event logged strictly before the millisecond `ms` (below `<ms>-0`: an
   * event of that very millisecond is not before it), null when there is none (`ms` at or before
   * the first event, or 0 and below). A time past the end answers the last cursor. One round trip
   * that seeks, however long the stream; `ms` is an integer (a Date's getTime()).
   */
  readCursorBefore(stream: string, ms: number): Promise<Cursor | null>;
  /**
   * Newest first: entries of an index strictly before `before` (default: from the end). With
   * `join`, each comes with the snapshot its `ref` names in that hash, read in the same atomic step.
   */
  readIndexBackward<S = unknown>(
    index: string,
    options: { before?: Cursor; count: number; join?: string },
  ): Promise<(IndexEntry & { snapshot?: Snapshot<S> | null })[]>;
  /**
   * Members of a lexicographic set (see `AppendRequest.sets`) in byte order, from `min` to `max`
   * given as Redis ZRANGE BYLEX bounds ('-', '+', '[x' inclusive, '(x' exclusive), at most `count`.
   */
  readSetRange(key: string, options: { min: string; max: string; count: number }): Promise<string[]>;
  /** How many members a lexicographic set has. */
  countSet(key: string): Promise<number>;
  /** Fields of a plain hash (a numbered log's counters, its refs), null where absent. */
  readFields(key: string, fields: readonly string[]): Promise<(string | null)[]>;
  /** One field of many plain hashes (each room's last post, say), in the order asked, in a few calls. */
  readFieldAcross(keys: readonly string[], field: string): Promise<(string | null)[]>;
  /**
   * Where each reader stands in a numbered log, for many logs in one round trip: the last number
   * and its cursor, the reader's mark (`field` of `marks`) with its number (looked up in
   * `positions`), and how many members of each `above` scored set have a score above that number.
   * With `also` (keys of the log's slot), read in the same atomic step: `snapshots`, and the
   * `newest` entry of an index joined with the snapshot its ref names (as `readIndexBackward`'s).
   */
  readMarks(requests: readonly MarksRequest[]): Promise<MarksReply[]>;
  /**
   * Moves the mark in `field` of `marks` forward to `cursor`, atomically; never back. Answers the
   * mark after the call, numbered by `positions` (the last numbered event at or before it).
   */
  advanceMark(
    marks: string,
    field: string,
    positions: string,
    cursor: Cursor,
    notify?: { stream: string; type: string; data: unknown },
  ): Promise<Mark>;
  /**
   * Writes entries with the ids given (a projection's streams whose ids are their source's) into
   * many streams at once, each stream's in order, skipping each whose id is not above its
   * stream's last (written before: a projector that runs again writes nothing twice); each keeps
   * about `maxLen` entries. Answers how many it wrote.
   */
  writeEntries(
    writes: readonly { stream: string; entries: readonly { cursor: Cursor; type: string; data: unknown }[] }[],
    maxLen: number,
  ): Promise<number>;
  /** The store's clock, ms: no append from now on gets a cursor below it. */
  serverTime(): Promise<number>;
  /**
   * Oldest first: entries of an index strictly after `after` (default: from the start). `after` may
   * be any cursor, not only an entry's. With `join`, as `readIndexBackward`'s.
   */
  readIndexForward<S = unknown>(
    index: string,
    options: { after?: Cursor; count: number; join?: string },
  ): Promise<(IndexEntry & { snapshot?: Snapshot<S> | null })[]>;
  /** Writes part of a rebuilt read model into keys beside the live ones (index entries in increasing order). */
  writeRebuilt(part: RebuiltPart): Promise<void>;
  /**
   * Holds appends to `stream` for at most `ms` (they wait, and go on after: callers see only the
   * delay), so that a rebuild can fold the last events and swap its keys in; answers the stream's
   * last cursor at the moment the hold began.
   */
  holdAppends(stream: string, ms: number): Promise<Cursor | null>;
  /**
   * Moves each rebuilt key over its live key (a missing rebuilt key empties the live one), all at
   * once, but only while `stream`'s last cursor is still `last`, and ends a hold on it. A rebuild
   * whose hold ran out before an append answers false, catches up and tries again: what an append
   * writes is never lost.
   */
  swapRebuilt(stream: string, last: Cursor | null, moves: readonly { from: string; to: string }[]): Promise<boolean>;
  /** Deletes keys (a rebuild's leftovers). */
  deleteKeys(keys: readonly string[]): Promise<void>;
  streamInfo(stream: string): Promise<StreamInfo>;
  /** Removes every event (or index entry) with a cursor below `minCursor` (retention). */
  trim(stream: string, minCursor: Cursor): Promise<void>;
  /** Resolves when the store answers; rejects with `StoreUnavailableError` otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// No leading zeros: cursors compare as digit strings (see compareCursors).
const CURSOR = /^(0|[1-9]\d{0,15})-(0|[1-9]\d{0,15})$/;

export const isCursor = (value: string): boolean => CURSOR.test(value);

/** Numeric order of cursors (ms, then seq): "1-10" > "1-9", unlike string order. */
export const compareCursors = (a: Cursor, b: Cursor): number => {
  // Hot on every delivery: compare the digit strings (no leading zeros) by length, then by text,
  // rather than allocating BigInts.
  const ad = a.indexOf('-');
  const bd = b.indexOf('-');
  return compareDigits(a, 0, ad, b, 0, bd) || compareDigits(a, ad + 1, a.length, b, bd + 1, b.length);
};

const compareDigits = (a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): number => {
  const byLength = aTo - aFrom - (bTo - bFrom);
  if (byLength !== 0) return byLength < 0 ? -1 : 1;
  for (let i = 0; i < aTo - aFrom; i++) {
    const d = a.charCodeAt(aFrom + i) - b.charCodeAt(bFrom + i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
};

/**
 * The exclusive upper bound of `readCursorBefore`: `<ms>-0`, or null when nothing can lie below it
 * (ms at or below 0). Throws on a non-integer, a bug of the caller.
 */
export const toTimeBound = (ms: number): Cursor | null => {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`not a time in ms: ${ms}`);
  return ms > 0 ? `${ms}-0` : null;
};

/** The cursor just below `cursor`, so that an exclusive read after it includes `cursor` itself. */
export const toPreviousCursor = (cursor: Cursor): Cursor => {
  const [ms, seq] = cursor.split('-').map(BigInt) as [bigint, bigint];
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  return ms > 0n ? `${ms - 1n}-${BigInt('18446744073709551615')}` : '0-0';
};
