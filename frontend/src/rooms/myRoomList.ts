/**
 * The viewer's own rooms as the sidebar holds them: pages of `myRooms` (joined and invited rooms of
 * every kind, most recent activity first, the server's order), with what the page itself did
 * since (created, opened, accepted, declined, left) applied at once. `evolveMyRooms(state, event)
 * => state`, pure.
 */

import type { MyRoomFieldsFragment } from '../graphql/gql/graphql.js';

export type MyRoom = MyRoomFieldsFragment;

export interface MyRoomsState {
  rooms: readonly MyRoom[];
  hasNextPage: boolean;
  endCursor: string | null;
  loaded: boolean;
}

export const initialMyRooms: MyRoomsState = { rooms: [], hasNextPage: false, endCursor: null, loaded: false };

export interface MyRoomsPage {
  rooms: readonly MyRoom[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export type MyRoomsEvent =
  /** The first page(s), read again: they replace the list. */
  | { type: 'FirstPageLoaded'; page: MyRoomsPage }
  | { type: 'NextPageLoaded'; page: MyRoomsPage }
  /** A room as a mutation answered it: joined or invited rooms stay or come first, others leave. */
  | { type: 'RoomChanged'; room: MyRoom }
  /** The viewer is no longer in the room (left, declined, removed). */
  | { type: 'RoomRemoved'; roomId: string };

const isMine = (room: MyRoom) => room.myMembership === 'JOINED' || room.myMembership === 'INVITED';

/** Each room once, where it first comes (the most recent): a list read while a membership changes may hold it twice. */
const uniqueRooms = (rooms: readonly MyRoom[]): MyRoom[] => {
  const seen = new Set<string>();
  return rooms.filter((room) => !seen.has(room.id) && seen.add(room.id) !== undefined);
};

export const evolveMyRooms = (state: MyRoomsState, event: MyRoomsEvent): MyRoomsState => {
  switch (event.type) {
    case 'FirstPageLoaded':
      return {
        rooms: uniqueRooms(event.page.rooms.filter(isMine)),
        hasNextPage: event.page.hasNextPage,
        endCursor: event.page.endCursor,
        loaded: true,
      };
    case 'NextPageLoaded': {
      const ids = new Set(state.rooms.map((r) => r.id));
      const added = uniqueRooms(event.page.rooms.filter((r) => isMine(r) && !ids.has(r.id)));
      return {
        ...state,
        rooms: [...state.rooms, ...added],
        hasNextPage: event.page.hasNextPage,
        endCursor: event.page.endCursor ?? state.endCursor,
      };
    }
    case 'RoomChanged': {
      const i = state.rooms.findIndex((r) => r.id === event.room.id);
      if (!isMine(event.room)) return i < 0 ? state : { ...state, rooms: state.rooms.toSpliced(i, 1) };
      // Where it was (an accepted invitation keeps its place); a new one is the most recent.
      if (i >= 0) return { ...state, rooms: state.rooms.with(i, { ...state.rooms[i]!, ...event.room }) };
      return { ...state, rooms: [event.room, ...state.rooms] };
    }
    case 'RoomRemoved': {
      const rooms = state.rooms.filter((r) => r.id !== event.roomId);
      return rooms.length === state.rooms.length ? state : { ...state, rooms };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

/** Invitations waiting for an answer, in list order. */
export const invitations = (state: MyRoomsState): MyRoom[] => state.rooms.filter((r) => r.myMembership === 'INVITED');

/** Rooms the viewer is in, in list order. */
export const joinedRooms = (state: MyRoomsState): MyRoom[] => state.rooms.filter((r) => r.myMembership === 'JOINED');
