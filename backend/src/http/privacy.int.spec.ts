import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDevUserId } from '../auth/devLogin.js';
import { type StoreKind, type TestServer, collect, startTestServer } from '../testing/testServer.js';

/*
 * Private and direct rooms are listed nowhere but to their people: not in `rooms`, the directory or
 * lobbyEvents (created, renamed, online counts); `myRooms` lists each person's own. People are
 * found by handle and name prefix, signed in only.
 */

const LOBBY = 'subscription { lobbyEvents { kind room { id name } } }';
const MY_ROOMS =
  '{ myRooms { edges { cursor node { id name kind myMembership myRole memberCount } } pageInfo { hasNextPage endCursor } } }';

describe.each<StoreKind>(['memory', 'redis'])('privacy of rooms, and finding people (%s store)', (store) => {
  let server: TestServer;
  const cookie: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(store);
    for (const handle of ['alice', 'bob', 'carol', 'Dora_X']) cookie[handle] = await server.signIn(handle);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const gql = async (as: string | null, query: string, variables: Record<string, unknown> = {}) => {
    const response = await server.gql(query, variables, as ? cookie[as] : undefined);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data as Record<string, any>;
  };

  it('keeps private and direct rooms out of every list and lobby event, with their names and counts', async () => {
    const lobby = collect(server.wsClient(cookie.carol), LOBBY);
    const secret = (await gql('alice', 'mutation { createRoom(name: "Secret plans", kind: PRIVATE) { id } }')).createRoom.id as string;
    await gql('alice', 'mutation($id: ID!) { renameRoom(id: $id, name: "Secret plans 2") { id } }', { id: secret });
    const direct = (await gql('alice', 'mutation { openDirect(handles: ["bob"]) { id name kind } }')).openDirect;
    expect(direct).toMatchObject({ kind: 'DIRECT', name: 'bob' });
    // Someone in the private room moves its online count: the lobby must not say so.
    const inside = collect(server.wsClient(cookie.alice), 'subscription($id: ID!) { roomEvents(roomId: $id) { __typename } }', {
      id: secret,
    });
    await inside.waitFor(1);
    const open = (await gql('alice', 'mutation { createRoom(name: "Town square") { id } }')).createRoom.id as string;
    await lobby.until((results) => results.some((r) => r.data?.lobbyEvents.room.id === open));
    inside.dispose();
    await gql('alice', 'mutation($id: ID!) { renameRoom(id: $id, name: "Town square 2") { id } }', { id: open });
    await lobby.until((results) => results.some((r) => r.data?.lobbyEvents.kind === 'ROOM_RENAMED'));
    const told = JSON.stringify(lobby.results);
    for (const hidden of [secret, direct.id, 'Secret plans']) expect(told).not.toContain(hidden);
    lobby.dispose();

    for (const as of [null, 'carol', 'alice']) {
      const lists = JSON.stringify(await gql(as, '{ rooms { id name } roomDirectory(first: 100) { edges { node { id name } } } }'));
      expect(lists).toContain(open);
      for (const hidden of [secret, direct.id, 'Secret plans']) expect(lists).not.toContain(hidden);
    }
    // Searching the directory for the private room's name finds nothing either.
    expect((await gql('carol', '{ roomDirectory(search: "secret") { edges { node { id } } } }')).roomDirectory.edges).toEqual([]);
  });

  it("lists each person's own rooms in myRooms, newest first, with invitations, and pages them", async () => {
    const club = (await gql('alice', 'mutation { createRoom(name: "Book club", kind: PRIVATE) { id } }')).createRoom.id as string;
    await gql('alice', 'mutation($id: ID!) { invite(roomId: $id, handle: "@carol") { membership } }', { id: club });
    const mine = (await gql('carol', MY_ROOMS)).myRooms.edges.map((e: any) => e.node);
    expect(mine[0]).toEqual({ id: club, name: 'Book club', kind: 'PRIVATE', myMembership: 'INVITED', myRole: null, memberCount: 1 });
    await gql('carol', 'mutation($id: ID!) { joinRoom(roomId: $id) { id } }', { id: club });
    const joined = (await gql('carol', MY_ROOMS)).myRooms.edges.map((e: any) => e.node);
    expect(joined[0]).toMatchObject({ id: club, myMembership: 'JOINED', myRole: 'MEMBER', memberCount: 2 });
    const owners = (await gql('alice', MY_ROOMS)).myRooms.edges.map((e: any) => e.node);
    expect(owners.find((room: any) => room.id === club)).toMatchObject({ myRole: 'OWNER' });

    await gql('carol', 'mutation($id: ID!) { leaveRoom(roomId: $id) { id } }', { id: club });
    expect(JSON.stringify(await gql('carol', MY_ROOMS))).not.toContain(club);
    // Left, the room is not there for her any more: it reads as unknown.
    expect((await gql('carol', 'query($id: ID!) { room(id: $id) { id } }', { id: club })).room).toBeNull();

    const first = (await gql('alice', '{ myRooms(first: 1) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }')).myRooms;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = (
      await gql('alice', 'query($a: String) { myRooms(first: 100, after: $a) { edges { node { id } } } }', { a: first.pageInfo.endCursor })
    ).myRooms;
    expect(next.edges.map((e: any) => e.node.id)).not.toContain(first.edges[0].node.id);
    const bad = await server.gql('{ myRooms(after: "nope") { edges { cursor } } }', {}, cookie.alice);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('names a direct room after the others, for each of them, and gives the same room to the same people', async () => {
    const fromAlice = (await gql('alice', 'mutation { openDirect(handles: ["bob", "dora_x"]) { id name } }')).openDirect;
    expect(fromAlice.name).toBe('bob, Dora_X');
    const fromDora = (await gql('Dora_X', 'mutation { openDirect(handles: ["Alice", "@bob"]) { id name } }')).openDirect;
    expect(fromDora).toEqual({ id: fromAlice.id, name: 'alice, bob' });
    // Opened at once by several of them, it is still one room.
    const opened = await Promise.all(
      ['alice', 'bob', 'carol'].map((as) =>
        gql(as, 'mutation($h: [String!]!) { openDirect(handles: $h) { id } }', {
          h: ['alice', 'bob', 'carol', 'Dora_X'].filter((handle) => handle !== as),
        }),
      ),
    );
    expect(new Set(opened.map((data) => data.openDirect.id)).size).toBe(1);
    const members = await gql(
      'bob',
      'query($id: ID!) { room(id: $id) { memberCount members { edges { node { user { handle } role membership } } } } }',
      {
        id: opened[0]!.openDirect.id,
      },
    );
    expect(members.room.memberCount).toBe(4);
    expect(members.room.members.edges.map((e: any) => e.node.user.handle)).toEqual(['alice', 'bob', 'carol', 'Dora_X']);
  });

  it('finds people by handle and by name prefix, case-insensitively, only for someone signed in', async () => {
    expect((await gql('alice', '{ user(handle: "DORA_x") { id handle } }')).user).toEqual({ id: toDevUserId('Dora_X'), handle: 'Dora_X' });
    expect((await gql('alice', '{ user(handle: "@bob") { handle } }')).user).toEqual({ handle: 'bob' });
    expect((await gql('alice', '{ user(handle: "nobody") { handle } }')).user).toBeNull();
    expect((await gql('alice', '{ users(prefix: "do") { handle } }')).users).toEqual([{ handle: 'Dora_X' }]);
    expect((await gql('alice', '{ users(prefix: "@B") { handle } }')).users).toEqual([{ handle: 'bob' }]);
    expect((await gql('alice', '{ users(prefix: "zz") { handle } }')).users).toEqual([]);
    for (const query of ['{ user(handle: "bob") { id } }', '{ users(prefix: "b") { id } }', '{ myRooms { edges { cursor } } }']) {
      expect((await server.gql(query, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it("ends a member's subscription to a private room when they leave it, after telling them", async () => {
    const room = (await gql('alice', 'mutation { createRoom(name: "Short stay", kind: PRIVATE) { id } }')).createRoom.id as string;
    await gql('alice', 'mutation($id: ID!) { invite(roomId: $id, handle: "bob") { membership } }', { id: room });
    await gql('bob', 'mutation($id: ID!) { joinRoom(roomId: $id) { id } }', { id: room });
    const events = collect(
      server.wsClient(cookie.bob),
      'subscription($id: ID!) { roomEvents(roomId: $id, after: "0-0") { __typename ... on MembershipChanged { member { user { handle } membership } } } }',
      { id: room },
    );
    await events.until((results) => results.some((r) => r.data?.roomEvents.member?.user.handle === 'bob'));
    await gql('bob', 'mutation($id: ID!) { leaveRoom(roomId: $id) { id } }', { id: room });
    await events.until(() => events.completed || events.error !== null);
    const logged = events.results.flatMap((r) => (r.data?.roomEvents.member ? [r.data.roomEvents.member] : []));
    expect(logged.at(-1)).toEqual({ user: { handle: 'bob' }, membership: 'LEFT' });
    expect(JSON.stringify(events.error)).toContain('FORBIDDEN');
  });
});
