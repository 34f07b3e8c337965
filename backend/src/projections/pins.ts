import type { PostedMessage } from '../domain/message/message.js';
import type { AppendRequest, EventStore } from '../eventstore/eventStore.js';
import { toPinnedKey } from './keys.js';

/**
 * A room's pinned messages (inline, in the room's slot): a lexicographic set whose order is the
 * most recently pinned first, written by the append of a pin, an unpin or a deletion (a deleted
 * message is unpinned). Each message's `pinnedAt` is in its own state.
 */

// Newest first: the time counted down from a far future, fixed-width.
const FAR = 9_999_999_999_999;
export const toPinEntry = (pinnedAt: string, messageId: string) => `${String(FAR - Date.parse(pinnedAt)).padStart(13, '0')}\t${messageId}`;
const messageOfEntry = (entry: string) => entry.slice(entry.indexOf('\t') + 1);

/** What a change of a message does to its room's pins. */
export const toPinChanges = (roomId: string, before: PostedMessage | null, after: PostedMessage): AppendRequest['sets'] => {
  const was = before?.pinnedAt ?? null;
  const is = after.pinnedAt ?? null;
  if (was === is) return [];
  return [
    {
      key: toPinnedKey(roomId),
      ...(was ? { remove: [toPinEntry(was, after.id)] } : {}),
      ...(is ? { add: [toPinEntry(is, after.id)] } : {}),
    },
  ];
};

/** The ids of a room's pinned messages, most recently pinned first. */
export const readPinnedIds = async (store: EventStore, roomId: string, max: number): Promise<string[]> =>
  (await store.readSetRange(toPinnedKey(roomId), { min: '-', max: '+', count: max })).map(messageOfEntry);

export const countPinned = (store: EventStore, roomId: string): Promise<number> => store.countSet(toPinnedKey(roomId));
