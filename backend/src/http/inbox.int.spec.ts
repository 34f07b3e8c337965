import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDevUserId } from '../auth/devLogin.js';
import { toRoomStreamKey } from '../chat/keys.js';
import { toInboxKey } from '../projections/keys.js';
import { type StoreKind, type TestServer, collect, startTestServer } from '../testing/testServer.js';

/*
 * Read markers, unread and mention counts, and the inbox, over GraphQL: one subscription tells a
 * person what changed in any of their rooms, and resumes from its cursor like roomEvents.
 */

const INBOX = `subscription($after: String) { inbox(after: $after) {
  cursor kind room { id name kind unreadCount mentionCount readMarker } } }`;
const MY_ROOMS = `{ inboxCursor myRooms { edges { node { id name unreadCount mentionCount readMarker lastActivityAt lastMessage { body } } } } }`;
const POST = 'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }';
const MARK = 'mutation($r: ID!, $c: String!) { markRead(roomId: $r, upTo: $c) { unreadCount readMarker } }';

describe.each<StoreKind>(['memory', 'redis'])('read markers, counts and the inbox (%s store)', (store) => {
  let server: TestServer;
  const cookie: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(store);
    for (const handle of ['alice', 'bob', 'carol']) cookie[handle] = await server.signIn(handle);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const gql = async (as: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await server.gql(query, variables, cookie[as]);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data as Record<string, any>;
  };
  const lastCursor = async (roomId: string) => (await server.app.services.store.streamInfo(toRoomStreamKey(roomId))).lastCursor!;

  it("counts what others posted after the reader's marker, mentions apart, and tells every one of the reader's inboxes", async () => {
    const room = (await gql('alice', 'mutation { createRoom(name: "Counted") { id } }')).createRoom.id as string;
    await gql('bob', POST, { r: room, b: 'here' });
    const mine = await gql('bob', MY_ROOMS);
    expect(mine.myRooms.edges[0].node).toMatchObject({ id: room, unreadCount: 0, mentionCount: 0, lastMessage: { body: 'here' } });

    // Two devices of bob's, both following his inbox from the cursor read with his rooms.
    const devices = [
      collect(server.wsClient(cookie.bob), INBOX, { after: mine.inboxCursor ?? '0-0' }),
      collect(server.wsClient(cookie.bob), INBOX, { after: mine.inboxCursor ?? '0-0' }),
    ];
    for (let i = 0; i < 5; i++) await gql('alice', POST, { r: room, b: i === 2 ? 'hey @BOB, look' : `news ${i}` });
    const counted = (results: readonly any[]) =>
      results.some((r) => r.data?.inbox.kind === 'ACTIVITY' && r.data.inbox.room.unreadCount === 5);
    await Promise.all(devices.map((d) => d.until(counted)));
    const activity = devices[0]!.results.filter((r) => r.data?.inbox.kind === 'ACTIVITY');
    expect(activity.length).toBeLessThanOrEqual(5);
    expect(activity.at(-1)!.data.inbox.room).toMatchObject({ id: room, unreadCount: 5, mentionCount: 1 });

    // Reading on one device: the other hears of it.
    const read = await gql('bob', MARK, { r: room, c: await lastCursor(room) });
    expect(read.markRead).toMatchObject({ unreadCount: 0 });
    await devices[1]!.until((results) => results.some((r) => r.data?.inbox.kind === 'READ' && r.data.inbox.room.unreadCount === 0));
    // A stale device cannot take the marker back.
    const stale = await gql('bob', MARK, { r: room, c: mine.myRooms.edges[0].node.readMarker ?? '0-1' }).catch(() => null);
    expect(stale?.markRead.unreadCount ?? 0).toBe(0);

    // Both devices got the same events as the inbox holds, each once, in order; one resumed after any of them gets exactly the rest.
    const held = (
      await server.app.services.store.readForward(toInboxKey(toDevUserId('bob')), { after: mine.inboxCursor ?? '0-0', count: 1_000 })
    ).length;
    await Promise.all(devices.map((d) => d.until((results) => results.length >= held)));
    const cursors = devices.map((d) => d.results.map((r) => r.data!.inbox.cursor as string));
    expect(cursors[0]).toEqual(cursors[1]);
    expect(new Set(cursors[0]).size).toBe(cursors[0]!.length);
    const resumed = collect(server.wsClient(cookie.bob), INBOX, { after: cursors[0]![0] });
    await resumed.until((results) => results.length >= cursors[0]!.length - 1);
    expect(resumed.results.map((r) => r.data!.inbox.cursor)).toEqual(cursors[0]!.slice(1));
    for (const d of [...devices, resumed]) d.dispose();
  });

  it('tells people they were invited, joined, removed, and that a room was renamed', async () => {
    const start = (await gql('carol', '{ inboxCursor }')).inboxCursor ?? '0-0';
    const inbox = collect(server.wsClient(cookie.carol), INBOX, { after: start });
    const club = (await gql('alice', 'mutation { createRoom(name: "Club", kind: PRIVATE) { id } }')).createRoom.id as string;
    await gql('alice', 'mutation($r: ID!) { invite(roomId: $r, handle: "carol") { membership } }', { r: club });
    await gql('carol', 'mutation($r: ID!) { joinRoom(roomId: $r) { id } }', { r: club });
    await gql('alice', 'mutation($r: ID!) { renameRoom(id: $r, name: "Club 2") { id } }', { r: club });
    const kinds = () => inbox.results.filter((r) => r.data?.inbox.room.id === club).map((r) => r.data!.inbox.kind);
    // A room's news reaches who is in it when it is fanned out (within a quarter of a second): wait for it.
    await inbox.until(() => kinds().includes('UPDATED'));
    await gql('alice', 'mutation($r: ID!, $u: ID!) { kick(roomId: $r, userId: $u) { membership } }', { r: club, u: toDevUserId('carol') });
    await inbox.until(() => kinds().includes('REMOVED'));
    expect(kinds()).toEqual(['INVITED', 'JOINED', 'UPDATED', 'REMOVED']);
    // Removed, she still learns which room it was: its id, name and kind, and no count.
    const removed = inbox.results.find((r) => r.data?.inbox.kind === 'REMOVED')!.data!.inbox.room;
    expect(removed).toEqual({ id: club, name: 'Club 2', kind: 'PRIVATE', unreadCount: 0, mentionCount: 0, readMarker: null });
    inbox.dispose();
  });

  it('answers CURSOR_EXPIRED for a cursor older than the kept inbox', async () => {
    // Dave's inbox, filled past what it keeps (entries far in the future: nothing real comes after them).
    cookie.dave = await server.signIn('dave');
    const roomId = (await gql('dave', 'mutation { createRoom(name: "Busy inbox", kind: PRIVATE) { id } }')).createRoom.id;
    const entries = Array.from({ length: 1_200 }, (_, i) => ({ cursor: `${9_000_000_000_000 + i}-0`, type: 'READ', data: { roomId } }));
    await server.app.services.store.writeEntries([{ stream: toInboxKey(toDevUserId('dave')), entries }], 1_000);
    const old = collect(server.wsClient(cookie.dave), INBOX, { after: '1-0' });
    await old.until(() => old.error !== null || old.results.some((r) => r.errors));
    expect(JSON.stringify(old.error ?? old.results)).toContain('CURSOR_EXPIRED');
  });

  it('refuses a marker from another room, a malformed one, or one beyond the end, and keeps the marker', async () => {
    const room = (await gql('alice', 'mutation { createRoom(name: "Marked") { id } }')).createRoom.id as string;
    const other = (await gql('alice', 'mutation { createRoom(name: "Elsewhere") { id } }')).createRoom.id as string;
    await gql('alice', POST, { r: other, b: 'there' });
    const before = (await gql('alice', 'query($r: ID!) { room(id: $r) { readMarker } }', { r: room })).room.readMarker;
    const end = await lastCursor(room);
    const [ms] = end.split('-');
    for (const upTo of [await lastCursor(other), 'yesterday', '1-x', `${Number(ms) + 60_000}-0`, `${ms}-99`]) {
      const response = await server.gql(MARK, { r: room, c: upTo }, cookie.alice);
      expect(response.errors?.[0]?.extensions?.code, upTo).toBe('BAD_USER_INPUT');
    }
    expect((await gql('alice', 'query($r: ID!) { room(id: $r) { readMarker } }', { r: room })).room.readMarker).toBe(before);
  });

  it('lists the rooms by their last activity, most recent first', async () => {
    const names = ['First', 'Second', 'Third'];
    const ids: string[] = [];
    for (const name of names)
      ids.push((await gql('bob', 'mutation($n: String!) { createRoom(name: $n, kind: PRIVATE) { id } }', { n: name })).createRoom.id);
    await gql('bob', POST, { r: ids[0], b: 'wakes the first' });
    const order = (await gql('bob', '{ myRooms(first: 3) { edges { node { id } } } }')).myRooms.edges.map((e: any) => e.node.id);
    expect(order).toEqual([ids[0], ids[2], ids[1]]);
  });

  it("keeps a person's rooms apart from the rooms they are present in: following another room and changing status change nothing", async () => {
    const mine = (await gql('carol', 'mutation { createRoom(name: "Carols own", kind: PRIVATE) { id } }')).createRoom.id as string;
    const elsewhere = (await gql('alice', 'mutation { createRoom(name: "Where carol looks") { id } }')).createRoom.id as string;
    const listed = async () => (await gql('carol', '{ myRooms { edges { node { id } } } }')).myRooms.edges.map((e: any) => e.node.id);
    expect(await listed()).toEqual([mine]);
    // Present in a public room she never joined (a presence lease), then a status change, which
    // reads the rooms she is present in.
    const watching = collect(server.wsClient(cookie.carol), 'subscription($r: ID!) { roomEvents(roomId: $r) { __typename } }', {
      r: elsewhere,
    });
    await watching.until((results) => results.some((r) => r.data?.roomEvents.__typename === 'UserJoined'));
    expect(await listed()).toEqual([mine]);
    await gql('carol', 'mutation { setStatus(status: AWAY) { id } }');
    expect(await listed()).toEqual([mine]);
    watching.dispose();
  });
});
