/**
 * The viewer's own rooms as the sidebar holds them: pages of `myRooms` (joined and invited rooms of
 * every kind, most recent activity first, the server's order), with what the page itself did
 * since (created, opened, accepted, declined, left, read) and what the inbox said (activity, reads
 * on other devices, invitations, removals) applied at once. `evolveMyRooms(state, event) => state`,
 * pure.
 */

import type { InboxEventKind, MyRoomFieldsFragment } from '../graphql/gql/graphql.js';

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
  | { type: 'RoomRemoved'; roomId: string }
  /** An event of the viewer's inbox, its room as it stood when the event was sent. */
  | { type: 'InboxEventReceived'; kind: InboxEventKind; room: MyRoom };

const isMine = (room: MyRoom) => room.myMembership === 'JOINED' || room.myMembership === 'INVITED';

/** Each room once, where it first comes (the most recent): a list read while a membership changes may hold it twice. */
const uniqueRooms = (rooms: readonly MyRoom[]): MyRoom[] => {
  const seen = new Set<string>();
  return rooms.filter((room) => !seen.has(room.id) && seen.add(room.id) !== undefined);
};

const activityOf = (room: MyRoom) => Date.parse(room.lastActivityAt);

/**
 * The room where its last activity puts it among the others: before the first that was active
 * earlier (after those active at the same moment), at the end when none was. The server's order is
 * the same, so a room moved here lands where a reread would put it.
 */
const placeRoom = (rooms: readonly MyRoom[], room: MyRoom): MyRoom[] => {
  const others = rooms.filter((r) => r.id !== room.id);
  const at = others.findIndex((r) => activityOf(r) < activityOf(room));
  return at < 0 ? [...others, room] : others.toSpliced(at, 0, room);
};

const withoutRoom = (state: MyRoomsState, roomId: string): MyRoomsState => {
  const rooms = state.rooms.filter((r) => r.id !== roomId);
  return rooms.length === state.rooms.length ? state : { ...state, rooms };
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
      if (!isMine(event.room)) return withoutRoom(state, event.room.id);
      const known = state.rooms.find((r) => r.id === event.room.id);
      return { ...state, rooms: placeRoom(state.rooms, known ? { ...known, ...event.room } : event.room) };
    }
    case 'RoomRemoved':
      return withoutRoom(state, event.roomId);
    case 'InboxEventReceived': {
      if (event.kind === 'LEFT' || event.kind === 'REMOVED') return withoutRoom(state, event.room.id);
      return evolveMyRooms(state, { type: 'RoomChanged', room: event.room });
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

/** Unread messages in every room the viewer is in: what the tab's title counts. */
export const totalUnread = (state: MyRoomsState): number =>
  state.rooms.reduce((sum, r) => (r.myMembership === 'JOINED' ? sum + r.unreadCount : sum), 0);

/** The room as the list has it, or null. */
export const findRoom = (state: MyRoomsState, roomId: string): MyRoom | null => state.rooms.find((r) => r.id === roomId) ?? null;
