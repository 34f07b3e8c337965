import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESEND_WINDOW_MS } from '../../../frontend/src/chat/outbox.js';
import { IDEMPOTENCY_TTL_SECONDS } from '../chat/commands.js';
import { collect, startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';

const CREATE_ROOM = 'mutation($name: String!) { createRoom(name: $name) { id name createdBy { handle } } }';
const POST =
  'mutation($roomId: ID!, $body: String!, $clientId: String) { postMessage(roomId: $roomId, body: $body, clientId: $clientId) { id body author { handle } createdAt } }';
const PAGE = `query($id: ID!, $last: Int, $before: String) { room(id: $id) { messages(last: $last, before: $before) {
  edges { cursor node { id body deletedAt editedAt } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } } }`;
const ROOM_EVENTS = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
  __typename cursor at ... on MessagePosted { message { id body } } ... on MessageEdited { message { id body } } ... on MessageDeleted { message { id body deletedAt } } } }`;

type Sub = ReturnType<typeof collect>;
/** The logged events a roomEvents subscription received (presence events have no cursor). */
/** The logged message events a subscriber received (membership changes, tested on their own, left out). */
const logged = (sub: Sub): any[] =>
  sub.results.map((r: any) => r.data.roomEvents).filter((e: any) => e.cursor !== null && e.__typename !== 'MembershipChanged');
const waitForLogged = (sub: Sub, n: number) => sub.until(() => logged(sub).length >= n);

describe.each<StoreKind>(['memory', 'redis'])('chat over GraphQL (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    alice = await server.signIn('alice');
    bob = await server.signIn('Bob');
  });
  afterAll(() => server.stop());

  const createRoom = async (name: string, cookie = alice) => {
    const result = await server.gql(CREATE_ROOM, { name }, cookie);
    expect(result.errors).toBeUndefined();
    return result.data!.createRoom as { id: string; name: string };
  };
  const post = async (roomId: string, body: string, cookie = alice, clientId?: string) => {
    const result = await server.gql(POST, { roomId, body, clientId }, cookie);
    expect(result.errors).toBeUndefined();
    return result.data!.postMessage as { id: string; body: string };
  };
  const page = async (id: string, last?: number, before?: string) => {
    const result = await server.gql(PAGE, { id, last, before });
    expect(result.errors).toBeUndefined();
    return result.data!.room.messages as {
      edges: { cursor: string; node: { id: string; body: string } }[];
      pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean; startCursor: string | null; endCursor: string | null };
    };
  };

  it('knows who is signed in', async () => {
    expect((await server.gql('{ me { handle displayName status avatarUrl } }', {}, bob)).data).toEqual({
      me: { handle: 'Bob', displayName: 'Bob', status: 'AVAILABLE', avatarUrl: null },
    });
    expect((await server.gql('{ me { handle } }')).data).toEqual({ me: null });
  });

  it('creates rooms, lists them by name case-insensitively, and returns an existing name instead of a second room', async () => {
    const zeta = await createRoom('zeta');
    const alpha = await createRoom('  Alpha ');
    const again = await createRoom('ALPHA', bob);
    expect(again.id).toBe(alpha.id);
    expect(alpha.name).toBe('Alpha');
    const { data } = await server.gql('{ rooms { id name createdBy { handle } } }');
    const names = (data!.rooms as { name: string }[]).map((r) => r.name);
    expect(names.indexOf('Alpha')).toBeLessThan(names.indexOf('zeta'));
    expect(names.filter((n) => n.toLowerCase() === 'alpha')).toHaveLength(1);
    expect((await server.gql('query($id: ID!) { room(id: $id) { name createdBy { handle } } }', { id: zeta.id })).data).toEqual({
      room: { name: 'zeta', createdBy: { handle: 'alice' } },
    });
    expect((await server.gql('{ room(id: "nope") { id } }')).data).toEqual({ room: null });
  });

  it('makes one room of many concurrent creations of one name', async () => {
    const rooms = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createRoom(i % 2 ? 'Race Room' : 'race room', i % 3 ? alice : bob)),
    );
    expect(new Set(rooms.map((r) => r.id)).size).toBe(1);
    const { data } = await server.gql('{ rooms { name } }');
    expect((data!.rooms as { name: string }[]).filter((r) => r.name.toLowerCase() === 'race room')).toHaveLength(1);
  });

  it('posts messages idempotently by clientId', async () => {
    const room = await createRoom('idempotent');
    const [first, ...retries] = await Promise.all(Array.from({ length: 5 }, () => post(room.id, 'only once', alice, 'c-1')));
    for (const retry of retries) expect(retry.id).toBe(first!.id);
    const other = await post(room.id, 'only once', bob, 'c-1'); // another user's clientId is theirs
    expect(other.id).not.toBe(first!.id);
    const history = await page(room.id);
    expect(history.edges.map((e) => e.node.id)).toEqual([first!.id, other.id]);
  });

  it('pages backwards through history with correct pageInfo', async () => {
    const room = await createRoom('paging');
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push((await post(room.id, `m${i}`)).id);
    // Edits and deletions between posts must not shorten pages.
    await server.gql('mutation($id: ID!) { editMessage(id: $id, body: "edited") { id } }', { id: ids[100] }, alice);
    await server.gql('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: ids[30] }, alice);

    const newest = await page(room.id);
    expect(newest.edges.map((e) => e.node.id)).toEqual(ids.slice(70));
    expect(newest.edges[30]!.node.body).toBe('edited');
    expect(newest.pageInfo).toMatchObject({
      hasPreviousPage: true,
      hasNextPage: false,
      startCursor: newest.edges[0]!.cursor,
      endCursor: newest.edges[49]!.cursor,
    });

    const middle = await page(room.id, 50, newest.pageInfo.startCursor!);
    expect(middle.edges.map((e) => e.node.id)).toEqual(ids.slice(20, 70));
    expect(middle.edges[10]!.node).toMatchObject({ body: '', deletedAt: expect.any(String) });
    expect(middle.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });

    const oldest = await page(room.id, 50, middle.pageInfo.startCursor!);
    expect(oldest.edges.map((e) => e.node.id)).toEqual(ids.slice(0, 20));
    expect(oldest.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });

    const empty = await page(room.id, 5, oldest.pageInfo.startCursor!);
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo).toEqual({ hasPreviousPage: false, hasNextPage: true, startCursor: null, endCursor: null });
  });

  it('lets only the author edit and delete, and keeps a tombstone', async () => {
    const room = await createRoom('authorship');
    const message = await post(room.id, 'mine');
    const byBob = await server.gql('mutation($id: ID!) { editMessage(id: $id, body: "theirs") { id } }', { id: message.id }, bob);
    expect(byBob.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const delByBob = await server.gql('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: message.id }, bob);
    expect(delByBob.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const edited = await server.gql(
      'mutation($id: ID!) { editMessage(id: $id, body: " better ") { body editedAt } }',
      { id: message.id },
      alice,
    );
    expect(edited.data!.editMessage).toMatchObject({ body: 'better', editedAt: expect.any(String) });
    const deleted = await server.gql('mutation($id: ID!) { deleteMessage(id: $id) { body deletedAt } }', { id: message.id }, alice);
    expect(deleted.data!.deleteMessage).toMatchObject({ body: '', deletedAt: expect.any(String) });
    const again = await server.gql('mutation($id: ID!) { editMessage(id: $id, body: "back") { id } }', { id: message.id }, alice);
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const id of [`${room.id}.AAAAAAAAAAAA`, 'garbage']) {
      const missing = await server.gql('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id }, alice);
      expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });

  it('sets the status', async () => {
    const result = await server.gql('mutation { setStatus(status: BUSY) { handle status } }', {}, bob);
    expect(result.data).toEqual({ setStatus: { handle: 'Bob', status: 'BUSY' } });
    expect((await server.gql('{ me { status } }', {}, bob)).data).toEqual({ me: { status: 'BUSY' } });
  });

  it('streams room events live and resumes after a cursor with no gap and no duplicate', async () => {
    const room = await createRoom('live');
    const first = await post(room.id, 'before');
    const start = (await page(room.id)).edges[0]!.cursor;
    const client = server.wsClient(bob);
    const sub = collect(client, ROOM_EVENTS, { roomId: room.id, after: start });
    const second = await post(room.id, 'after 1');
    await server.gql(
      'mutation($id: ID!, $b: String!) { editMessage(id: $id, body: $b) { id } }',
      { id: second.id, b: 'after 1 edited' },
      alice,
    );
    const third = await post(room.id, 'after 2');
    await server.gql('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: third.id }, alice);
    await waitForLogged(sub, 4);
    const events = logged(sub);
    expect(events.map((e: any) => [e.__typename, e.message.id])).toEqual([
      ['MessagePosted', second.id],
      ['MessageEdited', second.id],
      ['MessagePosted', third.id],
      ['MessageDeleted', third.id],
    ]);
    expect(events.map((e: any) => e.message.id)).not.toContain(first.id);
    const cursors = events.map((e: any) => e.cursor as string);
    expect(new Set(cursors).size).toBe(4);

    // Resume from the second event's cursor: exactly the two after it.
    const resumed = collect(server.wsClient(bob), ROOM_EVENTS, { roomId: room.id, after: cursors[1] });
    await waitForLogged(resumed, 2);
    expect(logged(resumed).map((e) => e.cursor)).toEqual(cursors.slice(2));
    sub.dispose();
    resumed.dispose();
  });

  it('has no gap and no duplicate at the seam when messages are posted while a subscriber catches up', async () => {
    const room = await createRoom('seam');
    for (let i = 0; i < 300; i++) await post(room.id, `backlog ${i}`);
    const sub = collect(server.wsClient(bob), ROOM_EVENTS, { roomId: room.id, after: '0-0' });
    const live: string[] = [];
    for (let i = 0; i < 60; i++) live.push((await post(room.id, `live ${i}`, i % 2 ? alice : bob)).id);
    await waitForLogged(sub, 360);
    const received = logged(sub).map((e) => e.message.body as string);
    expect(received).toEqual([
      ...Array.from({ length: 300 }, (_, i) => `backlog ${i}`),
      ...Array.from({ length: 60 }, (_, i) => `live ${i}`),
    ]);
    const cursors = logged(sub).map((e) => e.cursor as string);
    const history = (await page(room.id, 100)).edges.map((e) => e.cursor);
    expect(cursors.slice(-100)).toEqual(history);
    sub.dispose();
  });

  it('without a cursor, delivers only what is posted after subscribing', async () => {
    const room = await createRoom('from now');
    await post(room.id, 'old');
    const sub = collect(server.wsClient(bob), ROOM_EVENTS, { roomId: room.id });
    // The subscription is set up asynchronously: post until the first one arrives, then a few more.
    const posted: string[] = [];
    while (logged(sub).length === 0) {
      posted.push((await post(room.id, `new ${posted.length}`)).body);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    for (let i = 0; i < 5; i++) posted.push((await post(room.id, `new ${posted.length}`)).body);
    const firstSeen = logged(sub)[0].message.body as string;
    const expected = posted.slice(posted.indexOf(firstSeen));
    await waitForLogged(sub, expected.length);
    expect(logged(sub).map((e) => e.message.body)).toEqual(expected);
    expect(expected).not.toContain('old');
    sub.dispose();
  });

  it('refuses to resume from a cursor that is not a position of the log: beyond its end, or another room’s', async () => {
    const room = await createRoom('honest cursors');
    const other = await createRoom('other cursors');
    await post(room.id, 'here');
    await post(other.id, 'there');
    const cursorOf = async (id: string) => (await page(id, 1)).edges[0]!.cursor;
    const [mine, theirs] = [await cursorOf(room.id), await cursorOf(other.id)];
    const [ms, seq] = mine.split('-').map(Number) as [number, number];
    for (const after of [`${ms + 60_000}-0`, `${ms}-${seq + 5}`, theirs]) {
      const sub = collect(server.wsClient(bob), ROOM_EVENTS, { roomId: room.id, after });
      await sub.waitFor(1);
      expect(sub.results[0]!.errors?.[0]?.extensions?.code, after).toBe('BAD_USER_INPUT');
      sub.dispose();
    }
    for (const query of [
      'subscription($after: String) { lobbyEvents(after: $after) { __typename } }',
      'subscription($after: String) { inbox(after: $after) { kind } }',
    ]) {
      const sub = collect(server.wsClient(bob), query, { after: `${ms + 60_000}-0` });
      await sub.waitFor(1);
      expect(sub.results[0]!.errors?.[0]?.extensions?.code, query).toBe('BAD_USER_INPUT');
      sub.dispose();
    }
    // A position of the room still resumes.
    const resumed = collect(server.wsClient(bob), ROOM_EVENTS, { roomId: room.id, after: '0-0' });
    await waitForLogged(resumed, 1);
    expect(logged(resumed)[0].message.body).toBe('here');
    resumed.dispose();
  });

  it('says which log position a room query reflects, so history plus a subscription after it miss nothing', async () => {
    const room = await createRoom('cursor');
    // Its log starts with its creator joining it, as its owner.
    const created = await server.gql('query($id: ID!) { room(id: $id) { cursor } }', { id: room.id });
    expect(created.data!.room.cursor).not.toBeNull();
    const first = await post(room.id, 'one');
    await server.gql('mutation($id: ID!) { editMessage(id: $id, body: "one!") { id } }', { id: first.id }, alice);
    const loaded = await server.gql('query($id: ID!) { room(id: $id) { cursor messages { edges { cursor node { body } } } } }', {
      id: room.id,
    });
    const { cursor, messages } = loaded.data!.room;
    expect(messages.edges.map((e: any) => e.node.body)).toEqual(['one!']);
    expect(cursor).not.toBe(messages.edges[0].cursor); // the edit came after the post
    const sub = collect(server.wsClient(bob), ROOM_EVENTS, { roomId: room.id, after: cursor });
    const second = await post(room.id, 'two');
    await waitForLogged(sub, 1);
    expect(logged(sub).map((e) => [e.__typename, e.message.id])).toEqual([['MessagePosted', second.id]]);
    const listed = await server.gql('{ rooms { id cursor } }');
    expect(listed.data!.rooms.find((r: any) => r.id === room.id).cursor).toBe(logged(sub)[0].cursor);
    sub.dispose();
  });

  it('announces created and renamed rooms in the lobby', async () => {
    const sub = collect(
      server.wsClient(alice),
      'subscription($after: String) { lobbyEvents(after: $after) { kind cursor room { id name } } }',
      { after: '0-0' },
    );
    const room = await createRoom('lobby news');
    const renamed = await server.gql('mutation($id: ID!) { renameRoom(id: $id, name: "Lobby News!") { name } }', { id: room.id }, alice);
    expect(renamed.data).toEqual({ renameRoom: { name: 'Lobby News!' } });
    const notMine = await server.gql('mutation($id: ID!) { renameRoom(id: $id, name: "mine now") { name } }', { id: room.id }, bob);
    expect(notMine.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const taken = await server.gql('mutation($id: ID!) { renameRoom(id: $id, name: "ZETA") { name } }', { id: room.id }, alice);
    expect(taken.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const created = await server.gql('mutation { createRoom(name: "lobby news") { id } }', {}, bob);
    expect(created.data!.createRoom.id).not.toBe(room.id); // the old name was released
    await sub.until((results) =>
      results.some((r: any) => r.data.lobbyEvents.kind === 'ROOM_RENAMED' && r.data.lobbyEvents.room.id === room.id),
    );
    const mine = sub.results.map((r: any) => r.data.lobbyEvents).filter((e: any) => e.room.id === room.id);
    expect(mine.map((e: any) => e.kind)).toEqual(['ROOM_CREATED', 'ROOM_RENAMED']);
    sub.dispose();
  });

  it('gives the lobby cursor the room list was read at, so the lobby resumes there instead of from the start', async () => {
    const before = await createRoom('listed before');
    // Both orders in the document: the cursor is read before the list either way.
    for (const query of ['{ lobbyCursor rooms { id } }', '{ rooms { id } lobbyCursor }']) {
      const loaded = await server.gql(query);
      const { lobbyCursor, rooms } = loaded.data!;
      expect(lobbyCursor).toMatch(/^\d+-\d+$/);
      expect(rooms.map((r: any) => r.id)).toContain(before.id);
      const sub = collect(
        server.wsClient(alice),
        'subscription($after: String) { lobbyEvents(after: $after) { kind cursor room { id name } } }',
        { after: lobbyCursor },
      );
      const after = await createRoom(`listed after ${query.length}${lobbyCursor}`);
      await sub.until((results) => results.some((r: any) => r.data.lobbyEvents.room.id === after.id));
      // Nothing from before the cursor: not the room already listed, nor any other.
      expect(sub.results.map((r: any) => [r.data.lobbyEvents.kind, r.data.lobbyEvents.room.id])).toEqual([['ROOM_CREATED', after.id]]);
      sub.dispose();
    }
  });
});

describe.each<StoreKind>(['memory', 'redis'])('retention (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;
  beforeAll(async () => {
    server = await startTestServer(kind, { env: { ROOM_LOG_MAX_EVENTS: '100' } });
    alice = await server.signIn('alice');
  });
  afterAll(() => server.stop());

  it('trims a room log to ROOM_LOG_MAX_EVENTS; resuming from before the trim is CURSOR_EXPIRED, after it exact', async () => {
    const roomId = (await server.gql(CREATE_ROOM, { name: 'retained' }, alice)).data!.createRoom.id as string;
    const cursors: string[] = [];
    for (let i = 0; i < 150; i++) {
      await server.gql(POST, { roomId, body: `m${i}` }, alice);
      const page = await server.gql('query($id: ID!) { room(id: $id) { cursor } }', { id: roomId });
      cursors.push(page.data!.room.cursor);
    }
    await server.app.services.retention!.run();
    const history = await server.gql(PAGE, { id: roomId, last: 100 });
    expect(history.data!.room.messages.edges.map((e: any) => e.node.body)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i + 50}`));
    expect(history.data!.room.messages.pageInfo.hasPreviousPage).toBe(false);

    const expired = collect(server.wsClient(alice), ROOM_EVENTS, { roomId, after: cursors[10] });
    await expired.until(() => expired.results.some((r: any) => r.errors));
    expect(expired.results[0]!.errors![0]!.extensions!.code).toBe('CURSOR_EXPIRED');

    const resumed = collect(server.wsClient(alice), ROOM_EVENTS, { roomId, after: cursors[139] });
    await waitForLogged(resumed, 10);
    expect(logged(resumed).map((e) => e.message.body)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 140}`));
    resumed.dispose();
  });
});

it("remembers a post's clientId longer than the UI's outbox goes on resending by itself", () => {
  expect(RESEND_WINDOW_MS).toBeLessThan(IDEMPOTENCY_TTL_SECONDS * 1000);
});
