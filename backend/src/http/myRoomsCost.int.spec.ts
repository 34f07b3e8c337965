import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTED_SERVER_ENV, measureRedisCost } from '../testing/redisCost.js';
import { type TestServer, startTestServer } from '../testing/testServer.js';

/**
 * A page of myRooms with everything the room list shows costs a fixed number of round trips to
 * Redis, whatever the number of rooms: the session, the person's rooms (with their handle beside),
 * the rooms' last activity, and one for the page's room states with all its member states, counts
 * and last messages (not the states, then the member states, then the handle, then the counts),
 * one script per room. Counted at redis-server: the socket reads it processed, and its commands.
 */
const PAGE = `query($first: Int) { myRooms(first: $first) { edges { node { id name myMembership unreadCount mentionCount readMarker
  lastActivityAt lastMessage { body author { handle } } } } } }`;

describe('the round trips of a myRooms page (redis store)', () => {
  let server: TestServer;
  let admin: Redis;
  let bob: string;

  beforeAll(async () => {
    server = await startTestServer('redis', { env: COUNTED_SERVER_ENV });
    admin = new Redis(server.redis!.url);
    const alice = await server.signIn('alice');
    bob = await server.signIn('bob');
    for (let i = 0; i < 12; i++) {
      const roomId = (await server.gql('mutation($n: String!) { createRoom(name: $n) { id } }', { n: `cost ${i}` }, alice)).data!.createRoom
        .id;
      await server.gql('mutation($r: ID!) { joinRoom(roomId: $r) { id } }', { r: roomId }, bob);
      for (let j = 0; j < 3; j++) {
        await server.gql(
          'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }',
          { r: roomId, b: `@bob ${j}` },
          alice,
        );
      }
    }
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('reads in four round trips for 2 rooms and for 12, one script per room', async () => {
    const page = (first: number) => async () => {
      const result = await server.gql<{ myRooms: { edges: { node: { unreadCount: number; mentionCount: number } }[] } }>(
        PAGE,
        { first },
        bob,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.myRooms.edges).toHaveLength(first);
      for (const { node } of result.data!.myRooms.edges) expect(node).toMatchObject({ unreadCount: 3, mentionCount: 3 });
    };
    const few = await measureRedisCost(admin, page(2));
    const many = await measureRedisCost(admin, page(12));
    const costs = JSON.stringify({ few, many });
    expect(few.reads, costs).toBeLessThanOrEqual(4);
    expect(many.reads, costs).toBe(few.reads);
    // One script per room of the page: counts, member state and last message together.
    expect((many.commands.evalsha ?? 0) - (few.commands.evalsha ?? 0), costs).toBe(10);
  });
});
