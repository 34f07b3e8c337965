import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { toRoomStreamKey } from '../chat/keys.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { readAll } from '../testing/logFixtures.js';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { type ServerProcess, startServerProcess, INSTANCE_ORIGIN, signInAt, gqlAt } from '../testing/serverProcess.js';

/*
 * Replies and reactions at once from three instances (real processes, one Redis): a thousand
 * replies to one root leave its replyCount at a thousand on every instance, its thread holds them
 * in log order, and a subscriber on each instance receives each exactly once, in that order.
 * Three people reacting with twenty emoji each, all at once, count three of each.
 */

const ORIGIN = INSTANCE_ORIGIN;
const REPLIES = 1_000;
const IN_FLIGHT = 60;
const EMOJI = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '🥲', '😚', '🙂'];

let redis: TestRedis;
let store: EventStore;
const servers: ServerProcess[] = [];
const sockets: Client[] = [];

/** GraphQL on one instance; its errors fail the test. */
const gql = async (server: ServerProcess, cookie: string, query: string, variables: Record<string, unknown>) => {
  const result = await gqlAt(server, cookie, query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
};

const start = (name: string) => startServerProcess({ name, env: { REDIS_URL: redis.url, PUBLIC_URL: ORIGIN, RATE_LIMITS: '0' } });

beforeAll(async () => {
  redis = await startTestRedis();
  servers.push(...(await Promise.all([start('A'), start('B'), start('C')])));
  store = await createRedisEventStore({ url: redis.url });
}, 60_000);

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await store?.close();
  await Promise.all(servers.map((server) => server.kill('SIGKILL').catch(() => {})));
  await redis?.dispose();
}, 30_000);

/** Runs the tasks with at most `limit` in flight. */
const inFlight = async (tasks: (() => Promise<unknown>)[], limit: number) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
};

/** The replies' cursors a roomEvents subscriber on this instance receives, in order. */
const followReplies = (server: ServerProcess, cookie: string, roomId: string, after: string) => {
  class WithCookie extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { origin: ORIGIN, cookie } });
    }
  }
  const socket = createClient({ url: server.wsUrl, webSocketImpl: WithCookie, retryAttempts: 0 });
  sockets.push(socket);
  const received: string[] = [];
  let wake = () => {};
  socket.subscribe<{ roomEvents: { __typename: string; cursor: string } }>(
    {
      query: `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
        __typename cursor ... on MessagePosted { message { id } } } }`,
      variables: { roomId, after },
    },
    {
      next: ({ data }) => {
        if (data?.roomEvents.__typename === 'MessagePosted') received.push(data.roomEvents.cursor);
        wake();
      },
      error: (error) => {
        throw error;
      },
      complete: () => {},
    },
  );
  return {
    received,
    until: (n: number) =>
      new Promise<void>((resolve) => {
        wake = () => received.length >= n && resolve();
        wake();
      }),
  };
};

describe('replies and reactions from three instances at once', () => {
  it('count exactly, thread in log order, and reach every instance once each', async () => {
    const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const people = await Promise.all([signInAt(a, 'ann'), signInAt(b, 'bob'), signInAt(c, 'cat')]);
    const { createRoom } = await gql(a, people[0]!, 'mutation { createRoom(name: "busy thread") { id } }', {});
    const roomId = createRoom.id as string;
    const rootPost = await gql(a, people[0]!, 'mutation($roomId: ID!) { postMessage(roomId: $roomId, body: "root") { id } }', { roomId });
    const root = rootPost.postMessage.id as string;
    // Everyone joins first: the replies then test threads, not joining races.
    await Promise.all(
      people.map((cookie, i) => gql(servers[i]!, cookie, 'mutation($id: ID!) { joinRoom(roomId: $id) { id } }', { id: roomId })),
    );
    const [last] = await store.readBackward(toRoomStreamKey(roomId), { count: 1 });
    const followers = servers.map((server, i) => followReplies(server, people[i]!, roomId, last!.cursor));

    const replies = Array.from(
      { length: REPLIES },
      (_, i) => () =>
        gql(
          servers[i % 3]!,
          people[(i + 1) % 3]!,
          'mutation($roomId: ID!, $body: String!, $replyTo: ID) { postMessage(roomId: $roomId, body: $body, replyTo: $replyTo) { id } }',
          {
            roomId,
            body: `reply ${i}`,
            replyTo: root,
          },
        ),
    );
    const reactions = EMOJI.flatMap((emoji) =>
      people.map(
        (cookie, i) => () =>
          gql(servers[(i + 1) % 3]!, cookie, 'mutation($id: ID!, $emoji: String!) { react(messageId: $id, emoji: $emoji) { id } }', {
            id: root,
            emoji,
          }),
      ),
    );
    // Interleaved, so reactions land among the replies.
    const tasks = replies.flatMap((reply, i) => (i % 17 === 0 && reactions.length ? [reply, reactions.pop()!] : [reply]));
    await inFlight([...tasks, ...reactions], IN_FLIGHT);

    const READ = `query($id: ID!) { message(id: $id) { replyCount reactions { emoji count } } }`;
    for (const [i, server] of servers.entries()) {
      const { message } = await gql(server, people[i]!, READ, { id: root });
      expect(message.replyCount).toBe(REPLIES);
      expect(message.reactions).toHaveLength(EMOJI.length);
      expect(new Set(message.reactions.map((r: { count: number }) => r.count))).toEqual(new Set([3]));
    }

    // The thread holds every reply once, in the log's order.
    const log = (await readAll(store, toRoomStreamKey(roomId))).filter((event) => event.type === 'MessagePosted');
    const inLog = log.filter((event) => (event.data as { replyTo: string | null }).replyTo === root).map((event) => event.cursor);
    expect(inLog).toHaveLength(REPLIES);
    const thread: string[] = [];
    for (let after: string | null = null; ; ) {
      const page: any = await gql(
        a,
        people[0]!,
        'query($id: ID!, $after: String) { message(id: $id) { replies(first: 100, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } } }',
        {
          id: root,
          after,
        },
      );
      thread.push(...page.message.replies.edges.map((edge: { cursor: string }) => edge.cursor));
      if (!page.message.replies.pageInfo.hasNextPage) break;
      after = page.message.replies.pageInfo.endCursor;
    }
    expect(thread).toEqual(inLog);

    // Each instance's subscriber: every reply once, in the log's order.
    await Promise.all(followers.map((follower) => follower.until(REPLIES)));
    for (const follower of followers) expect(follower.received).toEqual(inLog);
  }, 120_000);
});
