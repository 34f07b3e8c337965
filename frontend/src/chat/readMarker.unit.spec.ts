import { describe, expect, it } from 'vitest';
import type { MessageFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';
import { isPastMarker, newestMessageCursor, toDividerKey } from './readMarker.js';
import type { TimelineItem } from './timeline.js';
import { PLAIN_MESSAGE } from '../testing/messages.js';

const user = (id: string): UserFieldsFragment => ({ id, handle: id, displayName: id, avatarUrl: null, status: 'AVAILABLE' });
const item = (cursor: string, author = 'bob'): TimelineItem => ({
  kind: 'message',
  key: `m${cursor}`,
  cursor,
  message: {
    id: `m${cursor}`,
    body: cursor,
    createdAt: '2026-12-01T10:00:00.000Z',
    editedAt: null,
    deletedAt: null,
    author: user(author),
    removedBy: null,
    ...PLAIN_MESSAGE,
  } satisfies MessageFieldsFragment,
});
const notice: TimelineItem = { kind: 'notice', key: 'n1', what: 'joined', user: user('carol'), at: '2026-12-01T10:00:00.000Z' };

describe('where the reader was', () => {
  const items = [item('1-0'), item('2-0', 'alice'), notice, item('9-0'), item('10-0')];

  it('puts the divider above the first message by someone else after the marker (compared in log order)', () => {
    expect(toDividerKey(items, { marker: '2-0', unreadCount: 2 }, 'alice')).toBe('m9-0');
    // "10-0" comes after "9-0" although it sorts before it as text.
    expect(toDividerKey(items, { marker: '9-0', unreadCount: 1 }, 'alice')).toBe('m10-0');
    // A marker at another event of the log (not a message) works the same.
    expect(toDividerKey(items, { marker: '3-5', unreadCount: 2 }, 'alice')).toBe('m9-0');
  });

  it('skips the viewer’s own messages, and starts at the first message when nothing was read', () => {
    expect(toDividerKey([item('1-0', 'alice'), item('2-0')], { marker: null, unreadCount: 1 }, 'alice')).toBe('m2-0');
  });

  it('has no divider when nothing was unread, nothing unread is loaded, or the room is not loaded yet', () => {
    expect(toDividerKey(items, { marker: '2-0', unreadCount: 0 }, 'alice')).toBeNull();
    expect(toDividerKey(items, { marker: '10-0', unreadCount: 1 }, 'alice')).toBeNull();
    expect(toDividerKey(items, null, 'alice')).toBeNull();
  });

  it('marks read up to the newest message, and only past the marker', () => {
    expect(newestMessageCursor(items)).toBe('10-0');
    expect(newestMessageCursor([notice])).toBeNull();
    expect(isPastMarker('10-0', '9-0')).toBe(true);
    expect(isPastMarker('9-0', '9-0')).toBe(false);
    expect(isPastMarker('1-0', null)).toBe(true);
  });
});
