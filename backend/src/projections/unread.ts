import type { RoomKind } from '../domain/room/events.js';
import { decodeMessageEvent } from '../domain/message/events.js';
import type { AppendRequest, Cursor, EventStore, MarksReply, MarksRequest, RebuiltPart, RecordedEvent } from '../eventstore/eventStore.js';
import { type Mark, toPositionEntry } from '../eventstore/marks.js';
import { toRebuildKey } from './keys.js';
import { type RoomModelFold, rebuildRoomModel } from './roomRebuild.js';

/**
 * Unread and mention counts (inline, in the room's slot), in constant time per room and reader:
 * - the room's posts are numbered (`counters`: the last number and its cursor; `positions`: every
 *   post's cursor with its number; `seqs`: each message's number);
 * - `marks`: each reader's read marker, a number and a cursor, moved only forward (a post moves
 *   its author's to itself: nobody's own post is ever unread);
 * - `deleted`: the numbers of deleted posts; `mentions:<handle>`: of posts that mention @handle,
 *   as their bodies are now (an edit moves them, a deletion takes them out).
 * unread = last − marker − deleted above the marker; mentions = mentions:<handle> above it.
 * It folds MessagePosted, MessageEdited and MessageDeleted; markers are readers' state, not events.
 */
export const toUnreadKeys = (roomId: string) => ({
  counters: toCountersKey(roomId),
  positions: `chat:{r:${roomId}}:positions`,
  seqs: `chat:{r:${roomId}}:seqs`,
  marks: `chat:{r:${roomId}}:marks`,
  deleted: `chat:{r:${roomId}}:deleted`,
  mentions: (handle: string) => `chat:{r:${roomId}}:mentions:${handle.toLowerCase()}`,
});

/** A room's counters (`seq`: its last post's number, `last`: that post's cursor), alone: myRooms reads a thousand. */
export const toCountersKey = (roomId: string) => `chat:{r:${roomId}}:counters`;

const MENTION = /(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])/gu;

/** The handles a body mentions (`@handle`, whole word), in lower case, each once. */
export const toMentions = (body: string): string[] => [...new Set([...body.matchAll(MENTION)].map((match) => match[1]!.toLowerCase()))];

/** What a post writes: its number, its author's marker, and the mentions it makes. */
export const toPostCounts = (roomId: string, messageId: string, authorId: string, body: string) => {
  const keys = toUnreadKeys(roomId);
  return {
    sequence: {
      event: 0,
      counters: keys.counters,
      positions: keys.positions,
      refs: [{ key: keys.seqs, field: messageId }],
      marks: [{ key: keys.marks, field: authorId }],
    },
    scored: toMentions(body).map((handle) => ({ key: keys.mentions(handle), score: 'sequence' as const, add: [messageId] })),
  } satisfies Pick<AppendRequest, 'sequence' | 'scored'>;
};

/**
 * What an edit or a deletion of a numbered message writes: mentions moved from the old body to
 * the new one, and a deletion's number in `deleted`. Messages posted before they were numbered
 * (`n` null) change nothing.
 */
export const toChangeCounts = (
  roomId: string,
  message: { id: string; n: number | null; before: string; after: string; deleted: boolean },
): NonNullable<AppendRequest['scored']> => {
  if (message.n === null) return [];
  const keys = toUnreadKeys(roomId);
  const was = new Set(toMentions(message.before));
  const is = new Set(message.deleted ? [] : toMentions(message.after));
  return [
    ...[...was].filter((handle) => !is.has(handle)).map((handle) => ({ key: keys.mentions(handle), score: 0, remove: [message.id] })),
    ...[...is].filter((handle) => !was.has(handle)).map((handle) => ({ key: keys.mentions(handle), score: message.n!, add: [message.id] })),
    ...(message.deleted ? [{ key: keys.deleted, score: message.n, add: [message.id] }] : []),
  ];
};

export interface UnreadCounts {
  unreadCount: number;
  mentionCount: number;
  readMarker: Cursor | null;
  /** The room's last post's cursor, null before the first. */
  lastPost: Cursor | null;
}

/**
 * What `readMarks` reads for a reader's counts in a room: its numbering, their marker, and the
 * deleted posts and mentions of them above it (`also`: more of the room's slot, read in the same step).
 */
export const toUnreadRequest = (roomId: string, reader: { userId: string; handle: string }, also?: MarksRequest['also']): MarksRequest => {
  const keys = toUnreadKeys(roomId);
  return {
    counters: keys.counters,
    marks: keys.marks,
    positions: keys.positions,
    field: reader.userId,
    above: [keys.deleted, keys.mentions(reader.handle)],
    ...(also ? { also } : {}),
  };
};

/** A reader's counts in a room from what `toUnreadRequest` read (in DIRECT rooms every unread message counts as a mention). */
export const toUnreadCounts = (
  { last, lastCursor, mark, above: [deleted = 0, mentions = 0] }: MarksReply,
  kind: RoomKind,
): UnreadCounts => {
  const unreadCount = Math.max(0, last - (mark?.n ?? 0) - deleted);
  return {
    unreadCount,
    mentionCount: kind === 'DIRECT' ? unreadCount : mentions,
    readMarker: mark?.cursor ?? null,
    lastPost: lastCursor,
  };
};

/** A reader's counts in each room (in DIRECT rooms every unread message counts as a mention). */
export const readUnreadCounts = async (
  store: EventStore,
  reader: { userId: string; handle: string },
  rooms: readonly { id: string; kind: RoomKind }[],
): Promise<UnreadCounts[]> => {
  const marks = await store.readMarks(rooms.map((room) => toUnreadRequest(room.id, reader)));
  return marks.map((mark, i) => toUnreadCounts(mark, rooms[i]!.kind));
};

/** Moves the reader's marker in the room forward to `cursor` (a position of the room's log). */
export const advanceReadMarker = (
  store: EventStore,
  roomId: string,
  userId: string,
  cursor: Cursor,
  notify?: { stream: string; type: string; data: unknown },
): Promise<Mark> => {
  const keys = toUnreadKeys(roomId);
  return store.advanceMark(keys.marks, userId, keys.positions, cursor, notify);
};

/** The message events that change counts (pins do not). */
const COUNTED_EVENTS = new Set<string>(['MessagePosted', 'MessageEdited', 'MessageDeleted']);

const createUnreadFold = (roomId: string): RoomModelFold => {
  const keys = toUnreadKeys(roomId);
  const messages = new Map<string, { n: number; body: string; deleted: boolean }>();
  const handles = new Set<string>();
  let n = 0;
  let lastPost: Cursor | null = null;

  /** Folds one page into changes of the rebuilt keys: the last change of a member in the page wins. */
  const foldPage = (page: readonly RecordedEvent[]): RebuiltPart => {
    const positions: string[] = [];
    const seqs: [string, string][] = [];
    const scored = new Map<string, Map<string, number | null>>();
    const score = (key: string, member: string, value: number | null) => {
      let members = scored.get(key);
      if (!members) scored.set(key, (members = new Map()));
      members.set(member, value);
    };
    const mention = (body: string, id: string, value: number | null) => {
      for (const handle of toMentions(body)) {
        handles.add(handle);
        score(keys.mentions(handle), id, value);
      }
    };
    for (const recorded of page) {
      if (!COUNTED_EVENTS.has(recorded.type)) continue;
      const event = decodeMessageEvent(recorded);
      const id = event.data.messageId;
      const message = messages.get(id);
      if (event.type === 'MessagePosted') {
        n += 1;
        lastPost = recorded.cursor;
        messages.set(id, { n, body: event.data.body, deleted: false });
        positions.push(toPositionEntry(recorded.cursor, n));
        seqs.push([id, String(n)]);
        mention(event.data.body, id, n);
      } else if (message && !message.deleted) {
        mention(message.body, id, null);
        if (event.type === 'MessageEdited') {
          message.body = event.data.body;
          mention(message.body, id, message.n);
        } else {
          message.deleted = true;
          score(keys.deleted, id, message.n);
        }
      }
    }
    return {
      fields: [
        { key: toRebuildKey(keys.counters), values: lastPost ? [['seq', String(n)] as const, ['last', lastPost] as const] : [] },
        { key: toRebuildKey(keys.seqs), values: seqs },
      ],
      sets: [{ key: toRebuildKey(keys.positions), add: positions, remove: [] }],
      scored: [...scored].map(([key, members]) => ({
        key: toRebuildKey(key),
        add: [...members].flatMap(([member, value]) => (value === null ? [] : [[member, value] as const])),
        remove: [...members].flatMap(([member, value]) => (value === null ? [member] : [])),
      })),
    };
  };

  return {
    fold: (page) => [foldPage(page)],
    keys: () => [...unreadFixedKeys(roomId), ...[...handles].map((handle) => keys.mentions(handle))],
  };
};

/** The keys of a room's numbering that do not depend on who is mentioned. */
const unreadFixedKeys = (roomId: string) => {
  const keys = toUnreadKeys(roomId);
  return [keys.counters, keys.positions, keys.seqs, keys.deleted];
};

/**
 * Rebuilds a room's numbering (counters, positions, each message's number, deletions, mentions)
 * from its log while appends go on (see `rebuildRoomModel`). Readers' marks are cursors and need
 * nothing. Answers the number of events folded.
 */
export const rebuildUnread = (store: EventStore, roomId: string): Promise<number> =>
  rebuildRoomModel(store, roomId, () => createUnreadFold(roomId), unreadFixedKeys(roomId));
