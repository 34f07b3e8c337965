import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import type { RoomDirectoryQuery as RoomDirectoryResult, RoomKind } from '../graphql/gql/graphql.js';
import type { MyRoom } from './myRoomList.js';
import { CreateRoomMutation, LobbyEventsSubscription, RoomDirectoryQuery } from './operations.js';
import {
  type RoomListEvent,
  type RoomPage,
  type RoomSummary,
  evolveRoomList,
  initialRoomList,
  knownRoomName,
  toSearchKey,
  toSortKey,
} from './roomList.js';

/** The server's most per page. */
const PAGE_MAX = 100;

export interface RoomDirectoryOptions {
  /** The server refused for want of a session. */
  onSessionEnded?: () => void;
  /** Rooms per page (at most 100); 50 by default. */
  pageSize?: number;
  /** How long the filter must rest before the list is read again for it; 250 ms by default. */
  searchDelayMs?: number;
}

export interface RoomDirectory {
  /** The loaded rooms that match the filter, in directory order. */
  rooms: Accessor<readonly RoomSummary[]>;
  /** The filter as typed. */
  search: Accessor<string>;
  /** Changes the filter; the list is read again for it once typing pauses. */
  setSearch(text: string): void;
  /** The first read answered (or failed). */
  ready: Accessor<boolean>;
  /** A first page is on its way (the first one, a new filter's, a reread). */
  loading: Accessor<boolean>;
  /** Why the list could not be read or stopped being live; null when all is well. */
  error: Accessor<string | null>;
  /** Rooms exist after the loaded ones. */
  hasMore: Accessor<boolean>;
  loadingMore: Accessor<boolean>;
  /** Why the last next page failed; null when it did not. */
  moreError: Accessor<string | null>;
  /** Loads the next page, unless one is on its way or there is none. */
  loadMore(): void;
  /** Reads the list again (after an error). */
  retry(): void;
  /** The name the list knows for a room (listed, or renamed while the page was open), or null. */
  nameOf(roomId: string): string | null;
  /**
   * Creates a room (public: or finds the one of that name); answers it, or an error message. A
   * private room is not listed here (only public rooms are).
   */
  createRoom(name: string, kind?: RoomKind): Promise<MyRoom | string>;
  dispose(): void;
}

const toRoomPage = (data: RoomDirectoryResult): RoomPage => ({
  rooms: data.roomDirectory.edges.map((edge) => edge.node),
  hasNextPage: data.roomDirectory.pageInfo.hasNextPage,
  endCursor: data.roomDirectory.pageInfo.endCursor,
  lobbyCursor: data.lobbyCursor,
});

/**
 * The live room list of the signed-in page, a page at a time: `roomDirectory` with the lobby cursor
 * read in the same query, then `lobbyEvents` after that cursor (nothing created or renamed
 * meanwhile is missed, and the lobby's log is never replayed from its start; the client keeps the
 * newest cursor for reconnects). A new filter reads its first page while the subscription goes on;
 * `roomList.ts` keeps both consistent. Online counts are not logged, so after a reconnect the loaded
 * rooms are read again.
 */
export const createRoomDirectory = (client: GraphQLClient, options: RoomDirectoryOptions = {}): RoomDirectory => {
  const pageSize = Math.min(options.pageSize ?? 50, PAGE_MAX);
  const searchDelayMs = options.searchDelayMs ?? 250;
  let state = initialRoomList;
  const [list, setList] = createSignal(state);
  const dispatch = (event: RoomListEvent) => {
    state = evolveRoomList(state, event);
    setList(state);
  };
  const [search, setSearchText] = createSignal('');
  const [ready, setReady] = createSignal(false);
  const [loading, setLoading] = createSignal(false);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [moreError, setMoreError] = createSignal<string | null>(null);

  let subscription: { unsubscribe(): void } | null = null;
  let disposed = false;
  /** Bumped by every first-page read: answers to older reads (of an older filter) are dropped. */
  let generation = 0;
  /** The folded filter of the newest first-page read. */
  let requested: string | null = null;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  const readPage = (text: string, after: string | null, first: number) =>
    client.urql.query(RoomDirectoryQuery, { first, after, search: text === '' ? null : text }).toPromise();

  const toMessage = (error: Parameters<typeof toErrorInfo>[0], fallback: string) => {
    const info = toErrorInfo(error, fallback);
    if (info.code === 'UNAUTHENTICATED') options.onSessionEnded?.();
    return info.message;
  };

  const follow = (after: string) => {
    subscription = client.urql.subscription(LobbyEventsSubscription, { after }).subscribe((result) => {
      const event = result.data?.lobbyEvents;
      if (event) {
        dispatch({ type: event.kind, cursor: event.cursor, room: event.room });
        return;
      }
      if (!result.error) return;
      subscription = null;
      // The log no longer holds our cursor: read the list again, and follow from its cursor.
      if (toErrorInfo(result.error).code === 'CURSOR_EXPIRED') void load();
      else setError(toMessage(result.error, 'Live updates of the room list stopped.'));
    });
  };

  /**
   * Reads the list for the current filter from its first page and replaces what is shown. With
   * `keepLoaded`, reads as far as the list was loaded (pages of 100), so a reread shrinks nothing.
   */
  const load = async ({ keepLoaded = false } = {}) => {
    const run = ++generation;
    const text = search();
    requested = toSearchKey(text);
    const until = keepLoaded && state.search === text ? state.end : null;
    setLoading(true);
    setMoreError(null);
    dispatch({ type: 'PageRequested' });
    const pages: RoomPage[] = [];
    for (let after: string | null = null; ; ) {
      const result = await readPage(text, after, until === null ? pageSize : PAGE_MAX);
      if (disposed || run !== generation) return;
      if (!result.data) {
        setLoading(false);
        setReady(true);
        setError(toMessage(result.error, 'The rooms could not be loaded.'));
        return;
      }
      const page = toRoomPage(result.data);
      pages.push(page);
      const last = page.rooms.at(-1);
      if (until === null || !page.hasNextPage || !last || toSortKey(last) >= until) break;
      after = page.endCursor;
    }
    setLoading(false);
    setReady(true);
    setError(null);
    const first = pages[0]!;
    const last = pages.at(-1)!;
    // Events are replayed from the first page's cursor: every later page is at least that new.
    dispatch({
      type: 'FirstPageLoaded',
      search: text,
      page: { ...last, rooms: pages.flatMap((p) => p.rooms), lobbyCursor: first.lobbyCursor },
    });
    // Only when the lobby has never been logged to does its log start at "0-0" (and then it is empty).
    if (!subscription && !disposed) follow(first.lobbyCursor ?? '0-0');
  };

  const loadMore = async () => {
    if (loading() || loadingMore() || !state.hasNextPage || state.endCursor === null) return;
    const run = generation;
    setLoadingMore(true);
    setMoreError(null);
    dispatch({ type: 'PageRequested' });
    const result = await readPage(state.search, state.endCursor, pageSize);
    setLoadingMore(false);
    // A first page read meanwhile (a new filter, a reread) replaced the list this page continued.
    if (disposed || run !== generation) return;
    if (!result.data) {
      setMoreError(toMessage(result.error, 'More rooms could not be loaded.'));
      return;
    }
    dispatch({ type: 'NextPageLoaded', page: toRoomPage(result.data) });
  };

  const stopReconnects = client.onReconnected(() => void load({ keepLoaded: true }));
  void load();

  return {
    rooms: () => list().rooms,
    search,
    setSearch(text) {
      setSearchText(text);
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => {
        if (toSearchKey(text) !== requested) void load();
      }, searchDelayMs);
    },
    ready,
    loading,
    error,
    // Not before the first page: until then there is no cursor to ask for the next one with.
    hasMore: () => list().hasNextPage && list().endCursor !== null,
    loadingMore,
    moreError,
    loadMore: () => void loadMore(),
    retry: () => void load({ keepLoaded: true }),
    nameOf: (roomId) => knownRoomName(list(), roomId),
    async createRoom(name, kind = 'PUBLIC') {
      const result = await client.urql.mutation(CreateRoomMutation, { name, kind }).toPromise();
      if (!result.data) return toMessage(result.error, 'The room could not be created.');
      // Shown at once where it belongs; its lobby event follows.
      if (result.data.createRoom.kind === 'PUBLIC') dispatch({ type: 'ROOM_CREATED', cursor: null, room: result.data.createRoom });
      return result.data.createRoom;
    },
    dispose() {
      disposed = true;
      clearTimeout(searchTimer);
      subscription?.unsubscribe();
      stopReconnects();
    },
  };
};
