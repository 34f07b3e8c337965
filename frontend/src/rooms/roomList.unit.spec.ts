import { describe, expect, it } from 'vitest';
import { type RoomSummary, evolveRoomList, visibleRooms } from './roomList.js';

const room = (id: string, name: string, onlineCount = 0): RoomSummary => ({ id, name, onlineCount });

describe('the room list', () => {
  it('sorts by name case-insensitively and upserts by id', () => {
    let rooms = evolveRoomList([], { type: 'RoomsLoaded', rooms: [room('1', 'beta'), room('2', 'Alpha')] });
    rooms = evolveRoomList(rooms, { type: 'ROOM_CREATED', room: room('3', 'gamma') });
    rooms = evolveRoomList(rooms, { type: 'ROOM_CREATED', room: room('3', 'gamma') });
    rooms = evolveRoomList(rooms, { type: 'ROOM_RENAMED', room: room('1', 'Zulu') });
    expect(rooms.map((r) => r.name)).toEqual(['Alpha', 'gamma', 'Zulu']);
  });

  it('updates live online counts, and keeps the same list when nothing changed', () => {
    const before = evolveRoomList([], { type: 'RoomsLoaded', rooms: [room('1', 'a'), room('2', 'b')] });
    const after = evolveRoomList(before, { type: 'ONLINE_COUNT_CHANGED', room: room('2', 'b', 3) });
    expect(after.map((r) => r.onlineCount)).toEqual([0, 3]);
    expect(after[0]).toBe(before[0]);
    expect(evolveRoomList(after, { type: 'ONLINE_COUNT_CHANGED', room: room('2', 'b', 3) })).toBe(after);
  });

  it('a fresh read replaces counts but keeps rooms only events told about', () => {
    let rooms = evolveRoomList([], { type: 'ROOM_CREATED', room: room('9', 'new', 1) });
    rooms = evolveRoomList(rooms, { type: 'RoomsLoaded', rooms: [room('1', 'old', 2)] });
    expect(rooms.map((r) => [r.name, r.onlineCount])).toEqual([['new', 1], ['old', 2]]);
  });

  it('hides empty rooms on request, except the one you are in', () => {
    const rooms = [room('1', 'a', 0), room('2', 'b', 2), room('3', 'c', 0)];
    expect(visibleRooms(rooms, false).map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(visibleRooms(rooms, true).map((r) => r.id)).toEqual(['2']);
    expect(visibleRooms(rooms, true, '3').map((r) => r.id)).toEqual(['2', '3']);
  });
});
