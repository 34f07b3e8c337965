import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';

const CREATE_ROOM = 'mutation($name: String!, $kind: RoomKind) { createRoom(name: $name, kind: $kind) { id } }';
const POST = `mutation($roomId: ID!, $body: String!, $replyTo: ID, $clientId: String) {
  postMessage(roomId: $roomId, body: $body, replyTo: $replyTo, clientId: $clientId) { id replyTo { id } } }`;
const MESSAGE_FIELDS = `id body deletedAt replyTo { id } replyCount lastReplyAt pinnedAt
  reactions { emoji count users { handle } reactedByMe }`;
const PAGE = `query($id: ID!) { room(id: $id) { messages(last: 50) { edges { node { ${MESSAGE_FIELDS} } } } } }`;
const THREAD = `query($id: ID!, $first: Int, $after: String) { message(id: $id) { id body
  replies(first: $first, after: $after) { edges { cursor node { id body author { handle } replyTo { id } } } pageInfo { hasNextPage endCursor } } } }`;
const REACT = 'mutation($id: ID!, $emoji: String!) { react(messageId: $id, emoji: $emoji) { id reactions { emoji count reactedByMe } } }';
const UNREACT =
  'mutation($id: ID!, $emoji: String!) { unreact(messageId: $id, emoji: $emoji) { id reactions { emoji count reactedByMe } } }';
const PIN = 'mutation($id: ID!) { pinMessage(id: $id) { id pinnedAt } }';
const UNPIN = 'mutation($id: ID!) { unpinMessage(id: $id) { id pinnedAt } }';
const PINNED = 'query($id: ID!) { room(id: $id) { pinned { id body pinnedAt } } }';
const EVENTS = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) { __typename cursor
  ... on MessagePosted { message { id replyTo { id } } }
  ... on ReactionAdded { emoji user { handle } message { id reactions { emoji count } } }
  ... on ReactionRemoved { emoji user { handle } message { id reactions { emoji count } } }
  ... on MessagePinned { by { handle } message { id pinnedAt } }
  ... on MessageUnpinned { by { handle } message { id pinnedAt } } } }`;
const MINE = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { __typename
  ... on ReactionAdded { message { reactions { emoji count reactedByMe } } } } }`;

type Node = {
  id: string;
  body: string;
  replyTo: { id: string } | null;
  replyCount: number;
  lastReplyAt: string | null;
  pinnedAt: string | null;
  reactions: { emoji: string; count: number; users: { handle: string }[]; reactedByMe: boolean }[];
};

describe.each<StoreKind>(['memory', 'redis'])('replies, reactions and pins (%s store)', (kind) => {
  let server: TestServer;
  let ann: string;
  let bob: string;
  let cat: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    ann = await server.signIn('ann');
    bob = await server.signIn('bob');
    cat = await server.signIn('cat');
  });
  afterAll(() => server.stop());

  const ok = async (query: string, variables: Record<string, unknown>, cookie?: string) => {
    const result = await server.gql(query, variables, cookie);
    expect(result.errors).toBeUndefined();
    return result.data as Record<string, any>;
  };
  const codeOf = async (query: string, variables: Record<string, unknown>, cookie?: string) =>
    (await server.gql(query, variables, cookie)).errors?.[0]?.extensions?.code;
  let rooms = 0;
  const room = async (kindOfRoom: 'PUBLIC' | 'PRIVATE' = 'PUBLIC') =>
    (await ok(CREATE_ROOM, { name: `talk ${kind} ${++rooms}`, kind: kindOfRoom }, ann)).createRoom.id as string;
  const post = async (roomId: string, body: string, cookie = ann, replyTo?: string) =>
    (await ok(POST, { roomId, body, replyTo }, cookie)).postMessage as { id: string; replyTo: { id: string } | null };
  const nodes = async (roomId: string, cookie = ann) =>
    ((await ok(PAGE, { id: roomId }, cookie)).room.messages.edges as { node: Node }[]).map((edge) => edge.node);
  const nodeOf = async (roomId: string, id: string, cookie = ann) => (await nodes(roomId, cookie)).find((node) => node.id === id)!;

  it('threads replies under their root, one level deep, counted and paged oldest first', async () => {
    const roomId = await room();
    const root = await post(roomId, 'root');
    const first = await post(roomId, 'first', bob, root.id);
    const nested = await post(roomId, 'a reply to the reply', cat, first.id);
    expect(first.replyTo).toEqual({ id: root.id });
    expect(nested.replyTo).toEqual({ id: root.id });
    const third = await post(roomId, 'third', ann, root.id);

    const rootNode = await nodeOf(roomId, root.id);
    expect(rootNode.replyCount).toBe(3);
    expect(Date.parse(rootNode.lastReplyAt!)).toBeGreaterThan(0);
    // Replies are in the room's history too, each with its root.
    expect((await nodes(roomId)).map((node) => [node.body, node.replyTo?.id ?? null])).toEqual([
      ['root', null],
      ['first', root.id],
      ['a reply to the reply', root.id],
      ['third', root.id],
    ]);
    const thread = async (first: number, after?: string) => {
      const data = await ok(THREAD, { id: root.id, first, after }, bob);
      return data.message.replies;
    };
    const one = await thread(2);
    expect(one.edges.map((edge: any) => edge.node.body)).toEqual(['first', 'a reply to the reply']);
    expect(one.pageInfo.hasNextPage).toBe(true);
    const two = await thread(2, one.pageInfo.endCursor);
    expect(two.edges.map((edge: any) => edge.node.id)).toEqual([third.id]);
    expect(two.pageInfo.hasNextPage).toBe(false);

    // A deleted reply counts out; a deleted root keeps its thread, which takes more replies.
    await ok('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: third.id }, ann);
    expect((await nodeOf(roomId, root.id)).replyCount).toBe(2);
    await ok('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: root.id }, ann);
    await post(roomId, 'after the root went', bob, root.id);
    const gone = await nodeOf(roomId, root.id);
    expect([gone.body, gone.replyCount]).toEqual(['', 3]);
  });

  it('answers NOT_FOUND for an unknown root and BAD_USER_INPUT for one of another room, appending nothing', async () => {
    const roomId = await room();
    const other = await room();
    const elsewhere = await post(other, 'elsewhere');
    const before = await nodes(roomId);
    expect(await codeOf(POST, { roomId, body: 'x', replyTo: `${roomId}.AAAAAAAAAAAA` }, ann)).toBe('NOT_FOUND');
    expect(await codeOf(POST, { roomId, body: 'x', replyTo: 'not an id' }, ann)).toBe('NOT_FOUND');
    expect(await codeOf(POST, { roomId, body: 'x', replyTo: elsewhere.id }, ann)).toBe('BAD_USER_INPUT');
    expect(await nodes(roomId)).toEqual(before);
    expect((await nodeOf(other, elsewhere.id)).replyCount).toBe(0);
  });

  it('keeps a retried reply to one message (clientId), counting it once', async () => {
    const roomId = await room();
    const root = await post(roomId, 'root');
    const variables = { roomId, body: 'once', replyTo: root.id, clientId: 'retry-1' };
    const [a, b] = await Promise.all([ok(POST, variables, bob), ok(POST, variables, bob)]);
    expect(a.postMessage.id).toBe(b.postMessage.id);
    expect((await nodeOf(roomId, root.id)).replyCount).toBe(1);
  });

  it('counts reactions per emoji in order of first use, once per person, with who and reactedByMe', async () => {
    const roomId = await room();
    const message = await post(roomId, 'react to me');
    await ok(REACT, { id: message.id, emoji: '🎉' }, bob);
    await ok(REACT, { id: message.id, emoji: '👍🏽' }, ann);
    await ok(REACT, { id: message.id, emoji: '🎉' }, ann);
    const twice = await ok(REACT, { id: message.id, emoji: '🎉' }, ann);
    expect(twice.react.reactions).toEqual([
      { emoji: '🎉', count: 2, reactedByMe: true },
      { emoji: '👍🏽', count: 1, reactedByMe: true },
    ]);
    const asBob = await nodeOf(roomId, message.id, bob);
    expect(asBob.reactions).toEqual([
      { emoji: '🎉', count: 2, users: [{ handle: 'bob' }, { handle: 'ann' }], reactedByMe: true },
      { emoji: '👍🏽', count: 1, users: [{ handle: 'ann' }], reactedByMe: false },
    ]);
    // Signed out: the counts, never a "me".
    expect((await nodeOf(roomId, message.id, '')).reactions.map((r) => r.reactedByMe)).toEqual([false, false]);

    const back = await ok(UNREACT, { id: message.id, emoji: '🎉' }, bob);
    expect(back.unreact.reactions).toEqual([
      { emoji: '🎉', count: 1, reactedByMe: false },
      { emoji: '👍🏽', count: 1, reactedByMe: false },
    ]);
    await ok(UNREACT, { id: message.id, emoji: '🎉' }, bob);
    await ok(UNREACT, { id: message.id, emoji: '🎉' }, ann);
    expect((await nodeOf(roomId, message.id)).reactions.map((r) => r.emoji)).toEqual(['👍🏽']);
  });

  it('refuses what is not one emoji, a 21st kind, and reactions to deleted messages, appending nothing', async () => {
    const roomId = await room();
    const message = await post(roomId, 'limits');
    for (const emoji of ['ok', '👍👍', '👍\u200b', `👍${'\u0301'.repeat(100)}`, '\ud83d', '', ' ']) {
      expect(await codeOf(REACT, { id: message.id, emoji }, bob), JSON.stringify(emoji)).toBe('BAD_USER_INPUT');
    }
    const twenty = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '🥲', '😚', '🙂'];
    for (const emoji of twenty) await ok(REACT, { id: message.id, emoji }, bob);
    expect(await codeOf(REACT, { id: message.id, emoji: '🤗' }, cat)).toBe('BAD_USER_INPUT');
    // A kind that is there takes more people.
    await ok(REACT, { id: message.id, emoji: '😀' }, cat);
    const node = await nodeOf(roomId, message.id);
    expect(node.reactions.map((r) => r.emoji)).toEqual(twenty);
    expect(node.reactions[0]!.count).toBe(2);

    await ok('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: message.id }, ann);
    expect(await codeOf(REACT, { id: message.id, emoji: '👍' }, cat)).toBe('BAD_USER_INPUT');
    expect((await nodeOf(roomId, message.id)).reactions).toEqual([]);
    expect(await codeOf(REACT, { id: `${roomId}.AAAAAAAAAAAA`, emoji: '👍' }, cat)).toBe('NOT_FOUND');
  });

  it('lets the owner pin and unpin, newest pin first; others may not; a deletion unpins', async () => {
    const roomId = await room();
    const a = await post(roomId, 'a');
    const b = await post(roomId, 'b', bob);
    expect(await codeOf(PIN, { id: a.id }, bob)).toBe('FORBIDDEN');
    expect((await ok(PIN, { id: a.id }, ann)).pinMessage.pinnedAt).not.toBeNull();
    await ok(PIN, { id: b.id }, ann);
    await ok(PIN, { id: a.id }, ann);
    expect((await ok(PINNED, { id: roomId }, bob)).room.pinned.map((m: Node) => m.body)).toEqual(['b', 'a']);
    expect((await ok(UNPIN, { id: b.id }, ann)).unpinMessage.pinnedAt).toBeNull();
    expect((await ok(PINNED, { id: roomId }, bob)).room.pinned.map((m: Node) => m.body)).toEqual(['a']);
    await ok('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: a.id }, ann);
    expect((await ok(PINNED, { id: roomId }, bob)).room.pinned).toEqual([]);
    expect(await codeOf(PIN, { id: a.id }, ann)).toBe('BAD_USER_INPUT');
  });

  it('lets either person of a direct room pin', async () => {
    const direct = (await ok('mutation { openDirect(handles: ["bob"]) { id } }', {}, ann)).openDirect.id as string;
    const message = await post(direct, 'remember this', ann);
    await ok(PIN, { id: message.id }, bob);
    expect((await ok(PINNED, { id: direct }, ann)).room.pinned.map((m: Node) => m.id)).toEqual([message.id]);
    expect(await codeOf(PIN, { id: message.id }, cat)).toBe('NOT_FOUND');
  });

  it('hides a private room’s messages from strangers: NOT_FOUND for react, pin and reply', async () => {
    const roomId = await room('PRIVATE');
    const secret = await post(roomId, 'secret');
    expect(await codeOf(REACT, { id: secret.id, emoji: '👍' }, cat)).toBe('NOT_FOUND');
    expect(await codeOf(PIN, { id: secret.id }, cat)).toBe('NOT_FOUND');
    expect(await codeOf(POST, { roomId, body: 'x', replyTo: secret.id }, cat)).toBe('NOT_FOUND');
    expect(await server.gql(THREAD, { id: secret.id }, cat)).toEqual({ data: { message: null } });
    expect(await server.gql(THREAD, { id: `${roomId}.AAAAAAAAAAAA` }, cat)).toEqual({ data: { message: null } });
    expect((await ok(THREAD, { id: secret.id }, ann)).message.body).toBe('secret');
  });

  it('delivers replies, reactions and pins live and on resume, in log order, each once', async () => {
    const roomId = await room();
    const root = await post(roomId, 'root');
    const page = await ok('query($id: ID!) { room(id: $id) { messages(last: 1) { edges { cursor } } } }', { id: roomId }, ann);
    const rootCursor = page.room.messages.edges[0].cursor as string;
    const logged = (sub: ReturnType<typeof collect>) =>
      sub.results.map((r: any) => r.data.roomEvents).filter((e: any) => e.cursor && e.__typename !== 'MembershipChanged');
    const live = collect(server.wsClient(cat), EVENTS, { roomId, after: rootCursor });
    // Subscribed once a first event (a typing, never logged) reaches it.
    await ok('mutation($roomId: ID!) { typing(roomId: $roomId) }', { roomId }, bob);
    await live.until((r) => r.length > 0);

    const reply = await post(roomId, 'reply', bob, root.id);
    await ok(REACT, { id: root.id, emoji: '👍' }, bob);
    await ok(REACT, { id: root.id, emoji: '👍' }, cat);
    await ok(UNREACT, { id: root.id, emoji: '👍' }, bob);
    await ok(PIN, { id: root.id }, ann);
    await ok(UNPIN, { id: root.id }, ann);
    const shape = (e: any) =>
      e.__typename === 'MessagePosted'
        ? [e.__typename, e.message.id, e.message.replyTo?.id]
        : e.__typename.startsWith('Reaction')
          ? [e.__typename, e.user.handle, e.emoji, e.message.id]
          : [e.__typename, e.by.handle, e.message.id];
    const expected = [
      ['MessagePosted', reply.id, root.id],
      ['ReactionAdded', 'bob', '👍', root.id],
      ['ReactionAdded', 'cat', '👍', root.id],
      ['ReactionRemoved', 'bob', '👍', root.id],
      ['MessagePinned', 'ann', root.id],
      ['MessageUnpinned', 'ann', root.id],
    ];
    await live.until(() => logged(live).length >= expected.length);
    expect(logged(live).map(shape)).toEqual(expected);
    // Each event renders the message as it is when delivered: by the last, one 👍 (cat's), unpinned.
    const last = logged(live).at(-1);
    expect(last.message.pinnedAt).toBeNull();

    // A resume from the reply's cursor, on another socket, gets the rest, once each, in order.
    const cursors = logged(live).map((e: any) => e.cursor);
    const resumed = collect(server.wsClient(ann), EVENTS, { roomId, after: cursors[0] });
    await resumed.until(() => logged(resumed).length >= expected.length - 1);
    expect(logged(resumed).map((e: any) => e.cursor)).toEqual(cursors.slice(1));
    expect(logged(resumed).map(shape)).toEqual(expected.slice(1));
    expect(logged(resumed)[1].message.reactions).toEqual([{ emoji: '👍', count: 1 }]);
    live.dispose();
    resumed.dispose();
  });

  it('renders reactedByMe for each viewer of one shared document', async () => {
    const roomId = await room();
    const message = await post(roomId, 'who reacted?');
    const asAnn = collect(server.wsClient(ann), MINE, { roomId });
    const asBob = collect(server.wsClient(bob), MINE, { roomId });
    // Both subscribed: Ann has seen both come in, Bob himself.
    await asAnn.until((r) => r.length >= 2);
    await asBob.until((r) => r.length >= 1);
    await ok(REACT, { id: message.id, emoji: '🎉' }, ann);
    const reaction = (sub: ReturnType<typeof collect>) =>
      sub
        .until((r) => r.some((x: any) => x.data.roomEvents.__typename === 'ReactionAdded'))
        .then(() => sub.results.map((x: any) => x.data.roomEvents).find((e: any) => e.__typename === 'ReactionAdded').message.reactions);
    expect(await reaction(asAnn)).toEqual([{ emoji: '🎉', count: 1, reactedByMe: true }]);
    expect(await reaction(asBob)).toEqual([{ emoji: '🎉', count: 1, reactedByMe: false }]);
    asAnn.dispose();
    asBob.dispose();
  });
});
