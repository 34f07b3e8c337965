import { describe, expect, it } from 'vitest';
import type { MessageFieldsFragment, UserFieldsFragment, UserStatus } from '../graphql/gql/graphql.js';
import {
  type MessageItem,
  type TimelineEvent,
  type TimelineState,
  TYPING_TTL_MS,
  evolveTimeline,
  foldTimeline,
  initialTimeline,
  needsOnlineList,
} from './timeline.js';
import { PLAIN_MESSAGE } from '../testing/messages.js';

const user = (handle: string, status: UserStatus = 'AVAILABLE'): UserFieldsFragment => ({
  id: `u-${handle}`,
  handle,
  displayName: handle,
  avatarUrl: null,
  status,
});
const alice = user('alice');
const bob = user('bob');

const message = (id: string, body: string, author = alice, extra: Partial<MessageFieldsFragment> = {}): MessageFieldsFragment => ({
  id,
  body,
  createdAt: '2026-11-26T10:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  author,
  removedBy: null,
  ...PLAIN_MESSAGE,
  ...extra,
});

const posted = (cursor: string, id: string, body = id, author = alice): TimelineEvent => ({
  type: 'MessagePosted',
  cursor,
  message: message(id, body, author),
});
const history = (edges: [string, string][], hasPreviousPage = false): TimelineEvent => ({
  type: 'HistoryLoaded',
  edges: edges.map(([cursor, id]) => ({ cursor, node: message(id, id) })),
  hasPreviousPage,
});

const bodies = (state: TimelineState) => state.items.flatMap((i) => (i.kind === 'message' ? [i.message.body] : []));
const ids = (state: TimelineState) => state.items.flatMap((i) => (i.kind === 'message' ? [i.message.id] : []));
const fold = (events: TimelineEvent[], viewerId: string | null = alice.id) => foldTimeline(events, initialTimeline(viewerId));

describe('ordering', () => {
  it('shows history oldest first and appends live messages', () => {
    const state = fold([
      history([
        ['1-0', 'm1'],
        ['2-0', 'm2'],
      ]),
      posted('3-0', 'm3'),
    ]);
    expect(ids(state)).toEqual(['m1', 'm2', 'm3']);
    expect(state.latestCursor).toBe('3-0');
    expect(state.oldestCursor).toBe('1-0');
    expect(state.loaded).toBe(true);
  });

  it('orders by cursor, not by arrival, numerically', () => {
    const state = fold([
      history([]),
      posted('5-10', 'c'),
      history(
        [
          ['5-2', 'a'],
          ['5-9', 'b'],
        ],
        false,
      ),
    ]);
    expect(ids(state)).toEqual(['a', 'b', 'c']);
  });

  it('prepends older pages and keeps what it knows about more history from the oldest page', () => {
    let state = fold([
      history(
        [
          ['50-0', 'm50'],
          ['51-0', 'm51'],
        ],
        true,
      ),
    ]);
    expect(state.hasOlder).toBe(true);
    state = evolveTimeline(
      state,
      history(
        [
          ['48-0', 'm48'],
          ['49-0', 'm49'],
        ],
        false,
      ),
    );
    expect(ids(state)).toEqual(['m48', 'm49', 'm50', 'm51']);
    expect(state.oldestCursor).toBe('48-0');
    expect(state.hasOlder).toBe(false);
    expect(state.latestCursor).toBe('51-0');
  });

  it('keeps notices in place when older messages are prepended', () => {
    const state = fold([
      history([['10-0', 'm10']], true),
      { type: 'OnlineLoaded', users: [] },
      { type: 'UserJoined', user: bob, at: 't' },
      posted('11-0', 'm11'),
      history([['9-0', 'm9']], false),
    ]);
    expect(state.items.map((i) => i.key)).toEqual(['m9', 'm10', 'notice-1', 'm11']);
  });
});

describe('dedupe', () => {
  it('applies a logged event seen twice once (by cursor)', () => {
    const state = fold([history([['1-0', 'm1']]), posted('2-0', 'm2'), posted('2-0', 'm2'), posted('1-0', 'm1')]);
    expect(ids(state)).toEqual(['m1', 'm2']);
  });

  it('never shows one message twice (by id), whichever way it came', () => {
    // the live event first, then a history page that overlaps it
    const state = fold([
      posted('7-0', 'm7'),
      history([
        ['6-0', 'm6'],
        ['7-0', 'm7'],
      ]),
    ]);
    expect(ids(state)).toEqual(['m6', 'm7']);
  });

  it('keeps the live (newer) state of a message when an overlapping page arrives later', () => {
    const state = fold([
      history([['1-0', 'm1']]),
      { type: 'MessageEdited', cursor: '2-0', message: message('m1', 'edited', alice, { editedAt: 't2' }) },
      history([['1-0', 'm1']]),
    ]);
    expect(bodies(state)).toEqual(['edited']);
  });

  it('resuming after a reconnect replays nothing twice', () => {
    const live = [posted('1-0', 'a'), posted('2-0', 'b'), posted('3-0', 'c')];
    const state = fold([history([]), ...live, ...live.slice(1), posted('4-0', 'd')]);
    expect(ids(state)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('edit and delete', () => {
  it('edits a message in place', () => {
    const state = fold([
      history([
        ['1-0', 'm1'],
        ['2-0', 'm2'],
      ]),
      { type: 'MessageEdited', cursor: '3-0', message: message('m1', 'better', alice, { editedAt: 't' }) },
    ]);
    expect(bodies(state)).toEqual(['better', 'm2']);
    const first = state.items[0];
    expect(first?.kind === 'message' && first.message.editedAt).toBe('t');
  });

  it('leaves a tombstone for a deleted message, and a later edit cannot revive it', () => {
    const state = fold([
      history([['1-0', 'm1']]),
      { type: 'MessageDeleted', cursor: '2-0', message: message('m1', '', alice, { deletedAt: 't' }) },
      { type: 'MessageChanged', message: message('m1', 'zombie', alice, { editedAt: 't3' }) },
    ]);
    expect(state.items).toHaveLength(1);
    const item = state.items[0];
    expect(item?.kind === 'message' && item.message.deletedAt).toBe('t');
    expect(bodies(state)).toEqual(['']);
  });

  it('shows a deleted message from history as a tombstone', () => {
    const state = fold([
      { type: 'HistoryLoaded', edges: [{ cursor: '1-0', node: message('m1', 'x', alice, { deletedAt: 't' }) }], hasPreviousPage: false },
    ]);
    expect(bodies(state)).toEqual(['']);
  });

  it('ignores edits of messages it has not loaded (their page will show them as they are)', () => {
    const before = fold([history([['5-0', 'm5']], true)]);
    const after = evolveTimeline(before, { type: 'MessageEdited', cursor: '6-0', message: message('m1', 'old one') });
    expect(ids(after)).toEqual(['m5']);
    expect(after.latestCursor).toBe('6-0');
  });

  it('keeps unchanged items identical (the view re-renders only what changed)', () => {
    const before = fold([
      history([
        ['1-0', 'm1'],
        ['2-0', 'm2'],
      ]),
    ]);
    const after = evolveTimeline(before, { type: 'MessageEdited', cursor: '3-0', message: message('m2', 'new') });
    expect(after.items[0]).toBe(before.items[0]);
    expect(after.items[1]).not.toBe(before.items[1]);
  });
});

describe('pending → final', () => {
  const added = (clientId: string, body: string): TimelineEvent => ({
    type: 'PendingAdded',
    clientId,
    body,
    createdAt: 't',
    author: alice,
    status: 'sending',
  });

  it('shows a pending message until its own event arrives', () => {
    let state = fold([history([]), added('c1', 'hello')]);
    expect(state.pending.map((p) => [p.body, p.status])).toEqual([['hello', 'sending']]);
    state = evolveTimeline(state, { type: 'PendingSent', clientId: 'c1', messageId: 'm1' });
    expect(state.pending).toHaveLength(1); // answered, but not in the room's log order yet
    state = evolveTimeline(state, posted('1-0', 'm1', 'hello'));
    expect(state.pending).toHaveLength(0);
    expect(bodies(state)).toEqual(['hello']);
  });

  it('becomes final when the event came before the mutation answered', () => {
    const state = fold([
      history([]),
      added('c1', 'hi'),
      posted('1-0', 'm1', 'hi'),
      { type: 'PendingSent', clientId: 'c1', messageId: 'm1' },
    ]);
    expect(state.pending).toHaveLength(0);
    expect(ids(state)).toEqual(['m1']);
  });

  it('keeps queued and failed messages with their state, and drops discarded ones', () => {
    let state = fold([history([]), added('c1', 'one'), added('c2', 'two'), added('c1', 'one again')]);
    expect(state.pending.map((p) => p.body)).toEqual(['one', 'two']);
    state = evolveTimeline(state, { type: 'PendingStatusChanged', clientId: 'c1', status: 'queued' });
    state = evolveTimeline(state, { type: 'PendingStatusChanged', clientId: 'c2', status: 'failed', error: 'too long' });
    expect(state.pending.map((p) => [p.status, p.error])).toEqual([
      ['queued', null],
      ['failed', 'too long'],
    ]);
    state = evolveTimeline(state, { type: 'PendingDiscarded', clientId: 'c2' });
    expect(state.pending.map((p) => p.clientId)).toEqual(['c1']);
  });
});

describe('presence', () => {
  it('adds and removes people with notices, never about the viewer', () => {
    const state = fold([
      history([]),
      { type: 'OnlineLoaded', users: [alice] },
      { type: 'UserJoined', user: bob, at: 't1' },
      { type: 'UserJoined', user: bob, at: 't1' }, // already here: no second notice
      { type: 'UserJoined', user: alice, at: 't1' },
      { type: 'UserStatusChanged', user: user('bob', 'AWAY'), at: 't2' },
      { type: 'UserLeft', user: bob, at: 't3' },
    ]);
    expect(state.online.map((u) => u.handle)).toEqual(['alice']);
    expect(
      state.items.map((i) => (i.kind === 'notice' ? `${i.user.handle} ${i.what}${i.what === 'status' ? ` ${i.user.status}` : ''}` : '')),
    ).toEqual(['bob joined', 'bob status AWAY', 'bob left']);
  });

  it('follows a PresenceChanged: adds and removes the named people, takes its count, and notices only a few', () => {
    const carol = user('carol');
    let state = fold([history([]), { type: 'OnlineLoaded', users: [alice, bob] }]);
    expect(state.onlineCount).toBe(2);
    state = evolveTimeline(state, { type: 'PresenceChanged', joined: [carol], left: [bob], onlineCount: 2, at: 't1' });
    expect(state.online.map((u) => u.handle)).toEqual(['alice', 'carol']);
    expect(state.onlineCount).toBe(2);
    expect(state.items.map((i) => (i.kind === 'notice' ? `${i.user.handle} ${i.what}` : ''))).toEqual(['carol joined', 'bob left']);
    expect(needsOnlineList(state)).toBe(false);

    // A storm: names cut short, the count exact, no wall of notices.
    const many = Array.from({ length: 20 }, (_, i) => user(`p${i}`));
    state = evolveTimeline(state, { type: 'PresenceChanged', joined: many, left: [], onlineCount: 5_000, at: 't2' });
    expect(state.online).toHaveLength(22);
    expect(state.onlineCount).toBe(5_000);
    expect(state.items.filter((i) => i.kind === 'notice')).toHaveLength(2);
    expect(needsOnlineList(state)).toBe(false); // a big room relies on the count
    // A single join after it moves the count by one.
    state = evolveTimeline(state, { type: 'UserJoined', user: user('late'), at: 't3' });
    expect(state.onlineCount).toBe(5_001);
  });

  it("asks for the online list when a small room's PresenceChanged named fewer people than it counts", () => {
    const state = fold([
      history([]),
      { type: 'OnlineLoaded', users: [alice] },
      { type: 'PresenceChanged', joined: [bob], left: [], onlineCount: 30, at: 't' },
    ]);
    expect(needsOnlineList(state)).toBe(true);
    expect(needsOnlineList(evolveTimeline(state, { type: 'OnlineLoaded', users: [alice, bob] }))).toBe(false);
  });

  it('updates statuses in the online list, sorted by name', () => {
    const carol = user('Carol');
    const state = fold([
      { type: 'OnlineLoaded', users: [carol, bob] },
      { type: 'UserStatusChanged', user: user('bob', 'BUSY'), at: 't' },
    ]);
    expect(state.online.map((u) => [u.handle, u.status])).toEqual([
      ['bob', 'BUSY'],
      ['Carol', 'AVAILABLE'],
    ]);
  });

  it('shows typing until it expires, renews it, and clears it when they post', () => {
    let state = fold([history([]), { type: 'UserTyping', user: bob, now: 1_000 }, { type: 'UserTyping', user: alice, now: 1_000 }]);
    expect(state.typing.map((t) => t.user.handle)).toEqual(['bob']); // never the viewer
    state = evolveTimeline(state, { type: 'ClockTicked', now: 1_000 + TYPING_TTL_MS - 1 });
    expect(state.typing).toHaveLength(1);
    state = evolveTimeline(state, { type: 'UserTyping', user: bob, now: 5_000 });
    state = evolveTimeline(state, { type: 'ClockTicked', now: 1_000 + TYPING_TTL_MS + 1 });
    expect(state.typing).toHaveLength(1);
    state = evolveTimeline(state, { type: 'ClockTicked', now: 5_000 + TYPING_TTL_MS });
    expect(state.typing).toHaveLength(0);

    state = evolveTimeline(state, { type: 'UserTyping', user: bob, now: 20_000 });
    state = evolveTimeline(state, posted('1-0', 'm1', 'done', bob));
    expect(state.typing).toHaveLength(0);
  });

  it('forgets typing of someone who left', () => {
    const state = fold([
      { type: 'OnlineLoaded', users: [bob] },
      { type: 'UserTyping', user: bob, now: 0 },
      { type: 'UserLeft', user: bob, at: 't' },
    ]);
    expect(state.typing).toHaveLength(0);
  });
});

describe('reactions, pins and threads', () => {
  const thumbs = [{ emoji: '👍', count: 2, reactedByMe: true, users: [alice, bob].map((u) => ({ id: u.id, displayName: u.displayName })) }];

  it('replaces a message’s reactions and pin with what each event carries, in log order, once', () => {
    let state = fold([history([['1-0', 'm1']])]);
    state = evolveTimeline(state, { type: 'ReactionAdded', cursor: '2-0', message: message('m1', 'm1', alice, { reactions: thumbs }) });
    state = evolveTimeline(state, {
      type: 'MessagePinned',
      cursor: '3-0',
      message: message('m1', 'm1', alice, { reactions: thumbs, pinnedAt: 'p' }),
    });
    // Replayed after a reconnect: already seen.
    state = evolveTimeline(state, { type: 'ReactionAdded', cursor: '2-0', message: message('m1', 'm1', alice, { reactions: [] }) });
    const m1 = (state.items[0] as MessageItem).message;
    expect(m1.reactions).toEqual(thumbs);
    expect(m1.pinnedAt).toBe('p');
    state = evolveTimeline(state, { type: 'ReactionRemoved', cursor: '4-0', message: message('m1', 'm1', alice, { pinnedAt: 'p' }) });
    state = evolveTimeline(state, { type: 'MessageUnpinned', cursor: '5-0', message: message('m1', 'm1', alice) });
    expect((state.items[0] as MessageItem).message).toMatchObject({ reactions: [], pinnedAt: null });
    expect(state.latestCursor).toBe('5-0');
  });

  it('keeps a root’s reply count and last reply current from its replies’ events, also under a deleted root', () => {
    const ref = (replyCount: number) => ({
      id: 'm1',
      body: 'm1',
      createdAt: '2026-11-26T10:00:00.000Z',
      deletedAt: null,
      replyCount,
      lastReplyAt: `t${replyCount}`,
      author: alice,
    });
    let state = fold([history([['1-0', 'm1']])]);
    state = evolveTimeline(state, { type: 'MessagePosted', cursor: '2-0', message: message('r1', 'r1', bob, { replyTo: ref(1) }) });
    expect(ids(state)).toEqual(['m1', 'r1']);
    expect((state.items[0] as MessageItem).message).toMatchObject({ replyCount: 1, lastReplyAt: 't1' });
    state = evolveTimeline(state, {
      type: 'MessageDeleted',
      cursor: '3-0',
      message: message('m1', '', alice, { deletedAt: 'd', replyCount: 1 }),
    });
    state = evolveTimeline(state, { type: 'MessagePosted', cursor: '4-0', message: message('r2', 'r2', bob, { replyTo: ref(2) }) });
    expect((state.items[0] as MessageItem).message).toMatchObject({ deletedAt: 'd', body: '', replyCount: 2 });
    state = evolveTimeline(state, {
      type: 'MessageDeleted',
      cursor: '5-0',
      message: message('r2', '', bob, { deletedAt: 'd', replyTo: ref(1) }),
    });
    expect((state.items[0] as MessageItem).message.replyCount).toBe(1);
  });

  it('shows a deleted message without reactions', () => {
    const state = fold([history([['1-0', 'm1']])]);
    const next = evolveTimeline(state, {
      type: 'MessageDeleted',
      cursor: '2-0',
      message: message('m1', 'x', alice, { deletedAt: 'd', reactions: thumbs }),
    });
    expect((next.items[0] as MessageItem).message.reactions).toEqual([]);
  });
});

describe('travel in time', () => {
  const newer = (after: string, edges: [string, string][], hasNextPage: boolean): TimelineEvent => ({
    type: 'NewerLoaded',
    after,
    edges: edges.map(([cursor, id]) => ({ cursor, node: message(id, id) })),
    hasNextPage,
  });

  it('a jump empties the timeline and pages forward from the moment, then back before it', () => {
    let state = fold([
      history([
        ['8-0', 'now1'],
        ['9-0', 'now2'],
      ]),
      { type: 'Jumped', cursor: '3-0' },
    ]);
    expect(state).toMatchObject({ items: [], hasNewer: true, hasOlder: true, loaded: false, latestCursor: '3-0', oldestCursor: '3-1' });
    state = evolveTimeline(
      state,
      newer(
        '3-0',
        [
          ['4-0', 'a'],
          ['5-0', 'b'],
        ],
        true,
      ),
    );
    expect(ids(state)).toEqual(['a', 'b']);
    expect(state).toMatchObject({ hasNewer: true, loaded: true, latestCursor: '5-0', oldestCursor: '3-1' });
    // Older: before the cursor just after the jump's, so a message at the jump's cursor is included.
    state = evolveTimeline(
      state,
      history(
        [
          ['2-0', 'z'],
          ['3-0', 'y'],
        ],
        false,
      ),
    );
    expect(ids(state)).toEqual(['z', 'y', 'a', 'b']);
    expect(state).toMatchObject({ hasOlder: false, oldestCursor: '2-0', latestCursor: '5-0' });
  });

  it('shows nothing live while away from the present, then follows on from the last page with no gap or duplicate', () => {
    let state = fold([history([['8-0', 'now1']]), { type: 'Jumped', cursor: '3-0' }, newer('3-0', [['4-0', 'a']], true)]);
    const away = evolveTimeline(state, posted('20-0', 'live'));
    expect(away).toBe(state);
    expect(evolveTimeline(state, { type: 'MessageEdited', cursor: '21-0', message: message('a', 'edited') })).toBe(state);
    state = evolveTimeline(
      state,
      newer(
        '4-0',
        [
          ['6-0', 'b'],
          ['8-0', 'now1'],
        ],
        false,
      ),
    );
    expect(state).toMatchObject({ hasNewer: false, latestCursor: '8-0' });
    // The live events resume after 8-0: a replay of 8-0 is dropped, 9-0 is new.
    state = evolveTimeline(state, posted('8-0', 'now1'));
    state = evolveTimeline(state, posted('9-0', 'now2'));
    expect(ids(state)).toEqual(['a', 'b', 'now1', 'now2']);
  });

  it('an empty forward page after the jump’s cursor is the present, and live events follow that cursor', () => {
    let state = fold([{ type: 'Jumped', cursor: '3-0' }, newer('3-0', [], false)]);
    expect(state).toMatchObject({ hasNewer: false, loaded: true, latestCursor: '3-0' });
    state = evolveTimeline(state, posted('4-0', 'x'));
    expect(ids(state)).toEqual(['x']);
  });

  it('a jump to before the room’s first event starts at its beginning', () => {
    const state = fold([{ type: 'Jumped', cursor: null }, newer('0-0', [['1-0', 'first']], true)]);
    expect(state).toMatchObject({ hasOlder: false, hasNewer: true, oldestCursor: '1-0' });
  });
});
