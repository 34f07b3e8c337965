import {
  compareCursors,
  type AppendRequest,
  type AppendResult,
  type Cursor,
  type EventStore,
  type IndexEntry,
  type MarksReply,
  type RecordedEvent,
  type Snapshot,
  type StreamInfo,
  toTimeBound,
} from './eventStore.js';
import { type TallyChange, applyTally, isTallyFull, parseTally } from './tallies.js';
import { type GuardedMember, checkGuard } from './appendGuard.js';
import { createMemoryConsumerGroups } from './memoryConsumerGroups.js';
import { compareByUtf8, indexInUtf8Order } from './utf8Order.js';
import { toPositionBound, toPositionEntry, toPositionNumber } from './marks.js';
import { createMemoryStreamTailer } from './memoryStreamTailer.js';
import { StoreUnavailableError } from '../storeUnavailable.js';

export interface MemoryEventStoreOptions {
  /** The clock for entry ids and idempotency TTLs (milliseconds); `Date.now` by default. */
  now?: () => number;
}

/** Events are kept serialised, as Redis keeps them, so a reader never shares a writer's objects. */
interface StoredEvent {
  cursor: Cursor;
  type: string;
  data: string;
  meta: string;
  v: number;
}

interface MemoryStream {
  events: StoredEvent[];
  /** The last id handed out; ids stay increasing even when every entry was trimmed. */
  lastMs: number;
  lastSeq: number;
  maxDeletedCursor: Cursor | null;
}

/**
 * The in-memory `EventStore` for embedded mode and tests: one process, nothing survives it.
 * It follows the Redis store's semantics (ids `<ms>-<seq>`, the append's order of checks, trimming)
 * so both pass the same contract suite. Its tailer delivers each append's events in a microtask,
 * in append order, to the listeners following when the append happened.
 */
export const createMemoryEventStore = (options: MemoryEventStoreOptions = {}): EventStore => {
  const now = options.now ?? Date.now;
  const streams = new Map<string, MemoryStream>();
  const snapshots = new Map<string, Map<string, { rev: number; state: string }>>();
  const claims = new Map<string, Map<string, string>>();
  const idempotency = new Map<string, { result: string; expiresAt: number }>();
  /** Streams whose appends a rebuild holds, until when (see `holdAppends`). */
  const holds = new Map<string, number>();
  const waitWhileHeld = async (stream: string) => {
    for (let until = holds.get(stream); until !== undefined && until > now(); until = holds.get(stream)) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  /** Index streams: entries in increasing cursor order. */
  const indexes = new Map<string, IndexEntry[]>();
  /** Lexicographic sets, each kept sorted in byte order (see `AppendRequest.sets`). */
  const sets = new Map<string, string[]>();
  /** Plain hashes (a numbered log's counters, refs and marks). */
  const fields = new Map<string, Map<string, string>>();
  /** Sorted sets scored by number: member → score. */
  const scoredSets = new Map<string, Map<string, number>>();
  const hashOf = (key: string) => {
    let hash = fields.get(key);
    if (!hash) fields.set(key, (hash = new Map()));
    return hash;
  };
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new StoreUnavailableError(new Error('memory event store is closed'));
  };

  const readIdempotency = (key: string): string | null => {
    const entry = idempotency.get(key);
    if (!entry) return null;
    if (entry.expiresAt > now()) return entry.result;
    idempotency.delete(key);
    return null;
  };

  /** Drops expired keys from the oldest end; with one TTL for all keys, that is all of them. */
  const sweepIdempotency = () => {
    for (const [key, entry] of idempotency) {
      if (entry.expiresAt > now()) return;
      idempotency.delete(key);
    }
  };

  const nextCursor = (stream: MemoryStream): Cursor => {
    const ms = now();
    if (ms > stream.lastMs) {
      stream.lastMs = ms;
      stream.lastSeq = 0;
    } else {
      // Same millisecond, or the clock went back: Redis keeps the last ms and bumps the sequence.
      stream.lastSeq += 1;
    }
    return `${stream.lastMs}-${stream.lastSeq}`;
  };

  const { tailer, publish: publishToFollowers, clear: clearFollowers } = createMemoryStreamTailer(assertOpen);
  /** Blocked group reads, woken by the next append to their stream. */
  const appendWaiters = new Map<string, Set<() => void>>();
  const publish = (stream: string, events: RecordedEvent[]) => {
    publishToFollowers(stream, events);
    const waiters = appendWaiters.get(stream);
    appendWaiters.delete(stream);
    for (const wake of waiters ?? []) wake();
  };
  const groups = createMemoryConsumerGroups(
    {
      assertOpen,
      readAfter: (stream, after, count) => {
        const events = streams.get(stream)?.events ?? [];
        const start = searchFirst(events, (cursor) => compareCursors(cursor, after) <= 0);
        return events.slice(start, start + count).map((event) => toRecorded(stream, event));
      },
      readAt: (stream, cursors) => {
        const events = streams.get(stream)?.events ?? [];
        return cursors.flatMap((wanted) => {
          const at = searchFirst(events, (cursor) => compareCursors(cursor, wanted) < 0);
          const event = events[at];
          return event && event.cursor === wanted ? [toRecorded(stream, event)] : [];
        });
      },
      nextAppend: (stream, ms) =>
        new Promise<void>((resolve) => {
          const waiters = appendWaiters.get(stream) ?? new Set<() => void>();
          appendWaiters.set(stream, waiters);
          const timer = setTimeout(() => {
            waiters.delete(wake);
            resolve();
          }, ms);
          const wake = () => {
            clearTimeout(timer);
            resolve();
          };
          waiters.add(wake);
        }),
    },
    now,
  );

  const append = (request: AppendRequest): AppendResult => {
    if (request.events.length === 0 && !request.snapshot) {
      throw new Error('an append without events must change a snapshot');
    }
    const { snapshot, claim } = request;
    // The same order of checks as the Redis script: a retried request is a duplicate before anything else.
    if (request.idempotency) {
      const previous = readIdempotency(request.idempotency.key);
      if (previous !== null) return { status: 'duplicate', result: previous };
    }
    if (snapshot) {
      const rev = snapshots.get(snapshot.ref.key)?.get(snapshot.ref.field)?.rev ?? null;
      if (rev !== snapshot.expectedRev) return { status: 'conflict', rev };
    }
    if (request.guard) {
      const { key, field, now: at } = request.guard;
      const refused = checkGuard(readSnapshot<GuardedMember>(key, field)?.state ?? null, at);
      if (refused) return { status: 'refused', ...refused };
    }
    if (claim) {
      const owner = claims.get(claim.key)?.get(claim.field);
      if (owner !== undefined && owner !== claim.owner) return { status: 'claimed', owner };
    }
    for (const tally of request.tallies ?? []) {
      if (isTallyFull(parseTally(fields.get(tally.key)?.get(tally.field)), tally))
        return { status: 'refused', reason: 'full', until: null };
    }

    // Serialise everything before writing anything, so a bad value leaves nothing half-written.
    const serialised = request.events.map((event) => ({
      type: event.type,
      data: toJson(event.data),
      meta: toJson(event.meta),
      v: event.v,
    }));
    const snapshotState = snapshot ? toJson(snapshot.state) : '';

    const stored: StoredEvent[] = [];
    if (serialised.length > 0) {
      const log = streams.get(request.stream) ?? { events: [], lastMs: 0, lastSeq: 0, maxDeletedCursor: null };
      streams.set(request.stream, log);
      for (const event of serialised) stored.push({ cursor: nextCursor(log), ...event });
      log.events.push(...stored);
    }
    for (const index of request.indexes ?? []) {
      const cursor = stored[index.event]?.cursor;
      if (cursor === undefined) throw new Error(`index entry for event ${index.event}, which is not in the append`);
      indexOf(index.key).push({ cursor, ref: index.ref });
    }
    if (snapshot) {
      const hash = snapshots.get(snapshot.ref.key) ?? new Map();
      snapshots.set(snapshot.ref.key, hash);
      hash.set(snapshot.ref.field, { rev: (snapshot.expectedRev ?? 0) + 1, state: snapshotState });
    }
    if (request.idempotency) {
      const { key, ttlSeconds, result } = request.idempotency;
      sweepIdempotency();
      idempotency.delete(key);
      idempotency.set(key, { result, expiresAt: now() + ttlSeconds * 1000 });
    }
    const notes = (request.notify ?? []).map((note) => appendTo(note.stream, note.type, note.data));
    let number: number | null = null;
    if (request.sequence) {
      const { event, counters, positions, refs, marks } = request.sequence;
      const cursor = stored[event]?.cursor;
      if (cursor === undefined) throw new Error(`sequence of event ${event}, which is not in the append`);
      const hash = hashOf(counters);
      number = Number(hash.get('seq') ?? 0) + 1;
      hash.set('seq', String(number));
      hash.set('last', cursor);
      changeSet(positions, [toPositionEntry(cursor, number)], []);
      for (const ref of refs ?? []) hashOf(ref.key).set(ref.field, String(number));
      for (const mark of marks ?? []) hashOf(mark.key).set(mark.field, cursor);
    }
    for (const set of request.scored ?? []) {
      const members = scoredSets.get(set.key) ?? new Map<string, number>();
      scoredSets.set(set.key, members);
      for (const member of set.remove ?? []) members.delete(member);
      const score = set.score === 'sequence' ? number : set.score;
      if (score === null) throw new Error('a score by sequence without a sequence');
      for (const member of set.add ?? []) members.set(member, score);
      if (members.size === 0) scoredSets.delete(set.key);
    }
    for (const set of request.sets ?? []) changeSet(set.key, set.add ?? [], set.remove ?? []);
    for (const count of request.counts ?? []) {
      const hash = hashOf(count.key);
      const value = Number(hash.get(count.field) ?? 0) + count.by;
      if (value <= 0) hash.delete(count.field);
      else hash.set(count.field, String(value));
    }
    for (const value of request.values ?? []) hashOf(value.key).set(value.field, value.value);
    for (const tally of request.tallies ?? []) changeTally(tally);
    if (claim) {
      const hash = claims.get(claim.key) ?? new Map<string, string>();
      claims.set(claim.key, hash);
      hash.set(claim.field, claim.owner);
      if (claim.release !== undefined && claim.release !== claim.field && hash.get(claim.release) === claim.owner) {
        hash.delete(claim.release);
      }
    }
    publish(
      request.stream,
      stored.map((event) => toRecorded(request.stream, event)),
    );
    for (const note of notes) publish(note.stream, [toRecorded(note.stream, note.event)]);
    return { status: 'appended', cursors: stored.map((event) => event.cursor) };
  };

  /** Appends one event to a stream without checks (a note, see `AppendRequest.notify`); published by the caller. */
  const appendTo = (stream: string, type: string, data: unknown) => {
    const log = streams.get(stream) ?? { events: [], lastMs: 0, lastSeq: 0, maxDeletedCursor: null };
    streams.set(stream, log);
    const event: StoredEvent = { cursor: nextCursor(log), type, data: toJson(data), meta: '{}', v: 1 };
    log.events.push(event);
    return { stream, event };
  };

  /** The number of the last numbered event at or before `cursor` (see marks.ts). */
  const numberAt = (positions: string, cursor: Cursor): number => {
    const members = sets.get(positions) ?? [];
    const bound = toPositionBound(cursor).slice(1);
    let at = indexInUtf8Order(members, bound) - 1;
    while (at >= 0 && compareByUtf8(members[at]!, bound) > 0) at--;
    return at >= 0 ? toPositionNumber(members[at]!) : 0;
  };

  /** Takes members out of a lexicographic set, then puts others in. */
  const changeSet = (key: string, add: readonly string[], remove: readonly string[]) => {
    const members = sets.get(key) ?? [];
    sets.set(key, members);
    for (const member of remove) {
      const at = indexInUtf8Order(members, member);
      if (members[at] === member) members.splice(at, 1);
    }
    for (const member of add) {
      const at = indexInUtf8Order(members, member);
      if (members[at] !== member) members.splice(at, 0, member);
    }
    if (members.length === 0) sets.delete(key);
  };

  /** Members of a lexicographic set between ZRANGE BYLEX bounds, at most `count`. */
  const rangeOfSet = (key: string, min: string, max: string, count: number): string[] => {
    const members = sets.get(key) ?? [];
    const result: string[] = [];
    if (min === '+' || max === '-') return result;
    for (let i = min === '-' ? 0 : indexInUtf8Order(members, min.slice(1)); i < members.length && result.length < count; i++) {
      const member = members[i]!;
      if (!withinBound(member, min, true)) continue;
      if (!withinBound(member, max, false)) break;
      result.push(member);
    }
    return result;
  };

  /** One grouped tally's change (see tallies.ts), on its hash field and its lexicographic set. */
  const changeTally = (change: TallyChange) => {
    const hash = hashOf(change.key);
    const groups = applyTally(parseTally(hash.get(change.field)), change, {
      add: (entry) => {
        const before = sets.get(change.members)?.length ?? 0;
        changeSet(change.members, [entry], []);
        return (sets.get(change.members)?.length ?? 0) > before;
      },
      remove: (entry) => {
        const before = sets.get(change.members)?.length ?? 0;
        changeSet(change.members, [], [entry]);
        return (sets.get(change.members)?.length ?? 0) < before;
      },
      firsts: ({ min, max }, count) => rangeOfSet(change.members, min, max, count),
    });
    if (groups.length === 0) hash.delete(change.field);
    else hash.set(change.field, JSON.stringify(groups));
  };

  /** Whether `member` is within the lower (`min`) or upper (`max`) ZRANGEBYLEX bound. */
  const withinBound = (member: string, bound: string, lower: boolean): boolean => {
    if (bound === '-') return lower;
    if (bound === '+') return !lower;
    const value = bound.slice(1);
    const order = compareByUtf8(member, value);
    const inclusive = bound[0] === '[';
    if (bound[0] !== '[' && bound[0] !== '(') throw new Error(`not a lex bound: ${bound}`);
    return lower ? order > 0 || (inclusive && order === 0) : order < 0 || (inclusive && order === 0);
  };

  const indexOf = (key: string): IndexEntry[] => {
    let entries = indexes.get(key);
    if (!entries) indexes.set(key, (entries = []));
    return entries;
  };

  const readSnapshot = <S>(key: string, field: string): Snapshot<S> | null => {
    const stored = snapshots.get(key)?.get(field);
    return stored ? { rev: stored.rev, state: JSON.parse(stored.state) as S } : null;
  };

  return {
    kind: 'memory',
    tailer,
    groups,
    append: async (request) => {
      assertOpen();
      await waitWhileHeld(request.stream);
      assertOpen();
      return append(request);
    },
    appendEphemeral: async (stream, event, maxLen) => {
      assertOpen();
      const log = streams.get(stream) ?? { events: [], lastMs: 0, lastSeq: 0, maxDeletedCursor: null };
      streams.set(stream, log);
      const stored: StoredEvent = {
        cursor: nextCursor(log),
        type: event.type,
        data: toJson(event.data),
        meta: toJson(event.meta),
        v: event.v,
      };
      log.events.push(stored);
      if (log.events.length > maxLen) log.events.splice(0, log.events.length - maxLen);
      publish(stream, [toRecorded(stream, stored)]);
      return stored.cursor;
    },
    readSnapshot: async (ref) => {
      assertOpen();
      return readSnapshot(ref.key, ref.field);
    },
    readSnapshotsAt: async (refs) => {
      assertOpen();
      return refs.map((ref) => readSnapshot(ref.key, ref.field));
    },
    readIndexBackward: async (index, { before, count, join }) => {
      assertOpen();
      const entries = indexes.get(index) ?? [];
      const end = before === undefined ? entries.length : searchFirst(entries, (cursor) => compareCursors(cursor, before) < 0);
      return entries
        .slice(Math.max(0, end - count), end)
        .reverse()
        .map((entry) => (join === undefined ? { ...entry } : { ...entry, snapshot: readSnapshot(join, entry.ref) }));
    },
    readIndexForward: async (index, { after, count, join }) => {
      assertOpen();
      const entries = indexes.get(index) ?? [];
      const start = after === undefined ? 0 : searchFirst(entries, (cursor) => compareCursors(cursor, after) <= 0);
      return entries
        .slice(start, start + count)
        .map((entry) => (join === undefined ? { ...entry } : { ...entry, snapshot: readSnapshot(join, entry.ref) }));
    },
    writeRebuilt: async ({ index, snapshots: rebuilt, sets: setChanges, fields: hashes, scored }) => {
      assertOpen();
      for (const hash of hashes ?? []) {
        for (const field of hash.remove ?? []) hashOf(hash.key).delete(field);
        for (const [field, value] of hash.values) hashOf(hash.key).set(field, value);
      }
      for (const set of scored ?? []) {
        const members = scoredSets.get(set.key) ?? new Map<string, number>();
        scoredSets.set(set.key, members);
        for (const member of set.remove) members.delete(member);
        for (const [member, score] of set.add) members.set(member, score);
        if (members.size === 0) scoredSets.delete(set.key);
      }
      for (const change of setChanges ?? []) changeSet(change.key, change.add, change.remove);
      if (index) {
        const entries = indexOf(index.key);
        for (const entry of index.entries) {
          const last = entries.at(-1);
          if (last && compareCursors(entry.cursor, last.cursor) <= 0)
            throw new Error(`index ${index.key}: ${entry.cursor} is not above ${last.cursor}`);
          entries.push({ ...entry });
        }
      }
      if (rebuilt) {
        const hash = snapshots.get(rebuilt.key) ?? new Map<string, { rev: number; state: string }>();
        snapshots.set(rebuilt.key, hash);
        for (const [field, snapshot] of rebuilt.values) hash.set(field, { rev: snapshot.rev, state: toJson(snapshot.state) });
      }
    },
    holdAppends: async (stream, ms) => {
      assertOpen();
      holds.set(stream, now() + ms);
      return streams.get(stream)?.events.at(-1)?.cursor ?? null;
    },
    swapRebuilt: async (stream, last, moves) => {
      assertOpen();
      holds.delete(stream);
      if ((streams.get(stream)?.events.at(-1)?.cursor ?? null) !== last) return false;
      for (const { from, to } of moves) {
        for (const map of [indexes, snapshots, sets, fields, scoredSets] as Map<string, unknown>[]) {
          const value = map.get(from);
          map.delete(from);
          if (value === undefined) map.delete(to);
          else map.set(to, value);
        }
      }
      return true;
    },
    deleteKeys: async (keys) => {
      assertOpen();
      for (const key of keys) {
        indexes.delete(key);
        sets.delete(key);
        fields.delete(key);
        scoredSets.delete(key);
        snapshots.delete(key);
        streams.delete(key);
      }
    },
    readSetRange: async (key, { min, max, count }) => {
      assertOpen();
      return rangeOfSet(key, min, max, count);
    },
    countSet: async (key) => {
      assertOpen();
      return sets.get(key)?.length ?? 0;
    },
    readFieldAcross: async (keys, field) => {
      assertOpen();
      return keys.map((key) => fields.get(key)?.get(field) ?? null);
    },
    readFields: async (key, wanted) => {
      assertOpen();
      return wanted.map((field) => fields.get(key)?.get(field) ?? null);
    },
    readMarks: async (requests) => {
      assertOpen();
      return requests.map(({ counters, marks, positions, field, above, also }) => {
        const cursor = fields.get(marks)?.get(field) ?? null;
        const n = cursor === null ? 0 : numberAt(positions, cursor);
        const reply: MarksReply = {
          last: Number(fields.get(counters)?.get('seq') ?? 0),
          lastCursor: fields.get(counters)?.get('last') ?? null,
          mark: cursor === null ? null : { n, cursor },
          above: above.map((key) => [...(scoredSets.get(key)?.values() ?? [])].filter((score) => score > n).length),
        };
        if (also?.snapshots) reply.snapshots = also.snapshots.map((ref) => readSnapshot(ref.key, ref.field));
        if (also?.newest) {
          const entry = indexes.get(also.newest.index)?.at(-1);
          reply.newest = entry ? { ...entry, snapshot: readSnapshot(also.newest.join, entry.ref) } : null;
        }
        return reply;
      });
    },
    advanceMark: async (marks, field, positions, cursor, notify) => {
      assertOpen();
      const stored = fields.get(marks)?.get(field) ?? null;
      if (stored !== null && compareCursors(cursor, stored) <= 0) return { n: numberAt(positions, stored), cursor: stored };
      hashOf(marks).set(field, cursor);
      if (notify) {
        const note = appendTo(notify.stream, notify.type, notify.data);
        publish(note.stream, [toRecorded(note.stream, note.event)]);
      }
      return { n: numberAt(positions, cursor), cursor };
    },
    writeEntries: async (writes, maxLen) => {
      assertOpen();
      let count = 0;
      for (const { stream, entries } of writes) {
        const log = streams.get(stream) ?? { events: [], lastMs: 0, lastSeq: 0, maxDeletedCursor: null };
        streams.set(stream, log);
        const written: StoredEvent[] = [];
        for (const entry of entries) {
          const last = log.events.at(-1)?.cursor ?? log.maxDeletedCursor;
          if (last !== null && compareCursors(entry.cursor, last) <= 0) continue;
          const stored: StoredEvent = { cursor: entry.cursor, type: entry.type, data: toJson(entry.data), meta: '{}', v: 1 };
          log.events.push(stored);
          written.push(stored);
          const [ms, seq] = entry.cursor.split('-').map(Number) as [number, number];
          if (ms > log.lastMs || (ms === log.lastMs && seq > log.lastSeq)) {
            log.lastMs = ms;
            log.lastSeq = seq;
          }
        }
        if (log.events.length > maxLen + Math.floor(maxLen / 10)) {
          const removed = log.events.splice(0, log.events.length - maxLen);
          log.maxDeletedCursor = removed.at(-1)!.cursor;
        }
        publish(
          stream,
          written.map((event) => toRecorded(stream, event)),
        );
        count += written.length;
      }
      return count;
    },
    serverTime: async () => {
      assertOpen();
      return now();
    },
    readSnapshots: async (key, fields) => {
      assertOpen();
      return fields.map((field) => readSnapshot(key, field));
    },
    readAllSnapshots: async <S>(key: string) => {
      assertOpen();
      const fields = [...(snapshots.get(key)?.keys() ?? [])];
      return new Map(fields.map((field) => [field, readSnapshot<S>(key, field)!]));
    },
    readClaim: async (key, field) => {
      assertOpen();
      return claims.get(key)?.get(field) ?? null;
    },
    readIdempotent: async (key) => {
      assertOpen();
      return readIdempotency(key);
    },
    readForward: async (stream, { after, count }) => {
      assertOpen();
      const events = streams.get(stream)?.events ?? [];
      const start = after === undefined ? 0 : searchFirst(events, (cursor) => compareCursors(cursor, after) <= 0);
      return events.slice(start, start + count).map((event) => toRecorded(stream, event));
    },
    readBackward: async (stream, { before, count }) => {
      assertOpen();
      const events = streams.get(stream)?.events ?? [];
      const end = before === undefined ? events.length : searchFirst(events, (cursor) => compareCursors(cursor, before) < 0);
      return events
        .slice(Math.max(0, end - count), end)
        .reverse()
        .map((event) => toRecorded(stream, event));
    },
    readCursorBefore: async (stream, ms) => {
      assertOpen();
      const bound = toTimeBound(ms);
      if (bound === null) return null;
      const events = streams.get(stream)?.events ?? [];
      return events[searchFirst(events, (cursor) => compareCursors(cursor, bound) < 0) - 1]?.cursor ?? null;
    },
    streamInfo: async (stream): Promise<StreamInfo> => {
      assertOpen();
      const log = streams.get(stream);
      return {
        length: log?.events.length ?? 0,
        firstCursor: log?.events[0]?.cursor ?? null,
        lastCursor: log?.events.at(-1)?.cursor ?? null,
        maxDeletedCursor: log?.maxDeletedCursor ?? null,
      };
    },
    trim: async (stream, minCursor) => {
      assertOpen();
      const index = indexes.get(stream);
      if (index)
        index.splice(
          0,
          searchFirst(index, (cursor) => compareCursors(cursor, minCursor) < 0),
        );
      const log = streams.get(stream);
      if (!log) return;
      const removed = log.events.splice(
        0,
        searchFirst(log.events, (cursor) => compareCursors(cursor, minCursor) < 0),
      );
      const last = removed.at(-1);
      if (last && (log.maxDeletedCursor === null || compareCursors(last.cursor, log.maxDeletedCursor) > 0)) {
        log.maxDeletedCursor = last.cursor;
      }
    },
    ping: async () => assertOpen(),
    close: async () => {
      closed = true;
      clearFollowers();
      for (const waiters of appendWaiters.values()) for (const wake of waiters) wake();
      appendWaiters.clear();
    },
  };
};

const toJson = (value: unknown): string => JSON.stringify(value) ?? 'null';

const toRecorded = (stream: string, event: StoredEvent): RecordedEvent => ({
  stream,
  cursor: event.cursor,
  type: event.type,
  data: JSON.parse(event.data),
  meta: JSON.parse(event.meta),
  v: event.v,
});

/** Binary search: the index of the first event for which `before` is false (it holds for a prefix). */
const searchFirst = (events: readonly { cursor: Cursor }[], before: (cursor: Cursor) => boolean): number => {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(events[middle]!.cursor)) low = middle + 1;
    else high = middle;
  }
  return low;
};
