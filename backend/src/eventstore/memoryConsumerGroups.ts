import { compareCursors, type ConsumerGroups, type Cursor, NoGroupError, type RecordedEvent } from './eventStore.js';

interface MemoryGroup {
  lastDelivered: Cursor;
  /** Handed out and not acknowledged: cursor → consumer and when it got it. */
  pending: Map<Cursor, { consumer: string; since: number }>;
}

/** What the groups need of the in-memory store: its entries, and word of appends. */
export interface MemoryLog {
  readAfter(stream: string, after: Cursor, count: number): RecordedEvent[];
  readAt(stream: string, cursors: readonly Cursor[]): RecordedEvent[];
  /** Resolves at the next append to the stream, or after `ms`. */
  nextAppend(stream: string, ms: number): Promise<void>;
  assertOpen(): void;
}

/** Consumer groups over the in-memory store, with Redis's semantics (see `ConsumerGroups`). */
export const createMemoryConsumerGroups = (log: MemoryLog, now: () => number): ConsumerGroups => {
  const groups = new Map<string, Map<string, MemoryGroup>>();
  const groupOf = (stream: string, group: string): MemoryGroup => {
    log.assertOpen();
    const found = groups.get(stream)?.get(group);
    if (!found) throw new NoGroupError(`NOGROUP ${group} on ${stream}`);
    return found;
  };

  const deliver = (found: MemoryGroup, stream: string, consumer: string, count: number) => {
    const events = log.readAfter(stream, found.lastDelivered, count);
    for (const event of events) found.pending.set(event.cursor, { consumer, since: now() });
    if (events.length) found.lastDelivered = events.at(-1)!.cursor;
    return events;
  };

  const oldestOf = (cursors: Iterable<Cursor>): Cursor | null => {
    let oldest: Cursor | null = null;
    for (const cursor of cursors) if (oldest === null || compareCursors(cursor, oldest) < 0) oldest = cursor;
    return oldest;
  };

  return {
    create: async (stream, group, after) => {
      log.assertOpen();
      const byName = groups.get(stream) ?? new Map<string, MemoryGroup>();
      groups.set(stream, byName);
      if (!byName.has(group)) byName.set(group, { lastDelivered: after, pending: new Map() });
    },
    destroy: async (stream, group) => {
      log.assertOpen();
      groups.get(stream)?.delete(group);
    },
    read: async (stream, group, consumer, { count, blockMs }) => {
      const events = deliver(groupOf(stream, group), stream, consumer, count);
      if (events.length > 0 || blockMs <= 0) return events;
      await log.nextAppend(stream, blockMs);
      return deliver(groupOf(stream, group), stream, consumer, count);
    },
    claimStale: async (stream, group, consumer, { minIdleMs, count }) => {
      const found = groupOf(stream, group);
      const stale = [...found.pending]
        .filter(([, entry]) => now() - entry.since >= minIdleMs)
        .map(([cursor]) => cursor)
        .sort(compareCursors)
        .slice(0, count);
      const events = log.readAt(stream, stale);
      const kept = new Set(events.map((event) => event.cursor));
      for (const cursor of stale) {
        if (kept.has(cursor)) found.pending.set(cursor, { consumer, since: now() });
        else found.pending.delete(cursor);
      }
      return events;
    },
    ack: async (stream, group, cursors) => {
      log.assertOpen();
      const found = groups.get(stream)?.get(group);
      for (const cursor of cursors) found?.pending.delete(cursor);
    },
    position: async (stream, group) => {
      log.assertOpen();
      const found = groups.get(stream)?.get(group);
      if (!found) return null;
      const waiting = log.readAfter(stream, found.lastDelivered, Number.MAX_SAFE_INTEGER);
      return {
        lastDelivered: found.lastDelivered,
        oldestPending: oldestOf(found.pending.keys()),
        pending: found.pending.size,
        undelivered: waiting.length,
        oldestUndelivered: waiting[0]?.cursor ?? null,
      };
    },
  };
};
