import { describe, expect, it } from 'vitest';
import type { RoomKind, UserFieldsFragment } from '../graphql/gql/graphql.js';
import {
  type SearchEvent,
  type SearchHit,
  type SearchState,
  evolveSearch,
  groupByRoom,
  initialSearch,
  shownOrder,
  toResultSummary,
} from './searchResults.js';

const alice: UserFieldsFragment = { id: 'u-alice', handle: 'alice', displayName: 'Alice', avatarUrl: null, status: 'AVAILABLE' };
const rooms: Record<string, { id: string; name: string; kind: RoomKind }> = {
  general: { id: 'r-general', name: 'general', kind: 'PUBLIC' },
  design: { id: 'r-design', name: 'design', kind: 'PUBLIC' },
  secret: { id: 'r-secret', name: 'secret', kind: 'PRIVATE' },
};

/** A hit in `room`, newest first in the order given. */
const aHit = (id: string, room: keyof typeof rooms, body = `message ${id}`): SearchHit => ({
  cursor: `c-${id}`,
  highlights: [{ start: 0, length: 7 }],
  node: { id, body, createdAt: '2026-12-01T10:00:00.000Z', editedAt: null, deletedAt: null, room: rooms[room]!, author: alice },
});

const fold = (events: SearchEvent[], from: SearchState = initialSearch) => events.reduce(evolveSearch, from);
const page = (query: string, edges: SearchHit[], hasNextPage: boolean, first = true): SearchEvent => ({
  type: 'PageLoaded',
  query,
  roomId: null,
  first,
  edges,
  pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
});
const ids = (state: SearchState) => state.groups.map((g) => `${g.room.name}:${g.hits.map((h) => h.node.id).join(',')}`);

describe('search results', () => {
  it('groups results by room, rooms in the order of their newest result, each room newest first', () => {
    const hits = [aHit('9', 'design'), aHit('8', 'general'), aHit('7', 'design'), aHit('6', 'secret'), aHit('5', 'general')];
    expect(groupByRoom(hits).map((g) => `${g.room.name}:${g.hits.map((h) => h.node.id).join(',')}`)).toEqual([
      'design:9,7',
      'general:8,5',
      'secret:6',
    ]);
    expect(groupByRoom([])).toEqual([]);
  });

  it('shows the first page of a search, then appends the next one into the same groups', () => {
    let state = fold([{ type: 'SearchStarted', query: 'launch', roomId: null }]);
    expect(state.status).toBe('loading');
    state = fold([page('launch', [aHit('9', 'design'), aHit('8', 'general')], true)], state);
    expect(state.status).toBe('ready');
    expect(state.endCursor).toBe('c-8');
    expect(ids(state)).toEqual(['design:9', 'general:8']);

    state = fold([{ type: 'MoreRequested' }], state);
    expect(state.loadingMore).toBe(true);
    state = fold([page('launch', [aHit('7', 'general'), aHit('6', 'secret')], false, false)], state);
    expect(ids(state)).toEqual(['design:9', 'general:8,7', 'secret:6']);
    expect(state.hasNextPage).toBe(false);
    expect(state.loadingMore).toBe(false);
    expect(shownOrder(state).map((h) => h.node.id)).toEqual(['9', '8', '7', '6']);
  });

  it('shows a message once, even when a next page brings it again (edited between pages)', () => {
    const state = fold([
      { type: 'SearchStarted', query: 'q', roomId: null },
      page('q', [aHit('9', 'design'), aHit('8', 'design')], true),
      { type: 'MoreRequested' },
      page('q', [aHit('8', 'design'), aHit('7', 'design')], false, false),
    ]);
    expect(state.hits.map((h) => h.node.id)).toEqual(['9', '8', '7']);
  });

  it('drops the answers to an older query, and a next page nobody asked for', () => {
    let state = fold([
      { type: 'SearchStarted', query: 'old', roomId: null },
      { type: 'SearchStarted', query: 'new', roomId: null },
    ]);
    state = fold([page('old', [aHit('1', 'general')], false)], state);
    expect(state.status).toBe('loading');
    expect(state.hits).toEqual([]);
    state = fold([page('new', [aHit('2', 'general')], true)], state);
    expect(state.hits.map((h) => h.node.id)).toEqual(['2']);
    // No MoreRequested: a stray next page changes nothing.
    expect(fold([page('new', [aHit('3', 'general')], false, false)], state)).toBe(state);
    // The same words narrowed to a room are another search.
    const narrowed = fold([{ type: 'SearchStarted', query: 'new', roomId: 'r-design' }]);
    expect(fold([page('new', [aHit('2', 'general')], false)], narrowed)).toBe(narrowed);
  });

  it('asks for more only when there is more and nothing is on its way', () => {
    const ready = fold([{ type: 'SearchStarted', query: 'q', roomId: null }, page('q', [aHit('1', 'general')], false)]);
    expect(fold([{ type: 'MoreRequested' }], ready)).toBe(ready);
    const more = fold([{ type: 'SearchStarted', query: 'q', roomId: null }, page('q', [aHit('1', 'general')], true)]);
    const asked = fold([{ type: 'MoreRequested' }], more);
    expect(fold([{ type: 'MoreRequested' }], asked)).toBe(asked);
    expect(fold([{ type: 'MoreRequested' }], initialSearch)).toBe(initialSearch);
  });

  it('keeps the server’s message for a query it cannot read, and a failed next page apart from the results', () => {
    const failed = fold([
      { type: 'SearchStarted', query: '-only', roomId: null },
      { type: 'PageFailed', query: '-only', roomId: null, first: true, message: 'A search needs at least one word to find.' },
    ]);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('A search needs at least one word to find.');
    expect(toResultSummary(failed)).toBe('A search needs at least one word to find.');

    const more = fold([
      { type: 'SearchStarted', query: 'q', roomId: null },
      page('q', [aHit('1', 'general')], true),
      { type: 'MoreRequested' },
      { type: 'PageFailed', query: 'q', roomId: null, first: false, message: 'The server cannot be reached; try again in a moment.' },
    ]);
    expect(more.status).toBe('ready');
    expect(more.hits).toHaveLength(1);
    expect(more.moreError).toBe('The server cannot be reached; try again in a moment.');
    expect(more.loadingMore).toBe(false);
    // Asking again clears the error.
    expect(fold([{ type: 'MoreRequested' }], more).moreError).toBeNull();
  });

  it('says how many results there are, in how many rooms, and when none match', () => {
    expect(toResultSummary(initialSearch)).toBe('');
    expect(toResultSummary(fold([{ type: 'SearchStarted', query: 'q', roomId: null }]))).toBe('Searching…');
    const none = fold([{ type: 'SearchStarted', query: 'q', roomId: null }, page('q', [], false)]);
    expect(toResultSummary(none)).toBe('No messages match');
    const one = fold([{ type: 'SearchStarted', query: 'q', roomId: null }, page('q', [aHit('1', 'general')], false)]);
    expect(toResultSummary(one)).toBe('1 message in 1 room');
    const some = fold([{ type: 'SearchStarted', query: 'q', roomId: null }, page('q', [aHit('2', 'design'), aHit('1', 'general')], true)]);
    expect(toResultSummary(some)).toBe('2 messages in 2 rooms, more to load');
  });

  it('forgets everything when cleared', () => {
    const state = fold([{ type: 'SearchStarted', query: 'q', roomId: null }, page('q', [aHit('1', 'general')], true), { type: 'Cleared' }]);
    expect(state).toEqual(initialSearch);
  });
});
