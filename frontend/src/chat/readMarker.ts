/**
 * Where the reader was in a room, pure: the "new messages" divider at the read marker the room was
 * opened with, and which cursor to mark read next. Cursors are compared in log order
 * (`compareCursors`); a marker may be any cursor of the room's log, a message's or another event's.
 */

import { compareCursors } from '../graphql/cursors.js';
import type { TimelineItem } from './timeline.js';

/** The viewer's place in a room as it stood when the room was opened. */
export interface OpenedMarker {
  /** The read marker, null when nothing was read yet. */
  marker: string | null;
  /** Unread messages then: no divider when there were none. */
  unreadCount: number;
}

/**
 * The key of the first message after the marker by someone else (the divider goes above it), or
 * null when nothing was unread or no unread message is loaded.
 */
export const toDividerKey = (items: readonly TimelineItem[], opened: OpenedMarker | null, viewerId: string | null): string | null => {
  if (!opened || opened.unreadCount <= 0) return null;
  const marker = opened.marker;
  for (const item of items) {
    if (item.kind !== 'message' || item.message.author.id === viewerId) continue;
    if (marker === null || compareCursors(item.cursor, marker) > 0) return item.key;
  }
  return null;
};

/** The newest message's cursor in the timeline, or null when it shows none. */
export const newestMessageCursor = (items: readonly TimelineItem[]): string | null => {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.kind === 'message') return item.cursor;
  }
  return null;
};

/** Whether `cursor` is past `marker`, so marking it read moves the marker (it never moves back). */
export const isPastMarker = (cursor: string, marker: string | null): boolean => marker === null || compareCursors(cursor, marker) > 0;
