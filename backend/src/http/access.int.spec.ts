import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDevUserId } from '../auth/devLogin.js';
import { newMessageId, newRoomId } from '../chat/ids.js';
import { toRoomStreamKey } from '../chat/keys.js';
import type { RoomKind } from '../domain/room/room.js';
import { type GraphQLResponse, type StoreKind, type TestServer, collect, startTestServer } from '../testing/testServer.js';

/*
 * The access matrix: every operation that names a room, run as each kind of person, in each kind
 * of room, on both stores. Each answer is checked against the rules (contract, "Who may see a
 * room"), and every refusal for a room that is not there for the person is checked to be the
 * very answer an unknown id gets: same data, same errors, no name, no count; and nothing appended.
 */

const ROLES = ['stranger', 'invitee', 'member', 'muted', 'banned', 'moderator', 'owner'] as const;
type Role = (typeof ROLES)[number];
const KINDS: RoomKind[] = ['PUBLIC', 'PRIVATE', 'DIRECT'];
type Outcome = 'ok' | 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_USER_INPUT';

/** Whether the room exists for the person at all. */
const sees = (kind: RoomKind, role: Role) =>
  kind === 'PUBLIC' || (kind === 'PRIVATE' ? role !== 'stranger' && role !== 'banned' : role === 'owner' || role === 'member');
/** Whether they read what is said in it. */
const reads = (kind: RoomKind, role: Role) => sees(kind, role) && role !== 'banned' && !(kind === 'PRIVATE' && role === 'invitee');
const moderates = (kind: RoomKind, role: Role) => kind !== 'DIRECT' && (role === 'owner' || role === 'moderator');
/** The usual answer: NOT_FOUND where the room is not there for them, then FORBIDDEN unless `allowed`. */
const rule = (kind: RoomKind, role: Role, allowed: boolean): Outcome => (!sees(kind, role) ? 'NOT_FOUND' : allowed ? 'ok' : 'FORBIDDEN');

/** What a fixture gives an operation: the room, a message in it by someone else, and the people acted on. */
interface Fixture {
  kind: RoomKind;
  roomId: string;
  name: string;
  /** By `other`, a joined member who is none of the roles. */
  messageId: string;
  /** The room log's last cursor when it was made. */
  cursor: string;
  ids: Record<'other' | 'banned2' | 'muted2', string>;
}

interface Operation {
  name: string;
  /** Changes the room: each (kind, role) gets a fixture of its own. */
  mutates: boolean;
  /** Over HTTP, or a subscription over the WebSocket. */
  run(server: TestServer, cookie: string, fixture: Fixture): Promise<GraphQLResponse<any>>;
  expect(kind: RoomKind, role: Role): Outcome;
}

const gql = (query: string, variables: (f: Fixture) => Record<string, unknown>) => (server: TestServer, cookie: string, fixture: Fixture) =>
  server.gql(query, variables(fixture), cookie);

const ROOM_FIELD = (field: string) => `query($id: ID!) { room(id: $id) { id ${field} } }`;
const member = (action: string, extra = '') =>
  `mutation($roomId: ID!, $userId: ID!) { ${action}(roomId: $roomId, userId: $userId${extra}) { membership } }`;

/** A room query answers null (not an error) where the room is not there for the person. */
const roomQuery = (name: string, field: string, allowed: (kind: RoomKind, role: Role) => boolean): Operation => ({
  name,
  mutates: false,
  run: gql(ROOM_FIELD(field), (f) => ({ id: f.roomId })),
  expect: (kind, role) => rule(kind, role, allowed(kind, role)),
});

const OPERATIONS: Operation[] = [
  roomQuery('room', 'name kind memberCount myMembership myRole', () => true),
  roomQuery('room.messages', 'messages(last: 5) { edges { node { body } } }', reads),
  roomQuery('room.members', 'members { edges { node { user { handle } membership } } }', reads),
  roomQuery('room.online', 'online { handle } onlineCount', reads),
  roomQuery('room.cursor', 'cursor', reads),
  roomQuery('room.auditLog', 'auditLog { edges { node { action } } }', (kind, role) => reads(kind, role) && moderates(kind, role)),
  {
    name: 'roomEvents',
    mutates: false,
    run: async (server, cookie, f) => {
      const sub = collect(server.wsClient(cookie), 'subscription($id: ID!) { roomEvents(roomId: $id) { __typename } }', { id: f.roomId });
      // A subscription that starts announces its subscriber (UserJoined); one refused ends with its error.
      await sub.until((results) => results.length > 0);
      sub.dispose();
      const first = sub.results[0]!;
      return first.errors ? { errors: first.errors } : { data: { started: true } };
    },
    expect: (kind, role) => rule(kind, role, reads(kind, role)),
  },
  {
    name: 'postMessage',
    mutates: true,
    run: gql('mutation($id: ID!) { postMessage(roomId: $id, body: "hello") { body } }', (f) => ({ id: f.roomId })),
    expect: (kind, role) => rule(kind, role, reads(kind, role) && role !== 'muted' && (kind !== 'PRIVATE' || role !== 'invitee')),
  },
  {
    name: 'typing',
    mutates: true,
    run: gql('mutation($id: ID!) { typing(roomId: $id) }', (f) => ({ id: f.roomId })),
    expect: (kind, role) => rule(kind, role, reads(kind, role) && role !== 'muted'),
  },
  {
    name: 'joinRoom',
    mutates: true,
    run: gql('mutation($id: ID!) { joinRoom(roomId: $id) { id } }', (f) => ({ id: f.roomId })),
    expect: (kind, role) => rule(kind, role, role !== 'banned'),
  },
  {
    name: 'leaveRoom',
    mutates: true,
    run: gql('mutation($id: ID!) { leaveRoom(roomId: $id) { id } }', (f) => ({ id: f.roomId })),
    expect: (kind, role) => (sees(kind, role) && role === 'owner' && kind !== 'DIRECT' ? 'BAD_USER_INPUT' : rule(kind, role, true)),
  },
  {
    name: 'declineInvite',
    mutates: true,
    run: gql('mutation($id: ID!) { declineInvite(roomId: $id) { id } }', (f) => ({ id: f.roomId })),
    expect: (kind, role) => rule(kind, role, true),
  },
  {
    name: 'invite',
    mutates: true,
    run: gql('mutation($id: ID!) { invite(roomId: $id, handle: "newbie") { membership } }', (f) => ({ id: f.roomId })),
    expect: (kind, role) => {
      if (!sees(kind, role)) return 'NOT_FOUND';
      if (kind === 'DIRECT') return 'BAD_USER_INPUT';
      const joined = role === 'owner' || role === 'moderator' || role === 'member' || role === 'muted';
      return (kind === 'PRIVATE' ? joined : moderates(kind, role)) ? 'ok' : 'FORBIDDEN';
    },
  },
  ...(
    [
      ['kick', member('kick', ', reason: "bye"'), 'other'],
      ['ban', member('ban', ', reason: "spam"'), 'other'],
      ['unban', member('unban'), 'banned2'],
      [
        'mute',
        'mutation($roomId: ID!, $userId: ID!, $until: DateTime!) { mute(roomId: $roomId, userId: $userId, until: $until) { membership } }',
        'other',
      ],
      ['unmute', member('unmute'), 'muted2'],
    ] as const
  ).map(
    ([name, query, target]): Operation => ({
      name,
      mutates: true,
      run: gql(query, (f) => ({ roomId: f.roomId, userId: f.ids[target], until: new Date(Date.now() + 3_600_000).toISOString() })),
      expect: (kind, role) => rule(kind, role, moderates(kind, role) && role !== 'banned'),
    }),
  ),
  {
    name: 'markRead',
    mutates: true,
    run: gql('mutation($id: ID!, $c: String!) { markRead(roomId: $id, upTo: $c) { unreadCount } }', (f) => ({ id: f.roomId, c: f.cursor })),
    // Members only: the invitee, a stranger in a public room and someone banned keep no marker.
    expect: (kind, role) => rule(kind, role, reads(kind, role) && role !== 'invitee' && role !== 'stranger'),
  },
  {
    name: 'setRole',
    mutates: true,
    run: gql('mutation($roomId: ID!, $userId: ID!) { setRole(roomId: $roomId, userId: $userId, role: MODERATOR) { role } }', (f) => ({
      roomId: f.roomId,
      userId: f.ids.other,
    })),
    expect: (kind, role) => rule(kind, role, kind !== 'DIRECT' && role === 'owner'),
  },
  {
    name: 'removeMessage',
    mutates: true,
    run: gql('mutation($id: ID!) { removeMessage(id: $id, reason: "off topic") { body removedBy { handle } } }', (f) => ({
      id: f.messageId,
    })),
    expect: (kind, role) => rule(kind, role, reads(kind, role) && moderates(kind, role)),
  },
  {
    name: 'editMessage',
    mutates: true,
    run: gql('mutation($id: ID!) { editMessage(id: $id, body: "mine now") { body } }', (f) => ({ id: f.messageId })),
    // Only its author: in a direct room the message is the member's.
    expect: (kind, role) => rule(kind, role, kind === 'DIRECT' && role === 'member'),
  },
  {
    name: 'postMessage (a reply)',
    mutates: true,
    run: gql('mutation($id: ID!, $to: ID!) { postMessage(roomId: $id, body: "me too", replyTo: $to) { replyTo { id } } }', (f) => ({
      id: f.roomId,
      to: f.messageId,
    })),
    expect: (kind, role) => rule(kind, role, reads(kind, role) && role !== 'muted'),
  },
  {
    name: 'message',
    mutates: false,
    run: gql('query($id: ID!) { message(id: $id) { body replyCount reactions { emoji } pinnedAt } }', (f) => ({ id: f.messageId })),
    expect: (kind, role) => rule(kind, role, reads(kind, role)),
  },
  {
    name: 'search',
    mutates: false,
    run: gql('query($id: ID!) { search(query: "anything at all", roomId: $id) { edges { node { id } } } }', (f) => ({ id: f.roomId })),
    expect: (kind, role) => rule(kind, role, reads(kind, role)),
  },
  {
    name: 'react',
    mutates: true,
    run: gql('mutation($id: ID!) { react(messageId: $id, emoji: "🎉") { reactions { count } } }', (f) => ({ id: f.messageId })),
    // As posting: readers but the muted (in a public room, reacting joins).
    expect: (kind, role) => rule(kind, role, reads(kind, role) && role !== 'muted'),
  },
  {
    name: 'unreact',
    mutates: true,
    run: gql('mutation($id: ID!) { unreact(messageId: $id, emoji: "🎉") { reactions { count } } }', (f) => ({ id: f.messageId })),
    // Taking back what one has not added changes nothing: anyone who reads may ask.
    expect: (kind, role) => rule(kind, role, reads(kind, role)),
  },
  ...(['pinMessage', 'unpinMessage'] as const).map(
    (name): Operation => ({
      name,
      mutates: true,
      run: gql(`mutation($id: ID!) { ${name}(id: $id) { pinnedAt } }`, (f) => ({ id: f.messageId })),
      // Owner and moderators; in a direct room, either of its people.
      expect: (kind, role) =>
        rule(kind, role, reads(kind, role) && (kind === 'DIRECT' ? role === 'owner' || role === 'member' : moderates(kind, role))),
    }),
  ),
  {
    name: 'deleteMessage',
    mutates: true,
    run: gql('mutation($id: ID!) { deleteMessage(id: $id) { body } }', (f) => ({ id: f.messageId })),
    expect: (kind, role) => rule(kind, role, kind === 'DIRECT' && role === 'member'),
  },
];

const codeOf = (response: GraphQLResponse<any>): Outcome => {
  if (!response.errors?.length) return 'ok';
  return (response.errors[0]!.extensions?.code as Outcome | undefined) ?? ('unexpected' as Outcome);
};

/** A query about a room (or message) that is not there answers null: reads as NOT_FOUND. */
const outcomeOf = (response: GraphQLResponse<any>): Outcome =>
  response.data && (response.data.room === null || response.data.message === null) && !response.errors ? 'NOT_FOUND' : codeOf(response);

describe.each<StoreKind>(['memory', 'redis'])('who may see and do what, every operation × person × kind of room (%s store)', (store) => {
  let server: TestServer;
  const cookies = {} as Record<Role | 'other' | 'banned2' | 'muted2' | 'newbie', string>;
  const ids = {} as Record<keyof typeof cookies, string>;

  beforeAll(async () => {
    server = await startTestServer(store);
    for (const handle of [...ROLES, 'other', 'banned2', 'muted2', 'newbie'] as const) {
      cookies[handle] = await server.signIn(handle);
      ids[handle] = toDevUserId(handle);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  let rooms = 0;
  /** A room of that kind where each role is what its name says. */
  const makeFixture = async (kind: RoomKind): Promise<Fixture> => {
    const { commands } = server.app.services;
    const hour = () => new Date(Date.now() + 3_600_000).toISOString();
    const name = `Secret ${kind} room ${++rooms} ${store}`;
    if (kind === 'DIRECT') {
      const room = await commands.openDirect({ actorId: ids.owner, handles: ['member'] });
      // A direct room is its people's for good: a message by one of them, for the message operations.
      const message = await commands.postMessage({ actorId: ids.member, roomId: room.id, body: `in ${name}` });
      return {
        kind,
        roomId: room.id,
        name: room.name,
        messageId: message.id,
        cursor: (await logEnd(room.id))!,
        ids: { other: ids.other, banned2: ids.banned2, muted2: ids.muted2 },
      };
    }
    const room = await commands.createRoom({ actorId: ids.owner, name, kind });
    const roomId = room.id;
    const bring = async (who: keyof typeof ids) => {
      if (kind === 'PRIVATE') {
        await commands.invite({ actorId: ids.owner, roomId, handle: who });
        await commands.joinRoom({ actorId: ids[who], roomId });
      } else {
        await commands.joinRoom({ actorId: ids[who], roomId });
      }
    };
    for (const who of ['moderator', 'member', 'muted', 'banned', 'other', 'banned2', 'muted2'] as const) await bring(who);
    await commands.moderate({ actorId: ids.owner, roomId, userId: ids.moderator, action: 'SET_ROLE', role: 'MODERATOR' });
    for (const who of ['muted', 'muted2'] as const) {
      await commands.moderate({ actorId: ids.owner, roomId, userId: ids[who], action: 'MUTE', until: hour() });
    }
    for (const who of ['banned', 'banned2'] as const) {
      await commands.moderate({ actorId: ids.owner, roomId, userId: ids[who], action: 'BAN', until: null });
    }
    await commands.invite({ actorId: ids.owner, roomId, handle: 'invitee' });
    const message = await commands.postMessage({ actorId: ids.other, roomId, body: `in ${name}` });
    return {
      kind,
      roomId,
      name,
      messageId: message.id,
      cursor: (await logEnd(roomId))!,
      ids: { other: ids.other, banned2: ids.banned2, muted2: ids.muted2 },
    };
  };

  const logEnd = async (roomId: string) => (await server.app.services.store.streamInfo(toRoomStreamKey(roomId))).lastCursor;
  const logLength = async (roomId: string) => (await server.app.services.store.streamInfo(toRoomStreamKey(roomId))).length;

  /** What the same operation answers for a room id (and message id) that exists nowhere, with the ids written alike. */
  const unknownAnswer = async (operation: Operation, role: Role, fixture: Fixture) => {
    const roomId = newRoomId();
    const unknown = { ...fixture, roomId, messageId: newMessageId(roomId) };
    const response = await operation.run(server, cookies[role], unknown);
    return JSON.stringify(response).replaceAll(unknown.roomId, '<room>').replaceAll(unknown.messageId, '<message>');
  };

  for (const kind of KINDS) {
    describe(`${kind} room`, () => {
      let shared: Fixture;
      beforeAll(async () => {
        shared = await makeFixture(kind);
      }, 60_000);

      for (const operation of OPERATIONS) {
        it(`${operation.name}: answers each person as the rules say, and tells those it is not there for nothing`, async () => {
          const seen: Record<string, Outcome> = {};
          const wanted: Record<string, Outcome> = {};
          for (const role of ROLES) {
            const fixture = operation.mutates ? await makeFixture(kind) : shared;
            const before = await logLength(fixture.roomId);
            const response = await operation.run(server, cookies[role], fixture);
            const outcome = outcomeOf(response);
            seen[role] = outcome;
            wanted[role] = operation.expect(kind, role);
            if (outcome !== 'ok') {
              expect(await logLength(fixture.roomId), `${role}: a refused ${operation.name} appended something`).toBe(before);
            }
            if (outcome === 'NOT_FOUND') {
              const answer = JSON.stringify(response).replaceAll(fixture.roomId, '<room>').replaceAll(fixture.messageId, '<message>');
              expect(answer, `${role}: the answer differs from an unknown id's`).toBe(await unknownAnswer(operation, role, fixture));
              expect(answer).not.toContain(fixture.name);
            }
          }
          expect(seen).toEqual(wanted);
        });
      }
    });
  }
});
