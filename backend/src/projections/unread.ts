import type { RoomKind } from '../domain/room/events.js';
import type { AppendRequest, Cursor, EventStore } from '../eventstore/eventStore.js';
import type { Mark } from '../eventstore/marks.js';

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
  counters: `chat:{r:${roomId}}:counters`,
  positions: `chat:{r:${roomId}}:positions`,
  seqs: `chat:{r:${roomId}}:seqs`,
  marks: `chat:{r:${roomId}}:marks`,
  deleted: `chat:{r:${roomId}}:deleted`,
  mentions: (handle: string) => `chat:{r:${roomId}}:mentions:${handle.toLowerCase()}`,
});

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

/** A reader's counts in each room (in DIRECT rooms every unread message counts as a mention). */
export const readUnreadCounts = async (
  store: EventStore,
  reader: { userId: string; handle: string },
  rooms: readonly { id: string; kind: RoomKind }[],
): Promise<UnreadCounts[]> => {
  const marks = await store.readMarks(
    rooms.map((room) => {
      const keys = toUnreadKeys(room.id);
      return { counters: keys.counters, marks: keys.marks, field: reader.userId, above: [keys.deleted, keys.mentions(reader.handle)] };
    }),
  );
  return marks.map(({ last, lastCursor, mark, above: [deleted = 0, mentions = 0] }, i) => {
    const unreadCount = Math.max(0, last - (mark?.n ?? 0) - deleted);
    return {
      unreadCount,
      mentionCount: rooms[i]!.kind === 'DIRECT' ? unreadCount : mentions,
      readMarker: mark?.cursor ?? null,
      lastPost: lastCursor,
    };
  });
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
