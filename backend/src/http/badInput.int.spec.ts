import {
  type GraphQLField,
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
} from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDevUserId } from '../auth/devLogin.js';
import { lobbyStreamKey, toMessageSnapshotsKey, toRoomStreamKey, toUserStreamKey } from '../chat/keys.js';
import { schema } from '../graphql/schema.js';
import { type GraphQLResponse, collect, startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';

/*
 * Bad input over real HTTP and a real WebSocket, for both stores: every refusal answers the
 * contract's code and appends nothing to any log.
 */

const CREATE_ROOM = 'mutation($name: String!) { createRoom(name: $name) { id name } }';
const RENAME_ROOM = 'mutation($id: ID!, $name: String!) { renameRoom(id: $id, name: $name) { id name } }';
const POST =
  'mutation($roomId: ID!, $body: String!, $clientId: String) { postMessage(roomId: $roomId, body: $body, clientId: $clientId) { id body } }';
const EDIT = 'mutation($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id body } }';
const DELETE = 'mutation($id: ID!) { deleteMessage(id: $id) { id body } }';
const TYPING = 'mutation($roomId: ID!) { typing(roomId: $roomId) }';
const SET_STATUS = 'mutation($status: UserStatus!) { setStatus(status: $status) { id status } }';
const MESSAGES =
  'query($id: ID!, $last: Int, $before: String) { room(id: $id) { messages(last: $last, before: $before) { edges { cursor node { id body } } } } }';
const ROOM_EVENTS =
  'subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) { __typename cursor ... on MessagePosted { message { id body } } } }';
const LOBBY_EVENTS = 'subscription($after: String) { lobbyEvents(after: $after) { kind room { id name } } }';

/** Well-formed room ids that name no room, and ids that are not room ids at all. */
const UNKNOWN_ROOM_IDS = ['AAAAAAAAAAAA', 'nope', ''];

type Transport = 'http' | 'ws';
type Who = 'alice' | 'bob' | 'anonymous' | 'forged';

interface Fixture {
  roomId: string;
  messageId: string;
}

interface Case {
  name: string;
  query: string;
  variables: (f: Fixture) => Record<string, unknown>;
  as?: Who;
  code: string;
  /** Subscriptions only run over the WebSocket (HTTP refuses them; see transport.int.spec.ts). */
  wsOnly?: boolean;
}

const BAD_ROOM_NAMES: [string, string][] = [
  ['empty', ''],
  ['only spaces', '    '],
  ['only whitespace', ' \t \u00a0 \u3000 '],
  ['101 characters', 'a'.repeat(101)],
  ['101 characters after trimming', ` ${'a'.repeat(101)} `],
  ['101 astral code points', '😀'.repeat(101)],
  ['101 characters after NFC', 'e\u0301'.repeat(101)],
  ['NUL', 'a\u0000b'],
  ['newline inside', 'a\nb'],
  ['tab inside', 'a\tb'],
  ['ESC (terminal escape)', 'a\u001b[31mb'],
  ['DEL', 'a\u007fb'],
  ['C1 control NEL', 'a\u0085b'],
  ['right-to-left override', 'abc\u202etxt.exe'],
  ['left-to-right override', '\u202dab'],
  ['right-to-left isolate', 'a\u2067b\u2069'],
  ['right-to-left mark', 'a\u200fb'],
  ['Arabic letter mark', 'a\u061cb'],
  ['zero-width space', 'ad\u200bmin'],
  ['zero-width non-joiner', 'a\u200cb'],
  ['zero-width joiner', 'a\u200db'],
  ['word joiner', 'a\u2060b'],
  ['byte order mark inside', 'a\ufeffb'],
  ['soft hyphen', 'a\u00adb'],
  ['a lone high surrogate', 'a\ud83db'],
  ['a lone low surrogate at the end', 'ab\ude00'],
];

const BAD_BODIES: [string, string][] = [
  ['empty', ''],
  ['only whitespace', ' \n\t\r\n '],
  ['4001 characters', 'a'.repeat(4001)],
  ['4001 characters after trimming', `  ${'a'.repeat(4001)}\n`],
  ['4001 astral code points', '😀'.repeat(4001)],
  ['4001 characters after CRLF becomes LF', Array.from({ length: 2001 }, () => 'a').join('\r\n')],
  ['NUL', 'a\u0000b'],
  ['BEL', 'a\u0007b'],
  ['backspace', 'a\u0008b'],
  ['vertical tab', 'a\u000bb'],
  ['form feed', 'a\u000cb'],
  ['ESC (terminal escape)', 'a\u001b[2Jb'],
  ['DEL', 'a\u007fb'],
  ['C1 control CSI', 'a\u009bb'],
  ['a lone high surrogate', 'a\ud83db'],
  ['surrogates in the wrong order', 'a\ude00\ud83db'],
];

const BAD_CLIENT_IDS: [string, string][] = [
  ['empty', ''],
  ['65 characters', 'x'.repeat(65)],
  ['65 astral code points', '😀'.repeat(65)],
  ['a control character', 'abc\u0000'],
  ['a lone surrogate', 'abc\ud800'],
];

/** Garbage where a cursor belongs; '-' and '+' mean "the ends" to Redis and must never reach it. */
const GARBAGE_CURSORS: [string, string][] = [
  ['a word', 'garbage'],
  ['empty', ''],
  ['no sequence', '1'],
  ['empty sequence', '1-'],
  ['empty time', '-1'],
  ['three parts', '1-2-3'],
  ['17 digits', '12345678901234567-0'],
  ['leading space', ' 1-0'],
  ['trailing newline', '1-0\n'],
  ['hex', '0x10-0'],
  ['exponent', '1e3-0'],
  ['signed', '+1-0'],
  ['Redis "-"', '-'],
  ['Redis "+"', '+'],
  ['Redis "$"', '$'],
  ['Redis ">"', '>'],
  ['Redis exclusive range', '(1-0'],
  ['non-ASCII digits', '١-٠'],
  ['JSON', '{"ms":1}'],
];

const bad = (name: string, query: string, variables: Case['variables'], code = 'BAD_USER_INPUT', as: Who = 'alice'): Case => ({
  name,
  query,
  variables,
  code,
  as,
});

const CASES: Case[] = [
  // Limits
  ...BAD_ROOM_NAMES.map(([label, name]) => bad(`createRoom: name ${label}`, CREATE_ROOM, () => ({ name }))),
  ...BAD_ROOM_NAMES.map(([label, name]) => bad(`renameRoom: name ${label}`, RENAME_ROOM, (f) => ({ id: f.roomId, name }))),
  ...BAD_BODIES.map(([label, body]) => bad(`postMessage: body ${label}`, POST, (f) => ({ roomId: f.roomId, body }))),
  ...BAD_BODIES.map(([label, body]) => bad(`editMessage: body ${label}`, EDIT, (f) => ({ id: f.messageId, body }))),
  ...BAD_CLIENT_IDS.map(([label, clientId]) =>
    bad(`postMessage: clientId ${label}`, POST, (f) => ({ roomId: f.roomId, body: 'hello', clientId })),
  ),
  ...[0, -1, 101, 1000].map((last) => bad(`messages(last: ${last})`, MESSAGES, (f) => ({ id: f.roomId, last }))),
  // Values GraphQL itself refuses while coercing variables.
  bad('messages(last) beyond a 32-bit Int', MESSAGES, (f) => ({ id: f.roomId, last: 2 ** 31 })),
  bad('messages(last) not an integer', MESSAGES, (f) => ({ id: f.roomId, last: 1.5 })),
  bad('createRoom: name null', CREATE_ROOM, () => ({ name: null })),
  bad('createRoom: name not a string', CREATE_ROOM, () => ({ name: 42 })),
  bad('postMessage: body an object', POST, (f) => ({ roomId: f.roomId, body: { toString: 'x' } })),
  bad('setStatus: unknown status', SET_STATUS, () => ({ status: 'INVISIBLE' })),
  // Cursors
  ...GARBAGE_CURSORS.map(([label, before]) => bad(`messages(before): ${label}`, MESSAGES, (f) => ({ id: f.roomId, before }))),
  ...GARBAGE_CURSORS.map(([label, after]) => ({
    ...bad(`roomEvents(after): ${label}`, ROOM_EVENTS, (f) => ({ roomId: f.roomId, after })),
    wsOnly: true,
  })),
  ...GARBAGE_CURSORS.map(([label, after]) => ({ ...bad(`lobbyEvents(after): ${label}`, LOBBY_EVENTS, () => ({ after })), wsOnly: true })),
  // Unknown ids
  ...UNKNOWN_ROOM_IDS.map((roomId) =>
    bad(`postMessage: unknown room ${JSON.stringify(roomId)}`, POST, () => ({ roomId, body: 'hello' }), 'NOT_FOUND'),
  ),
  ...UNKNOWN_ROOM_IDS.map((roomId) =>
    bad(
      `postMessage with clientId: unknown room ${JSON.stringify(roomId)}`,
      POST,
      () => ({ roomId, body: 'hello', clientId: 'c1' }),
      'NOT_FOUND',
    ),
  ),
  ...UNKNOWN_ROOM_IDS.map((roomId) => bad(`typing: unknown room ${JSON.stringify(roomId)}`, TYPING, () => ({ roomId }), 'NOT_FOUND')),
  ...UNKNOWN_ROOM_IDS.map((id) =>
    bad(`renameRoom: unknown room ${JSON.stringify(id)}`, RENAME_ROOM, () => ({ id, name: 'renamed' }), 'NOT_FOUND'),
  ),
  ...UNKNOWN_ROOM_IDS.map((roomId) => ({
    ...bad(`roomEvents: unknown room ${JSON.stringify(roomId)}`, ROOM_EVENTS, () => ({ roomId }), 'NOT_FOUND'),
    wsOnly: true,
  })),
  ...UNKNOWN_ROOM_IDS.map((roomId) => ({
    ...bad(`roomEvents with after: unknown room ${JSON.stringify(roomId)}`, ROOM_EVENTS, () => ({ roomId, after: '0-0' }), 'NOT_FOUND'),
    wsOnly: true,
  })),
  ...(
    [
      ['unknown message in a known room', (f: Fixture) => `${f.roomId}.AAAAAAAAAAAA`],
      ['message in an unknown room', () => 'AAAAAAAAAAAA.AAAAAAAAAAAA'],
      ['a room id', (f: Fixture) => f.roomId],
      ['an id with a suffix', (f: Fixture) => `${f.messageId}.x`],
      ['garbage', () => 'garbage'],
      ['empty', () => ''],
    ] as const
  ).flatMap(([label, id]) => [
    bad(`editMessage: ${label}`, EDIT, (f) => ({ id: id(f), body: 'edited' }), 'NOT_FOUND'),
    bad(`deleteMessage: ${label}`, DELETE, (f) => ({ id: id(f) }), 'NOT_FOUND'),
  ]),
  // Someone else's
  bad("editMessage: someone else's message", EDIT, (f) => ({ id: f.messageId, body: 'not yours' }), 'FORBIDDEN', 'bob'),
  bad("deleteMessage: someone else's message", DELETE, (f) => ({ id: f.messageId }), 'FORBIDDEN', 'bob'),
  bad("renameRoom: someone else's room", RENAME_ROOM, (f) => ({ id: f.roomId, name: 'mine now' }), 'FORBIDDEN', 'bob'),
];

/** A value of the argument's type; with `any`, fields that need a session must refuse before looking at it. */
const sampleOf = (type: GraphQLInputType): unknown => {
  if (isNonNullType(type)) return sampleOf(type.ofType);
  if (isListType(type)) return [sampleOf(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) throw new Error(`add a sample for input type ${type.name}`);
  return ({ Int: 1, Float: 1, Boolean: true, DateTime: new Date(0).toISOString() } as Record<string, unknown>)[type.name] ?? 'x';
};

/** An operation calling the field with a value for every argument, selecting `__typename` of objects. */
const toOperation = (kind: 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>) => {
  const args = field.args;
  const declarations = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  const named = getNamedType(field.type);
  const selection = isObjectType(named) || isInterfaceType(named) ? ' { __typename }' : '';
  return {
    query: `${kind}${declarations ? `(${declarations})` : ''} { ${field.name}${call}${selection} }`,
    variables: Object.fromEntries(args.map((a) => [a.name, sampleOf(a.type)])),
  };
};

const MUTATIONS = Object.values(schema.getMutationType()!.getFields());
const SUBSCRIPTIONS = Object.values(schema.getSubscriptionType()!.getFields());

describe.each<StoreKind>(['memory', 'redis'])('bad input (%s store)', (kind) => {
  let server: TestServer;
  let cookies: Record<Who, string | undefined>;
  let fixture: Fixture;
  const sockets = new Map<Who, Client>();

  beforeAll(async () => {
    server = await startTestServer(kind);
    const alice = await server.signIn('alice');
    const bob = await server.signIn('bob');
    // A well-formed cookie whose token names no session.
    const forged = `${alice.split('=')[0]}=${'A'.repeat(43)}`;
    cookies = { alice, bob, anonymous: undefined, forged };
    const room = await server.gql(CREATE_ROOM, { name: `bad input ${kind}` }, alice);
    const message = await server.gql(POST, { roomId: room.data!.createRoom.id, body: 'the original' }, alice);
    fixture = { roomId: room.data!.createRoom.id, messageId: message.data!.postMessage.id };
  });
  afterAll(() => server.stop());

  const socketOf = (who: Who) => {
    let client = sockets.get(who);
    if (!client) sockets.set(who, (client = server.wsClient(cookies[who])));
    return client;
  };

  /**
   * One operation over the socket: the first result (a subscription is then ended), or the
   * operation's `error` message as `{ errors }`. A closed socket rejects.
   */
  const overSocket = (client: Client, query: string, variables: Record<string, unknown>) =>
    new Promise<GraphQLResponse<any>>((resolve, reject) => {
      let first: GraphQLResponse<any> | undefined;
      const dispose = client.subscribe(
        { query, variables },
        {
          next: (result) => {
            if (first) return;
            first = result as GraphQLResponse<any>;
            if (query.startsWith('subscription') && !result.errors) {
              dispose();
              resolve(first);
            }
          },
          error: (error) => {
            if (Array.isArray(error)) resolve({ errors: error });
            else reject(new Error(`the socket failed: ${(error as { code?: number }).code ?? String(error)}`));
          },
          complete: () => (first ? resolve(first) : reject(new Error('completed without a result'))),
        },
      );
    });

  const send = (transport: Transport, who: Who, query: string, variables: Record<string, unknown>) =>
    transport === 'http' ? server.gql(query, variables, cookies[who]) : overSocket(socketOf(who), query, variables);

  /** The length of every log the cases could touch. */
  const logLengths = async () => {
    const streams = [
      lobbyStreamKey,
      toRoomStreamKey(fixture.roomId),
      ...UNKNOWN_ROOM_IDS.map(toRoomStreamKey),
      ...['alice', 'bob'].map((handle) => toUserStreamKey(toDevUserId(handle))),
    ];
    const store = server.app.services.store;
    return Object.fromEntries(await Promise.all(streams.map(async (s) => [s, (await store.streamInfo(s)).length] as const)));
  };

  const expectRefused = (result: GraphQLResponse<any>, code: string) => {
    expect(
      result.errors?.map((e) => e.extensions?.code),
      JSON.stringify(result.errors),
    ).toEqual([code]);
    for (const value of Object.values(result.data ?? {})) expect(value).toBeNull();
    expect(JSON.stringify(result)).not.toMatch(/\n\s+at |\s{4}at /);
  };

  describe.each<Transport>(['http', 'ws'])('over %s', (transport) => {
    const cases = CASES.filter((c) => transport === 'ws' || !c.wsOnly);

    it.each(cases)('$name → $code', async ({ query, variables, as, code }) => {
      const before = await logLengths();
      const result = await send(transport, as ?? 'alice', query, variables(fixture));
      expectRefused(result, code);
      expect(await logLengths()).toEqual(before);
    });

    it.each(MUTATIONS.map((field) => field.name))('mutation %s without a session → UNAUTHENTICATED', async (name) => {
      const { query, variables } = toOperation('mutation', schema.getMutationType()!.getFields()[name]!);
      for (const who of ['anonymous', 'forged'] as const) {
        const before = await logLengths();
        expectRefused(await send(transport, who, query, variables), 'UNAUTHENTICATED');
        expect(await logLengths()).toEqual(before);
      }
    });

    it('answers me, rooms and room without a session', async () => {
      for (const who of ['anonymous', 'forged'] as const) {
        const result = await send(
          transport,
          who,
          'query($id: ID!) { me { id } rooms { id } room(id: $id) { id name messages(last: 1) { edges { node { body } } } } }',
          { id: fixture.roomId },
        );
        expect(result.errors).toBeUndefined();
        expect(result.data!.me).toBeNull();
        expect(result.data!.rooms.map((r: { id: string }) => r.id)).toContain(fixture.roomId);
        expect(result.data!.room).toMatchObject({ id: fixture.roomId, name: `bad input ${kind}` });
      }
    });

    it('answers null, not an error, for room(id) of an unknown room', async () => {
      for (const id of UNKNOWN_ROOM_IDS) {
        const result = await send(transport, 'alice', 'query($id: ID!) { room(id: $id) { id } }', { id });
        expect(result).toEqual({ data: { room: null } });
      }
    });

    it('pages with well-formed cursors at the very ends of the log without an error', async () => {
      const page = (before: string) => send(transport, 'anonymous', MESSAGES, { id: fixture.roomId, last: 100, before });
      for (const before of ['0-0', '0-1', '1-0']) expect(await page(before)).toEqual({ data: { room: { messages: { edges: [] } } } });
      const newest = await send(transport, 'anonymous', MESSAGES, { id: fixture.roomId, last: 100 });
      expect(newest.errors).toBeUndefined();
      const end = await page('9999999999999999-9999999999999999');
      expect(end).toEqual(newest);
    });

    it("leaves the message as it was after someone else's edit and delete", async () => {
      await send(transport, 'bob', EDIT, { id: fixture.messageId, body: 'not yours' });
      await send(transport, 'bob', DELETE, { id: fixture.messageId });
      const stored = await server.app.services.store.readSnapshot<{ body: string; deletedAt: string | null }>({
        key: toMessageSnapshotsKey(fixture.roomId),
        field: fixture.messageId,
      });
      expect(stored?.state).toMatchObject({ body: 'the original', deletedAt: null });
    });

    it('accepts every limit at its edge, once each', async () => {
      const accepted = async (query: string, variables: Record<string, unknown>) => {
        const result = await send(transport, 'alice', query, variables);
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        return Object.values(result.data!)[0] as Record<string, any>;
      };
      const tag = `${transport}${Date.now()}`;
      const lobbyBefore = (await logLengths())[lobbyStreamKey]!;
      // Names: 100 code points after trimming and NFC (200 UTF-16 units or 200 code points before).
      const names = [
        ` ${tag}${'a'.repeat(100 - tag.length)}  `,
        `${tag}${'😀'.repeat(100 - tag.length)}`,
        `${tag}${'e\u0301'.repeat(100 - tag.length)}`,
        `${tag}-1`,
      ];
      const rooms = [];
      for (const name of names) rooms.push(await accepted(CREATE_ROOM, { name }));
      expect(rooms.map((r) => r.name)).toEqual([names[0]!.trim(), names[1], names[2]!.normalize('NFC'), names[3]]);
      expect((await logLengths())[lobbyStreamKey]).toBe(lobbyBefore + names.length);

      const roomBefore = (await logLengths())[toRoomStreamKey(fixture.roomId)]!;
      const messagesBefore = (await accepted(MESSAGES, { id: fixture.roomId, last: 100 })).messages.edges.length;
      const bodies: [string, string, string?][] = [
        ['a'.repeat(4000), 'a'.repeat(4000)],
        [`\n  ${'😀'.repeat(4000)}\t `, '😀'.repeat(4000)],
        [Array.from({ length: 2000 }, () => 'a').join('\r\n'), Array.from({ length: 2000 }, () => 'a').join('\n')],
        ['line one\n\tline two\rline three', 'line one\n\tline two\nline three'],
        ['x', 'x', `${tag}${'c'.repeat(64 - tag.length)}`],
        ['y', 'y', `${tag}${'😀'.repeat(64 - tag.length)}`],
      ];
      for (const [body, stored, clientId] of bodies) {
        const message = await accepted(POST, { roomId: fixture.roomId, body, clientId: clientId ?? null });
        expect(message.body).toBe(stored);
      }
      expect((await logLengths())[toRoomStreamKey(fixture.roomId)]).toBe(roomBefore + bodies.length);

      for (const last of [1, 100]) {
        const page = await accepted(MESSAGES, { id: fixture.roomId, last });
        expect(page.messages.edges).toHaveLength(Math.min(last, messagesBefore + bodies.length));
      }
    });

    it('stores markup and script-like text verbatim', async () => {
      const bodies = [
        '<script>alert(1)</script>',
        'javascript:alert(1)',
        'JaVaScRiPt:alert(document.cookie)',
        '<img src=x onerror="alert(1)">',
        '[click](javascript:alert(1))',
        '&lt;b&gt; &amp; &#x3C;',
        "'; DROP TABLE messages; --",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection attempt, as text.
        '{{constructor.constructor("alert(1)")()}} ${7*7}',
        '"quoted" \\ backslash </textarea>',
      ];
      const room = await send(transport, 'alice', CREATE_ROOM, { name: `<b>verbatim</b> ${transport} <script>x</script>` });
      expect(room.data!.createRoom.name).toBe(`<b>verbatim</b> ${transport} <script>x</script>`);
      const roomId = room.data!.createRoom.id as string;
      const events = collect(socketOf('bob'), ROOM_EVENTS, { roomId, after: '0-0' });
      const ids: string[] = [];
      for (const body of bodies) {
        const posted = await send(transport, 'alice', POST, { roomId, body });
        expect(posted.data!.postMessage.body).toBe(body);
        ids.push(posted.data!.postMessage.id);
      }
      const edited = await send(transport, 'alice', EDIT, { id: ids[0], body: '<script>edited()</script>' });
      expect(edited.data!.editMessage.body).toBe('<script>edited()</script>');

      const page = await send(transport, 'bob', MESSAGES, { id: roomId, last: 100 });
      expect(page.data!.room.messages.edges.map((e: any) => e.node.body)).toEqual(['<script>edited()</script>', ...bodies.slice(1)]);
      // Presence events (UserJoined…) may come in between: only the logged messages matter here.
      const posted = () => events.results.filter((r: any) => r.data?.roomEvents.__typename === 'MessagePosted');
      await events.until(() => posted().length >= bodies.length);
      expect(events.error).toBeNull();
      expect(posted().map((r: any) => r.data.roomEvents.message.body)).toEqual(bodies);
      events.dispose();
    });
  });

  it.each(SUBSCRIPTIONS.map((field) => field.name))('subscription %s without a session → UNAUTHENTICATED', async (name) => {
    const { query, variables } = toOperation('subscription', schema.getSubscriptionType()!.getFields()[name]!);
    for (const who of ['anonymous', 'forged'] as const) {
      expectRefused(await send('ws', who, query, variables), 'UNAUTHENTICATED');
    }
  });

  it('covers every mutation and subscription with a session check', () => {
    // A new field gets the UNAUTHENTICATED check above by itself; this only guards the generator.
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(7);
    expect(SUBSCRIPTIONS.map((f) => f.name)).toEqual(expect.arrayContaining(['lobbyEvents', 'roomEvents']));
    for (const field of [...MUTATIONS, ...SUBSCRIPTIONS]) expect(() => toOperation('mutation', field)).not.toThrow();
  });
});
