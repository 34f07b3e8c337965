import { type IncomingMessage, request as httpRequest } from 'node:http';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SOCKETS_PER_USER } from '../auth/socketLeases.js';
import { toRoomStreamKey } from '../chat/keys.js';
import {
  createEventStreamParser,
  type EventStreamReading,
  openEventStream,
  type ServerSentEvent,
  type StreamedResult,
} from '../testing/eventStreams.js';
import { collect, startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';
import { MAX_BUFFERED_BYTES } from './sharedSubscriptions.js';

/*
 * GraphQL over Server-Sent Events (the graphql-sse protocol, distinct connections mode) beside the
 * WebSocket: each logged event's `id:` is its cursor, a reconnect with Last-Event-ID resumes after
 * it, and the same session, Origin, CSRF and slow-reader rules hold as for the WebSocket.
 */

const ROOM_EVENTS = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
  __typename cursor ... on MessagePosted { message { body } } ... on UserJoined { user { handle } } } }`;
const CREATE_ROOM = 'mutation($name: String!) { createRoom(name: $name) { id } }';
const POST = 'mutation($roomId: ID!, $body: String!) { postMessage(roomId: $roomId, body: $body) { id } }';
const FOREIGN_ORIGIN = 'https://evil.example';
const HEARTBEAT_MS = 200;

interface RoomEvent {
  __typename: string;
  cursor: string | null;
  message?: { body: string };
  user?: { handle: string };
}

const roomEventsOf = (results: StreamedResult<{ roomEvents: RoomEvent }>[]) =>
  results.flatMap((r) => (r.data?.roomEvents ? [r.data.roomEvents] : []));
const postedBodies = (reading: EventStreamReading) =>
  roomEventsOf(reading.results()).flatMap((e) => (e.__typename === 'MessagePosted' ? [e.message!.body] : []));
const codesOf = (reading: EventStreamReading) => reading.results().flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code));

describe.each<StoreKind>(['memory', 'redis'])('GraphQL over Server-Sent Events (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;
  const open: EventStreamReading[] = [];

  beforeAll(async () => {
    // A request must arrive within a second: a stream outlives that (the heartbeat test waits longer).
    server = await startTestServer(kind, {
      env: { SSE_HEARTBEAT_MS: String(HEARTBEAT_MS), HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1000' },
    });
    alice = await server.signIn('alice');
  });
  afterAll(async () => {
    for (const reading of open) reading.abort();
    await server.stop();
  });

  /** A POST asking for an event stream, as a page of the server's own origin sends it. */
  const stream = async (body: unknown, headers: Record<string, string> = {}) => {
    const reading = await openEventStream(`${server.url}/graphql`, { headers: { origin: server.origin, ...headers }, body });
    open.push(reading);
    return reading;
  };
  const createRoom = async (name: string, cookie = alice) =>
    (await server.gql(CREATE_ROOM, { name }, cookie)).data!.createRoom.id as string;
  const post = async (roomId: string, body: string, cookie = alice) => {
    const { errors } = await server.gql(POST, { roomId, body }, cookie);
    expect(errors).toBeUndefined();
  };
  /**
   * A roomEvents stream from the start of the log, once it runs (the log has at least the owner's
   * membership). Presence is no sign: a user already in the room does not join it again.
   */
  const follow = async (roomId: string, cookie: string, headers: Record<string, string> = {}) => {
    const reading = await stream({ query: ROOM_EVENTS, variables: { roomId, after: '0-0' } }, { cookie, ...headers });
    expect(reading.status).toBe(200);
    await reading.until(() => reading.events.some((e) => e.event === 'next'));
    return reading;
  };

  it('serves a subscription to the graphql-sse client: each post as it is logged, and a query as one result', async () => {
    const roomId = await createRoom('sse client');
    await post(roomId, 'before');
    const client = createClient({ url: `${server.url}/graphql`, headers: { cookie: alice, origin: server.origin }, retryAttempts: 0 });
    const received: RoomEvent[] = [];
    let failure: unknown = null;
    let wake = () => {};
    const dispose = client.subscribe<{ roomEvents: RoomEvent }>(
      { query: ROOM_EVENTS, variables: { roomId, after: '0-0' } },
      {
        next: (result) => {
          if (result.data) received.push(result.data.roomEvents);
          wake();
        },
        error: (error) => {
          failure = error;
          wake();
        },
        complete: () => {},
      },
    );
    const until = (predicate: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        wake = () => (failure ? reject(failure) : predicate() && resolve());
        wake();
      });
    await until(() => received.some((e) => e.__typename === 'UserJoined' && e.user?.handle === 'alice'));
    for (const body of ['one', 'two', 'three']) await post(roomId, body);
    const bodies = () => received.flatMap((e) => (e.__typename === 'MessagePosted' ? [e.message!.body] : []));
    await until(() => bodies().length === 4);
    expect(bodies()).toEqual(['before', 'one', 'two', 'three']);
    dispose();

    const me = await new Promise<unknown[]>((resolve, reject) => {
      const results: unknown[] = [];
      client.subscribe({ query: '{ me { handle } }' }, { next: (r) => results.push(r), error: reject, complete: () => resolve(results) });
    });
    expect(me).toEqual([{ data: { me: { handle: 'alice' } } }]);
    client.dispose();
  });

  it("marks each logged event with `id: <cursor>`, and resumes a dropped stream after Last-Event-ID with exactly the rest (the header wins over the document's `after`)", async () => {
    const roomId = await createRoom('fetch reader');
    for (const body of ['m1', 'm2', 'm3']) await post(roomId, body);
    const first = await follow(roomId, alice);
    // Alice's own arrival is the one event without a cursor.
    await first.until(() => postedBodies(first).length === 3 && roomEventsOf(first.results()).some((e) => e.__typename === 'UserJoined'));
    const nexts = first.events.filter((e) => e.event === 'next');
    for (const event of nexts) {
      // The id is the cursor of the event it carries; presence events have neither.
      const { cursor } = (JSON.parse(event.data) as StreamedResult<{ roomEvents: RoomEvent }>).data!.roomEvents;
      expect(event.id).toBe(cursor);
    }
    expect(nexts.some((e) => e.id === null)).toBe(true);
    const resumeAfter = first.lastEventId;
    expect(resumeAfter).toBe(
      roomEventsOf(first.results())
        .filter((e) => e.cursor !== null)
        .at(-1)!.cursor,
    );
    first.abort();
    await first.ended;

    // Posted while nobody listens, then live once it is back.
    for (const body of ['m4', 'm5', 'm6']) await post(roomId, body);
    const resumed = await follow(roomId, alice, { 'last-event-id': resumeAfter });
    await post(roomId, 'm7');
    await resumed.until(() => postedBodies(resumed).length === 4);
    expect(postedBodies(resumed)).toEqual(['m4', 'm5', 'm6', 'm7']);
    const cursors = roomEventsOf(resumed.results()).flatMap((e) => (e.cursor ? [e.cursor] : []));
    const log = await server.app.services.store.readForward(toRoomStreamKey(roomId), { after: resumeAfter, count: 100 });
    expect(cursors).toEqual(log.map((e) => e.cursor));
    resumed.abort();
  });

  it('answers a Last-Event-ID that is no position of the log as BAD_USER_INPUT (like `after`), in the stream, then complete', async () => {
    const roomId = await createRoom('bad last event id');
    const other = await createRoom('another room');
    await post(other, 'elsewhere');
    const foreign = (await server.app.services.store.streamInfo(toRoomStreamKey(other))).lastCursor!;
    const [seconds] = foreign.split('-');
    for (const lastEventId of ['garbage', foreign, `${Number(seconds) + 3_600_000}-0`]) {
      const reading = await stream(
        { query: ROOM_EVENTS, variables: { roomId, after: null } },
        { cookie: alice, 'last-event-id': lastEventId },
      );
      await reading.ended;
      expect(reading.status, lastEventId).toBe(200);
      expect(codesOf(reading), lastEventId).toEqual(['BAD_USER_INPUT']);
      expect(reading.completed).toBe(true);
      expect(reading.events.map((e) => e.event)).toEqual(['next', 'complete']);
    }
    // A subscription field in a fragment is not looked into: refused rather than resumed from the wrong place.
    const inFragment = await stream(
      { query: 'subscription { ...Lobby } fragment Lobby on Subscription { lobbyEvents { kind } }' },
      { cookie: alice, 'last-event-id': foreign },
    );
    expect(inFragment.status).toBe(400);
    expect(JSON.parse(inFragment.text!).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a foreign Origin with 403 JSON before running anything, and lets an allowed page read the stream (CORS)', async () => {
    const roomId = await createRoom('origins');
    const refused = await stream({ query: ROOM_EVENTS, variables: { roomId } }, { cookie: alice, origin: FOREIGN_ORIGIN });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(refused.text!)).toEqual({ error: { code: 'FORBIDDEN_ORIGIN', message: expect.any(String) } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();

    const allowed = await follow(roomId, alice);
    expect(allowed.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(allowed.headers.get('cache-control')).toBe('no-cache');
    expect(allowed.headers.get('access-control-allow-origin')).toBe(server.origin);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    allowed.abort();
  });

  it('applies the CSRF rule of HTTP: a GET or a form-like POST needs the x-graphql-yoga-csrf header', async () => {
    const query = encodeURIComponent('subscription { lobbyEvents { kind } }');
    const viaGet = (headers: Record<string, string>) =>
      openEventStream(`${server.url}/graphql?query=${query}`, { method: 'GET', headers: { cookie: alice, ...headers } });
    const refused = await viaGet({});
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text!).errors[0]).toMatchObject({
      message: expect.stringMatching(/CSRF/),
      extensions: { code: 'FORBIDDEN' },
    });
    const form = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { cookie: alice, accept: 'text/event-stream', 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${query}`,
    });
    expect(form.status).toBe(403);
    await form.body?.cancel();

    const accepted = await viaGet({ 'x-graphql-yoga-csrf': '1' });
    open.push(accepted);
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('content-type')).toMatch(/^text\/event-stream/);
    accepted.abort();
    // A mutation over GET is refused as over plain HTTP, whatever the client accepts.
    const mutation = await openEventStream(
      `${server.url}/graphql?query=${encodeURIComponent('mutation { setStatus(status: BUSY) { status } }')}`,
      {
        method: 'GET',
        headers: { cookie: alice, 'x-graphql-yoga-csrf': '1' },
      },
    );
    expect(mutation.status).toBe(405);
  });

  it('answers signed-out subscriptions as the WebSocket does (UNAUTHENTICATED), in the stream, then complete', async () => {
    const roomId = await createRoom('signed out');
    const documents: [string, Record<string, unknown>][] = [
      [ROOM_EVENTS, { roomId, after: '0-0' }],
      ['subscription { lobbyEvents { kind } }', {}],
      ['subscription { inbox(after: "0-0") { cursor } }', {}],
    ];
    for (const [query, variables] of documents) {
      const overSse = await stream({ query, variables });
      await overSse.ended;
      const overSocket = collect(server.wsClient(), query, variables);
      await overSocket.until(() => false);
      expect(overSocket.completed).toBe(true);
      const socketCodes = overSocket.results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code));
      expect(codesOf(overSse), query).toEqual(socketCodes);
      expect(codesOf(overSse)).toEqual(['UNAUTHENTICATED']);
      expect(overSse.completed).toBe(true);
    }
    // What needs no session is answered as over HTTP.
    const me = await stream({ query: '{ me { id } }' });
    await me.ended;
    expect(me.results()).toEqual([{ data: { me: null } }]);
    expect(me.completed).toBe(true);
  });

  it("ends a session's streams when it signs out (UNAUTHENTICATED, then complete); another session's stream goes on", async () => {
    const roomId = await createRoom('sign out');
    const session = await server.signIn('dora');
    const other = await server.signIn('dora');
    const [signedOut, stays] = await Promise.all([follow(roomId, session), follow(roomId, other)]);
    const logout = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { cookie: session, origin: server.origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(logout.status).toBe(200);
    await signedOut.ended;
    expect(codesOf(signedOut)).toEqual(['UNAUTHENTICATED']);
    expect(signedOut.completed).toBe(true);
    await post(roomId, 'still here');
    await stays.until(() => postedBodies(stays).includes('still here'));
    expect(stays.endedBy).toBeNull();
    stays.abort();
  });

  it("ends a banned user's stream with FORBIDDEN, then complete, after the ban's own event", async () => {
    const roomId = await createRoom('ban');
    const erin = await server.signIn('erin');
    await post(roomId, 'hello from erin', erin);
    const reading = await follow(roomId, erin);
    const ban = await server.gql(
      'mutation($r: ID!, $u: ID!) { ban(roomId: $r, userId: $u) { membership } }',
      { r: roomId, u: 'dev:erin' },
      alice,
    );
    expect(ban.data).toEqual({ ban: { membership: 'BANNED' } });
    await reading.ended;
    expect(codesOf(reading)).toEqual(['FORBIDDEN']);
    expect(reading.completed).toBe(true);
    expect(roomEventsOf(reading.results()).at(-1)?.__typename).toBe('MembershipChanged');
  });

  it(`sends a comment line every SSE_HEARTBEAT_MS (${HEARTBEAT_MS} ms here) so that proxies keep an idle stream open, past the request timeout`, async () => {
    const reading = await stream({ query: 'subscription { lobbyEvents { kind } }' }, { cookie: alice });
    // The first comment opens the stream; the beats follow, for longer than a request may take to arrive.
    await reading.until(() => reading.comments >= 9, HEARTBEAT_MS * 40);
    expect(reading.endedBy).toBeNull();
    reading.abort();
  });

  it(`counts streams with the WebSocket's ${MAX_SOCKETS_PER_USER} connections per user: the next is 429, and a closed one frees its slot`, async () => {
    const fred = await server.signIn('fred');
    const lobby = { query: 'subscription { lobbyEvents { kind } }' };
    const streams = await Promise.all(Array.from({ length: MAX_SOCKETS_PER_USER }, () => stream(lobby, { cookie: fred })));
    expect(streams.map((s) => s.status)).toEqual(streams.map(() => 200));
    const refused = await stream(lobby, { cookie: fred });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text!).error.code).toBe('TOO_MANY_CONNECTIONS');
    streams[0]!.abort();
    for (let attempt = 0; ; attempt++) {
      const again = await stream(lobby, { cookie: fred });
      if (again.status === 200) break;
      expect(attempt).toBeLessThan(100);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const s of streams) s.abort();
  });

  it(`ends a reader that stops reading with SUBSCRIBER_TOO_SLOW once ${MAX_BUFFERED_BYTES / 1024} KiB wait unsent, without complete; it resumes from its last id with exactly the rest`, async () => {
    const roomId = await createRoom('slow reader');
    const { commands } = server.app.services;
    // 16 KB per event: the kernel's socket buffers hold a few MB before the server's own fill.
    const BODY = '🎈'.repeat(3_990);
    const posted: string[] = [];
    const postBatch = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const body = `${posted.length} ${BODY}`;
        posted.push(body);
        await commands.postMessage({ actorId: 'dev:alice', roomId, body });
      }
    };
    const slowCount = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/^balloons_subscribers_too_slow_total (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = await slowCount();

    // A reader over node:http whose response is never read: its socket stops being read too.
    const events: ServerSentEvent[] = [];
    const parser = createEventStreamParser((event) => events.push(event));
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(`${server.url}/graphql`, {
        method: 'POST',
        agent: false,
        headers: { cookie: alice, origin: server.origin, accept: 'text/event-stream', 'content-type': 'application/json' },
      });
      req.on('response', resolve).on('error', reject);
      req.end(JSON.stringify({ query: ROOM_EVENTS, variables: { roomId, after: '0-0' } }));
    });
    expect(response.statusCode).toBe(200);
    response.pause();
    for (let batch = 0; (await slowCount()) === before; batch++) {
      expect(batch, 'never ended as too slow').toBeLessThan(40);
      await postBatch(50);
    }

    // Read what it was sent: every event up to its end, then the error naming its last cursor.
    const ended = new Promise<void>((resolve) => response.on('end', resolve));
    response.on('data', (chunk: Buffer) => parser.feed(chunk));
    response.resume();
    await ended;
    const last = events.at(-1)!;
    expect(last.event).toBe('next');
    const { errors } = JSON.parse(last.data) as StreamedResult;
    expect(errors?.map((e) => e.extensions?.code)).toEqual(['SUBSCRIBER_TOO_SLOW']);
    expect(events.some((e) => e.event === 'complete')).toBe(false);
    const lastId = parser.lastEventId;
    expect(errors?.[0]?.extensions?.lastCursor).toBe(lastId);
    const first = roomEventsOf(events.slice(0, -1).map((e) => JSON.parse(e.data) as StreamedResult<{ roomEvents: RoomEvent }>));
    const firstBodies = first.flatMap((e) => (e.__typename === 'MessagePosted' ? [e.message!.body] : []));
    expect(firstBodies).toEqual(posted.slice(0, firstBodies.length));

    const resumed = await stream({ query: ROOM_EVENTS, variables: { roomId, after: '0-0' } }, { cookie: alice, 'last-event-id': lastId });
    await resumed.until(() => firstBodies.length + postedBodies(resumed).length >= posted.length, 30_000);
    expect([...firstBodies, ...postedBodies(resumed)]).toEqual(posted);
    resumed.abort();
  }, 60_000);

  it('ends its streams without complete when the server stops, so that clients reconnect elsewhere', async () => {
    const other = await startTestServer('memory');
    try {
      const cookie = await other.signIn('gina');
      const reading = await openEventStream(`${other.url}/graphql`, {
        headers: { cookie, origin: other.origin },
        body: { query: 'subscription { lobbyEvents { kind } }' },
      });
      expect(reading.status).toBe(200);
      await other.app.stop();
      await reading.ended;
      expect(reading.endedBy).toBe('end');
      expect(reading.completed).toBe(false);
    } finally {
      await other.stop().catch(() => {});
    }
  });
});

describe.each<StoreKind>(['memory', 'redis'])('Last-Event-ID against a trimmed log (%s store)', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind, { env: { ROOM_LOG_MAX_EVENTS: '100' } });
  });
  afterAll(() => server.stop());

  it('answers CURSOR_EXPIRED for an id older than the retained log, and resumes exactly from one after the trim', async () => {
    const alice = await server.signIn('alice');
    const roomId = (await server.gql(CREATE_ROOM, { name: 'trimmed' }, alice)).data!.createRoom.id as string;
    for (let i = 0; i < 150; i++) await server.app.services.commands.postMessage({ actorId: 'dev:alice', roomId, body: `m${i}` });
    const log = await server.app.services.store.readForward(toRoomStreamKey(roomId), { count: 1_000 });
    const posts = log.filter((e) => e.type === 'MessagePosted');
    await server.app.services.retention!.run();

    const open = (lastEventId: string) =>
      openEventStream(`${server.url}/graphql`, {
        headers: { cookie: alice, origin: server.origin, 'last-event-id': lastEventId },
        body: { query: ROOM_EVENTS, variables: { roomId } },
      });
    const expired = await open(posts[10]!.cursor);
    await expired.ended;
    expect(codesOf(expired)).toEqual(['CURSOR_EXPIRED']);
    expect(expired.completed).toBe(true);

    const resumed = await open(posts[139]!.cursor);
    await resumed.until(() => postedBodies(resumed).length >= 10);
    expect(postedBodies(resumed)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 140}`));
    resumed.abort();
  });
});

describe('one set of renders for both transports', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('memory');
  });
  afterAll(() => server.stop());

  it('renders each event once for a WebSocket and two SSE subscribers of one document, whatever their resume cursor', async () => {
    const cookie = await server.signIn('alice');
    const roomId = (await server.gql(CREATE_ROOM, { name: 'shared' }, cookie)).data!.createRoom.id as string;
    const bodyOf = (e: RoomEvent) => e.message?.body;
    const overSocket = collect<{ roomEvents: RoomEvent }>(server.wsClient(cookie), ROOM_EVENTS, { roomId, after: null });
    const open = (headers: Record<string, string> = {}) =>
      openEventStream(`${server.url}/graphql`, {
        headers: { cookie, origin: server.origin, ...headers },
        body: { query: ROOM_EVENTS, variables: { roomId, after: '0-0' } },
      });
    const streams = [await open(), await open({ 'last-event-id': '0-0' })];
    const bodies = [
      () => overSocket.results.flatMap((r) => (r.data ? [bodyOf(r.data.roomEvents)] : [])),
      ...streams.map((s) => () => roomEventsOf(s.results()).map(bodyOf)),
    ];
    // Live once a probe reaches all three.
    for (let i = 0; !bodies.every((of) => of().some((b) => b?.startsWith('probe'))); i++) {
      await server.gql(POST, { roomId, body: `probe ${i}` }, cookie);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const scrape = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
    };
    const atStart = await scrape();
    expect(atStart('balloons_subscriptions_active')).toBe(3);
    expect(atStart('balloons_event_streams_open')).toBe(2);
    for (let i = 0; i < 10; i++) await server.gql(POST, { roomId, body: `m${i}` }, cookie);
    for (const of of bodies) {
      for (let waited = 0; !of().includes('m9'); waited++) {
        expect(waited).toBeLessThan(500);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    const atEnd = await scrape();
    expect(atEnd('balloons_subscription_frames_total') - atStart('balloons_subscription_frames_total')).toBe(30);
    expect(atEnd('balloons_subscription_renders_total') - atStart('balloons_subscription_renders_total')).toBe(10);
    overSocket.dispose();
    for (const s of streams) s.abort();
  });
});
