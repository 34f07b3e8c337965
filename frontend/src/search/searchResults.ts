/** What a search shows: its pages folded into results grouped by room. Pure. */
import type { SearchHitFieldsFragment } from '../graphql/gql/graphql.js';
import { plural } from '../ui/format.js';

/** One result: the message with its room and author, its cursor, and the ranges of its body that matched. */
export type SearchHit = SearchHitFieldsFragment;

/** A room's results, newest first. */
export interface SearchGroup {
  room: SearchHit['node']['room'];
  hits: readonly SearchHit[];
}

export interface SearchState {
  /** The query the results are for (as sent, trimmed); "" before the first search and after clearing. */
  query: string;
  /** The room the search is narrowed to, or null for every room the viewer may read. */
  roomId: string | null;
  /** `idle`: nothing asked; `loading`: the first page is on its way; `ready`: it came; `failed`: it did not. */
  status: 'idle' | 'loading' | 'ready' | 'failed';
  /** Every result loaded, in the server's order (newest first), each message once. */
  hits: readonly SearchHit[];
  /** The same results by room, rooms in the order of their newest result. */
  groups: readonly SearchGroup[];
  hasNextPage: boolean;
  endCursor: string | null;
  loadingMore: boolean;
  /** Why the first page failed (the server's message for a query it cannot read); null otherwise. */
  error: string | null;
  /** Why the last next page failed; null otherwise. */
  moreError: string | null;
}

export type SearchEvent =
  | { type: 'SearchStarted'; query: string; roomId: string | null }
  | {
      type: 'PageLoaded';
      query: string;
      roomId: string | null;
      /** The first page (replaces what is shown) or a next one (appends). */
      first: boolean;
      edges: readonly SearchHit[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    }
  | { type: 'PageFailed'; query: string; roomId: string | null; first: boolean; message: string }
  | { type: 'MoreRequested' }
  | { type: 'Cleared' };

export const initialSearch: SearchState = {
  query: '',
  roomId: null,
  status: 'idle',
  hits: [],
  groups: [],
  hasNextPage: false,
  endCursor: null,
  loadingMore: false,
  error: null,
  moreError: null,
};

/**
 * Results by room, each room once, in the order of its first result. The server answers newest
 * first (its order, not `createdAt`, which another instance's clock may set a little apart), so
 * that is the order of each room's newest result, and a room's results stay newest first.
 */
export const groupByRoom = (hits: readonly SearchHit[]): SearchGroup[] => {
  const groups = new Map<string, { room: SearchHit['node']['room']; hits: SearchHit[] }>();
  for (const hit of hits) {
    const group = groups.get(hit.node.room.id);
    if (group) group.hits.push(hit);
    else groups.set(hit.node.room.id, { room: hit.node.room, hits: [hit] });
  }
  return [...groups.values()];
};

/** Hits appended to `known`, leaving out messages it has already (an edit can move a message between pages). */
const appendHits = (known: readonly SearchHit[], page: readonly SearchHit[]): SearchHit[] => {
  const seen = new Set(known.map((hit) => hit.node.id));
  const added: SearchHit[] = [];
  for (const hit of page) {
    if (seen.has(hit.node.id)) continue;
    seen.add(hit.node.id);
    added.push(hit);
  }
  return [...known, ...added];
};

/** Whether an answer is for the search shown now (answers to an earlier query are dropped). */
const isCurrent = (state: SearchState, event: { query: string; roomId: string | null }) =>
  state.query === event.query && state.roomId === event.roomId && state.status !== 'idle';

export const evolveSearch = (state: SearchState, event: SearchEvent): SearchState => {
  switch (event.type) {
    case 'SearchStarted':
      return { ...initialSearch, query: event.query, roomId: event.roomId, status: 'loading' };
    case 'PageLoaded': {
      if (!isCurrent(state, event)) return state;
      if (event.first && state.status !== 'loading') return state;
      if (!event.first && !state.loadingMore) return state;
      const hits = appendHits(event.first ? [] : state.hits, event.edges);
      return {
        ...state,
        status: 'ready',
        hits,
        groups: groupByRoom(hits),
        hasNextPage: event.pageInfo.hasNextPage,
        endCursor: event.pageInfo.endCursor,
        loadingMore: false,
        error: null,
        moreError: null,
      };
    }
    case 'PageFailed':
      if (!isCurrent(state, event)) return state;
      return event.first
        ? { ...state, status: 'failed', error: event.message, loadingMore: false }
        : { ...state, loadingMore: false, moreError: event.message };
    case 'MoreRequested':
      if (state.status !== 'ready' || !state.hasNextPage || state.endCursor === null || state.loadingMore) return state;
      return { ...state, loadingMore: true, moreError: null };
    case 'Cleared':
      return initialSearch;
    default: {
      const never: never = event;
      return never;
    }
  }
};

/** The results in the order they are shown (room by room), for moving through them with the keyboard. */
export const shownOrder = (state: SearchState): SearchHit[] => state.groups.flatMap((group) => group.hits);

/** A sentence for the results' live region: how many, in how many rooms, whether more can load. */
export const toResultSummary = (state: SearchState): string => {
  switch (state.status) {
    case 'idle':
      return '';
    case 'loading':
      return 'Searching…';
    case 'failed':
      return state.error ?? 'The search failed.';
    case 'ready': {
      if (state.hits.length === 0) return 'No messages match';
      return `${plural(state.hits.length, 'message')} in ${plural(state.groups.length, 'room')}${state.hasNextPage ? ', more to load' : ''}`;
    }
  }
};
