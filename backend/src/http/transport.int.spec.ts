import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { lobbyStreamKey } from '../chat/keys.js';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import {
  type GraphQLResponse,
  collect,
  startTestServer,
  type StoreKind,
  type TestServer,
  operateOverSocket,
} from '../testing/testServer.js';
import { KEEP_ALIVE_TIMEOUT_MS } from './app.js';
import { BODY_LIMIT_BYTES } from './httpUtil.js';
import { type RawResponse, refusedUpgrade } from '../testing/refusedUpgrade.js';

/*
 * The edges of the transports, over real HTTP and real WebSockets: what a broken, oversized,
 * foreign or unauthenticated request gets, and what happens around sign-out, outages and stopping.
 */

const CREATE_ROOM = 'mutation($name: String!) { createRoom(name: $name) { id name } }';
const LOBBY_EVENTS = 'subscription { lobbyEvents { kind room { id name } } }';
const FOREIGN_ORIGIN = 'https://evil.example';
const STACK_LINE = /^\s+at /m;

/** One HTTP request with full control of the body: `chunks` are written one by one (chunked unless content-length is set). */
const rawRequest = (url: string, options: { method?: string; headers?: Record<string, string | number>; chunks?: (string | Buffer)[] }) =>
  new Promise<RawResponse>((resolve, reject) => {
    // A fresh connection each time: after a refused body, the rest of it must not become the next request.
    const req = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      res.on('error', reject);
    });
    // The server may answer (and stop reading) before the whole body is written.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });

/** A JSON error body with no stack trace in it; answers the parsed body. */
const expectJsonError = (response: { status: number; contentType: string | null | undefined; text: string }, status: number) => {
  expect(response.status, response.text).toBe(status);
  expect(response.contentType).toMatch(/^application\/(graphql-response\+)?json\b/);
  expect(response.text).not.toMatch(STACK_LINE);
  expect(response.text).not.toMatch(/\bat [^ ]+ \(\/|node:internal|\.ts:\d+/);
  const body = JSON.parse(response.text) as {
    error?: { code: string; message: string };
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  expect(body.error?.message ?? body.errors?.[0]?.message).toEqual(expect.any(String));
  return body;
};

const fromFetch = async (response: Response) => ({
  status: response.status,
  contentType: response.headers.get('content-type'),
  text: await response.text(),
});
const fromRaw = (response: RawResponse) => ({
  status: response.status,
  contentType: response.headers['content-type'] as string | undefined,
  text: response.text,
});

/** A graphql-ws request body of exactly `size` bytes (the query padded with spaces). */
const paddedGraphQLBody = (size: number, query = '{ me { id } }') => {
  const bare = JSON.stringify({ query });
  const padded = JSON.stringify({ query: query + ' '.repeat(size - bare.length) });
  expect(Buffer.byteLength(padded)).toBe(size);
  return padded;
};

/** A raw graphql-transport-ws socket, acknowledged; `messages` collects what the server sends. */
const openRawSocket = async (url: string, headers: Record<string, string>) => {
  const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
  const messages: { id?: string; type: string; payload?: any }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  let onMessage: (() => void) | null = null;
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    onMessage?.();
  });
  const next = (predicate: (m: (typeof messages)[number]) => boolean) =>
    new Promise<(typeof messages)[number]>((resolve, reject) => {
      const check = () => {
        const found = messages.find(predicate);
        if (found) resolve(found);
      };
      onMessage = check;
      void closed.then(({ code }) => reject(new Error(`socket closed with ${code}`)));
      check();
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await next((m) => m.type === 'connection_ack');
  return { socket, messages, closed, next };
};

/** A graphql-ws client that connects at once and counts its connections and closures. */
const watchedClient = (server: TestServer, cookie?: string) => {
  const events = { connected: 0, closed: [] as number[] };
  let onClosed: ((code: number) => void) | null = null;
  const client = server.wsClient(cookie, {
    lazy: false,
    // Closures are what these tests watch for; the client need not log them.
    onNonLazyError: () => {},
    on: {
      connected: () => void events.connected++,
      closed: (event) => {
        const code = (event as { code: number }).code;
        events.closed.push(code);
        onClosed?.(code);
      },
    },
  });
  const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  return { client, events, connected, closed };
};

/** Polls `check` until it holds (for state outside this process, like a restarted Redis). */
const eventually = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe.each<StoreKind>(['memory', 'redis'])('HTTP and WebSocket edges (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    alice = await server.signIn('alice');
  });
  afterAll(() => server.stop());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.origin, ...headers },
      body,
    });

  describe('HTTP', () => {
    it('answers a malformed or non-GraphQL JSON body with 400 and a JSON error', async () => {
      for (const body of [
        '{',
        '',
        'not json',
        '{"query": "{ me { id } }"',
        '{"query": "{ me { id } }"}}',
        '\u0000',
        'null',
        '"x"',
        '[]',
        '{"query": 1}',
        '{"query": "{ me { id } }", "variables": "x"}',
      ]) {
        const response = await fromFetch(await post('/graphql', body, { cookie: alice }));
        const json = expectJsonError(response, 400);
        expect(json.errors?.[0]?.extensions?.code, body).toBe('BAD_REQUEST');
      }
    });

    it('answers a body that is not JSON with a JSON error', async () => {
      for (const type of ['text/plain', 'application/xml']) {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: '{"query":"{ me { id } }"}',
        });
        expect(expectJsonError(await fromFetch(response), 415).error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
      const notAcceptable = await fetch(`${server.url}/graphql`, { headers: { accept: 'image/png' } });
      expectJsonError(await fromFetch(notAcceptable), 406);
    });

    it('refuses GraphQL from a foreign Origin before running it', async () => {
      const lobby = async () => (await server.app.services.store.streamInfo(lobbyStreamKey)).length;
      const before = await lobby();
      const attempts = [
        { 'content-type': 'application/json', body: JSON.stringify({ query: CREATE_ROOM, variables: { name: 'cross-site' } }) },
        // A form post needs no CORS preflight: only the Origin check stops it.
        {
          'content-type': 'application/x-www-form-urlencoded',
          body: `query=${encodeURIComponent('mutation { createRoom(name: "cross-site") { id } }')}`,
        },
      ];
      for (const { body, ...headers } of attempts) {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { ...headers, cookie: alice, origin: FOREIGN_ORIGIN },
          body,
        });
        expect(expectJsonError(await fromFetch(response), 403).error?.code).toBe('FORBIDDEN_ORIGIN');
      }
      const viaGet = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
        headers: { cookie: alice, origin: FOREIGN_ORIGIN },
      });
      expectJsonError(await fromFetch(viaGet), 403);
      expect(await lobby()).toBe(before);
      // The own origin, and clients that send none, are served.
      for (const origin of [server.origin, undefined]) {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: alice, ...(origin ? { origin } : {}) },
          body: JSON.stringify({ query: '{ me { id } }' }),
        });
        expect(await response.json()).toEqual({ data: { me: { id: 'dev:alice' } } });
      }
    });

    it('answers a body over 64 KiB with 413, whether its length is declared or chunked', async () => {
      for (const path of ['/graphql', '/auth/dev']) {
        const body = paddedGraphQLBody(BODY_LIMIT_BYTES + 1);
        const declared = await rawRequest(`${server.url}${path}`, {
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), origin: server.origin },
          chunks: [body],
        });
        expect(expectJsonError(fromRaw(declared), 413).error?.code).toBe('PAYLOAD_TOO_LARGE');
        const chunks = Array.from({ length: 20 }, (_, i) => body.slice(i * 4096, (i + 1) * 4096)).filter((c) => c.length > 0);
        const chunked = await rawRequest(`${server.url}${path}`, {
          headers: { 'content-type': 'application/json', origin: server.origin },
          chunks,
        });
        expect(expectJsonError(fromRaw(chunked), 413).error?.code).toBe('PAYLOAD_TOO_LARGE');
      }
      // Far over the limit, and a declared length alone: refused without waiting for the body.
      const declaredOnly = await rawRequest(`${server.url}/graphql`, {
        headers: { 'content-type': 'application/json', 'content-length': 10 * 1024 * 1024 },
        chunks: ['{"query":'],
      });
      expectJsonError(fromRaw(declaredOnly), 413);
      // ... and the connection ends rather than reading (or mistaking for a request) the rest.
      expect(declaredOnly.headers.connection).toBe('close');
    });

    it('accepts a body of exactly 64 KiB', async () => {
      const body = paddedGraphQLBody(BODY_LIMIT_BYTES);
      const chunked = await rawRequest(`${server.url}/graphql`, {
        headers: { 'content-type': 'application/json', cookie: alice },
        chunks: [body.slice(0, 1000), body.slice(1000)],
      });
      expect(chunked.status).toBe(200);
      expect(JSON.parse(chunked.text)).toEqual({ data: { me: { id: 'dev:alice' } } });
      const response = await post('/graphql', body, { cookie: alice });
      expect(response.status).toBe(200);
    });

    it('answers unknown paths and methods with a JSON error', async () => {
      for (const [method, path, status] of [
        ['GET', '/nope.js', 404],
        ['POST', '/nope', 404],
        ['GET', '/auth/nope', 404],
        ['POST', '/auth/nope', 404],
        ['GET', '/%E0%A4%A', 404],
        ['GET', '/%E0%A4%A.js', 404],
        ['GET', '/..%2f..%2fpackage.json', 404],
        ['GET', '/assets/..%2f..%2f..%2fpackage.json', 404],
        ['PUT', '/graphql', 405],
        ['DELETE', '/graphql', 405],
        ['GET', '/auth/dev', 405],
      ] as const) {
        const response = await fromFetch(await fetch(`${server.url}${path}`, { method }));
        expectJsonError(response, status);
        expect(response.text).not.toContain('"name": "balloons"');
      }
      // A 405 says what the resource takes (RFC 9110).
      for (const [method, path, allow] of [
        ['PUT', '/graphql', 'GET, POST, OPTIONS'],
        ['GET', '/auth/dev', 'POST'],
        ['POST', '/auth/providers', 'GET, HEAD'],
      ] as const) {
        const response = await fetch(`${server.url}${path}`, { method, redirect: 'manual' });
        expect([response.status, response.headers.get('allow')], `${method} ${path}`).toEqual([405, allow]);
      }
    });

    it('keeps idle keep-alive connections open longer than load balancers do (65 s)', async () => {
      const response = await rawRequest(`${server.url}/healthz`, { method: 'GET', headers: { connection: 'keep-alive' } });
      expect(response.status).toBe(200);
      expect(response.headers['keep-alive']).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
      expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
    });

    it('logs request bodies that clients abandon in one line at most once a minute, never as an unexpected error', async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        const { hostname, port } = new URL(server.url);
        const abandon = () =>
          new Promise<void>((resolve) => {
            const socket = connect(Number(port), hostname, () => {
              socket.write('POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"query":');
              setImmediate(() => socket.destroy());
            });
            socket.on('close', () => resolve());
          });
        for (let i = 0; i < 5; i++) await abandon();
        await vi.waitFor(() => expect(warnings).toHaveBeenCalled());
        // The server answers on: a request after them all is served.
        expect((await server.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
        const lines = warnings.mock.calls.map((call) => String(call[0])).filter((line) => line.startsWith('http:'));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^http: \d+ requests? ended by the client before the body arrived/);
        expect(errors.mock.calls.flat().join(' ')).not.toMatch(/unexpected error|aborted/);
      } finally {
        errors.mockRestore();
        warnings.mockRestore();
      }
    });

    it('answers a request Node cannot parse with a JSON error instead of hanging up', async () => {
      const { host, port } = new URL(server.url);
      const exchange = (raw: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), host.replace(/:\d+$/, ''), () => socket.end(raw));
          let text = '';
          socket.on('data', (chunk) => (text += chunk.toString()));
          socket.on('close', () => resolve(text));
          socket.on('error', reject);
        });
      const cases: [string, number][] = [
        ['GARBAGE\r\n\r\n', 400],
        ['GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400],
        [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`, 431],
      ];
      for (const [raw, status] of cases) {
        const answer = await exchange(raw);
        const [head, body] = answer.split('\r\n\r\n');
        expect(head, raw.slice(0, 40)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(head).toMatch(/content-type: application\/json/i);
        expect(JSON.parse(body!)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }
    });

    it('answers /healthz and /readyz', async () => {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', store: kind });
    });

    it('refuses subscriptions over HTTP with a JSON error unless the client asks for an event stream (SSE, sse.int.spec.ts)', async () => {
      const accepts = ['application/graphql-response+json', 'application/json', 'multipart/mixed', '*/*'];
      for (const accept of accepts) {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept, cookie: alice },
          body: JSON.stringify({ query: LOBBY_EVENTS }),
        });
        const body = expectJsonError(await fromFetch(response), 400);
        expect(body.errors?.[0]?.message, accept).toMatch(/WebSocket .* Server-Sent Events/);
      }
      const streams = [
        ...['text/event-stream', 'text/event-stream, application/json'].map((accept) =>
          fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept, cookie: alice },
            body: JSON.stringify({ query: LOBBY_EVENTS }),
          }),
        ),
        fetch(`${server.url}/graphql?query=${encodeURIComponent(LOBBY_EVENTS)}`, {
          headers: { accept: 'text/event-stream', cookie: alice, 'x-graphql-yoga-csrf': '1' },
        }),
      ];
      for (const response of await Promise.all(streams)) {
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
        await response.body?.cancel();
      }
    });

    it('serves GraphiQL to a browser asking for HTML', async () => {
      const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toMatch(/<title>[^<]*GraphiQL/);
    });

    it('answers the development sign-in with 400 for a bad handle, 403 for a foreign Origin, 405/415 for the wrong request', async () => {
      const bodies = [
        { handle: '' },
        { handle: 'a'.repeat(16) },
        { handle: 'al ice' },
        { handle: 'alice!' },
        { handle: ' alice' },
        { handle: 'ålice' },
        { handle: 'alice\u0000' },
        { handle: 123 },
        { handle: null },
        { handle: ['alice'] },
        {},
        [],
        'alice',
        null,
      ];
      for (const body of bodies) {
        const response = await post('/auth/dev', JSON.stringify(body));
        expect(expectJsonError(await fromFetch(response), 400).error?.code, JSON.stringify(body)).toBe('BAD_USER_INPUT');
        expect(response.headers.getSetCookie()).toEqual([]);
      }
      for (const malformed of ['{', '', '{"handle": "alice"']) {
        const response = await post('/auth/dev', malformed);
        expect(expectJsonError(await fromFetch(response), 400).error?.code).toBe('BAD_REQUEST');
      }
      const foreign = await post('/auth/dev', JSON.stringify({ handle: 'mallory' }), { origin: FOREIGN_ORIGIN });
      expect(expectJsonError(await fromFetch(foreign), 403).error?.code).toBe('FORBIDDEN_ORIGIN');
      expect(foreign.headers.getSetCookie()).toEqual([]);
      const notJson = await fetch(`${server.url}/auth/dev`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: server.origin },
        body: '{"handle":"alice"}',
      });
      expectJsonError(await fromFetch(notJson), 415);
    });

    it('never answers an error with a stack trace', async () => {
      const responses = await Promise.all([
        post('/graphql', '{'),
        post('/graphql', JSON.stringify({ query: '{ nope }' })),
        post('/graphql', JSON.stringify({ query: '{ me { ' })),
        post('/graphql', JSON.stringify({ query: 'query A { me { id } } query B { me { id } }' })),
        post(
          '/graphql',
          JSON.stringify({ query: 'query($n: Int!) { rooms { messages(last: $n) { edges { cursor } } } }', variables: { n: 'x' } }),
        ),
        post('/auth/logout', '{}', { origin: FOREIGN_ORIGIN }),
        fetch(`${server.url}/%E0%A4%A`),
      ]);
      for (const response of responses) {
        const text = await response.text();
        expect(text).not.toMatch(STACK_LINE);
        const body = JSON.parse(text) as { error?: unknown; errors?: unknown[] };
        expect(body.error ?? body.errors?.[0], text).toBeDefined();
      }
    });
  });

  describe('WebSocket', () => {
    it('closes the socket with 1009 when a frame is over 64 KiB, and accepts one of exactly 64 KiB', async () => {
      const { socket, closed, next } = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
      const atLimit = `{"id":"1","type":"subscribe","payload":${paddedGraphQLBody(BODY_LIMIT_BYTES - '{"id":"1","type":"subscribe","payload":}'.length)}}`;
      expect(Buffer.byteLength(atLimit)).toBe(BODY_LIMIT_BYTES);
      socket.send(atLimit);
      expect((await next((m) => m.id === '1' && m.type === 'next')).payload).toEqual({ data: { me: { id: 'dev:alice' } } });

      socket.send(
        `{"id":"2","type":"subscribe","payload":${paddedGraphQLBody(BODY_LIMIT_BYTES + 1 - '{"id":"2","type":"subscribe","payload":}'.length)}}`,
      );
      expect((await closed).code).toBe(1009);
    });

    it('delivers text beyond ASCII intact, also to an operation whose id is not ASCII', async () => {
      const room = (await server.gql(CREATE_ROOM, { name: 'beyond ascii' }, alice)).data!.createRoom as { id: string };
      const { socket, next } = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
      const id = 'abonnement-été-🎈';
      socket.send(
        JSON.stringify({
          id,
          type: 'subscribe',
          payload: {
            query: 'subscription($roomId: ID!) { roomEvents(roomId: $roomId) { ... on MessagePosted { message { body } } } }',
            variables: { roomId: room.id },
          },
        }),
      );
      // The subscription is open once the room shows its presence (the subscriber's own UserJoined).
      await next((m) => m.id === id && m.type === 'next');
      const body = 'héllo wörld — 🎈 中文 ✓';
      await server.gql(
        'mutation($roomId: ID!, $body: String!) { postMessage(roomId: $roomId, body: $body) { id } }',
        { roomId: room.id, body },
        alice,
      );
      const posted = await next((m) => m.id === id && m.type === 'next' && m.payload?.data?.roomEvents?.message !== undefined);
      expect(posted.payload).toEqual({ data: { roomEvents: { message: { body } } } });
      socket.close();
    });

    it('refuses an upgrade from a foreign Origin with 403 before upgrading', async () => {
      for (const origin of [FOREIGN_ORIGIN, 'null', `${server.origin}.evil.example`]) {
        const refused = await refusedUpgrade(server.wsUrl, { origin, cookie: alice });
        expect(refused.status).toBe(403);
        expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'FORBIDDEN_ORIGIN' } });
      }
    });

    it('serves queries to a socket without a cookie, and answers its mutations with UNAUTHENTICATED', async () => {
      const { client } = watchedClient(server);
      expect(await operateOverSocket(client, '{ me { id } }')).toEqual({ data: { me: null } });
      expect((await operateOverSocket(client, '{ rooms { id } }')).data?.rooms).toEqual(expect.any(Array));
      const refused = await operateOverSocket(client, CREATE_ROOM, { name: 'anonymous room' });
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      await client.dispose();
    });

    it('answers a bad document with an error for that operation and keeps the socket open', async () => {
      const watched = watchedClient(server, alice);
      await watched.connected;
      const documents = [
        '{ me { ',
        '}',
        '',
        '{ nope }',
        '{ room { id } }',
        'query($id: ID!) { room(id: $id) { nope } }',
        'subscription { lobbyEvents { kind } roomEvents(roomId: "x") { at } }',
        'query A { me { id } } query B { me { id } }',
        'mutation { createRoom(name: 1) { id } }',
      ];
      for (const query of documents) {
        const result = await operateOverSocket(watched.client, query);
        expect(result.errors?.length, query).toBeGreaterThan(0);
        expect(result.data ?? null, query).toBeNull();
        expect(JSON.stringify(result)).not.toMatch(STACK_LINE);
      }
      // Still the same socket, and it still serves subscriptions.
      const created = (await server.gql(CREATE_ROOM, { name: `after bad documents ${kind}` }, alice)).data!.createRoom as { id: string };
      const lobby = collect(watched.client, 'subscription($after: String) { lobbyEvents(after: $after) { kind room { id } } }', {
        after: '0-0',
      });
      await lobby.until((results) => results.some((r: any) => r.data?.lobbyEvents.room.id === created.id));
      expect(lobby.error).toBeNull();
      expect(lobby.completed).toBe(false);
      expect(watched.events).toEqual({ connected: 1, closed: [] });
      lobby.dispose();
      await watched.client.dispose();
    });

    it("signs out: the cookie no longer authenticates and that session's sockets close, other sessions stay", async () => {
      const session = await server.signIn('alice');
      const other = await server.signIn('alice');
      const signedOut = watchedClient(server, session);
      // Two sockets of one session: the server holds a lone socket and several differently.
      const signedOutToo = watchedClient(server, session);
      const stays = watchedClient(server, other);
      await Promise.all([signedOut.connected, signedOutToo.connected, stays.connected]);

      // A foreign Origin cannot sign anyone out.
      const foreign = await post('/auth/logout', '{}', { cookie: session, origin: FOREIGN_ORIGIN });
      expectJsonError(await fromFetch(foreign), 403);
      expect((await server.gql('{ me { id } }', {}, session)).data).toEqual({ me: { id: 'dev:alice' } });

      const logout = await post('/auth/logout', '{}', { cookie: session });
      expect(logout.status).toBe(200);
      expect(logout.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
      expect(await signedOut.closed).toBe(4401);
      expect(await signedOutToo.closed).toBe(4401);

      expect((await server.gql('{ me { id } }', {}, session)).data).toEqual({ me: null });
      const refused = await server.gql(CREATE_ROOM, { name: 'after logout' }, session);
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      const overNewSocket = watchedClient(server, session);
      expect(
        (await operateOverSocket(overNewSocket.client, CREATE_ROOM, { name: 'after logout' })).errors?.map((e) => e.extensions?.code),
      ).toEqual(['UNAUTHENTICATED']);

      expect((await operateOverSocket(stays.client, '{ me { id } }')).data).toEqual({ me: { id: 'dev:alice' } });
      expect(stays.events).toEqual({ connected: 1, closed: [] });
      await Promise.all([stays.client.dispose(), overNewSocket.client.dispose()]);
    });

    it('ends operations on an open socket whose session was signed out elsewhere', async () => {
      // The socket is closed on logout; an operation racing the close must not run as the old session.
      const session = await server.signIn('alice');
      const { client, connected } = watchedClient(server, session);
      await connected;
      await server.app.services.sessions.invalidateSession(
        (await server.app.services.sessions.validateSessionToken(session.split('=')[1]!))!.id,
      );
      const result = await operateOverSocket(client, CREATE_ROOM, { name: 'after invalidation' });
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      await client.dispose();
    });
  });
});

describe('development sign-in switched off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('memory', { env: { AUTH_DEV_LOGIN: '0' } });
  });
  afterAll(() => server.stop());

  it('answers POST /auth/dev with 404 JSON', async () => {
    const response = await fetch(`${server.url}/auth/dev`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.origin },
      body: JSON.stringify({ handle: 'alice' }),
    });
    expect(expectJsonError(await fromFetch(response), 404).error?.code).toBe('NOT_FOUND');
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('Redis outage', () => {
  let redis: TestRedis;
  let server: TestServer;
  let alice: string;

  beforeAll(async () => {
    // With AOF, sessions and rooms survive the restart.
    redis = await startTestRedis({ appendonly: true });
    server = await startTestServer('redis', { redis });
    alice = await server.signIn('alice');
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.dispose();
  });

  const readyz = async () => {
    const response = await fetch(`${server.url}/readyz`);
    return { response: await fromFetch(response), ok: response.status === 200 };
  };

  it('says not ready and refuses mutations with UNAVAILABLE while Redis is down, then recovers', async () => {
    expect((await readyz()).ok).toBe(true);
    const socket = watchedClient(server, alice);
    await socket.connected;

    await redis.stop();
    const down = await readyz();
    expect(expectJsonError(down.response, 503).error?.code).toBe('UNAVAILABLE');

    for (const [query, variables] of [
      [CREATE_ROOM, { name: 'during the outage' }],
      ['mutation { setStatus(status: BUSY) { status } }', {}],
    ] as const) {
      const overHttp = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: alice },
        body: JSON.stringify({ query, variables }),
      });
      const response = await fromFetch(overHttp);
      expect(response.text).not.toMatch(STACK_LINE);
      const body = JSON.parse(response.text) as GraphQLResponse;
      expect(body.data ?? null).toBeNull();
      expect(
        body.errors?.map((e) => e.extensions?.code),
        response.text,
      ).toEqual(['UNAVAILABLE']);

      const overSocket = await operateOverSocket(socket.client, query, variables);
      expect(overSocket.data ?? null).toBeNull();
      expect(
        overSocket.errors?.map((e) => e.extensions?.code),
        JSON.stringify(overSocket),
      ).toEqual(['UNAVAILABLE']);
    }
    // The outage is the store's, not the socket's: it stays open for when Redis is back.
    expect(socket.events.closed).toEqual([]);
    // Whatever needs the session store says so, in JSON.
    const upgrade = await refusedUpgrade(server.wsUrl, { origin: server.origin, cookie: alice });
    expect(upgrade.status).toBe(503);
    expect(upgrade.text).not.toMatch(STACK_LINE);
    for (const [path, body] of [
      ['/auth/dev', { handle: 'alice' }],
      ['/auth/logout', {}],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.origin, cookie: alice },
        body: JSON.stringify(body),
      });
      expect(expectJsonError(await fromFetch(response), 503).error?.code).toBe('UNAVAILABLE');
    }

    await redis.start();
    await eventually(async () => (await readyz()).ok);
    const ready = await readyz();
    expect(JSON.parse(ready.response.text)).toMatchObject({ status: 'ready', store: 'redis' });
    await eventually(async () => (await server.gql('{ me { id } }', {}, alice)).data?.me?.id === 'dev:alice');
    const created = await server.gql(CREATE_ROOM, { name: 'after the outage' }, alice);
    expect(created.errors).toBeUndefined();
    const overSocket = await operateOverSocket(socket.client, CREATE_ROOM, { name: 'after the outage, over the socket' });
    expect(overSocket.errors).toBeUndefined();
    const rooms = (await server.gql('{ rooms { name } }')).data!.rooms.map((r: { name: string }) => r.name);
    expect(rooms).not.toContain('during the outage');
    await socket.client.dispose();
  });
});

describe.each<StoreKind>(['memory', 'redis'])('graceful stop (%s store)', (kind) => {
  it('finishes a mutation in flight and closes open sockets with 1001', async () => {
    const redis = kind === 'redis' ? await startTestRedis() : undefined;
    try {
      const server = await startTestServer(kind, { redis });
      const cookie = await server.signIn('alice');
      const socket = watchedClient(server, cookie);
      await socket.connected;

      // The request's headers and half its body arrive; the rest comes after stop() was called.
      const body = JSON.stringify({ query: CREATE_ROOM, variables: { name: 'in flight at stop' } });
      const arrived = new Promise<void>((resolve) => server.app.server.once('request', () => resolve()));
      let sendRest!: () => void;
      const response = new Promise<RawResponse>((resolve, reject) => {
        const req = httpRequest(
          `${server.url}/graphql`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), cookie },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 20));
        sendRest = () => req.end(body.slice(20));
      });
      await arrived;

      const stopped = server.app.stop();
      expect(await socket.closed).toBe(1001);
      sendRest();
      const answered = await response;
      expect(answered.status).toBe(200);
      expect(JSON.parse(answered.text)).toMatchObject({ data: { createRoom: { name: 'in flight at stop' } } });
      await stopped;

      // Stopped means stopped: no new connections.
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
      if (redis) {
        // What was answered is in the log.
        const store = await createRedisEventStore({ url: redis.url });
        const events = await store.readForward(lobbyStreamKey, { count: 100 });
        expect(events.map((e) => (e.data as { name: string }).name)).toContain('in flight at stop');
        await store.close();
      }
      await socket.client.dispose();
    } finally {
      await redis?.dispose();
    }
  });
});
