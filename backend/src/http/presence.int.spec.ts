import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';

const ROOM_EVENTS = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
  __typename cursor at ... on MessagePosted { message { body } } ... on UserJoined { user { handle } } ... on UserLeft { user { handle } }
  ... on UserTyping { user { handle } } ... on UserStatusChanged { user { handle status } }
  ... on PresenceChanged { joined { handle } left { handle } } } }`;
const ONLINE = 'query($id: ID!) { room(id: $id) { onlineCount online { handle } } }';
const TIMING = {
  PRESENCE_LEASE_MS: '600',
  PRESENCE_HEARTBEAT_MS: '150',
  PRESENCE_GRACE_MS: '250',
  PRESENCE_SWEEP_MS: '40',
  TYPING_THROTTLE_MS: '1',
};

type Sub = ReturnType<typeof collect>;
const events = (sub: Sub) => sub.results.map((r: any) => r.data.roomEvents);
/**
 * Presence and typing events as "Type handle" (a subscriber also sees its own join); a
 * PresenceChanged (changes gathered in a busy room) reads as one UserJoined/UserLeft per person.
 */
const ephemeral = (sub: Sub) =>
  events(sub)
    .filter((e: any) => e.cursor === null)
    .flatMap((e: any) =>
      e.__typename === 'PresenceChanged'
        ? [...e.joined.map((u: any) => `UserJoined ${u.handle}`), ...e.left.map((u: any) => `UserLeft ${u.handle}`)]
        : [`${e.__typename} ${e.user.handle}`],
    );
const about = (sub: Sub, handle: string) => ephemeral(sub).filter((line) => line.endsWith(` ${handle}`));
const until = (sub: Sub, line: string) => sub.until(() => ephemeral(sub).includes(line));

describe.each<StoreKind>(['memory', 'redis'])('presence, typing and status (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    server = await startTestServer(kind, { env: TIMING });
    [alice, bob, carol] = (await Promise.all(['alice', 'bob', 'carol'].map((h) => server.signIn(h)))) as [string, string, string];
  });
  afterAll(() => server.stop());

  const createRoom = async (name: string) =>
    (await server.gql('mutation($n: String!) { createRoom(name: $n) { id } }', { n: name }, alice)).data!.createRoom.id as string;
  const post = (roomId: string, body: string, cookie = alice) =>
    server.gql('mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }', { r: roomId, b: body }, cookie);
  const online = async (roomId: string) => {
    const room = (await server.gql(ONLINE, { id: roomId })).data!.room;
    return { count: room.onlineCount as number, handles: (room.online as { handle: string }[]).map((u) => u.handle).sort() };
  };
  /** Subscribes and waits until the subscription is live (a message posted now reaches it). */
  const follow = async (roomId: string, cookie: string) => {
    const sub = collect(server.wsClient(cookie), ROOM_EVENTS, { roomId });
    for (let i = 0; !events(sub).some((e: any) => e.__typename === 'MessagePosted'); i++) {
      await post(roomId, `probe ${i}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return sub;
  };
  /** Absence of a departure can only be shown by time passing: a few sweeps past the grace period. */
  const pastGrace = () => new Promise((resolve) => setTimeout(resolve, 250 + 40 * 5));

  it('announces joins once per user, keeps two tabs as one person, and a reload does not flap', async () => {
    const roomId = await createRoom('presence');
    const watcher = await follow(roomId, alice);
    const tab1 = await follow(roomId, bob);
    await until(watcher, 'UserJoined bob');
    expect(await online(roomId)).toEqual({ count: 2, handles: ['alice', 'bob'] });

    const tab2 = await follow(roomId, bob);
    tab2.dispose(); // a second tab closes: bob is still here
    tab1.dispose(); // reload of the first tab: closed, then back within the grace period
    const reloaded = await follow(roomId, bob);
    await pastGrace();
    expect(await online(roomId)).toEqual({ count: 2, handles: ['alice', 'bob'] });
    await server.gql('mutation($r: ID!) { typing(roomId: $r) }', { r: roomId }, bob);
    await until(watcher, 'UserTyping bob');
    expect(about(watcher, 'bob')).toEqual(['UserJoined bob', 'UserTyping bob']);

    reloaded.dispose();
    await until(watcher, 'UserLeft bob');
    expect(about(watcher, 'bob')).toEqual(['UserJoined bob', 'UserTyping bob', 'UserLeft bob']);
    expect(await online(roomId)).toEqual({ count: 1, handles: ['alice'] });
    watcher.dispose();
  });

  it('tells only the rooms a user is in about their status, and shows typing to the others', async () => {
    const here = await createRoom('status here');
    const elsewhere = await createRoom('status elsewhere');
    const inHere = await follow(here, alice);
    const inElsewhere = await follow(elsewhere, carol);
    const bobHere = await follow(here, bob);
    await until(inHere, 'UserJoined bob');

    await server.gql('mutation { setStatus(status: AWAY) { status } }', {}, bob);
    await until(inHere, 'UserStatusChanged bob');
    expect(events(inHere).find((e: any) => e.__typename === 'UserStatusChanged').user.status).toBe('AWAY');

    await post(elsewhere, 'marker');
    await inElsewhere.until(() => events(inElsewhere).some((e: any) => e.message?.body === 'marker'));
    expect(about(inElsewhere, 'bob')).toEqual([]);

    await server.gql('mutation($r: ID!) { typing(roomId: $r) }', { r: here }, alice);
    await until(bobHere, 'UserTyping alice');
    expect(events(bobHere).find((e: any) => e.__typename === 'UserTyping').at).toEqual(expect.any(String));
    for (const sub of [inHere, inElsewhere, bobHere]) sub.dispose();
    await server.gql('mutation { setStatus(status: AVAILABLE) { status } }', {}, bob);
  });

  it('sends online-count changes to the lobby', async () => {
    const lobby = collect(
      server.wsClient(carol),
      'subscription($after: String) { lobbyEvents(after: $after) { kind room { id onlineCount } } }',
      { after: '0-0' },
    );
    const roomId = await createRoom('counted');
    await lobby.until(() =>
      lobby.results.some((r: any) => r.data.lobbyEvents.kind === 'ROOM_CREATED' && r.data.lobbyEvents.room.id === roomId),
    );
    const sub = await follow(roomId, bob);
    await lobby.until(() =>
      lobby.results.some((r: any) => r.data.lobbyEvents.kind === 'ONLINE_COUNT_CHANGED' && r.data.lobbyEvents.room.id === roomId),
    );
    const change = lobby.results
      .map((r: any) => r.data.lobbyEvents)
      .find((e: any) => e.kind === 'ONLINE_COUNT_CHANGED' && e.room.id === roomId);
    expect(change.room.onlineCount).toBeGreaterThanOrEqual(1);
    sub.dispose();
    lobby.dispose();
  });
});
