import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreKind, type TestServer, collect, startTestServer } from '../testing/testServer.js';

/**
 * Catching up on heavy events: a client that reads at the speed of its connection resumes from the
 * start of a room of 300 posts of 16 KB (4.7 MB, more than a subscriber may have unsent at once)
 * and gets every one, in order, with no error. The catch-up is written as the socket drains; it
 * used to push whole pages at once, which overran the budget by itself (SUBSCRIBER_TOO_SLOW), and
 * every resume ran into it again.
 */
const ROOM_EVENTS = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
  cursor ... on MessagePosted { message { id body } } } }`;
const POSTS = 300;
const BODY = '🎈'.repeat(3_990);

describe.each<StoreKind>(['memory', 'redis'])('a catch-up of heavy events (%s store)', (kind) => {
  let server: TestServer;
  let cookie: string;
  let roomId: string;
  const posted: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind);
    cookie = await server.signIn('alice');
    roomId = (await server.gql('mutation { createRoom(name: "heavy") { id } }', {}, cookie)).data!.createRoom.id;
    const { commands } = server.app.services;
    const userId = (await server.gql('{ me { id } }', {}, cookie)).data!.me.id;
    for (let i = 0; i < POSTS; i++) posted.push((await commands.postMessage({ actorId: userId, roomId, body: `${i} ${BODY}` })).id);
  }, 60_000);
  afterAll(() => server.stop());

  it('is delivered whole, in order, without ending the subscription', { timeout: 60_000 }, async () => {
    const subscription = collect(server.wsClient(cookie), ROOM_EVENTS, { roomId, after: '0-0' });
    await subscription.until((results) => results.filter((r) => r.data?.roomEvents.message).length >= POSTS);
    expect(subscription.error, JSON.stringify(subscription.error)).toBeNull();
    expect(subscription.results.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(subscription.results.flatMap((r) => (r.data?.roomEvents.message ? [r.data.roomEvents.message.id] : []))).toEqual(posted);
    subscription.dispose();
  });
});
