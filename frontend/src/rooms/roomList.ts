import { toRoomSearchKey } from '../../../backend/src/domain/room/searchKey.js';
/**
 * The room list as the page holds it: the pages of `roomDirectory` loaded so far for one filter,
 * kept live by `lobbyEvents`. `evolveRoomList(state, event) => state`, pure and synchronous; only
 * loaded pages are ever in memory, however many rooms there are.
 *
 * Rooms are in directory order, the server's: names folded by `toSearchKey`, then ids. The loaded
 * range runs from the first room to the last room of the last page loaded (or to the end, once no
 * page is left). A room created or renamed through the lobby is shown only where the server would
 * list it: when it matches the filter and sorts within that range; one that sorts after it comes
 * with a later page, so it is never shown twice, and a room renamed out of the filter or the range
 * leaves the list.
 */

import { compareCursors } from '../graphql/cursors.js';
import type { LobbyEventKind, RoomFieldsFragment } from '../graphql/gql/graphql.js';

export type RoomSummary = RoomFieldsFragment;

/** Names folded as the server's directory folds them: the same function ("Café" and "  CAFE " fold alike). */
export const toSearchKey = toRoomSearchKey;

/** A room's place in the directory: its folded name, then its id (the server's key, compared the same way). */
const sortKeys = new WeakMap<RoomSummary, string>();
export const toSortKey = (room: RoomSummary): string => {
  let key = sortKeys.get(room);
  if (key === undefined) {
    key = `${toSearchKey(room.name)}\u0000${room.id}`;
    sortKeys.set(room, key);
  }
  return key;
};

export const compareRooms = (a: RoomSummary, b: RoomSummary): number => {
  const x = toSortKey(a);
  const y = toSortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Whether a name contains the filter, both folded (an empty filter keeps every name). */
export const matchesSearch = (name: string, search: string): boolean => toSearchKey(name).includes(toSearchKey(search));

/** A page of the directory, with the lobby cursor read in the same query (the page is at least that new). */
export interface RoomPage {
  rooms: readonly RoomSummary[];
  hasNextPage: boolean;
  endCursor: string | null;
  lobbyCursor: string | null;
}

/** A lobby event; `cursor` is null for online counts (never logged) and for the page's own createRoom answer. */
export interface LobbyChange {
  type: LobbyEventKind;
  cursor: string | null;
  room: RoomSummary;
}

export type RoomListEvent =
  /** A page was asked for: lobby events from now on are kept, to apply again after it. */
  | { type: 'PageRequested' }
  /** The first page(s) for `search`: they replace the list. */
  | { type: 'FirstPageLoaded'; search: string; page: RoomPage }
  /** The page after the loaded range. */
  | { type: 'NextPageLoaded'; page: RoomPage }
  | LobbyChange;

export interface RoomListState {
  /** The filter the loaded rooms match, as typed ('' keeps every room). */
  search: string;
  /** The loaded rooms that match `search`, in directory order. */
  rooms: readonly RoomSummary[];
  /** The sort key the loaded range ends at: the last room of the last page as it was then; null before any. */
  end: string | null;
  /** `after` for the next page. */
  endCursor: string | null;
  /** Rooms exist after the loaded range (true until a page says otherwise). */
  hasNextPage: boolean;
  /** Logged lobby events that arrived while a page was on its way (null when none is). */
  inFlight: readonly LobbyChange[] | null;
  /** Names the lobby announced in renames, for rooms that are not in the list (the room you are in). */
  renamed: ReadonlyMap<string, string>;
}

export const initialRoomList: RoomListState = {
  search: '',
  rooms: [],
  end: null,
  endCursor: null,
  hasNextPage: true,
  inFlight: null,
  renamed: new Map(),
};

/** The index at which `room` goes in the sorted `rooms` (binary search). */
const insertionIndex = (rooms: readonly RoomSummary[], room: RoomSummary): number => {
  let low = 0;
  let high = rooms.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareRooms(rooms[mid]!, room) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
};

const isInRange = (state: RoomListState, room: RoomSummary): boolean =>
  !state.hasNextPage || (state.end !== null && toSortKey(room) <= state.end);

/** Puts a created or renamed room where the server would list it, or takes it out. */
const place = (state: RoomListState, room: RoomSummary): RoomListState => {
  const i = state.rooms.findIndex((r) => r.id === room.id);
  const current = state.rooms[i];
  const shown = matchesSearch(room.name, state.search) && isInRange(state, room);
  if (current && shown && current.name === room.name && current.onlineCount === room.onlineCount) return state;
  if (!current && !shown) return state;
  const rooms = i >= 0 ? state.rooms.toSpliced(i, 1) : [...state.rooms];
  if (shown) rooms.splice(insertionIndex(rooms, room), 0, room);
  return { ...state, rooms };
};

const setOnlineCount = (state: RoomListState, room: RoomSummary): RoomListState => {
  const i = state.rooms.findIndex((r) => r.id === room.id);
  const current = state.rooms[i];
  if (!current || current.onlineCount === room.onlineCount) return state;
  return { ...state, rooms: state.rooms.with(i, { ...current, onlineCount: room.onlineCount }) };
};

const applyChange = (state: RoomListState, change: LobbyChange): RoomListState => {
  switch (change.type) {
    case 'ROOM_CREATED':
      return place(state, change.room);
    case 'ROOM_RENAMED':
      return place({ ...state, renamed: new Map(state.renamed).set(change.room.id, change.room.name) }, change.room);
    case 'ONLINE_COUNT_CHANGED':
      return setOnlineCount(state, change.room);
    default: {
      const unknown: never = change.type;
      return unknown;
    }
  }
};

/** Sorted merge of the list and a page; the page's copy of a room wins (it is the newer read). */
const merge = (rooms: readonly RoomSummary[], page: readonly RoomSummary[]): RoomSummary[] => {
  const ids = new Set(page.map((r) => r.id));
  const kept = rooms.filter((r) => !ids.has(r.id));
  const added = [...page].sort(compareRooms);
  const out: RoomSummary[] = [];
  let i = 0;
  let j = 0;
  while (i < kept.length || j < added.length) {
    if (j >= added.length || (i < kept.length && compareRooms(kept[i]!, added[j]!) <= 0)) out.push(kept[i++]!);
    else out.push(added[j++]!);
  }
  return out;
};

/**
 * After a page: the lobby events that came while it was on its way and are newer than its lobby
 * cursor, applied again (the page may or may not include them; applied in log order, they leave
 * each room as the newest of them has it).
 */
const replayAfter = (state: RoomListState, inFlight: readonly LobbyChange[] | null, lobbyCursor: string | null): RoomListState =>
  (inFlight ?? [])
    .filter((change) => change.cursor !== null && (lobbyCursor === null || compareCursors(change.cursor, lobbyCursor) > 0))
    .reduce(applyChange, { ...state, inFlight: null });

const withPage = (state: RoomListState, page: RoomPage): RoomListState => {
  const last = page.rooms.at(-1);
  return {
    ...state,
    rooms: merge(state.rooms, page.rooms),
    end: last ? toSortKey(last) : state.end,
    endCursor: page.endCursor ?? state.endCursor,
    hasNextPage: page.hasNextPage,
  };
};

export const evolveRoomList = (state: RoomListState, event: RoomListEvent): RoomListState => {
  switch (event.type) {
    case 'PageRequested':
      return { ...state, inFlight: [] };

    case 'FirstPageLoaded': {
      const fresh = withPage({ ...state, search: event.search, rooms: [], end: null, endCursor: null }, event.page);
      return replayAfter(fresh, state.inFlight, event.page.lobbyCursor);
    }

    case 'NextPageLoaded':
      return replayAfter(withPage(state, event.page), state.inFlight, event.page.lobbyCursor);

    case 'ROOM_CREATED':
    case 'ROOM_RENAMED':
    case 'ONLINE_COUNT_CHANGED': {
      const next = applyChange(state, event);
      if (state.inFlight === null || event.cursor === null) return next;
      return { ...next, inFlight: [...state.inFlight, event] };
    }

    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

/** The name the list knows for a room: its entry, else the last rename the lobby announced; null if neither. */
export const knownRoomName = (state: RoomListState, roomId: string): string | null =>
  state.rooms.find((r) => r.id === roomId)?.name ?? state.renamed.get(roomId) ?? null;

/** The rooms to show: all, or only those with someone in them (the room you are in always stays). */
export const visibleRooms = (rooms: readonly RoomSummary[], hideEmpty: boolean, currentId: string | null = null) =>
  hideEmpty ? rooms.filter((r) => r.onlineCount > 0 || r.id === currentId) : rooms;
