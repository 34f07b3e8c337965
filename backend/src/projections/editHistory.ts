import { z } from 'zod';
import { toRoomStreamKey } from '../chat/keys.js';
import { decodeMessageEvent } from '../domain/message/events.js';
import { type MessageEvent, type MessageState, type PostedMessage, messageDecider } from '../domain/message/message.js';
import type { AppendRequest, Cursor, EventStore, IndexEntry, RecordedEvent } from '../eventstore/eventStore.js';
import { toEditHistoryKey, toRebuildKey } from './keys.js';

/** One earlier body of a message, and when it took effect (its post, or the edit that wrote it). */
export interface MessageVersion {
  body: string;
  at: string;
}

const versionSchema = z.object({ body: z.string(), at: z.string() });

/**
 * A message's edit history (inline, written by the edit's own append in the room's slot): one index
 * per message, an entry per edit with the edit's cursor, whose ref is the version the edit replaced
 * as JSON. Its entries come from the message's state before each edit, so the model is the
 * message states folded from the room's log, and the entries that the edits among them make. A
 * message never edited has no index; one deleted keeps its index, as the log keeps its edits, and
 * readers answer nothing for it (see `readEditHistory`).
 *
 * It has one index per aggregate where an `InlineProjection` has one per log, hence a fold and a
 * rebuild of its own; the shape (the events it folds, evolve, the entry an event makes) is theirs.
 */
export const editHistoryProjection = {
  name: 'edits',
  events: new Set<string>(['MessagePosted', 'MessageEdited', 'MessageDeleted'] satisfies MessageEvent['type'][]),
  decode: decodeMessageEvent,
  fieldOf: (event: MessageEvent) => event.data.messageId,
  evolve: (state: MessageState | null, event: MessageEvent): MessageState =>
    messageDecider.evolve(state ?? messageDecider.initialState, event),
  /** The entry's ref for an event the history keeps (an edit of a posted message), else null. */
  versionOf: (before: MessageState | null, event: MessageEvent): string | null =>
    event.type === 'MessageEdited' && before?.status === 'posted' ? toVersionRef(before) : null,
};

/** The version an edit replaces: the body before it, since the post or the edit before. */
const toVersionRef = (before: PostedMessage): string =>
  JSON.stringify({ body: before.body, at: before.editedAt ?? before.createdAt } satisfies MessageVersion);

/** The index entries an append of these events to one message writes, from its state before them (the command side's half). */
export const toEditHistoryIndexes = (
  roomId: string,
  before: MessageState,
  events: readonly MessageEvent[],
): NonNullable<AppendRequest['indexes']> => {
  let state = before;
  return events.flatMap((event, i) => {
    const ref = editHistoryProjection.versionOf(state, event);
    state = editHistoryProjection.evolve(state, event);
    return ref === null ? [] : [{ event: i, key: toEditHistoryKey(roomId, event.data.messageId), ref }];
  });
};

/** The model as data: every message's state, and the entries of each message that has an index. */
export interface EditHistoryModel {
  states: Map<string, MessageState>;
  indexes: Map<string, IndexEntry[]>;
}

export const emptyEditHistory = (): EditHistoryModel => ({ states: new Map(), indexes: new Map() });

/** Folds events of a room's log onto the model (pure; other events are skipped). */
export const foldEditHistory = (events: readonly RecordedEvent[], model: EditHistoryModel = emptyEditHistory()): EditHistoryModel => {
  for (const recorded of events) {
    if (!editHistoryProjection.events.has(recorded.type)) continue;
    const event = editHistoryProjection.decode(recorded);
    const id = editHistoryProjection.fieldOf(event);
    const before = model.states.get(id) ?? null;
    const ref = editHistoryProjection.versionOf(before, event);
    model.states.set(id, editHistoryProjection.evolve(before, event));
    if (ref !== null) {
      const entries = model.indexes.get(id) ?? [];
      model.indexes.set(id, entries);
      entries.push({ cursor: recorded.cursor, ref });
    }
  }
  return model;
};

const PAGE = 1_000;

/** Every entry of one index, oldest first. */
const readIndex = async (store: EventStore, key: string): Promise<IndexEntry[]> => {
  const entries: IndexEntry[] = [];
  for (;;) {
    const page = await store.readIndexForward(key, { after: entries.at(-1)?.cursor, count: PAGE });
    entries.push(...page);
    if (page.length < PAGE) return entries;
  }
};

/** The live indexes of these messages, those that have entries (tests compare them with `foldEditHistory`). */
export const readEditHistoryIndexes = async (
  store: EventStore,
  roomId: string,
  messageIds: readonly string[],
): Promise<Map<string, IndexEntry[]>> => {
  const read = await Promise.all(messageIds.map((id) => readIndex(store, toEditHistoryKey(roomId, id))));
  return new Map(messageIds.flatMap((id, i) => (read[i]!.length > 0 ? [[id, read[i]!] as const] : [])));
};

/**
 * Earlier bodies of a message, oldest first: empty when it was never edited, and once it is
 * deleted or removed. A message that was never edited costs no read.
 */
export const readEditHistory = async (store: EventStore, message: PostedMessage): Promise<MessageVersion[]> => {
  if (message.status === 'deleted' || message.deletedAt !== null || message.editedAt === null) return [];
  const entries = await readIndex(store, toEditHistoryKey(message.roomId, message.id));
  return entries.map((entry) => versionSchema.parse(JSON.parse(entry.ref)));
};

/** How long appends may wait for the swap (as the other rebuilds). */
const HOLD_MS = 2_000;

/**
 * Rebuilds the edit histories of one room from its log while appends go on (as `rebuildInline`
 * does, see there): folds the log into indexes beside the live ones, holds the room's appends for
 * a moment to fold what came last, and swaps them in; tries again if the hold ran out. Only the
 * indexes of messages the log shows edited are swapped (a message never edited has none to fix).
 * Answers the number of events folded.
 */
export const rebuildEditHistory = async (store: EventStore, roomId: string): Promise<number> => {
  const stream = toRoomStreamKey(roomId);
  const model = emptyEditHistory();
  let last: Cursor | null = null;
  let folded = 0;
  const edited = new Set<string>();

  const foldOn = async (end?: Cursor | null) => {
    for (;;) {
      if (end !== undefined && last === end) return;
      const page = await store.readForward(stream, { after: last ?? undefined, count: PAGE });
      if (page.length === 0) return;
      last = page.at(-1)!.cursor;
      folded += page.length;
      // Only this page's entries are written: the indexes folded so far are in the rebuilt keys already.
      const written = new Map([...model.indexes].map(([id, entries]) => [id, entries.length]));
      foldEditHistory(page, model);
      await Promise.all(
        [...model.indexes].flatMap(([id, entries]) => {
          const fresh = entries.slice(written.get(id) ?? 0);
          if (fresh.length === 0) return [];
          const key = toRebuildKey(toEditHistoryKey(roomId, id));
          const write = () => store.writeRebuilt({ index: { key, entries: fresh } });
          if (edited.has(id)) return [write()];
          edited.add(id);
          // What an earlier rebuild that did not finish left there goes first.
          return [store.deleteKeys([key]).then(write)];
        }),
      );
      if (end === undefined && page.length < PAGE) return;
    }
  };

  for (;;) {
    await foldOn();
    const end = await store.holdAppends(stream, HOLD_MS);
    await foldOn(end);
    const moves = [...edited].map((id) => ({ from: toRebuildKey(toEditHistoryKey(roomId, id)), to: toEditHistoryKey(roomId, id) }));
    if (await store.swapRebuilt(stream, last, moves)) return folded;
  }
};
