import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTED_SERVER_ENV, measureRedisCost } from '../testing/redisCost.js';
import { type TestServer, startTestServer } from '../testing/testServer.js';

/**
 * A history page's cost does not depend on how many edits (or deletions) the room has had: the
 * page reads the room's history index (one entry per post) joined with the messages' states, never
 * the log it would have to walk past edits in. Counted at redis-server, before and after 2,000
 * edits of one message and 200 deletions.
 */
const PAGE = `query($id: ID!) { room(id: $id) { messages(last: 50) { edges { cursor node { id body editedAt author { handle } } } pageInfo { hasPreviousPage } } } }`;

describe('the cost of a history page in a room full of edits (redis store)', () => {
  let server: TestServer;
  let admin: Redis;
  let alice: string;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer('redis', { env: COUNTED_SERVER_ENV });
    admin = new Redis(server.redis!.url);
    alice = await server.signIn('alice');
    roomId = (await server.gql<{ createRoom: { id: string } }>('mutation { createRoom(name: "edited a lot") { id } }', {}, alice)).data!
      .createRoom.id;
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('reads the same at Redis after 2,000 edits and 200 deletions as before them', { timeout: 120_000 }, async () => {
    const { commands } = server.app.services;
    const userId = (await server.gql<{ me: { id: string } }>('{ me { id } }', {}, alice)).data!.me.id;
    const posted: string[] = [];
    for (let i = 0; i < 300; i++) posted.push((await commands.postMessage({ actorId: userId, roomId, body: `message ${i}` })).id);
    const page = async () => {
      const result = await server.gql<{ room: { messages: { edges: { node: { body: string } }[] } } }>(PAGE, { id: roomId }, alice);
      expect(result.errors).toBeUndefined();
      return result.data!.room.messages.edges;
    };
    const before = await measureRedisCost(admin, page);
    for (let i = 0; i < 2_000; i++)
      await commands.editMessage({ actorId: userId, messageId: posted[299]!, body: `edit ${i} `.repeat(100) });
    for (let i = 0; i < 200; i++) await commands.deleteMessage({ actorId: userId, messageId: posted[i]! });
    const after = await measureRedisCost(admin, page);
    expect(after).toEqual(before);
    const edges = await page();
    expect(edges).toHaveLength(50);
    expect(edges.at(-1)!.node.body).toBe('edit 1999 '.repeat(100).trim());
  });
});
