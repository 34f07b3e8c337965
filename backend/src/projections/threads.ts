import type { MessageEvent, PostedMessage } from '../domain/message/message.js';
import { decodeMessageEvent } from '../domain/message/events.js';
import type { AppendRequest, EventStore, IndexEntry, RebuiltPart, RecordedEvent } from '../eventstore/eventStore.js';
import { toRebuildKey, toThreadIndexKey, toThreadsKey } from './keys.js';
import { rebuildRoomModel } from './roomRebuild.js';

/**
 * Threads (inline, in the room's slot): each root's replies as an index (so `replies` pages
 * through just them), and the room's counters: how many of a root's replies are not deleted, and
 * when the last was posted. The append of a reply writes them in the same step as the reply, so a
 * thousand replies posted at once count a thousand; the deletion of a reply counts it out.
 */

export interface ThreadInfo {
  replyCount: number;
  lastReplyAt: string | null;
}

/** What the append of a post writes to its thread (nothing for a top-level message). */
export const toReplyWrites = (roomId: string, events: readonly MessageEvent[]): Pick<AppendRequest, 'indexes' | 'counts' | 'values'> => {
  const posted = events.findIndex((event) => event.type === 'MessagePosted');
  const event = events[posted];
  if (event?.type !== 'MessagePosted' || event.data.replyTo === null) return {};
  const root = event.data.replyTo;
  return {
    indexes: [{ event: posted, key: toThreadIndexKey(roomId, root), ref: event.data.messageId }],
    counts: [{ key: toThreadsKey(roomId), field: root, by: 1 }],
    values: [{ key: toThreadsKey(roomId), field: `${root}:at`, value: event.data.postedAt }],
  };
};

/** What a change of a message does to its thread's counters: a reply deleted counts out. */
export const toReplyCountChanges = (roomId: string, before: PostedMessage, after: PostedMessage): AppendRequest['counts'] =>
  before.replyTo && before.status === 'posted' && after.status === 'deleted'
    ? [{ key: toThreadsKey(roomId), field: before.replyTo, by: -1 }]
    : [];

/** The threads of these messages, in one round trip. */
export const readThreadInfo = async (store: EventStore, roomId: string, messageIds: readonly string[]): Promise<ThreadInfo[]> => {
  if (messageIds.length === 0) return [];
  const values = await store.readFields(
    toThreadsKey(roomId),
    messageIds.flatMap((id) => [id, `${id}:at`]),
  );
  return messageIds.map((_, i) => ({ replyCount: Number(values[2 * i] ?? 0), lastReplyAt: values[2 * i + 1] ?? null }));
};

const appendTo = <V>(lists: Map<string, V[]>, key: string, value: V) => {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
};

/**
 * The threads folded from a room's log, page by page: each page's changes to the rebuilt keys
 * (new index entries per root, counters set or taken out), and the whole model so far.
 */
export const createThreadsFold = (roomId: string) => {
  const replies = new Map<string, string[]>();
  const counters = new Map<string, string>();
  const rootOf = new Map<string, string>();
  return {
    replies,
    counters,
    keys: () => [toThreadsKey(roomId), ...[...replies.keys()].map((root) => toThreadIndexKey(roomId, root))],
    fold(page: readonly RecordedEvent[]): RebuiltPart[] {
      const entries = new Map<string, IndexEntry[]>();
      const changed = new Set<string>();
      for (const recorded of page) {
        if (recorded.type !== 'MessagePosted' && recorded.type !== 'MessageDeleted') continue;
        const event = decodeMessageEvent(recorded);
        if (event.type === 'MessagePosted' && event.data.replyTo) {
          const root = event.data.replyTo;
          rootOf.set(event.data.messageId, root);
          // Appended in place: a thread of n replies folds in O(n), not O(n²).
          appendTo(replies, root, event.data.messageId);
          appendTo(entries, root, { cursor: recorded.cursor, ref: event.data.messageId });
          counters.set(root, String(Number(counters.get(root) ?? 0) + 1));
          counters.set(`${root}:at`, event.data.postedAt);
          changed.add(root).add(`${root}:at`);
        } else if (event.type === 'MessageDeleted') {
          // A message is deleted once (a second deletion decides nothing).
          const root = rootOf.get(event.data.messageId);
          if (!root) continue;
          const left = Number(counters.get(root)) - 1;
          if (left > 0) counters.set(root, String(left));
          else counters.delete(root);
          changed.add(root);
        }
      }
      const fields = [...changed];
      return [
        {
          fields: [
            {
              key: toRebuildKey(toThreadsKey(roomId)),
              values: fields.flatMap((field) => (counters.has(field) ? [[field, counters.get(field)!] as const] : [])),
              remove: fields.filter((field) => !counters.has(field)),
            },
          ],
        },
        ...[...entries].map(([root, list]) => ({ index: { key: toRebuildKey(toThreadIndexKey(roomId, root)), entries: list } })),
      ];
    },
  };
};

/** The threads as a fold of the whole log. */
export const foldThreads = (log: readonly RecordedEvent[], roomId: string) => {
  const fold = createThreadsFold(roomId);
  fold.fold(log);
  return fold;
};

/** Rebuilds a room's threads from its log (see `rebuildRoomModel`). */
export const rebuildThreads = (store: EventStore, roomId: string) =>
  rebuildRoomModel(store, roomId, () => createThreadsFold(roomId), [toThreadsKey(roomId)]);
