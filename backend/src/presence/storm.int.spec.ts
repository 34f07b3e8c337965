import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';

const ROOM_EVENTS = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) {
  __typename ... on UserJoined { user { handle } } ... on UserLeft { user { handle } }
  ... on PresenceChanged { onlineCount joined { handle } left { handle } } } }`;
const PRESENCE = new Set(['UserJoined', 'UserLeft', 'PresenceChanged']);
/** Windows of 50 ms doubling to 400 ms: the storm is coalesced as with the defaults, only faster. */
const TIMING = {
  PRESENCE_LEASE_MS: '2000',
  PRESENCE_HEARTBEAT_MS: '500',
  PRESENCE_GRACE_MS: '100',
  PRESENCE_SWEEP_MS: '40',
  PRESENCE_COALESCE_MS: '50',
  PRESENCE_COALESCE_MAX_MS: '400',
};
/** The longest window, and then one more with nothing in it: after this a room is quiet again. */
const quietAgain = () => new Promise((resolve) => setTimeout(resolve, 2 * 400 + 100));
const PEOPLE = 300;

type Sub = ReturnType<typeof collect>;
const presenceOf = (sub: Sub) => sub.results.map((r: any) => r.data?.roomEvents).filter((e: any) => e && PRESENCE.has(e.__typename));
const lastCount = (sub: Sub) => presenceOf(sub).findLast((e: any) => e.__typename === 'PresenceChanged')?.onlineCount;

describe.each<StoreKind>(['memory', 'redis'])('a join storm (%s store)', (kind) => {
  let server: TestServer;
  let cookies: string[];

  beforeAll(async () => {
    server = await startTestServer(kind, { env: TIMING });
    cookies = [];
    for (let i = 0; i < PEOPLE + 2; i += 50) {
      cookies.push(...(await Promise.all(Array.from({ length: Math.min(50, PEOPLE + 2 - i) }, (_, j) => server.signIn(`storm${i + j}`)))));
    }
  }, 30_000);
  afterAll(() => server.stop());

  const createRoom = async (name: string) =>
    (await server.gql('mutation($n: String!) { createRoom(name: $n) { id } }', { n: name }, cookies[0])).data!.createRoom.id as string;
  const onlineCount = async (roomId: string) =>
    (await server.gql('query($id: ID!) { room(id: $id) { onlineCount } }', { id: roomId })).data!.room.onlineCount as number;

  it('costs O(J) presence frames in all, ends nobody as too slow, and counts everyone; a quiet join is a UserJoined', async () => {
    const roomId = await createRoom(`storm ${kind}`);
    const [watcherCookie, lateCookie, ...people] = cookies as [string, string, ...string[]];
    const watcher = collect(server.wsClient(watcherCookie), ROOM_EVENTS, { roomId });
    await watcher.until(() => presenceOf(watcher).length > 0); // its own UserJoined: the room is live

    const subs = people.map((cookie) => collect(server.wsClient(cookie), ROOM_EVENTS, { roomId }));
    await watcher.until(() => lastCount(watcher) === PEOPLE + 1);
    expect(await onlineCount(roomId)).toBe(PEOPLE + 1);

    const all = [watcher, ...subs];
    // Every subscriber ends the storm knowing the count: its last PresenceChanged says so.
    await Promise.all(subs.map((sub) => sub.until(() => lastCount(sub) === PEOPLE + 1)));
    const frames = all.reduce((sum, sub) => sum + presenceOf(sub).length, 0);
    // One frame per join to everyone already there would be J²/2 (45,000 here).
    expect(frames).toBeLessThanOrEqual(12 * PEOPLE);
    expect(all.filter((sub) => sub.error !== null || sub.completed)).toEqual([]);
    const names = new Set(
      all.flatMap((sub) =>
        presenceOf(sub).flatMap((e: any) => (e.__typename === 'PresenceChanged' ? e.joined.map((u: any) => u.handle) : [e.user.handle])),
      ),
    );
    expect(names.size).toBeGreaterThan(0);

    // Once the room is quiet again, one more arrival is told at once, on its own.
    await quietAgain();
    const before = presenceOf(watcher).length;
    const late = collect(server.wsClient(lateCookie), ROOM_EVENTS, { roomId });
    await watcher.until(() => presenceOf(watcher).length > before);
    expect(presenceOf(watcher).slice(before)[0]).toEqual({ __typename: 'UserJoined', user: { handle: `storm1` } });

    // Half the people leave at once: their departures are coalesced too, and the count settles.
    const leaving = subs.slice(0, PEOPLE / 2);
    const staying = [watcher, late, ...subs.slice(PEOPLE / 2)];
    const framesBefore = staying.reduce((sum, sub) => sum + presenceOf(sub).length, 0);
    for (const sub of leaving) sub.dispose();
    await watcher.until(() => lastCount(watcher) === PEOPLE / 2 + 2);
    await Promise.all(staying.map((sub) => sub.until(() => lastCount(sub) === PEOPLE / 2 + 2)));
    expect(await onlineCount(roomId)).toBe(PEOPLE / 2 + 2);
    const leaveFrames = staying.reduce((sum, sub) => sum + presenceOf(sub).length, 0) - framesBefore;
    expect(leaveFrames).toBeLessThanOrEqual(12 * staying.length);
    expect(staying.filter((sub) => sub.error !== null || sub.completed)).toEqual([]);
    for (const sub of staying) sub.dispose();
  }, 30_000);
});

describe('a join storm through two instances sharing one Redis', () => {
  let a: TestServer;
  let b: TestServer;
  let cookies: string[];

  beforeAll(async () => {
    a = await startTestServer('redis', { env: TIMING });
    b = await startTestServer('redis', { env: TIMING, redis: a.redis! });
    cookies = [];
    for (let i = 0; i < PEOPLE + 1; i += 50) {
      cookies.push(...(await Promise.all(Array.from({ length: Math.min(50, PEOPLE + 1 - i) }, (_, j) => a.signIn(`twin${i + j}`)))));
    }
  }, 30_000);
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('each instance coalesces what it found: O(J) frames in all, and every subscriber ends with the exact count', async () => {
    const roomId = (await a.gql('mutation($n: String!) { createRoom(name: $n) { id } }', { n: 'storm twins' }, cookies[0])).data!.createRoom
      .id as string;
    const [watcherCookie, ...people] = cookies as [string, ...string[]];
    const watcher = collect(a.wsClient(watcherCookie), ROOM_EVENTS, { roomId });
    await watcher.until(() => presenceOf(watcher).length > 0);
    // Every other person on the other instance: both announce, each its own joins, with counts read at different moments.
    const subs = people.map((cookie, i) => collect((i % 2 === 0 ? b : a).wsClient(cookie), ROOM_EVENTS, { roomId }));
    const all = [watcher, ...subs];
    await Promise.all(all.map((sub) => sub.until(() => lastCount(sub) === PEOPLE + 1)));
    // No late frame with an older count follows (only time passing can show it: both rooms' windows close).
    await quietAgain();
    expect(all.filter((sub) => lastCount(sub) !== PEOPLE + 1)).toEqual([]);
    for (const server of [a, b]) {
      const room = (await server.gql('query($id: ID!) { room(id: $id) { onlineCount } }', { id: roomId })).data!.room;
      expect(room.onlineCount).toBe(PEOPLE + 1);
    }
    expect(all.reduce((sum, sub) => sum + presenceOf(sub).length, 0)).toBeLessThanOrEqual(2 * 12 * PEOPLE);
    expect(all.filter((sub) => sub.error !== null || sub.completed)).toEqual([]);
    for (const sub of all) sub.dispose();
  }, 30_000);
});
