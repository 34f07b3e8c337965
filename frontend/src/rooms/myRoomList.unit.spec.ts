import { describe, expect, it } from 'vitest';
import type { MyRoomFieldsFragment } from '../graphql/gql/graphql.js';
import { type MyRoomsEvent, evolveMyRooms, findRoom, initialMyRooms, invitations, joinedRooms, totalUnread } from './myRoomList.js';

const room = (id: string, over: Partial<MyRoomFieldsFragment> = {}): MyRoomFieldsFragment => ({
  id,
  name: id,
  kind: 'PRIVATE',
  myMembership: 'JOINED',
  myRole: 'MEMBER',
  unreadCount: 0,
  mentionCount: 0,
  readMarker: null,
  lastActivityAt: '2026-01-01T10:00:00.000Z',
  ...over,
});
const fold = (events: MyRoomsEvent[]) => events.reduce(evolveMyRooms, initialMyRooms);
const ids = (rooms: readonly { id: string }[]) => rooms.map((r) => r.id);
const first: MyRoomsEvent = {
  type: 'FirstPageLoaded',
  page: { rooms: [room('a'), room('b', { myMembership: 'INVITED' }), room('c', { kind: 'DIRECT' })], hasNextPage: true, endCursor: 'c' },
};

describe("the viewer's own rooms", () => {
  it('keeps the server order, and tells invitations from joined rooms', () => {
    const state = fold([first]);
    expect(ids(state.rooms)).toEqual(['a', 'b', 'c']);
    expect(ids(invitations(state))).toEqual(['b']);
    expect(ids(joinedRooms(state))).toEqual(['a', 'c']);
    expect(state.loaded).toBe(true);
  });

  it('appends next pages without repeating a room', () => {
    const state = fold([first, { type: 'NextPageLoaded', page: { rooms: [room('c'), room('d')], hasNextPage: false, endCursor: 'd' } }]);
    expect(ids(state.rooms)).toEqual(['a', 'b', 'c', 'd']);
    expect(state.hasNextPage).toBe(false);
  });

  it('puts a new room first, accepts an invitation in place, and drops rooms the viewer is out of', () => {
    const state = fold([
      first,
      { type: 'RoomChanged', room: room('new', { lastActivityAt: '2026-01-01T11:00:00.000Z' }) },
      { type: 'RoomChanged', room: room('b', { myMembership: 'JOINED' }) },
      { type: 'RoomChanged', room: room('a', { myMembership: 'LEFT' }) },
      { type: 'RoomRemoved', roomId: 'c' },
    ]);
    expect(ids(state.rooms)).toEqual(['new', 'b']);
    expect(invitations(state)).toEqual([]);
  });

  it('lists a room once when a page holds it twice (read while its membership changed)', () => {
    const state = fold([
      {
        type: 'FirstPageLoaded',
        page: { rooms: [room('a'), room('b'), room('a', { myMembership: 'INVITED' })], hasNextPage: false, endCursor: null },
      },
    ]);
    expect(ids(state.rooms)).toEqual(['a', 'b']);
    expect(invitations(state)).toEqual([]);
  });

  it('a reread replaces what was listed', () => {
    const state = fold([first, { type: 'FirstPageLoaded', page: { rooms: [room('z')], hasNextPage: false, endCursor: null } }]);
    expect(ids(state.rooms)).toEqual(['z']);
  });

  describe('kept current by the inbox', () => {
    const at = (minute: number) => `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
    const listed: MyRoomsEvent = {
      type: 'FirstPageLoaded',
      page: {
        rooms: [room('a', { lastActivityAt: at(30) }), room('b', { lastActivityAt: at(20) }), room('c', { lastActivityAt: at(10) })],
        hasNextPage: false,
        endCursor: null,
      },
    };
    const inbox = (kind: Extract<MyRoomsEvent, { type: 'InboxEventReceived' }>['kind'], r: MyRoomFieldsFragment): MyRoomsEvent => ({
      type: 'InboxEventReceived',
      kind,
      room: r,
    });

    it('moves a room with new activity to the top, with its counts', () => {
      const state = fold([listed, inbox('ACTIVITY', room('c', { lastActivityAt: at(40), unreadCount: 2, mentionCount: 1 }))]);
      expect(ids(state.rooms)).toEqual(['c', 'a', 'b']);
      expect(findRoom(state, 'c')).toMatchObject({ unreadCount: 2, mentionCount: 1 });
    });

    it('a read elsewhere clears the counts and keeps the place', () => {
      const state = fold([
        listed,
        inbox('ACTIVITY', room('b', { lastActivityAt: at(40), unreadCount: 3 })),
        inbox('READ', room('b', { lastActivityAt: at(40), unreadCount: 0, readMarker: '5-0' })),
      ]);
      expect(ids(state.rooms)).toEqual(['b', 'a', 'c']);
      expect(findRoom(state, 'b')).toMatchObject({ unreadCount: 0, readMarker: '5-0' });
    });

    it('adds an invitation and a room joined elsewhere, and drops a room left or removed', () => {
      const state = fold([
        listed,
        inbox('INVITED', room('i', { myMembership: 'INVITED', lastActivityAt: at(5) })),
        inbox('JOINED', room('j', { lastActivityAt: at(25) })),
        inbox('LEFT', room('a', { myMembership: 'LEFT' })),
        inbox('REMOVED', room('c', { myMembership: 'BANNED' })),
      ]);
      expect(ids(invitations(state))).toEqual(['i']);
      expect(ids(joinedRooms(state))).toEqual(['j', 'b']);
    });

    it('takes a new name without moving the room', () => {
      const state = fold([listed, inbox('UPDATED', room('b', { name: 'renamed', lastActivityAt: at(20) }))]);
      expect(ids(state.rooms)).toEqual(['a', 'b', 'c']);
      expect(findRoom(state, 'b')?.name).toBe('renamed');
    });

    it('counts unread messages of joined rooms only, for the title', () => {
      const state = fold([
        listed,
        inbox('ACTIVITY', room('a', { lastActivityAt: at(50), unreadCount: 2 })),
        inbox('ACTIVITY', room('c', { lastActivityAt: at(51), unreadCount: 5 })),
        inbox('INVITED', room('i', { myMembership: 'INVITED', unreadCount: 9 })),
      ]);
      expect(totalUnread(state)).toBe(7);
    });
  });
});
