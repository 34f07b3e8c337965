/**
 * The room list as the lobby shows it: a fold of the `rooms` query and `lobbyEvents`, pure.
 * Sorted by name case-insensitively, like the server's `rooms`.
 */

import type { LobbyEventKind, RoomFieldsFragment } from '../graphql/gql/graphql.js';

export type RoomSummary = RoomFieldsFragment;

export type RoomListEvent = { type: 'RoomsLoaded'; rooms: readonly RoomSummary[] } | { type: LobbyEventKind; room: RoomSummary };

export const byRoomName = (a: RoomSummary, b: RoomSummary): number => {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

const upsert = (rooms: readonly RoomSummary[], room: RoomSummary): readonly RoomSummary[] => {
  const i = rooms.findIndex((r) => r.id === room.id);
  if (i >= 0) {
    const current = rooms[i]!;
    if (current.name === room.name && current.onlineCount === room.onlineCount) return rooms;
    const next = [...rooms];
    next[i] = { ...room };
    return current.name === room.name ? next : next.sort(byRoomName);
  }
  return [...rooms, { ...room }].sort(byRoomName);
};

export const evolveRoomList = (rooms: readonly RoomSummary[], event: RoomListEvent): readonly RoomSummary[] => {
  switch (event.type) {
    case 'RoomsLoaded':
      // A fresh read is the truth for every room it names; rooms only the events knew stay.
      return event.rooms.reduce(upsert, rooms);
    case 'ROOM_CREATED':
    case 'ROOM_RENAMED':
    case 'ONLINE_COUNT_CHANGED':
      return upsert(rooms, event.room);
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

/** The rooms to show: all, or only those with someone in them (the room you are in always stays). */
export const visibleRooms = (rooms: readonly RoomSummary[], hideEmpty: boolean, currentId: string | null = null) =>
  hideEmpty ? rooms.filter((r) => r.onlineCount > 0 || r.id === currentId) : rooms;
