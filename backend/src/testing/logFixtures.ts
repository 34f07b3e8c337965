import { randomUUID } from 'node:crypto';
import type { AppendResult, Cursor, EventStore, NewEvent, RecordedEvent } from '../eventstore/eventStore.js';

/** Helpers for tests that write raw events to a log (the store's and the streaming contract suites). */

export const event = (type: string, data: unknown = {}): NewEvent => ({ type, data, meta: { actorId: 'u1' }, v: 1 });
/** A fresh stream (and hash) name per test, so tests never see each other's data. */
export const uniqueName = (kind: string) => `test:{t:${randomUUID()}}:${kind}`;
export const cursorsOf = (events: readonly RecordedEvent[]) => events.map((recorded) => recorded.cursor);

export const appended = (result: AppendResult): Cursor[] => {
  if (result.status !== 'appended') throw new Error(`expected appended, got ${JSON.stringify(result)}`);
  return result.cursors;
};

/** Appends `count` single-event appends one after another; returns their cursors. */
export const appendMany = async (store: EventStore, stream: string, count: number, type = 'E'): Promise<Cursor[]> => {
  const cursors: Cursor[] = [];
  for (let i = 0; i < count; i++) cursors.push(...appended(await store.append({ stream, events: [event(type, { i })] })));
  return cursors;
};

export const readAll = async (store: EventStore, stream: string, after?: Cursor): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readForward(stream, { after: events.at(-1)?.cursor ?? after, count: 100 });
    if (page.length === 0) return events;
    events.push(...page);
  }
};

/** A cursor above `cursor` that no event has yet. */
export const pastTheEnd = (cursor: Cursor): Cursor => `${cursor.split('-')[0]}-999999999`;
