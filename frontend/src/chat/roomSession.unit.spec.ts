import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessageFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';
import { createScriptedClient } from '../testing/scriptedClient.js';
import { type Outbox, createMemoryOutboxStorage, createOutbox } from './outbox.js';
import { type RoomSession, createRoomSession } from './roomSession.js';

const alice: UserFieldsFragment = { id: 'u-alice', handle: 'alice', displayName: 'alice', avatarUrl: null, status: 'AVAILABLE' };
const bob: UserFieldsFragment = { id: 'u-bob', handle: 'bob', displayName: 'bob', avatarUrl: null, status: 'AVAILABLE' };
const message = (id: string, body: string, author = bob): MessageFieldsFragment => ({
  id,
  body,
  createdAt: '2026-12-01T10:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  author,
});
const roomPage = (cursor: string | null, edges: { cursor: string; node: MessageFieldsFragment }[], online = [alice]) => ({
  data: {
    room: {
      id: 'r1',
      name: 'Garden',
      cursor,
      online,
      messages: {
        edges,
        pageInfo: { hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      },
    },
  },
});
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

  const start = (options: { hidden?: () => boolean; onSessionEnded?: () => void } = {}) => {
    const scripted = createScriptedClient();
    outbox = createOutbox({ storage: createMemoryOutboxStorage(), send: () => new Promise(() => {}) });
    session = createRoomSession({
      roomId: 'r1',
      viewer: () => alice,
      client: scripted.client,
      outbox,
      onSessionEnded: options.onSessionEnded ?? (() => {}),
      isHidden: options.hidden ?? (() => false),
    });
    return scripted;
  };

  it("loads the newest page, then follows the room from the room's cursor, not the page's end", async () => {
    const { next, subscriptions, subscribed } = start();
    const load = await next('RoomPage');
    expect(load.variables).toEqual({ id: 'r1', last: 50 });
    expect(subscriptions).toHaveLength(0); // nothing followed before the page and its cursor are in
    load.answer(roomPage('9-0', [{ cursor: '5-0', node: message('m1', 'hello') }]));
    await subscribed(1);
    expect(subscriptions[0]!.variables).toEqual({ roomId: 'r1', after: '9-0' });
    expect(session!.room()).toEqual({ id: 'r1', name: 'Garden' });
    expect(bodies(session!)).toEqual(['hello']);
    expect(session!.timeline().online).toEqual([alice]);
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
});
