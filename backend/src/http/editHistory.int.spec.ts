import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';

/* Message.editHistory over real HTTP, for both stores: earlier bodies with their times, none once deleted or removed. */

const CREATE_ROOM = 'mutation($name: String!) { createRoom(name: $name) { id } }';
const POST = 'mutation($roomId: ID!, $body: String!) { postMessage(roomId: $roomId, body: $body) { id createdAt editHistory { body } } }';
const EDIT = 'mutation($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { body editedAt editHistory { body at } } }';
const HISTORY = 'query($id: ID!) { room(id: $id) { messages { edges { node { id body editHistory { body at } } } } } }';

describe.each<StoreKind>(['memory', 'redis'])('edit history over GraphQL (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    alice = await server.signIn('alice');
    bob = await server.signIn('bob');
  });
  afterAll(() => server.stop());

  const gql = async (query: string, variables: Record<string, unknown>, cookie?: string) => {
    const result = await server.gql(query, variables, cookie);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const historyOf = async (roomId: string) =>
    new Map((await gql(HISTORY, { id: roomId })).room.messages.edges.map((edge: any) => [edge.node.id, edge.node.editHistory] as const));

  it('lists earlier bodies oldest first, each since when it was in effect, and empties them once deleted or removed', async () => {
    const roomId = (await gql(CREATE_ROOM, { name: 'edit history' }, alice)).createRoom.id;
    const posted = (await gql(POST, { roomId, body: 'first draft' }, bob)).postMessage;
    expect(posted.editHistory).toEqual([]);
    const second = (await gql(EDIT, { id: posted.id, body: 'second draft' }, bob)).editMessage;
    expect(second.editHistory).toEqual([{ body: 'first draft', at: posted.createdAt }]);
    const third = (await gql(EDIT, { id: posted.id, body: 'final' }, bob)).editMessage;
    expect(third).toEqual({
      body: 'final',
      editedAt: expect.any(String),
      editHistory: [
        { body: 'first draft', at: posted.createdAt },
        { body: 'second draft', at: second.editedAt },
      ],
    });
    const untouched = (await gql(POST, { roomId, body: 'never edited' }, bob)).postMessage;
    const removed = (await gql(POST, { roomId, body: 'to be removed' }, bob)).postMessage;
    await gql(EDIT, { id: removed.id, body: 'removed soon' }, bob);
    expect(await historyOf(roomId)).toEqual(
      new Map([
        [posted.id, third.editHistory],
        [untouched.id, []],
        [removed.id, [{ body: 'to be removed', at: removed.createdAt }]],
      ]),
    );

    await gql('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: posted.id }, bob);
    // The owner removes bob's message (a moderation, not its author's deletion).
    await gql('mutation($id: ID!) { removeMessage(id: $id) { id } }', { id: removed.id }, alice);
    expect(await historyOf(roomId)).toEqual(
      new Map([
        [posted.id, []],
        [untouched.id, []],
        [removed.id, []],
      ]),
    );
  });
});
