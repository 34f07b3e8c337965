import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import { SEARCH_PAGE_SIZE, SearchQuery } from './operations.js';
import { type SearchEvent, type SearchState, evolveSearch, initialSearch } from './searchResults.js';

export interface SearchSessionOptions {
  /** The server refused for want of a session. */
  onSessionEnded?: () => void;
  /** Results per page; the server's default (20) unless said. */
  pageSize?: number;
}

export interface SearchSession {
  state: Accessor<SearchState>;
  /**
   * Searches for `query` (trimmed; "" clears), in every room the viewer may read or only in
   * `roomId`. A newer search drops the answers of older ones.
   */
  search(query: string, roomId?: string | null): void;
  /** Loads the next page of the search shown, unless one is on its way or there is none. */
  loadMore(): void;
  /** Forgets the search (an answer still on its way is dropped). */
  clear(): void;
  dispose(): void;
}

/**
 * Message search for the signed-in page: `search(query)` a page at a time, newest first, folded by
 * `searchResults.ts` into results by room. Results are not live: a search is read when asked, and
 * the server's index follows new messages within a moment.
 */
export const createSearchSession = (client: GraphQLClient, options: SearchSessionOptions = {}): SearchSession => {
  const pageSize = options.pageSize ?? SEARCH_PAGE_SIZE;
  let state = initialSearch;
  const [current, setCurrent] = createSignal(state);
  const dispatch = (event: SearchEvent) => {
    state = evolveSearch(state, event);
    setCurrent(state);
  };
  /** Bumped by every new search and by clearing: answers to older ones are dropped. */
  let generation = 0;
  let disposed = false;

  const read = async (query: string, roomId: string | null, after: string | null) => {
    const run = generation;
    const result = await client.urql.query(SearchQuery, { query, roomId, first: pageSize, after }).toPromise();
    if (disposed || run !== generation) return;
    const page = result.data?.search;
    if (page) {
      dispatch({ type: 'PageLoaded', query, roomId, first: after === null, edges: page.edges, pageInfo: page.pageInfo });
      return;
    }
    const info = toErrorInfo(result.error, 'The search failed; try again.');
    if (info.code === 'UNAUTHENTICATED') options.onSessionEnded?.();
    dispatch({ type: 'PageFailed', query, roomId, first: after === null, message: info.message });
  };

  return {
    state: current,
    search(text, roomId = null) {
      generation++;
      const query = text.trim();
      if (query === '') return dispatch({ type: 'Cleared' });
      dispatch({ type: 'SearchStarted', query, roomId });
      void read(query, roomId, null);
    },
    loadMore() {
      const before = state;
      dispatch({ type: 'MoreRequested' });
      if (state === before) return;
      void read(state.query, state.roomId, state.endCursor);
    },
    clear() {
      generation++;
      dispatch({ type: 'Cleared' });
    },
    dispose() {
      disposed = true;
    },
  };
};
