import { COUNTED_SERVER_ENV, measureRedisCost } from '../testing/redisCost.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRoomStreamKey } from '../chat/keys.js';
import { compareCursors } from '../eventstore/eventStore.js';
import { collect, startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';

/*
 * Travel in time over real HTTP and a real WebSocket, for both stores: `Room.cursorAt` finds a
 * moment's position in the room's log, `messages(first, after)` pages forward from it, and
 * `roomEvents(after:)` replays the room from it and runs on into live events without a seam.
 */

const CREATE_ROOM = 'mutation($name: String!) { createRoom(name: $name) { id } }';
const POST = 'mutation($roomId: ID!, $body: String!) { postMessage(roomId: $roomId, body: $body) { id } }';
const CURSOR_AT = 'query($id: ID!, $time: DateTime!) { room(id: $id) { cursor cursorAt(time: $time) } }';
const PAGE = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { room(id: $id) {
  messages(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id body } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } } }`;
const ROOM_EVENTS = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
  __typename cursor ... on MessagePosted { message { body } } } }`;

interface Page {
  edges: { cursor: string; node: { id: string; body: string } }[];
  pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean; startCursor: string | null; endCursor: string | null };
}

const msOf = (cursor: string) => Number(cursor.split('-')[0]);

describe.each<StoreKind>(['memory', 'redis'])('travel in time (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    alice = await server.signIn('alice');
  });
  afterAll(() => server.stop());

  const createRoom = async (name: string) => {
    const result = await server.gql(CREATE_ROOM, { name }, alice);
    expect(result.errors).toBeUndefined();
    return result.data!.createRoom.id as string;
  };
  const post = async (roomId: string, body: string) => {
    const result = await server.gql(POST, { roomId, body }, alice);
    expect(result.errors).toBeUndefined();
    return result.data!.postMessage.id as string;
  };
  const cursorAt = async (roomId: string, time: string) => {
    const result = await server.gql(CURSOR_AT, { id: roomId, time }, alice);
    expect(result.errors).toBeUndefined();
    return result.data!.room as { cursor: string | null; cursorAt: string | null };
  };
  const page = async (roomId: string, args: { first?: number; after?: string; last?: number; before?: string }) => {
    const result = await server.gql(PAGE, { id: roomId, ...args }, alice);
    expect(result.errors).toBeUndefined();
    return result.data!.room.messages as Page;
  };
  /** Every message of the room, oldest first, with its cursor (paged backward, as the UI loads history). */
  const history = async (roomId: string) => {
    const edges: Page['edges'] = [];
    for (let before: string | undefined; ; ) {
      const older = await page(roomId, { last: 100, before });
      edges.unshift(...older.edges);
      if (!older.pageInfo.hasPreviousPage) return edges;
      before = older.pageInfo.startCursor!;
    }
  };

  it('finds the last event before a moment: null before the room, the last cursor in the future', async () => {
    const roomId = await createRoom('moments');
    const created = (await server.gql('query($id: ID!) { room(id: $id) { createdAt } }', { id: roomId })).data!.room.createdAt as string;
    for (let i = 0; i < 5; i++) await post(roomId, `m${i}`);
    const edges = await history(roomId);
    const last = edges.at(-1)!.cursor;

    expect((await cursorAt(roomId, '2000-01-01T00:00:00.000Z')).cursorAt).toBeNull();
    // The room's first event (its creator joining) is logged after the moment it was created.
    expect((await cursorAt(roomId, created)).cursorAt).toBeNull();
    expect(await cursorAt(roomId, '2999-01-01T00:00:00.000Z')).toEqual({ cursor: last, cursorAt: last });
    // Just after a message's millisecond: that message, or a later one of the same millisecond.
    for (const edge of edges) {
      const found = (await cursorAt(roomId, new Date(msOf(edge.cursor) + 1).toISOString())).cursorAt!;
      expect(msOf(found)).toBe(msOf(edge.cursor));
      expect(compareCursors(found, edge.cursor)).toBeGreaterThanOrEqual(0);
    }
  });

  it('pages forward from any cursor with pageInfo both ways, and back again from where it stopped', async () => {
    const roomId = await createRoom('forward');
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await post(roomId, `f${i}`));
    const edges = await history(roomId);

    const first = await page(roomId, { first: 10 });
    expect(first.edges.map((edge) => edge.node.id)).toEqual(ids.slice(0, 10));
    expect(first.pageInfo).toEqual({
      hasPreviousPage: false,
      hasNextPage: true,
      startCursor: edges[0]!.cursor,
      endCursor: edges[9]!.cursor,
    });
    const second = await page(roomId, { first: 10, after: first.pageInfo.endCursor! });
    expect(second.edges.map((edge) => edge.node.id)).toEqual(ids.slice(10, 20));
    expect(second.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const third = await page(roomId, { first: 10, after: second.pageInfo.endCursor! });
    expect(third.edges.map((edge) => edge.node.id)).toEqual(ids.slice(20));
    expect(third.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const beyond = await page(roomId, { after: third.pageInfo.endCursor! });
    expect(beyond).toEqual({ edges: [], pageInfo: { hasPreviousPage: true, hasNextPage: false, startCursor: null, endCursor: null } });

    // `after` alone: 50 by default; "0-0" and a cursor between messages are positions like any other.
    expect((await page(roomId, { after: '0-0' })).edges.map((edge) => edge.node.id)).toEqual(ids);
    const ms = msOf(edges[4]!.cursor);
    const between = await page(roomId, { first: 3, after: `${ms}-999999999` });
    expect(between.edges).toEqual(edges.filter((edge) => msOf(edge.cursor) > ms).slice(0, 3));
    // And back from a forward page's start.
    const back = await page(roomId, { last: 5, before: second.pageInfo.startCursor! });
    expect(back.edges.map((edge) => edge.node.id)).toEqual(ids.slice(5, 10));
  });

  it('jumps to a date, replays the room from there, and runs on into live events without a seam', async () => {
    const roomId = await createRoom('replay');
    for (let i = 0; i < 3; i++) await post(roomId, `before ${i}`);
    const { cursor: then } = await cursorAt(roomId, new Date().toISOString());
    const time = new Date(msOf(then!) + 1).toISOString();
    for (let i = 0; i < 4; i++) await post(roomId, `after ${i}`);

    const mark = (await cursorAt(roomId, time)).cursorAt!;
    expect(compareCursors(mark, then!)).toBeGreaterThanOrEqual(0);
    // What lies after the moment, by history: the forward page from its cursor holds just that.
    const expected = (await history(roomId)).filter((edge) => msOf(edge.cursor) > msOf(then!));
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect((await page(roomId, { after: mark })).edges).toEqual(expected);

    const sub = collect(server.wsClient(alice), ROOM_EVENTS, { roomId, after: mark });
    // Live posts race the replay: none may be missed or come twice at the seam.
    const live = Array.from({ length: 10 }, (_, i) => `live ${i}`);
    const posting = (async () => {
      for (const body of live) await post(roomId, body);
    })();
    const posted = () => sub.results.filter((result: any) => result.data?.roomEvents.__typename === 'MessagePosted');
    await sub.until(() => posted().length >= expected.length + live.length);
    await posting;
    expect(sub.error).toBeNull();
    const received = posted().map((result: any) => result.data.roomEvents as { cursor: string; message: { body: string } });
    expect(received.map((event) => event.message.body)).toEqual([...expected.map((edge) => edge.node.body), ...live]);
    expect(received.slice(0, expected.length).map((event) => event.cursor)).toEqual(expected.map((edge) => edge.cursor));
    const cursors = sub.results.flatMap((result: any) => (result.data?.roomEvents.cursor ? [result.data.roomEvents.cursor] : []));
    expect(cursors.every((cursor: string) => compareCursors(cursor, mark) > 0)).toBe(true);
    expect([...cursors].sort(compareCursors)).toEqual(cursors);
    expect(new Set(cursors).size).toBe(cursors.length);
    sub.dispose();
  });

  it('refuses bad paging and bad times with BAD_USER_INPUT, never a 500', async () => {
    const roomId = await createRoom('bad input');
    await post(roomId, 'one');
    const cases: [Record<string, unknown>, string][] = [
      [{ first: 0 }, 'first'],
      [{ first: 101 }, 'first'],
      [{ first: -1 }, 'first'],
      [{ last: 0 }, 'last'],
      [{ after: 'not a cursor' }, 'after'],
      [{ after: '1-2-3' }, 'after'],
      [{ after: '01-1' }, 'after'],
      [{ first: 5, before: '0-0' }, 'before'],
      [{ after: '0-0', before: '0-0' }, 'before'],
      [{ first: 5, last: 5 }, 'last'],
    ];
    for (const [args, field] of cases) {
      const result = await server.gql(PAGE, { id: roomId, ...args }, alice);
      expect(result.errors?.[0]?.extensions, JSON.stringify(args)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(result.data?.room ?? null).toBeNull();
    }
    for (const time of ['yesterday', '', '2026-13-45T99:00:00Z']) {
      const result = await server.gql(CURSOR_AT, { id: roomId, time }, alice);
      expect(result.errors?.[0]?.extensions?.code, time).toBe('BAD_USER_INPUT');
    }
    const literal = await server.gql(`query($id: ID!) { room(id: $id) { cursorAt(time: "not a time") } }`, { id: roomId }, alice);
    expect(literal.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('the cost of cursorAt in a big room (redis store)', () => {
  const EVENTS = 200_000;
  let server: TestServer;
  let admin: Redis;
  let alice: string;
  let roomId: string;
  let span: { first: number; last: number };

  beforeAll(async () => {
    server = await startTestServer('redis', { env: COUNTED_SERVER_ENV });
    admin = new Redis(server.redis!.url);
    alice = await server.signIn('alice');
    roomId = (await server.gql(CREATE_ROOM, { name: 'big' }, alice)).data!.createRoom.id;
    // The store's bulk path, one event per millisecond after the room's first (ids ahead of the clock are fine for Redis).
    const { store } = server.app.services;
    const stream = toRoomStreamKey(roomId);
    const first = msOf((await store.streamInfo(stream)).lastCursor!) + 1;
    for (let i = 0; i < EVENTS; i += 10_000) {
      const entries = Array.from({ length: 10_000 }, (_, j) => ({ cursor: `${first + i + j}-0`, type: 'Filler', data: { i: i + j } }));
      await store.writeEntries([{ stream, entries }], EVENTS * 2);
    }
    span = { first, last: first + EVENTS - 1 };
    expect(await admin.xlen(stream)).toBeGreaterThan(EVENTS);
  }, 60_000);
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  const cost = (request: () => Promise<unknown>) => measureRedisCost(admin, request);

  it('seeks in one round trip at the store, however long the log', async () => {
    const { store } = server.app.services;
    const stream = toRoomStreamKey(roomId);
    const middle = span.first + EVENTS / 2;
    expect(await store.readCursorBefore(stream, middle)).toBe(`${middle - 1}-0`);
    // One script: is anything before the moment (XRANGE from the start), then the last of it (XREVRANGE).
    expect(await cost(() => store.readCursorBefore(stream, middle))).toEqual({
      reads: 1,
      commands: { evalsha: 1, xrange: 1, xrevrange: 1 },
    });
    // Before the room's first event the XRANGE says so: no XREVRANGE, which would walk the whole log.
    expect(await store.readCursorBefore(stream, span.first - 10_000)).toBeNull();
    expect(await cost(() => store.readCursorBefore(stream, span.first - 10_000))).toEqual({
      reads: 1,
      commands: { evalsha: 1, xrange: 1 },
    });
  });

  it('answers the GraphQL field in at most two round trips, signed in or not', async () => {
    const time = new Date(span.first + 12_345).toISOString();
    const query = () => server.gql('query($id: ID!, $time: DateTime!) { room(id: $id) { cursorAt(time: $time) } }', { id: roomId, time });
    expect((await query()).data).toEqual({ room: { cursorAt: `${span.first + 12_344}-0` } });
    // The room (HGET), then the cursor.
    expect(await cost(query)).toEqual({ reads: 2, commands: { hget: 1, evalsha: 1, xrange: 1, xrevrange: 1 } });

    const signedIn = () =>
      server.gql('query($id: ID!, $time: DateTime!) { room(id: $id) { cursorAt(time: $time) } }', { id: roomId, time }, alice);
    expect((await signedIn()).data).toEqual({ room: { cursorAt: `${span.first + 12_344}-0` } });
    // The room (HGET), then the viewer's membership (HGET) and the cursor, sent together.
    expect(await cost(signedIn)).toEqual({ reads: 2, commands: { hget: 2, evalsha: 1, xrange: 1, xrevrange: 1 } });
  });
});
