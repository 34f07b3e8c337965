import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDevUserId } from '../auth/devLogin.js';
import { lobbyStreamKey, toRoomStreamKey } from '../chat/keys.js';
import { type GraphQLResponse, type StoreKind, type TestServer, operateOverSocket, startTestServer } from '../testing/testServer.js';

/*
 * The limits of every membership and moderation mutation, over HTTP and over the WebSocket: a
 * clear BAD_USER_INPUT naming what is wrong, and nothing appended anywhere.
 */

const OPEN_DIRECT = 'mutation($h: [String!]!) { openDirect(handles: $h) { id } }';
const BAN =
  'mutation($r: ID!, $u: ID!, $until: DateTime, $why: String) { ban(roomId: $r, userId: $u, until: $until, reason: $why) { membership } }';
const MUTE =
  'mutation($r: ID!, $u: ID!, $until: DateTime!, $why: String) { mute(roomId: $r, userId: $u, until: $until, reason: $why) { membership } }';
const KICK = 'mutation($r: ID!, $u: ID!, $why: String) { kick(roomId: $r, userId: $u, reason: $why) { membership } }';
const SET_ROLE = 'mutation($r: ID!, $u: ID!, $role: RoomRole!) { setRole(roomId: $r, userId: $u, role: $role) { role } }';
const INVITE = 'mutation($r: ID!, $h: String!) { invite(roomId: $r, handle: $h) { membership } }';
const REMOVE = 'mutation($id: ID!, $why: String) { removeMessage(id: $id, reason: $why) { id } }';
const CREATE = 'mutation($n: String!, $k: RoomKind) { createRoom(name: $n, kind: $k) { id } }';
const USERS = 'query($p: String!, $first: Int) { users(prefix: $p, first: $first) { handle } }';

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

describe.each<StoreKind>(['memory', 'redis'])('membership and moderation limits (%s store)', (store) => {
  let server: TestServer;
  const cookies: Record<string, string> = {};
  let roomId = '';
  let messageId = '';
  const bob = toDevUserId('bob');

  beforeAll(async () => {
    server = await startTestServer(store);
    for (const handle of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy']) {
      cookies[handle] = await server.signIn(handle);
    }
    const created = await server.gql(CREATE, { n: 'Moderated', k: 'PUBLIC' }, cookies.alice);
    roomId = created.data!.createRoom.id;
    const posted = await server.gql('mutation($r: ID!) { postMessage(roomId: $r, body: "hi") { id } }', { r: roomId }, cookies.bob);
    messageId = posted.data!.postMessage.id;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const logLengths = async () => {
    const { store: events } = server.app.services;
    return [(await events.streamInfo(lobbyStreamKey)).length, (await events.streamInfo(toRoomStreamKey(roomId))).length];
  };

  describe.each(['http', 'ws'] as const)('over %s', (transport) => {
    const send = (query: string, variables: Record<string, unknown>, as = 'alice'): Promise<GraphQLResponse<any>> =>
      transport === 'http' ? server.gql(query, variables, cookies[as]) : operateOverSocket(server.wsClient(cookies[as]), query, variables);

    const refusals: [string, string, () => Record<string, unknown>, string?, RegExp?][] = [
      ['openDirect with nobody', OPEN_DIRECT, () => ({ h: [] }), 'alice', /1–8 handles/u],
      [
        'openDirect with nine others',
        OPEN_DIRECT,
        () => ({ h: ['bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'] }),
      ],
      ['openDirect with a handle twice', OPEN_DIRECT, () => ({ h: ['bob', 'BOB'] }), 'alice', /once/u],
      ['openDirect with an unknown handle', OPEN_DIRECT, () => ({ h: ['bob', 'nobody_here'] }), 'alice', /@nobody_here/u],
      ['openDirect with something not a handle', OPEN_DIRECT, () => ({ h: ['bob; DROP'] })],
      ['openDirect with the viewer among them', OPEN_DIRECT, () => ({ h: ['bob', 'alice'] }), 'alice', /own handle/u],
      ['createRoom of kind DIRECT', CREATE, () => ({ n: 'dm', k: 'DIRECT' })],
      ['a ban that ended already', BAN, () => ({ r: roomId, u: bob, until: inHours(-1) }), 'alice', /future/u],
      ['a ban ending in two years', BAN, () => ({ r: roomId, u: bob, until: inHours(24 * 731) }), 'alice', /within a year/u],
      ['a mute that ended already', MUTE, () => ({ r: roomId, u: bob, until: inHours(-1) })],
      ['a mute ending in two years', MUTE, () => ({ r: roomId, u: bob, until: inHours(24 * 731) })],
      ['a ban with a reason over 500 characters', BAN, () => ({ r: roomId, u: bob, why: 'x'.repeat(501) }), 'alice', /500/u],
      ['a kick with a reason over 500 characters', KICK, () => ({ r: roomId, u: bob, why: '😀'.repeat(501) })],
      ['a removal with a reason over 500 characters', REMOVE, () => ({ id: messageId, why: 'x'.repeat(501) })],
      ['a reason with control characters', KICK, () => ({ r: roomId, u: bob, why: 'a\u0000b' })],
      ['kicking oneself', KICK, () => ({ r: roomId, u: toDevUserId('alice') }), 'alice', /yourself/u],
      ['banning oneself', BAN, () => ({ r: roomId, u: toDevUserId('alice') })],
      ['inviting oneself', INVITE, () => ({ r: roomId, h: 'alice' })],
      ['inviting an unknown handle', INVITE, () => ({ r: roomId, h: 'nobody_here' })],
      ['making someone owner', SET_ROLE, () => ({ r: roomId, u: bob, role: 'OWNER' })],
      ['a ban with a time that is not one', BAN, () => ({ r: roomId, u: bob, until: 'next tuesday' })],
      ['leaving a room one owns', 'mutation($r: ID!) { leaveRoom(roomId: $r) { id } }', () => ({ r: roomId })],
      ['a users prefix that is empty', USERS, () => ({ p: '' })],
      ['a users prefix over 50 characters', USERS, () => ({ p: 'x'.repeat(51) })],
      ['asking for 51 users', USERS, () => ({ p: 'a', first: 51 })],
    ];

    it.each(refusals)('refuses %s with BAD_USER_INPUT and appends nothing', async (_, query, variables, as = 'alice', message) => {
      const before = await logLengths();
      const response = await send(query, variables(), as);
      expect(response.errors?.[0]?.extensions?.code, JSON.stringify(response)).toBe('BAD_USER_INPUT');
      if (message) expect(response.errors![0]!.message).toMatch(message);
      expect(JSON.stringify(response)).not.toMatch(/stack|at \//u);
      expect(await logLengths()).toEqual(before);
    });

    it('accepts the limits at their edges: eight others, a reason of 500 characters, an end just within a year', async () => {
      const direct = await send(OPEN_DIRECT, { h: ['bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', '@ivan'] });
      expect(direct.errors).toBeUndefined();
      const again = await send(OPEN_DIRECT, { h: ['IVAN', 'heidi', 'grace', 'frank', 'erin', 'dave', 'carol', 'bob'] }, 'alice');
      expect(again.data!.openDirect.id).toBe(direct.data!.openDirect.id);
      const muted = await send(MUTE, { r: roomId, u: bob, until: inHours(24 * 365), why: '😀'.repeat(500) });
      expect(muted.errors).toBeUndefined();
      expect(
        (await send('mutation($r: ID!, $u: ID!) { unmute(roomId: $r, userId: $u) { membership } }', { r: roomId, u: bob })).errors,
      ).toBeUndefined();
    });
  });
});
