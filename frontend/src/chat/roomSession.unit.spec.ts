import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MemberFieldsFragment, MessageFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';
import { createScriptedClient } from '../testing/scriptedClient.js';
import { type Outbox, createMemoryOutboxStorage, createOutbox } from './outbox.js';
import { type RoomSession, createRoomSession } from './roomSession.js';
import { PLAIN_MESSAGE } from '../testing/messages.js';

const alice: UserFieldsFragment = { id: 'u-alice', handle: 'alice', displayName: 'alice', avatarUrl: null, status: 'AVAILABLE' };
const bob: UserFieldsFragment = { id: 'u-bob', handle: 'bob', displayName: 'bob', avatarUrl: null, status: 'AVAILABLE' };
const message = (id: string, body: string, author = bob): MessageFieldsFragment => ({
  id,
  body,
  createdAt: '2026-12-01T10:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  author,
  removedBy: null,
  ...PLAIN_MESSAGE,
});
const member = (user: UserFieldsFragment, over: Partial<MemberFieldsFragment> = {}): MemberFieldsFragment => ({
  user,
  role: 'MEMBER',
  membership: 'JOINED',
  since: '2026-12-01T09:00:00.000Z',
  mutedUntil: null,
  bannedUntil: null,
  ...over,
});
const info = { id: 'r1', name: 'Garden', kind: 'PUBLIC', myMembership: 'JOINED', myRole: 'MEMBER', memberCount: 2 } as const;
const roomPage = (
  cursor: string | null,
  edges: { cursor: string; node: MessageFieldsFragment }[],
  online = [alice],
  members = [member(bob, { role: 'OWNER' }), member(alice)],
) => ({
  data: {
    room: {
      ...info,
      cursor,
      online,
      messages: {
        edges,
        pageInfo: { hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      },
      members: {
        edges: members.map((node) => ({ cursor: node.user.handle, node })),
        pageInfo: { hasNextPage: false, endCursor: members.at(-1)?.user.handle ?? null },
      },
    },
  },
});
const membershipChanged = (cursor: string, m: MemberFieldsFragment, by: UserFieldsFragment | null = bob, reason: string | null = null) => ({
  data: { roomEvents: { __typename: 'MembershipChanged', cursor, at: '2026-12-01T10:00:00.000Z', member: m, by, reason } },
});
const forbidden = (message: string, extensions: Record<string, unknown> = {}) =>
  new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions: { code: 'FORBIDDEN', ...extensions } })] });
const posted = (cursor: string, m: MessageFieldsFragment) => ({
  data: { roomEvents: { __typename: 'MessagePosted', cursor, at: m.createdAt, message: m } },
});
const bodies = (session: RoomSession) => session.timeline().items.flatMap((i) => (i.kind === 'message' ? [i.message.body] : []));

/** The room session against a scripted client: the test answers each operation it starts. */
describe('a room session', () => {
  let session: RoomSession | undefined;
  let outbox: Outbox | undefined;
  afterEach(() => {
    session?.dispose();
    outbox?.dispose();
    vi.useRealTimers();
  });

  const start = (
    options: {
      hidden?: () => boolean;
      onSessionEnded?: () => void;
      onRead?: (room: unknown) => void;
      onNotable?: (message: MessageFieldsFragment) => void;
      watchRefusals?: (l: (roomId: string, e: CombinedError) => void) => () => void;
    } = {},
  ) => {
    const scripted = createScriptedClient();
    outbox = createOutbox({ storage: createMemoryOutboxStorage(), send: () => new Promise(() => {}) });
    session = createRoomSession({
      roomId: 'r1',
      viewer: () => alice,
      client: scripted.client,
      outbox,
      onSessionEnded: options.onSessionEnded ?? (() => {}),
      isHidden: options.hidden ?? (() => false),
      ...(options.watchRefusals ? { watchRefusals: options.watchRefusals } : {}),
      ...(options.onRead ? { onRead: options.onRead } : {}),
      ...(options.onNotable ? { onNotable: options.onNotable } : {}),
    });
    return scripted;
  };

  it("loads the newest page, then follows the room from the room's cursor, not the page's end", async () => {
    const { next, subscriptions, subscribed } = start();
    const load = await next('RoomPage');
    expect(load.variables).toEqual({ id: 'r1', last: 50, members: 50 });
    expect(subscriptions).toHaveLength(0); // nothing followed before the page and its cursor are in
    load.answer(roomPage('9-0', [{ cursor: '5-0', node: message('m1', 'hello') }]));
    await subscribed(1);
    expect(subscriptions[0]!.variables).toEqual({ roomId: 'r1', after: '9-0' });
    expect(session!.room()).toEqual(info);
    expect(session!.readable()).toBe(true);
    expect(session!.members().members.map((m) => m.user.handle)).toEqual(['bob', 'alice']);
    expect(bodies(session!)).toEqual(['hello']);
    expect(session!.timeline().online).toEqual([alice]);
  });

  const forward = (edges: { cursor: string; node: MessageFieldsFragment }[], hasNextPage: boolean) => ({
    data: { room: { id: 'r1', messages: { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } } } },
  });
  const older = (edges: { cursor: string; node: MessageFieldsFragment }[], hasPreviousPage = false) => ({
    data: {
      room: {
        id: 'r1',
        messages: { edges, pageInfo: { hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } },
      },
    },
  });

  it('jumps to a moment: stops following, pages forward from its cursor, and follows again after the last page’s end', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('9-0', [{ cursor: '9-0', node: message('now', 'now') }]));
    await subscribed(1);

    const jumped = session!.jumpToTime('2026-12-01T10:00:00.000Z');
    const at = await next('CursorAt');
    expect(at.variables).toEqual({ id: 'r1', time: '2026-12-01T10:00:00.000Z' });
    at.answer({ data: { room: { id: 'r1', cursorAt: '2-0' } } });
    const first = await next('NewerMessages');
    expect(first.variables).toEqual({ id: 'r1', first: 50, after: '2-0' });
    expect(subscriptions[0]!.closed).toBe(true);
    first.answer(forward([{ cursor: '3-0', node: message('a', 'a') }], true));
    await expect(jumped).resolves.toBeNull();
    expect(bodies(session!)).toEqual(['a']);
    expect(session!.timeline().hasNewer).toBe(true);

    session!.loadNewer();
    const second = await next('NewerMessages');
    expect(second.variables.after).toBe('3-0');
    second.answer(forward([{ cursor: '9-0', node: message('now', 'now') }], false));
    await subscribed(2);
    expect(subscriptions[1]!.variables).toEqual({ roomId: 'r1', after: '9-0' });
    subscriptions[1]!.push(posted('10-0', message('live', 'live')));
    expect(bodies(session!)).toEqual(['a', 'now', 'live']);

    session!.jumpToPresent();
    (await next('RoomPage')).answer(roomPage('10-0', [{ cursor: '10-0', node: message('live', 'live') }]));
    await subscribed(3);
    expect(subscriptions[1]!.closed).toBe(true);
  });

  it('jumps to a message not loaded: the pages on both sides of its time, and says whether it is there', async () => {
    const { next, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('9-0', [{ cursor: '9-0', node: message('now', 'now') }]));
    await subscribed(1);
    await expect(session!.jumpToMessage('now', '2026-12-01T10:00:00.000Z')).resolves.toBe(true);

    const jumped = session!.jumpToMessage('old', '2026-12-01T09:00:00.000Z');
    (await next('CursorAt')).answer({ data: { room: { id: 'r1', cursorAt: '4-0' } } });
    const newer = await next('NewerMessages');
    const before = await next('OlderMessages');
    expect(newer.variables).toEqual({ id: 'r1', first: 25, after: '4-0' });
    expect(before.variables).toEqual({ id: 'r1', last: 25, before: '4-1' });
    before.answer(older([{ cursor: '3-0', node: message('b', 'b') }], true));
    newer.answer(forward([{ cursor: '5-0', node: message('old', 'old') }], true));
    await expect(jumped).resolves.toBe(true);
    expect(bodies(session!)).toEqual(['b', 'old']);
  });

  it('tells the panels of every message change, and shows a reaction from its event, not the answer, while live', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('5-0', [{ cursor: '5-0', node: message('m1', 'hello') }]));
    await subscribed(1);
    const changes: string[] = [];
    session!.watchMessages((change) => changes.push(`${change.type}:${change.message.id}`));
    const thumbs = [{ emoji: '👍', count: 1, reactedByMe: true, users: [{ id: alice.id, displayName: 'alice' }] }];

    const reacting = session!.react('m1', '👍', true);
    const mutation = await next('React');
    expect(mutation.variables).toEqual({ messageId: 'm1', emoji: '👍' });
    mutation.answer({ data: { react: { ...message('m1', 'hello'), reactions: thumbs } } });
    await expect(reacting).resolves.toBeNull();
    expect(session!.timeline().items[0]).toMatchObject({ message: { reactions: [] } });

    subscriptions[0]!.push({
      data: {
        roomEvents: {
          __typename: 'ReactionAdded',
          cursor: '6-0',
          at: 'x',
          emoji: '👍',
          user: alice,
          message: { ...message('m1', 'hello'), reactions: thumbs },
        },
      },
    });
    expect(session!.timeline().items[0]).toMatchObject({ message: { reactions: thumbs } });
    expect(changes).toEqual(['ReactionAdded:m1']);

    const refused = session!.react('m1', 'hello', true);
    (await next('React')).answer({
      error: new CombinedError({ graphQLErrors: [new GraphQLError('Not an emoji', { extensions: { code: 'BAD_USER_INPUT' } })] }),
    });
    await expect(refused).resolves.toBe('Not an emoji');
  });

  it('reads a message’s edit history when asked', async () => {
    const { next, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('5-0', [{ cursor: '5-0', node: message('m1', 'v2') }]));
    await subscribed(1);
    const reading = session!.editHistory('m1');
    const query = await next('EditHistory');
    expect(query.variables).toEqual({ id: 'm1' });
    query.answer({
      data: {
        message: { id: 'm1', body: 'v2', createdAt: 't0', editedAt: 't1', deletedAt: null, editHistory: [{ body: 'v1', at: 't0' }] },
      },
    });
    await expect(reading).resolves.toEqual([
      { body: 'v1', at: 't0', current: false },
      { body: 'v2', at: 't1', current: true },
    ]);
    const missing = session!.editHistory('gone');
    (await next('EditHistory')).answer({ data: { message: null } });
    await expect(missing).resolves.toBe('The history of this message could not be read.');
  });

  it('follows an empty log from its start', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomPage')).answer(roomPage(null, []));
    await subscribed(1);
    expect(subscriptions[0]!.variables.after).toBe('0-0');
  });

  it('shows an event the page already had once, and counts only new messages from others while hidden', async () => {
    let hidden = true;
    const { next, subscriptions, subscribed } = start({ hidden: () => hidden });
    (await next('RoomPage')).answer(roomPage('5-0', [{ cursor: '5-0', node: message('m1', 'hello') }]));
    await subscribed(1);
    const live = subscriptions[0]!;

    live.push(posted('5-0', message('m1', 'hello'))); // at the seam: already shown
    live.push(posted('6-0', message('m2', 'from bob')));
    live.push(posted('7-0', message('m3', 'mine', alice)));
    expect(bodies(session!)).toEqual(['hello', 'from bob', 'mine']);
    expect(session!.unseen()).toBe(1);

    session!.markSeen();
    hidden = false;
    live.push(posted('8-0', message('m4', 'seen as it came')));
    expect(session!.unseen()).toBe(0);
  });

  it('starts over from the newest page when its cursor has expired', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    subscriptions[0]!.push({
      error: new CombinedError({ graphQLErrors: [new GraphQLError('too old', { extensions: { code: 'CURSOR_EXPIRED' } })] }),
    });
    (await next('RoomPage')).answer(roomPage('90-0', [{ cursor: '80-0', node: message('m9', 'recent') }]));
    await subscribed(2);
    expect(subscriptions[0]!.closed).toBe(true);
    expect(subscriptions[1]!.variables.after).toBe('90-0');
    expect(bodies(session!)).toEqual(['recent']);
    expect(session!.liveError()).toBeNull();
  });

  it('says why live updates stopped, and hands a refused session to the page', async () => {
    const onSessionEnded = vi.fn();
    const { next, subscriptions, subscribed } = start({ onSessionEnded });
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    subscriptions[0]!.push({
      error: new CombinedError({
        graphQLErrors: [new GraphQLError('Too many subscriptions', { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })],
      }),
    });
    expect(session!.liveError()).toBe('Too many subscriptions');
    expect(onSessionEnded).not.toHaveBeenCalled();
    subscriptions[0]!.push({
      error: new CombinedError({ graphQLErrors: [new GraphQLError('Sign in first', { extensions: { code: 'UNAUTHENTICATED' } })] }),
    });
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
  });

  it('says so when the room cannot be loaded, and tries again on request', async () => {
    const { next, subscriptions } = start();
    (await next('RoomPage')).answer({ error: new CombinedError({ networkError: new TypeError('Failed to fetch') }) });
    await vi.waitFor(() => expect(session!.loadError()).toMatch(/cannot be reached/));
    expect(subscriptions).toHaveLength(0);
    session!.reload();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await vi.waitFor(() => expect(session!.loadError()).toBeNull());
    expect(subscriptions).toHaveLength(1);
  });

  it('knows a room that does not exist, and follows nothing', async () => {
    const { next, subscriptions } = start();
    (await next('RoomPage')).answer({ data: { room: null } });
    (await next('RoomInfo')).answer({ data: { room: null } });
    await vi.waitFor(() => expect(session!.room()).toBeNull());
    expect(subscriptions).toHaveLength(0);
  });

  it("shows what the viewer sends as pending until the room's event confirms it", async () => {
    const { next, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    session!.send('on its way');
    expect(session!.timeline().pending.map((p) => [p.body, p.author.handle])).toEqual([['on its way', 'alice']]);
    const [entry] = outbox!.entries('r1');
    expect(entry?.body).toBe('on its way');
  });

  it('reads who is online again after a reconnect (presence is not replayed)', async () => {
    const { next, subscribed, reconnect } = start();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    reconnect();
    (await next('RoomOnline')).answer({ data: { room: { id: 'r1', online: [bob, alice] } } });
    await vi.waitFor(() => expect(session!.timeline().online.map((u) => u.handle)).toEqual(['alice', 'bob']));
  });

  it('follows a PresenceChanged, and asks who is online when a small room named fewer people than it counts', async () => {
    const { next, subscribed, subscriptions } = start();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    const carol = { ...bob, id: 'u-carol', handle: 'carol', displayName: 'carol' };
    const at = '2026-12-01T10:00:00.000Z';
    subscriptions[0]!.push({
      data: { roomEvents: { __typename: 'PresenceChanged', cursor: null, at, joined: [bob], left: [], onlineCount: 3 } },
    });
    await vi.waitFor(() => expect(session!.timeline().onlineCount).toBe(3));
    // Bob is named, a third person is not: the list is asked for once.
    (await next('RoomOnline')).answer({ data: { room: { id: 'r1', online: [alice, bob, carol] } } });
    await vi.waitFor(() => expect(session!.timeline().online.map((u) => u.handle)).toEqual(['alice', 'bob', 'carol']));
  });

  it('pages back from the oldest message shown', async () => {
    const { next, subscribed } = start();
    const first = roomPage('9-0', [{ cursor: '5-0', node: message('m5', 'five') }]);
    first.data.room.messages.pageInfo.hasPreviousPage = true;
    (await next('RoomPage')).answer(first);
    await subscribed(1);
    session!.loadOlder();
    session!.loadOlder(); // one page at a time
    const older = await next('OlderMessages');
    expect(older.variables).toEqual({ id: 'r1', last: 50, before: '5-0' });
    older.answer({
      data: {
        room: { id: 'r1', messages: { edges: [{ cursor: '4-0', node: message('m4', 'four') }], pageInfo: { hasPreviousPage: false } } },
      },
    });
    await vi.waitFor(() => expect(bodies(session!)).toEqual(['four', 'five']));
    expect(session!.timeline().hasOlder).toBe(false);
  });

  it('announces typing at most every 2.1 s, with one trailing announcement', async () => {
    vi.useFakeTimers();
    const { requests } = start();
    const typings = () => requests.filter((r) => r.name === 'Typing').length;
    session!.typing();
    expect(typings()).toBe(1);
    session!.typing();
    session!.typing();
    expect(typings()).toBe(1);
    vi.advanceTimersByTime(2_100);
    expect(typings()).toBe(2);
    session!.typing(); // just announced: waits again
    session!.send('done'); // sending ends the typing: no trailing announcement
    vi.advanceTimersByTime(5_000);
    expect(typings()).toBe(2);
  });

  it('lets "alice is typing…" go away on its own', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    vi.useFakeTimers();
    subscriptions[0]!.push({ data: { roomEvents: { __typename: 'UserTyping', cursor: null, at: '2026-12-01T10:00:00.000Z', user: bob } } });
    expect(session!.timeline().typing.map((t) => t.user.handle)).toEqual(['bob']);
    vi.advanceTimersByTime(6_500);
    expect(session!.timeline().typing).toEqual([]);
  });

  it('stops following when disposed', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    session!.dispose();
    expect(subscriptions[0]!.closed).toBe(true);
  });

  it('shows membership changes as lines in the timeline and keeps the members current', async () => {
    const carol: UserFieldsFragment = { ...bob, id: 'u-carol', handle: 'carol', displayName: 'carol' };
    const { next, subscriptions, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('5-0', [], [alice], [member(bob, { role: 'OWNER' }), member(alice), member(carol)]));
    await subscribed(1);
    const live = subscriptions[0]!;
    live.push(membershipChanged('6-0', member(carol, { membership: 'KICKED' }), bob, 'spam'));
    live.push(membershipChanged('6-0', member(carol, { membership: 'KICKED' }), bob, 'spam')); // again at a seam: once
    live.push(membershipChanged('7-0', member(alice, { role: 'MODERATOR' })));
    const notices = session!.timeline().items.flatMap((i) => (i.kind === 'notice' ? [i.change?.kind] : []));
    expect(notices).toEqual(['kicked', 'role']);
    expect(session!.members().members.map((m) => m.user.handle)).toEqual(['bob', 'alice']);
    expect(session!.members().count).toBe(1);
    // The viewer was made a moderator: the page knows their new role.
    expect(session!.room()?.myRole).toBe('MODERATOR');
  });

  it('ends for good when the viewer is banned: says why, disables posting, and does not follow again', async () => {
    const { next, subscriptions, subscribed, requests } = start();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    subscriptions[0]!.push(membershipChanged('6-0', member(alice, { membership: 'BANNED', bannedUntil: null }), bob, 'spam'));
    subscriptions[0]!.push({ error: forbidden('You are banned from this room', { reason: 'banned', until: null }) });
    expect(session!.ended()).toBe('You are banned from this room');
    expect(session!.restriction()).toEqual({ reason: 'banned', until: null });
    expect(session!.room()?.myMembership).toBe('BANNED');
    expect(session!.liveError()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(subscriptions).toHaveLength(1);
    expect(requests.filter((r) => r.name === 'RoomPage')).toHaveLength(0);
  });

  it('learns of a mute from a refused post, and lifts it when it ends', async () => {
    let refused: ((roomId: string, e: CombinedError) => void) | undefined;
    const { next, subscribed } = start({
      watchRefusals: (listener) => {
        refused = listener;
        return () => {
          refused = undefined;
        };
      },
    });
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    vi.useFakeTimers();
    const until = new Date(Date.now() + 60_000).toISOString();
    refused!('another room', forbidden('You are muted in this room', { reason: 'muted', until }));
    expect(session!.restriction()).toBeNull();
    refused!('r1', forbidden('You are muted in this room', { reason: 'muted', until }));
    expect(session!.restriction()).toEqual({ reason: 'muted', until });
    vi.advanceTimersByTime(61_000);
    expect(session!.restriction()).toBeNull();
  });

  it('shows an invitation without history: the room as the viewer may see it, nothing followed', async () => {
    const { next, subscriptions } = start();
    (await next('RoomPage')).answer({ data: { room: null }, error: forbidden('Accept the invitation first') });
    (await next('RoomInfo')).answer({ data: { room: { ...info, kind: 'PRIVATE', myMembership: 'INVITED', myRole: null } } });
    await vi.waitFor(() => expect(session!.room()?.myMembership).toBe('INVITED'));
    expect(session!.readable()).toBe(false);
    expect(session!.ended()).toBeNull();
    expect(subscriptions).toHaveLength(0);
  });

  it('asks what the viewer is now when live events are refused without the event about it (as the server does)', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    subscriptions[0]!.push({ error: forbidden('You were banned from this room') });
    expect(session!.ended()).toBe('You were banned from this room');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    (await next('RoomInfo')).answer({
      data: { room: { ...info, myMembership: 'BANNED', myRole: null, cursor: null } },
      error: forbidden(`You are banned from this room until ${until}`, { reason: 'banned', until }),
    });
    await vi.waitFor(() => expect(session!.restriction()).toEqual({ reason: 'banned', until }));
    expect(session!.room()?.myMembership).toBe('BANNED');
    expect(subscriptions).toHaveLength(1);
  });

  it("describes a change by the log's own order, even when the moderator's answer came before its event", async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('RoomPage')).answer(roomPage('5-0', []));
    await subscribed(1);
    const banned = member(bob, { membership: 'BANNED', bannedUntil: '2030-01-01T00:00:00.000Z' });
    session!.applyMember(banned); // the ban mutation's answer
    expect(session!.members().members.some((m) => m.user.id === bob.id)).toBe(false); // off the list at once
    subscriptions[0]!.push(membershipChanged('6-0', banned, alice, 'spam'));
    const notices = session!.timeline().items.flatMap((i) => (i.kind === 'notice' ? [i.change?.kind] : []));
    expect(notices).toEqual(['banned']);
  });

  describe('the read marker', () => {
    const withMarker = (readMarker: string | null, unreadCount: number, edges: { cursor: string; node: MessageFieldsFragment }[]) => {
      const page = roomPage('9-0', edges);
      return { data: { room: { ...page.data.room, readMarker, unreadCount } } };
    };

    it('remembers where it was when the room opened, and moves it forward one request at a time, the newest last', async () => {
      const read: unknown[] = [];
      const { next, subscribed } = start({ onRead: (room) => read.push(room) });
      (await next('RoomPage')).answer(
        withMarker('5-0', 2, [
          { cursor: '5-0', node: message('m1', 'one') },
          { cursor: '6-0', node: message('m2', 'two') },
        ]),
      );
      await subscribed(1);
      expect(session!.opened()).toEqual({ marker: '5-0', unreadCount: 2 });

      session!.markRead('5-0'); // the marker already: nothing to send
      session!.markRead('6-0');
      session!.markRead('7-0'); // while the first is on its way: waits
      session!.markRead('8-0'); // and is replaced by a newer one
      const first = await next('MarkRead');
      expect(first.variables).toEqual({ roomId: 'r1', upTo: '6-0' });
      first.answer({ data: { markRead: { id: 'r1', unreadCount: 1 } } });
      const second = await next('MarkRead');
      expect(second.variables).toEqual({ roomId: 'r1', upTo: '8-0' });
      second.answer({ data: { markRead: { id: 'r1', unreadCount: 0 } } });
      await vi.waitFor(() =>
        expect(read).toEqual([
          { id: 'r1', unreadCount: 1 },
          { id: 'r1', unreadCount: 0 },
        ]),
      );
      session!.markRead('8-0');
      expect(read).toHaveLength(2);
    });

    it('is not moved in a room the viewer only reads', async () => {
      const { next, subscribed, requests } = start();
      const page = withMarker(null, 0, [{ cursor: '5-0', node: message('m1', 'one') }]);
      (await next('RoomPage')).answer({ data: { room: { ...page.data.room, myMembership: null, myRole: null } } });
      await subscribed(1);
      session!.markRead('5-0');
      expect(requests.filter((r) => r.name === 'MarkRead')).toEqual([]);
    });

    it('tells of a mention or a direct message from someone else while hidden, not of others or while visible', async () => {
      let hidden = true;
      const notable: string[] = [];
      const { next, subscriptions, subscribed } = start({ hidden: () => hidden, onNotable: (m) => notable.push(m.body) });
      (await next('RoomPage')).answer(withMarker(null, 0, []));
      await subscribed(1);
      const live = subscriptions[0]!;
      live.push(posted('6-0', message('m2', 'hi @ALICE')));
      live.push(posted('7-0', message('m3', 'no one in particular')));
      live.push(posted('8-0', message('m4', '@alice note to self', alice)));
      hidden = false;
      live.push(posted('9-0', message('m5', '@alice while you look')));
      expect(notable).toEqual(['hi @ALICE']);
    });
  });
});
