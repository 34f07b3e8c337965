import { decodeMessageEvent } from '../domain/message/events.js';
import { type MessageEvent, type PostedMessage, messageDecider } from '../domain/message/message.js';
import { toMessageSnapshotsKey, toRoomStreamKey } from '../chat/keys.js';
import type { InlineLocation, InlineProjection } from './inline.js';
import { toHistoryIndexKey, toPinnedKey } from './keys.js';
import { toPinChanges } from './pins.js';

const EVENTS = new Set<string>([
  'MessagePosted',
  'MessageEdited',
  'MessageDeleted',
  'MessagePinned',
  'MessageUnpinned',
] satisfies MessageEvent['type'][]);

/**
 * A room's messages as history shows them (inline): each message's current state (the message
 * aggregate's snapshot, one hash field per message), the history index, one entry per post with
 * the post's cursor, so a history page reads the posts it returns and nothing it skips (no edits,
 * no deletions, no event JSON), and the room's pinned messages (see pins.ts).
 */
export const messageHistoryProjection: InlineProjection<PostedMessage, MessageEvent> = {
  name: 'messages',
  events: EVENTS,
  decode: decodeMessageEvent,
  fieldOf: (event) => event.data.messageId,
  evolve: (state, event) => {
    const next = messageDecider.evolve(state ?? messageDecider.initialState, event);
    if (next.status === 'none') throw new Error(`${event.type} of message ${event.data.messageId}, which was never posted`);
    return next;
  },
  indexRef: (event) => (event.type === 'MessagePosted' ? event.data.messageId : null),
  sets: (before, after) => toPinChanges(after.roomId, before, after) ?? [],
};

export const toMessageHistoryLocation = (roomId: string): InlineLocation => ({
  stream: toRoomStreamKey(roomId),
  hash: toMessageSnapshotsKey(roomId),
  index: toHistoryIndexKey(roomId),
  sets: [toPinnedKey(roomId)],
});

/** The history index entries an append of these message events writes (the command side's half). */
export const toHistoryIndexes = (roomId: string, events: readonly MessageEvent[]) =>
  events.flatMap((event, i) =>
    event.type === 'MessagePosted' ? [{ event: i, key: toHistoryIndexKey(roomId), ref: event.data.messageId }] : [],
  );
