import { describe, expect, it } from 'vitest';
import type { MessageFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';
import { aMessage } from '../testing/messages.js';
import { type ThreadEvent, type ThreadState, evolveThread, initialThread } from './thread.js';

const alice: UserFieldsFragment = { id: 'u-alice', handle: 'alice', displayName: 'alice', avatarUrl: null, status: 'AVAILABLE' };
const root = (replyCount = 0, over: Partial<MessageFieldsFragment> = {}) => aMessage('root', 'lunch?', alice, { replyCount, ...over });
const rootRef = (replyCount: number) => ({
  id: 'root',
  body: 'lunch?',
  createdAt: '2026-11-26T10:00:00.000Z',
  deletedAt: null,
  replyCount,
  lastReplyAt: '2026-11-26T10:05:00.000Z',
  author: alice,
});
const reply = (id: string, replyCount = 1, over: Partial<MessageFieldsFragment> = {}) =>
  aMessage(id, id, alice, { replyTo: rootRef(replyCount), ...over });
const loaded = (edges: [string, string][], hasNextPage = false, first = true, rootCount = edges.length): ThreadEvent => ({
  type: 'ThreadLoaded',
  root: { cursor: '1-0', node: root(rootCount) },
  edges: edges.map(([cursor, id]) => ({ cursor, node: reply(id) })),
  hasNextPage,
  endCursor: edges.at(-1)?.[0] ?? null,
  first,
});
const posted = (cursor: string, message: MessageFieldsFragment): ThreadEvent => ({ type: 'MessagePosted', cursor, message });
const fold = (events: ThreadEvent[]) => events.reduce(evolveThread, initialThread('root'));
const ids = (state: ThreadState) => state.replies.map((r) => r.message.id);

describe('a thread panel', () => {
  it('shows the root and its replies oldest first, a page at a time', () => {
    const state = fold([
      loaded(
        [
          ['2-0', 'r1'],
          ['3-0', 'r2'],
        ],
        true,
      ),
      loaded([['4-0', 'r3']], false, false, 3),
    ]);
    expect(state.root?.message.id).toBe('root');
    expect(ids(state)).toEqual(['r1', 'r2', 'r3']);
    expect(state.hasMore).toBe(false);
    expect(state.endCursor).toBe('4-0');
  });

  it('adds a live reply to its root once, however often it comes (a page, a replay after a reconnect)', () => {
    const state = fold([
      loaded([['2-0', 'r1']]),
      posted('5-0', reply('r2', 2)),
      posted('5-0', reply('r2', 2)),
      loaded([
        ['2-0', 'r1'],
        ['5-0', 'r2'],
      ]),
    ]);
    expect(ids(state)).toEqual(['r1', 'r2']);
    expect(state.root?.message.replyCount).toBe(2);
  });

  it('keeps replies that came live while the first page loaded, in cursor order', () => {
    const state = fold([
      posted('9-0', reply('late', 3)),
      loaded([
        ['2-0', 'r1'],
        ['3-0', 'r2'],
      ]),
    ]);
    expect(ids(state)).toEqual(['r1', 'r2', 'late']);
  });

  it('ignores replies to other roots and top-level messages, and leaves a live reply past unloaded pages to them', () => {
    const other = aMessage('x', 'x', alice, { replyTo: { ...rootRef(1), id: 'other' } });
    let state = fold([loaded([['2-0', 'r1']], true), posted('7-0', other), posted('8-0', aMessage('top', 'top', alice))]);
    expect(ids(state)).toEqual(['r1']);
    state = evolveThread(state, posted('9-0', reply('r9', 5)));
    expect(ids(state)).toEqual(['r1']);
    expect(state.root?.message.replyCount).toBe(5);
  });

  it('updates replies and the root in place: edits, reactions, deletion (the thread lives on under a deleted root)', () => {
    const thumbs = [{ emoji: '👍', count: 1, reactedByMe: true, users: [{ id: 'u-alice', displayName: 'alice' }] }];
    let state = fold([loaded([['2-0', 'r1']])]);
    state = evolveThread(state, { type: 'MessageEdited', cursor: '3-0', message: reply('r1', 1, { body: 'edited', editedAt: 'x' }) });
    state = evolveThread(state, { type: 'ReactionAdded', cursor: '4-0', message: reply('r1', 1, { body: 'edited', reactions: thumbs }) });
    expect(state.replies[0]!.message.body).toBe('edited');
    expect(state.replies[0]!.message.reactions).toEqual(thumbs);

    state = evolveThread(state, { type: 'MessageDeleted', cursor: '5-0', message: root(1, { body: '', deletedAt: 'x' }) });
    expect(state.root?.message.deletedAt).toBe('x');
    state = evolveThread(state, posted('6-0', reply('r2', 2)));
    expect(ids(state)).toEqual(['r1', 'r2']);
    expect(state.root?.message.deletedAt).toBe('x');
    expect(state.root?.message.replyCount).toBe(2);
  });

  it('drops a page for another root', () => {
    const state = evolveThread(initialThread('other'), loaded([['2-0', 'r1']]));
    expect(state.loaded).toBe(false);
  });
});
