import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MyRoomFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';
import { createScriptedClient } from '../testing/scriptedClient.js';
import type { MyRoom } from './myRoomList.js';
import { type MyRooms, createMyRooms } from './myRooms.js';

const room = (id: string, over: Partial<MyRoomFieldsFragment> = {}): MyRoomFieldsFragment => ({
  id,
  name: id,
  kind: 'PUBLIC',
  myMembership: 'JOINED',
  myRole: 'MEMBER',
  unreadCount: 0,
  mentionCount: 0,
  readMarker: null,
  lastActivityAt: '2026-12-01T10:00:00.000Z',
  ...over,
});
const user = (id: string): UserFieldsFragment => ({ id, handle: id, displayName: id, avatarUrl: null, status: 'AVAILABLE' });
const page = (inboxCursor: string | null, rooms: MyRoomFieldsFragment[]) => ({
  data: {
    inboxCursor,
    myRooms: { edges: rooms.map((node) => ({ node })), pageInfo: { hasNextPage: false, endCursor: rooms.at(-1)?.id ?? null } },
  },
});
const inbox = (cursor: string, kind: string, r: MyRoomFieldsFragment) => ({
  data: { inbox: { cursor, kind, at: '2026-12-01T10:00:00.000Z', room: r } },
});
const ids = (rooms: readonly { id: string }[]) => rooms.map((r) => r.id);

/** The sidebar's rooms against a scripted client: myRooms with the inbox's cursor, then the inbox. */
describe("the viewer's rooms, live", () => {
  let mine: MyRooms | undefined;
  afterEach(() => mine?.dispose());

  const start = (onActivity?: (before: MyRoom | null, after: MyRoom) => void) => {
    const scripted = createScriptedClient();
    mine = createMyRooms(scripted.client, { viewerId: 'me', ...(onActivity ? { onActivity } : {}) });
    return scripted;
  };

  it('reads the list and the inbox cursor in one query, then follows the inbox from that cursor', async () => {
    const { next, subscriptions, subscribed } = start();
    const load = await next('MyRoomsWithInbox');
    expect(load.variables).toEqual({ first: 50 });
    expect(subscriptions).toHaveLength(0);
    load.answer(page('7-0', [room('a'), room('b')]));
    await subscribed(1);
    expect(subscriptions[0]!.name).toBe('Inbox');
    expect(subscriptions[0]!.variables).toEqual({ after: '7-0' });
    expect(ids(mine!.joined())).toEqual(['a', 'b']);
  });

  it('follows an inbox that never had anything from its start', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('MyRoomsWithInbox')).answer(page(null, []));
    await subscribed(1);
    expect(subscriptions[0]!.variables).toEqual({ after: '0-0' });
  });

  it('applies events: activity moves a room up with its counts (and is reported), a read elsewhere clears them, invitations come', async () => {
    const activity: [string | null, number][] = [];
    const { next, subscriptions, subscribed } = start((before, after) => activity.push([before?.id ?? null, after.unreadCount]));
    (await next('MyRoomsWithInbox')).answer(page('7-0', [room('a'), room('b')]));
    await subscribed(1);
    const live = subscriptions[0]!;
    live.push(inbox('8-0', 'ACTIVITY', room('b', { lastActivityAt: '2026-12-01T11:00:00.000Z', unreadCount: 2, mentionCount: 1 })));
    expect(ids(mine!.joined())).toEqual(['b', 'a']);
    expect(mine!.totalUnread()).toBe(2);
    expect(activity).toEqual([['b', 2]]);
    live.push(inbox('9-0', 'READ', room('b', { lastActivityAt: '2026-12-01T11:00:00.000Z', readMarker: '30-0' })));
    expect(mine!.totalUnread()).toBe(0);
    live.push(inbox('10-0', 'INVITED', room('p', { kind: 'PRIVATE', myMembership: 'INVITED', myRole: null })));
    live.push(inbox('11-0', 'REMOVED', room('a', { myMembership: 'BANNED', myRole: null })));
    expect(ids(mine!.invitations())).toEqual(['p']);
    expect(ids(mine!.joined())).toEqual(['b']);
    expect(activity).toHaveLength(1); // only activity is reported
  });

  it('reads the list again and follows from its new cursor when the old one expired', async () => {
    const { next, subscriptions, subscribed } = start();
    (await next('MyRoomsWithInbox')).answer(page('7-0', [room('a')]));
    await subscribed(1);
    subscriptions[0]!.push({
      error: new CombinedError({ graphQLErrors: [new GraphQLError('too old', { extensions: { code: 'CURSOR_EXPIRED' } })] }),
    });
    (await next('MyRoomsWithInbox')).answer(page('40-0', [room('z')]));
    await subscribed(2);
    expect(subscriptions[1]!.variables).toEqual({ after: '40-0' });
    expect(ids(mine!.joined())).toEqual(['z']);
  });

  it("reads a direct conversation's people once, for its avatar", async () => {
    const { next, subscriptions, subscribed, requests } = start();
    (await next('MyRoomsWithInbox')).answer(page('7-0', [room('dm', { kind: 'DIRECT', name: 'alice' }), room('a')]));
    const people = await next('DirectPeople');
    expect(people.variables).toEqual({ id: 'dm' });
    people.answer({
      data: { room: { id: 'dm', members: { edges: [{ node: { user: user('alice') } }, { node: { user: user('me') } }] } } },
    });
    await vi.waitFor(() => expect(mine!.peopleOf('dm')?.map((u) => u.id)).toEqual(['alice']));
    await subscribed(1);
    subscriptions[0]!.push(inbox('8-0', 'ACTIVITY', room('dm', { kind: 'DIRECT', name: 'alice', unreadCount: 1 })));
    expect(requests.filter((r) => r.name === 'DirectPeople')).toEqual([]);
  });
});
