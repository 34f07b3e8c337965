import { describe, expect, it } from 'vitest';
import {
  type RoomListEvent,
  type RoomListState,
  type RoomPage,
  type RoomSummary,
  compareRooms,
  evolveRoomList,
  initialRoomList,
  knownRoomName,
  matchesSearch,
  toSearchKey,
  visibleRooms,
} from './roomList.js';

const room = (id: string, name: string, onlineCount = 0): RoomSummary => ({ id, name, onlineCount });
const page = (rooms: RoomSummary[], options: Partial<Omit<RoomPage, 'rooms'>> = {}): RoomPage => ({
  rooms,
  hasNextPage: false,
  endCursor: rooms.length > 0 ? `after-${rooms.at(-1)!.id}` : null,
  lobbyCursor: '10-0',
  ...options,
});
const fold = (events: RoomListEvent[], state: RoomListState = initialRoomList) => events.reduce(evolveRoomList, state);
const names = (state: RoomListState) => state.rooms.map((r) => r.name);
const created = (r: RoomSummary, cursor: string | null = '11-0'): RoomListEvent => ({ type: 'ROOM_CREATED', cursor, room: r });
const renamed = (r: RoomSummary, cursor: string | null = '11-0'): RoomListEvent => ({ type: 'ROOM_RENAMED', cursor, room: r });

/** "alpha" … "echo" loaded, more after "echo". */
const firstPage = fold([
  { type: 'PageRequested' },
  {
    type: 'FirstPageLoaded',
    search: '',
    page: page([room('1', 'alpha'), room('2', 'bravo'), room('3', 'charlie'), room('4', 'delta'), room('5', 'echo')], {
      hasNextPage: true,
    }),
  },
]);

describe('folding names as the server does', () => {
  it('drops accents and case, decomposes compatibility forms, collapses and trims spaces', () => {
    expect(toSearchKey('Café')).toBe('cafe');
    expect(toSearchKey('  CAFÉ   au\tLait ')).toBe('cafe au lait');
    expect(toSearchKey('Ｃａｆé ﬁx')).toBe('cafe fix'); // full-width letters, the "ﬁ" ligature
    expect(toSearchKey('Zoë Ångström')).toBe('zoe angstrom');
    expect(toSearchKey('Ελληνικά')).toBe('ελληνικα');
  });

  it('matches a filter anywhere in a name, both folded', () => {
    expect(matchesSearch('Le Café du Coin', 'cafe')).toBe(true);
    expect(matchesSearch('Le Café du Coin', ' CAFÉ  DU ')).toBe(true);
    expect(matchesSearch('Le Café du Coin', 'tea')).toBe(false);
    expect(matchesSearch('anything', '')).toBe(true);
  });

  it('orders by folded name, then id', () => {
    const rooms = [room('b', 'cafe'), room('c', 'Bar'), room('a', 'Café'), room('d', 'café au lait')];
    expect([...rooms].sort(compareRooms).map((r) => r.id)).toEqual(['c', 'a', 'b', 'd']);
  });
});

describe('the room list', () => {
  it('shows the first page, then appends the next one after it', () => {
    expect(names(firstPage)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(firstPage.hasNextPage).toBe(true);
    expect(firstPage.endCursor).toBe('after-5');
    const next = fold(
      [{ type: 'PageRequested' }, { type: 'NextPageLoaded', page: page([room('6', 'foxtrot'), room('7', 'golf')]) }],
      firstPage,
    );
    expect(names(next)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf']);
    expect(next.hasNextPage).toBe(false);
    expect(next.endCursor).toBe('after-7');
  });

  it('shows a created room that sorts within the loaded range, and one that sorts after it only with its page, once', () => {
    let state = fold([created(room('9', 'Baker')), created(room('10', 'zulu'))], firstPage);
    expect(names(state)).toEqual(['alpha', 'Baker', 'bravo', 'charlie', 'delta', 'echo']);
    state = fold([{ type: 'PageRequested' }, { type: 'NextPageLoaded', page: page([room('6', 'foxtrot'), room('10', 'zulu')]) }], state);
    expect(names(state)).toEqual(['alpha', 'Baker', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'zulu']);
  });

  it('shows any created room that matches once the list is fully loaded', () => {
    const full = fold([{ type: 'FirstPageLoaded', search: '', page: page([room('1', 'alpha')]) }]);
    expect(names(fold([created(room('2', 'zulu'))], full))).toEqual(['alpha', 'zulu']);
    const empty = fold([{ type: 'FirstPageLoaded', search: '', page: page([]) }]);
    expect(names(fold([created(room('2', 'zulu'))], empty))).toEqual(['zulu']);
  });

  it('shows nothing from the lobby before the first page', () => {
    expect(fold([created(room('1', 'alpha'))]).rooms).toEqual([]);
  });

  it('upserts a room that comes again by id, and keeps the same list when nothing changed', () => {
    const again = fold([created(room('9', 'Baker'))], firstPage);
    expect(fold([created(room('9', 'Baker'))], again)).toBe(again);
    expect(fold([created(room('2', 'bravo'))], firstPage)).toBe(firstPage);
  });

  it('moves a renamed room, and drops it when it now sorts after the loaded range (its page brings it back, once)', () => {
    let state = fold([renamed(room('1', 'Dandelion'))], firstPage);
    expect(names(state)).toEqual(['bravo', 'charlie', 'Dandelion', 'delta', 'echo']);
    state = fold([renamed(room('1', 'yankee'))], state);
    expect(names(state)).toEqual(['bravo', 'charlie', 'delta', 'echo']);
    state = fold([{ type: 'PageRequested' }, { type: 'NextPageLoaded', page: page([room('6', 'foxtrot'), room('1', 'yankee')]) }], state);
    expect(names(state)).toEqual(['bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'yankee']);
  });

  it('keeps the range where its last page ended, even when that room is renamed', () => {
    const state = fold([renamed(room('5', 'zulu')), created(room('9', 'eagle'))], firstPage);
    expect(names(state)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'eagle']); // "zulu" comes with a later page
    expect(fold([created(room('8', 'ewe'))], state).rooms.some((r) => r.name === 'ewe')).toBe(false); // "ewe" sorts after "echo"
  });

  it('updates online counts of listed rooms only, without moving them', () => {
    const state = fold([{ type: 'ONLINE_COUNT_CHANGED', cursor: null, room: room('3', 'charlie', 4) }], firstPage);
    expect(state.rooms.map((r) => r.onlineCount)).toEqual([0, 0, 4, 0, 0]);
    expect(state.rooms[0]).toBe(firstPage.rooms[0]);
    expect(fold([{ type: 'ONLINE_COUNT_CHANGED', cursor: null, room: room('3', 'charlie', 4) }], state)).toBe(state);
    expect(fold([{ type: 'ONLINE_COUNT_CHANGED', cursor: null, room: room('77', 'zz', 2) }], state)).toBe(state);
  });

  describe('with a filter', () => {
    const cafes = fold([
      { type: 'PageRequested' },
      { type: 'FirstPageLoaded', search: 'cafe', page: page([room('c1', 'Café'), room('c2', 'Internet cafe')]) },
    ]);

    it('a new filter replaces the list with its first page', () => {
      expect(names(cafes)).toEqual(['Café', 'Internet cafe']);
      expect(cafes.search).toBe('cafe');
      expect(cafes.hasNextPage).toBe(false);
    });

    it('shows a created room only when it matches (accents and case aside)', () => {
      const state = fold([created(room('c3', 'CAFÉ NOIR')), created(room('t1', 'Tea house'))], cafes);
      expect(names(state)).toEqual(['Café', 'CAFÉ NOIR', 'Internet cafe']);
    });

    it('drops a room renamed so that it no longer matches, and adds one renamed into it', () => {
      const state = fold([renamed(room('c1', 'Tea room')), renamed(room('t1', 'Cafeteria'))], cafes);
      expect(names(state)).toEqual(['Cafeteria', 'Internet cafe']);
    });
  });

  describe('while a page is on its way', () => {
    it('applies again, after the page, the logged events newer than its lobby cursor', () => {
      // A rename at 12-0 reaches the page first; the page was read at 10-0 and still has the old name.
      const state = fold(
        [
          { type: 'PageRequested' },
          renamed(room('6', 'Bison'), '12-0'),
          { type: 'NextPageLoaded', page: page([room('6', 'foxtrot'), room('7', 'golf')], { lobbyCursor: '10-0' }) },
        ],
        firstPage,
      );
      expect(names(state)).toEqual(['alpha', 'Bison', 'bravo', 'charlie', 'delta', 'echo', 'golf']);
      expect(state.inFlight).toBeNull();
    });

    it('lets the page win over events it already includes', () => {
      const state = fold(
        [
          { type: 'PageRequested' },
          renamed(room('1', 'Aardvark'), '9-0'),
          { type: 'NextPageLoaded', page: page([room('1', 'Aardvark II'), room('6', 'foxtrot')], { lobbyCursor: '10-0' }) },
        ],
        firstPage,
      );
      expect(names(state)).toEqual(['Aardvark II', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot']);
    });

    it("applies the events that came during a new filter's first page under that filter", () => {
      const state = fold(
        [
          { type: 'PageRequested' },
          created(room('c9', 'Cafe Zero'), '11-0'),
          created(room('x1', 'Xylophone'), '11-1'),
          { type: 'FirstPageLoaded', search: 'café', page: page([room('c1', 'Café')], { lobbyCursor: '10-0' }) },
        ],
        firstPage,
      );
      expect(names(state)).toEqual(['Café', 'Cafe Zero']);
    });

    it('replays everything logged when the lobby had no cursor yet', () => {
      const state = fold([
        { type: 'PageRequested' },
        created(room('1', 'alpha'), '1-0'),
        { type: 'FirstPageLoaded', search: '', page: page([], { lobbyCursor: null }) },
      ]);
      expect(names(state)).toEqual(['alpha']);
    });

    it('does not keep events while no page is on its way', () => {
      expect(fold([created(room('9', 'Baker'))], firstPage).inFlight).toBeNull();
    });
  });

  it('knows the name of a room it lists, or that the lobby renamed', () => {
    const state = fold([renamed(room('far', 'Zanzibar'))], firstPage);
    expect(knownRoomName(state, '2')).toBe('bravo');
    expect(knownRoomName(state, 'far')).toBe('Zanzibar');
    expect(knownRoomName(state, 'unknown')).toBeNull();
  });

  it('hides empty rooms on request, except the one you are in', () => {
    const rooms = [room('1', 'a', 0), room('2', 'b', 2), room('3', 'c', 0)];
    expect(visibleRooms(rooms, false).map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(visibleRooms(rooms, true).map((r) => r.id)).toEqual(['2']);
    expect(visibleRooms(rooms, true, '3').map((r) => r.id)).toEqual(['2', '3']);
  });
});
