import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import type { SearchHitFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';
import { createScriptedClient } from '../testing/scriptedClient.js';
import { createSearchSession } from './searchSession.js';

const alice: UserFieldsFragment = { id: 'u-alice', handle: 'alice', displayName: 'Alice', avatarUrl: null, status: 'AVAILABLE' };
const hit = (id: string, roomId = 'r-design'): SearchHitFieldsFragment => ({
  cursor: `c-${id}`,
  highlights: [{ start: 0, length: 3 }],
  node: {
    id,
    body: `foo ${id}`,
    createdAt: '2026-12-01T10:00:00.000Z',
    editedAt: null,
    deletedAt: null,
    room: { id: roomId, name: roomId.slice(2), kind: 'PUBLIC' },
    author: alice,
  },
});
const answer = (edges: SearchHitFieldsFragment[], hasNextPage: boolean) => ({
  data: { search: { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } } },
});
const badInput = (message: string) => new CombinedError({ graphQLErrors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] as never });

describe('a search session', () => {
  it('searches a page at a time with the last page’s end cursor', async () => {
    const scripted = createScriptedClient();
    const session = createSearchSession(scripted.client, { pageSize: 2 });
    session.search('  foo  ');
    const first = await scripted.next('Search');
    expect(first.variables).toEqual({ query: 'foo', roomId: null, first: 2, after: null });
    expect(session.state().status).toBe('loading');
    first.answer(answer([hit('2'), hit('1', 'r-general')], true));
    await expect.poll(() => session.state().status).toBe('ready');
    expect(session.state().groups.map((g) => g.room.id)).toEqual(['r-design', 'r-general']);

    session.loadMore();
    session.loadMore(); // one page at a time
    const second = await scripted.next('Search');
    expect(second.variables).toEqual({ query: 'foo', roomId: null, first: 2, after: 'c-1' });
    expect(scripted.requests).toHaveLength(0);
    second.answer(answer([hit('0')], false));
    await expect.poll(() => session.state().hits.length).toBe(3);
    session.loadMore(); // nothing more
    expect(scripted.requests).toHaveLength(0);
    session.dispose();
  });

  it('narrows to a room when asked', async () => {
    const scripted = createScriptedClient();
    const session = createSearchSession(scripted.client);
    session.search('foo', 'r-design');
    expect((await scripted.next('Search')).variables).toEqual({ query: 'foo', roomId: 'r-design', first: 20, after: null });
  });

  it('drops the answer to an earlier search that comes after a newer one was asked', async () => {
    const scripted = createScriptedClient();
    const session = createSearchSession(scripted.client);
    session.search('old');
    const old = await scripted.next('Search');
    session.search('new');
    const fresh = await scripted.next('Search');
    fresh.answer(answer([hit('2')], false));
    await expect.poll(() => session.state().status).toBe('ready');
    old.answer(answer([hit('1')], false));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(session.state().query).toBe('new');
    expect(session.state().hits.map((h) => h.node.id)).toEqual(['2']);
  });

  it('shows the server’s message for a query it cannot read', async () => {
    const scripted = createScriptedClient();
    const session = createSearchSession(scripted.client);
    session.search('before:someday');
    (await scripted.next('Search')).answer({ error: badInput('"someday" is not a date (before: takes YYYY-MM-DD).') });
    await expect.poll(() => session.state().status).toBe('failed');
    expect(session.state().error).toBe('"someday" is not a date (before: takes YYYY-MM-DD).');
  });

  it('says so when the session has ended', async () => {
    const scripted = createScriptedClient();
    let ended = 0;
    const session = createSearchSession(scripted.client, { onSessionEnded: () => ended++ });
    session.search('foo');
    (await scripted.next('Search')).answer({
      error: new CombinedError({ graphQLErrors: [{ message: 'Sign in first.', extensions: { code: 'UNAUTHENTICATED' } }] as never }),
    });
    await expect.poll(() => ended).toBe(1);
  });

  it('clears without asking the server for an empty query, and drops what was on its way', async () => {
    const scripted = createScriptedClient();
    const session = createSearchSession(scripted.client);
    session.search('foo');
    const pending = await scripted.next('Search');
    session.search('   ');
    expect(scripted.requests).toHaveLength(0);
    expect(session.state().status).toBe('idle');
    pending.answer(answer([hit('1')], false));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(session.state().status).toBe('idle');
    session.search('foo');
    session.clear();
    (await scripted.next('Search')).answer(answer([hit('1')], false));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(session.state().hits).toEqual([]);
  });
});
