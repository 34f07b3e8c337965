import { describe, expect, it } from 'vitest';
import type { MyRoomFieldsFragment } from '../graphql/gql/graphql.js';
import { type MyRoomsEvent, evolveMyRooms, initialMyRooms, invitations, joinedRooms } from './myRoomList.js';

const room = (id: string, over: Partial<MyRoomFieldsFragment> = {}): MyRoomFieldsFragment => ({
  id,
  name: id,
  kind: 'PRIVATE',
  myMembership: 'JOINED',
  myRole: 'MEMBER',
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
      { type: 'RoomChanged', room: room('new') },
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
});
