import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as uiDocuments from '../../../frontend/src/graphql/gql/graphql.js';
import { selectsViewerDependentField } from '../graphql/viewerDependent.js';
import { createMemorySessionStore } from '../auth/memorySessionStore.js';
import { createRedisSessionStore } from '../auth/redisSessionStore.js';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../auth/sessionStore.js';
import { readConfig } from '../config.js';
import { lobbyStreamKey, toRoomStreamKey } from '../chat/keys.js';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { type GraphQLResponse, type StoreKind, type TestServer, startTestServer, operateOverSocket } from '../testing/testServer.js';
import { buildApp } from './app.js';
import { createServices } from '../services.js';
import {
  CONNECTION_INIT_TIMEOUT_MS,
  MAX_ANONYMOUS_SOCKETS_PER_ADDRESS,
  MAX_SUBSCRIPTION_COST_PER_SOCKET,
  MAX_SUBSCRIPTIONS_PER_SOCKET,
} from './ws.js';
import { DOCUMENT_LIMITS, createChatYoga } from './yoga.js';
import { refusedUpgrade } from '../testing/refusedUpgrade.js';
import { MAX_UNSENT_BYTES } from './frameWriter.js';
import { MAX_OPERATIONS_IN_FLIGHT } from './graphqlWsServer.js';

/*
 * The public surface under attack, over real HTTP and real WebSockets: oversized and costly
 * documents, cross-site requests, forged and dead sessions, floods, too many sockets and
 * subscriptions. Each attack is refused by one defence; the tests also show the edge that is still
 * allowed, so a limit that is too tight fails here too.
 */

const FOREIGN_ORIGIN = 'https://evil.example';
const CREATE_ROOM = 'mutation($name: String!) { createRoom(name: $name) { id name } }';
const POST = 'mutation($roomId: ID!, $body: String!) { postMessage(roomId: $roomId, body: $body) { id body } }';
const POST_ONCE =
  'mutation($roomId: ID!, $body: String!, $clientId: String) { postMessage(roomId: $roomId, body: $body, clientId: $clientId) { id body } }';
const LOBBY_EVENTS = 'subscription { lobbyEvents { kind } }';

type Transport = 'http' | 'ws';
type Message = { id?: string; type: string; payload?: any };

/** A raw graphql-transport-ws socket; `init` sends connection_init and waits for the ack. */
const openRawSocket = async (url: string, headers: Record<string, string>, init = true) => {
  const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
  const messages: Message[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as Message);
    for (const wake of waiters) wake();
  });
  socket.on('error', () => {});
  const next = (predicate: (m: Message) => boolean) =>
    new Promise<Message>((resolve, reject) => {
      const check = () => {
        const found = messages.find(predicate);
        if (!found) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      void closed.then(({ code }) => reject(new Error(`socket closed with ${code}`)));
      check();
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  if (init) {
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await next((m) => m.type === 'connection_ack');
  }
  const subscribe = (id: string, query: string, variables: Record<string, unknown> = {}) =>
    socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  /** The first `next` or `error` of the operation. */
  const result = (id: string) => next((m) => m.id === id && (m.type === 'next' || m.type === 'error'));
  return { socket, messages, closed, next, subscribe, result };
};

/** The first error code of a graphql-ws `next` (execution errors) or `error` (refused operation) message. */
const toCode = (message: Message): string | undefined =>
  (message.type === 'error' ? message.payload[0] : message.payload.errors?.[0])?.extensions?.code;

const codes = (result: GraphQLResponse<any>) => result.errors?.map((e) => e.extensions?.code);

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds. */
const eventually = async (check: () => Promise<boolean> | boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await wait(20);
  }
};

/** `{ rooms { messages { edges { node { room { … { __typename } } } } } } }`, exactly `depth` fields deep. */
const nested = (depth: number) => {
  // One message a page: deep, not costly.
  const cycle = ['messages(last: 1)', 'edges', 'node', 'room'];
  const fields = ['rooms'];
  while (fields.length < depth - 1) fields.push(cycle[(fields.length - 1) % cycle.length]!);
  return `{ ${fields.join(' { ')} { __typename }${' }'.repeat(fields.length)}`;
};
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
const directives = (n: number) => `{ me { ${'id @skip(if: false) '.repeat(n)}} }`;
/** Exactly `n` lexical tokens (n ≥ 14, n even: 14 + 2k; odd: 13 + 2k). */
const tokens = (n: number) =>
  n % 2 === 0
    ? `{ me { id __typename ${'...F '.repeat((n - 14) / 2)}} } fragment F on User { id }`
    : `{ me { id ${'...F '.repeat((n - 13) / 2)}} } fragment F on User { id }`;
const COSTLY = `{ rooms { messages(last: 100) { edges { node { ...M } } } } }
fragment U on User { id handle displayName avatarUrl status }
fragment M on Message { id body createdAt author { ...U } room { id name createdBy { ...U } online { ...U } } }`;

describe('document limits, over HTTP and the WebSocket', () => {
  let server: TestServer;
  let alice: string;
  let client: Client;

  beforeAll(async () => {
    server = await startTestServer('memory');
    alice = await server.signIn('alice');
    client = server.wsClient(alice);
  });
  afterAll(() => server.stop());

  const send = (transport: Transport, query: string) =>
    transport === 'http' ? server.gql(query, {}, alice) : operateOverSocket(client, query);

  const ATTACKS: [string, string][] = [
    ['depth 50', nested(50)],
    ['depth 9', nested(DOCUMENT_LIMITS.maxDepth + 1)],
    ['1000 aliases', aliases(1000)],
    ['11 aliases', aliases(DOCUMENT_LIMITS.maxAliases + 1)],
    ['11 directives', directives(DOCUMENT_LIMITS.maxDirectives + 1)],
    ['1001 tokens', tokens(DOCUMENT_LIMITS.maxTokens + 1)],
    ['a costly document of few tokens (fragments spread across lists)', COSTLY],
  ];
  const AT_THE_LIMIT: [string, string][] = [
    ['depth 8', nested(DOCUMENT_LIMITS.maxDepth)],
    ['10 aliases', aliases(DOCUMENT_LIMITS.maxAliases)],
    ['10 directives', directives(DOCUMENT_LIMITS.maxDirectives)],
    ['1000 tokens', tokens(DOCUMENT_LIMITS.maxTokens)],
  ];

  describe.each<Transport>(['http', 'ws'])('over %s', (transport) => {
    it.each(ATTACKS)('refuses %s with QUERY_TOO_COMPLEX, running nothing', async (_name, query) => {
      const result = await send(transport, query);
      expect(result.data ?? null).toBeNull();
      expect(codes(result)).toContain('QUERY_TOO_COMPLEX');
      expect(result.errors![0]!.message).toMatch(/limit of \d+ exceeded/);
    });

    it.each(AT_THE_LIMIT)('accepts %s', async (_name, query) => {
      const result = await send(transport, query);
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    });
  });

  it('answers the refusal over HTTP with 400 JSON, and keeps the socket open', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', cookie: alice },
      body: JSON.stringify({ query: nested(50) }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    for (const [, query] of ATTACKS) await operateOverSocket(client, query);
    expect((await operateOverSocket(client, '{ me { id } }')).data).toEqual({ me: { id: 'dev:alice' } });
  });

  it('lets every document of the UI through', () => {
    const yoga = createChatYoga(readConfig({}), server.app.services);
    const { schema, parse, validate } = yoga.getEnveloped({ viewer: null, transport: 'ws' });
    const documents = Object.entries(uiDocuments).filter(([name]) => name.endsWith('Document'));
    expect(documents.length).toBeGreaterThanOrEqual(10);
    for (const [name, document] of documents) {
      expect(
        validate(schema, parse(print(document as never))).map((e: { message: string }) => e.message),
        name,
      ).toEqual([]);
    }
  });

  it("keeps the UI's live documents shared: no subscription of the UI selects a field that depends on who asks", () => {
    const yoga = createChatYoga(readConfig({}), server.app.services);
    const { schema, parse } = yoga.getEnveloped({ viewer: null, transport: 'ws' });
    const subscriptions = Object.entries(uiDocuments).filter(
      ([name, document]) =>
        name.endsWith('Document') &&
        print(document as never)
          .trimStart()
          .startsWith('subscription'),
    );
    expect(subscriptions.map(([name]) => name)).toContain('RoomEventsDocument');
    for (const [name, document] of subscriptions) {
      // The inbox is a person's own: its events are rendered per viewer whatever it selects.
      if (name === 'InboxDocument') continue;
      expect(selectsViewerDependentField(schema, parse(print(document as never))), name).toBe(false);
    }
  });

  it('keeps HTTP statuses out of WebSocket errors, with the same code as over HTTP', async () => {
    const overHttp = await server.gql('{ me { nope } }', {}, alice);
    const overSocket = await operateOverSocket(server.wsClient(alice), '{ me { nope } }');
    expect(overHttp.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(overSocket.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('answers a syntax error and an unknown operationName with the same code over HTTP and the WebSocket', async () => {
    const cases: [string, string | undefined, string][] = [
      ['{ me {', undefined, 'GRAPHQL_PARSE_FAILED'],
      ['query A { me { id } }', 'B', 'OPERATION_RESOLUTION_FAILURE'],
      ['query A { me { id } } query B { me { id } }', undefined, 'OPERATION_RESOLUTION_FAILURE'],
    ];
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
    for (const [i, [query, operationName, code]] of cases.entries()) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.origin, cookie: alice },
        body: JSON.stringify({ query, operationName }),
      });
      const overHttp = (await response.json()) as GraphQLResponse;
      expect(overHttp.errors?.[0]?.extensions?.code, query).toBe(code);
      raw.socket.send(JSON.stringify({ id: `c${i}`, type: 'subscribe', payload: { query, operationName } }));
      const overSocket = await raw.result(`c${i}`);
      expect(toCode(overSocket), query).toBe(code);
      expect(overSocket.payload[0].message).toBe(overHttp.errors![0]!.message);
    }
    raw.socket.close();
  });

  it('closes with 4400 on a double-encoded frame, as graphql-ws does', async () => {
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice }, false);
    raw.socket.send(JSON.stringify(JSON.stringify({ type: 'connection_init' })));
    expect((await raw.closed).code).toBe(4400);
    expect(raw.messages).toEqual([]);
  });

  it('refuses a batch (an array of operations) over HTTP', async () => {
    const before = (await server.app.services.store.streamInfo(lobbyStreamKey)).length;
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: alice },
      body: JSON.stringify([
        { query: CREATE_ROOM, variables: { name: 'batched 1' } },
        { query: CREATE_ROOM, variables: { name: 'batched 2' } },
      ]),
    });
    expect(response.status).toBe(400);
    expect((await server.app.services.store.streamInfo(lobbyStreamKey)).length).toBe(before);
  });

  it('refuses a 1 MB query: 413 over HTTP, the socket closed with 1009', async () => {
    const query = `{ me { id } }${' '.repeat(1024 * 1024)}`;
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: alice },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
    raw.subscribe('big', query);
    expect((await raw.closed).code).toBe(1009);
  });

  it('closes the socket with 1009 on a 100 KB frame', async () => {
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
    raw.socket.send('x'.repeat(100 * 1024));
    expect((await raw.closed).code).toBe(1009);
  });

  it('answers introspection and shows field suggestions outside production', async () => {
    const introspection = await server.gql('{ __schema { queryType { name } } }');
    expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const typo = await server.gql('{ mee { id } }');
    expect(typo.errors?.[0]?.message).toMatch(/Did you mean "me"\?/);
  });
});

describe('production: introspection off when asked, suggestions hidden', () => {
  const start = (env: Record<string, string>) =>
    startTestServer('memory', { env: { NODE_ENV: 'production', AUTH_DEV_LOGIN: '1', ...env } });

  it('refuses introspection over HTTP and the WebSocket with GRAPHQL_INTROSPECTION=0', async () => {
    const server = await start({ GRAPHQL_INTROSPECTION: '0' });
    try {
      const client = server.wsClient();
      for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Room") { fields { name } } }']) {
        for (const result of [await server.gql(query), await operateOverSocket(client, query)]) {
          expect(result.data ?? null).toBeNull();
          expect(result.errors?.[0]?.message).toMatch(/introspection/i);
        }
      }
      // __typename is not introspection of the schema, and ordinary queries still run.
      expect((await server.gql('{ __typename me { id } }')).data).toEqual({ __typename: 'Query', me: null });
      const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toMatch(/GraphiQL/);
    } finally {
      await server.stop();
    }
  });

  it('keeps introspection (GraphiQL) in production unless told, and hides suggestions', async () => {
    const server = await start({});
    try {
      expect((await server.gql('{ __schema { queryType { name } } }')).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      for (const result of [await server.gql('{ mee { id } }'), await operateOverSocket(server.wsClient(), '{ mee { id } }')]) {
        expect(result.errors?.[0]?.message).toMatch(/Cannot query field "mee"/);
        expect(result.errors?.[0]?.message).not.toMatch(/Did you mean/);
      }
      // Enum values too, written in the document or sent as a variable: no "Did you mean MODERATOR?".
      const cookie = await server.signIn('alice');
      const literal = 'mutation { setRole(roomId: "r", userId: "u", role: MODERATR) { role } }';
      const variable = 'mutation($role: RoomRole!) { setRole(roomId: "r", userId: "u", role: $role) { role } }';
      const socket = server.wsClient(cookie);
      for (const result of [
        await server.gql(literal, {}, cookie),
        await server.gql(variable, { role: 'MODERATR' }, cookie),
        await operateOverSocket(socket, literal),
        await operateOverSocket(socket, variable, { role: 'MODERATR' }),
      ]) {
        expect(result.errors?.[0]?.message).toMatch(/"MODERATR" does not exist in "RoomRole"/);
        expect(result.errors?.[0]?.message).not.toMatch(/Did you mean|MODERATOR/);
      }
    } finally {
      await server.stop();
    }
  });
});

describe('cross-site requests: CSRF, CORS and headers', () => {
  let server: TestServer;
  let alice: string;

  beforeAll(async () => {
    server = await startTestServer('memory', { env: { ALLOWED_ORIGINS: 'http://localhost:0,https://ui.example' } });
    alice = await server.signIn('alice');
  });
  afterAll(() => server.stop());

  const lobbyLength = async () => (await server.app.services.store.streamInfo(lobbyStreamKey)).length;

  it('refuses requests a page could send without a preflight, unless they carry the CSRF header', async () => {
    const before = await lobbyLength();
    // No Origin: some browsers omit it; the CSRF check is what stops these then.
    const simple = [
      fetch(`${server.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, { headers: { cookie: alice } }),
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { cookie: alice, 'content-type': 'application/x-www-form-urlencoded' },
        body: `query=${encodeURIComponent('mutation { createRoom(name: "csrf") { id } }')}`,
      }),
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { cookie: alice, 'content-type': 'multipart/form-data; boundary=x' },
        body: '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"mutation { createRoom(name: \\"csrf\\") { id } }"}\r\n--x--\r\n',
      }),
    ];
    for (const response of await Promise.all(simple)) {
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { errors: { message: string; extensions?: { code?: string } }[] };
      expect(body.errors[0]!.message).toMatch(/CSRF/);
      // A code like every other refusal's, for clients that switch on it.
      expect(body.errors[0]!.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await lobbyLength()).toBe(before);
    // What the UI and GraphiQL send passes: JSON bodies, or a GET with the header.
    const json = await server.gql('{ me { id } }', {}, alice);
    expect(json.data).toEqual({ me: { id: 'dev:alice' } });
    const withHeader = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
      headers: { cookie: alice, 'x-graphql-yoga-csrf': '1' },
    });
    expect(await withHeader.json()).toEqual({ data: { me: { id: 'dev:alice' } } });
  });

  it('answers a CORS preflight from a foreign origin without Access-Control-Allow-Origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    for (const origin of [FOREIGN_ORIGIN, 'null', 'http://localhost:0.evil.example', 'https://ui.example.evil.example']) {
      const response = await preflight(origin);
      expect(response.status, origin).toBe(403);
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(response.headers.get('access-control-allow-credentials'), origin).toBeNull();
    }
    for (const origin of ['http://localhost:0', 'https://ui.example']) {
      const response = await preflight(origin);
      expect(response.status).toBeLessThan(300);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    }
    // A request from a foreign page never gets its origin reflected either.
    const foreign = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { origin: FOREIGN_ORIGIN, 'content-type': 'application/json' },
      body: '{"query":"{ me { id } }"}',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the UI with a Content-Security-Policy and the other security headers', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = Object.fromEntries(
      response.headers
        .get('content-security-policy')!
        .split(';')
        .map((d) => {
          const [name, ...sources] = d.trim().split(/\s+/);
          return [name, sources];
        }),
    );
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['connect-src']).toEqual(["'self'", 'ws://localhost:0']);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'self'"]);
    expect(csp['img-src']).toContain('https://pbs.twimg.com');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    // Every answer carries them, JSON included.
    const json = await fetch(`${server.url}/healthz`);
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    expect(json.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
  });

  it("gives GraphiQL's page a policy that admits exactly its own inline scripts", async () => {
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    const policy = response.headers.get('content-security-policy')!;
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline.length).toBeGreaterThan(0);
    for (const script of inline) expect(policy).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(policy).toMatch(/frame-ancestors 'none'/);
    expect(policy).toMatch(/connect-src 'self' ws:\/\/localhost:0/);
  });
});

describe('https PUBLIC_URL', () => {
  it('sets the __Host- cookie with Secure, HSTS, and wss:// in the policy', async () => {
    const server = await startTestServer('memory', { env: { PUBLIC_URL: 'https://chat.example' } });
    try {
      const response = await fetch(`${server.url}/auth/dev`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://chat.example' },
        body: JSON.stringify({ handle: 'alice' }),
      });
      expect(response.headers.getSetCookie()[0]).toMatch(
        /^__Host-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/,
      );
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('content-security-policy')).toMatch(/connect-src 'self' wss:\/\/chat\.example/);
    } finally {
      await server.stop();
    }
  });
});

describe.each<StoreKind>(['memory', 'redis'])('sessions that are missing, forged, expired or signed out (%s store)', (kind) => {
  let redis: TestRedis | null = null;
  let clock = Date.now();
  let url: string;
  let stop: () => Promise<void>;
  const origin = 'http://localhost:0';

  beforeAll(async () => {
    redis = kind === 'redis' ? await startTestRedis() : null;
    const config = readConfig({ PORT: '0', RATE_LIMITS: '0', ...(redis ? { REDIS_URL: redis.url } : {}) });
    const services = await createServices({ redisUrl: config.redisUrl, presence: config.presence, rateLimits: false });
    // The same stores, on a clock this test moves.
    const sessionRedis = redis ? new Redis(redis.url) : null;
    services.sessions = sessionRedis
      ? createRedisSessionStore({ redis: sessionRedis, now: () => clock })
      : createMemorySessionStore({ now: () => clock });
    const app = await buildApp(config, services);
    url = await app.start();
    stop = async () => {
      await app.stop();
      sessionRedis?.disconnect();
      await redis?.dispose();
    };
  });
  afterAll(() => stop());

  const signIn = async (handle: string) => {
    const response = await fetch(`${url}/auth/dev`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ handle }),
    });
    return response.headers.getSetCookie()[0]!.split(';')[0]!;
  };
  const gql = async (query: string, cookie?: string) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as GraphQLResponse<any>;
  };
  const wsUrl = () => `${url.replace(/^http/, 'ws')}/graphql`;

  /** Refused everywhere a session is needed; served as signed out where none is. */
  const expectNoSession = async (cookie: string | undefined, label: string) => {
    expect((await gql('{ me { id } }', cookie)).data, label).toEqual({ me: null });
    expect(codes(await gql('mutation { createRoom(name: "intruder") { id } }', cookie)), label).toEqual(['UNAUTHENTICATED']);
    const raw = await openRawSocket(wsUrl(), { origin, ...(cookie ? { cookie } : {}) });
    raw.subscribe('me', '{ me { id } }');
    expect((await raw.result('me')).payload, label).toEqual({ data: { me: null } });
    raw.subscribe('m', 'mutation { createRoom(name: "intruder") { id } }');
    expect(toCode(await raw.result('m')), label).toBe('UNAUTHENTICATED');
    raw.subscribe('s', LOBBY_EVENTS);
    expect(toCode(await raw.result('s')), label).toBe('UNAUTHENTICATED');
    raw.socket.close();
  };

  it('refuses no cookie and forged cookies', async () => {
    const real = await signIn('alice');
    const name = real.split('=')[0]!;
    const token = real.split('=')[1]!;
    const forged = [
      undefined,
      `${name}=${'A'.repeat(43)}`,
      `${name}=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
      `${name}=${createHash('sha256').update(token).digest('hex')}`,
      `${name}=${token}x`,
      `${name}=`,
      `${name}=${'A'.repeat(10_000)}`,
      `${name}="${token}`,
      `other=${token}`,
    ];
    for (const cookie of forged) await expectNoSession(cookie, String(cookie).slice(0, 60));
    expect((await gql('{ me { id } }', real)).data).toEqual({ me: { id: 'dev:alice' } });
  });

  it('refuses a session idle for 7 days, and one 30 days old however busy', async () => {
    const idle = await signIn('alice');
    clock += SESSION_IDLE_MS - 60_000;
    expect((await gql('{ me { id } }', idle)).data).toEqual({ me: { id: 'dev:alice' } });
    clock += SESSION_IDLE_MS + 1;
    await expectNoSession(idle, 'idle');

    const busy = await signIn('alice');
    const started = clock;
    while (clock - started < SESSION_ABSOLUTE_MS - 24 * 3600_000) {
      clock += 24 * 3600_000;
      expect((await gql('{ me { id } }', busy)).data).toEqual({ me: { id: 'dev:alice' } });
    }
    clock = started + SESSION_ABSOLUTE_MS;
    await expectNoSession(busy, 'absolute');
  });

  it('checks the session again for every operation on a socket opened before it expired', async () => {
    // Expiry broadcasts nothing: only the check per operation stops a socket that outlives its session.
    const cookie = await signIn('alice');
    const raw = await openRawSocket(wsUrl(), { origin, cookie });
    raw.subscribe('before', '{ me { id } }');
    expect((await raw.result('before')).payload).toEqual({ data: { me: { id: 'dev:alice' } } });
    clock += SESSION_ABSOLUTE_MS;
    raw.subscribe('after', 'mutation { createRoom(name: "after expiry") { id } }');
    expect(toCode(await raw.result('after'))).toBe('UNAUTHENTICATED');
    raw.subscribe('sub', LOBBY_EVENTS);
    expect(toCode(await raw.result('sub'))).toBe('UNAUTHENTICATED');
    raw.socket.close();
  });

  it("finds the session cookie among the site's other cookies, on a socket's every operation", async () => {
    // A socket keeps only the session cookie of its upgrade's Cookie header, to check the session
    // again at each operation; the rest (here 8 KB of another app's cookies) is not kept.
    const real = await signIn('alice');
    const cookie = `analytics=${'x'.repeat(8_000)}; ${real}; theme=dark`;
    const raw = await openRawSocket(wsUrl(), { origin, cookie });
    for (const id of ['first', 'second']) {
      raw.subscribe(id, '{ me { id } }');
      expect((await raw.result(id)).payload).toEqual({ data: { me: { id: 'dev:alice' } } });
    }
    raw.subscribe('write', 'mutation { createRoom(name: "among cookies") { id } }');
    expect((await raw.result('write')).payload).toMatchObject({ data: { createRoom: { id: expect.any(String) } } });
    raw.socket.close();
  });

  it('refuses a signed-out cookie, replayed after the sign-out', async () => {
    const cookie = await signIn('alice');
    const logout = await fetch(`${url}/auth/logout`, { method: 'POST', headers: { origin, cookie } });
    expect(logout.status).toBe(200);
    await expectNoSession(cookie, 'signed out');
  });

  it('gives a new token at every sign-in', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 5; i++) tokens.add(await signIn('alice'));
    expect(tokens.size).toBe(5);
  });
});

describe('WebSocket upgrades and connections', () => {
  let server: TestServer;
  let alice: string;

  beforeAll(async () => {
    server = await startTestServer('memory');
    alice = await server.signIn('alice');
  });
  afterAll(() => server.stop());

  it('refuses a foreign Origin with 403 before upgrading', async () => {
    for (const origin of [FOREIGN_ORIGIN, 'null', `${server.origin}.evil.example`, server.origin.toUpperCase()]) {
      const refused = await refusedUpgrade(server.wsUrl, { origin, cookie: alice });
      expect(refused.status, origin).toBe(403);
      expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'FORBIDDEN_ORIGIN' } });
    }
  });

  it(`closes a socket that sends no connection_init within ${CONNECTION_INIT_TIMEOUT_MS} ms (4408)`, async () => {
    const started = Date.now();
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice }, false);
    const { code } = await raw.closed;
    expect(code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECTION_INIT_TIMEOUT_MS - 100);
    expect(Date.now() - started).toBeLessThan(CONNECTION_INIT_TIMEOUT_MS + 1500);
  }, 10_000);

  it(`answers the ${MAX_SUBSCRIPTIONS_PER_SOCKET + 1}th subscription on one socket with TOO_MANY_SUBSCRIPTIONS, and frees slots as they end`, async () => {
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
    for (let i = 1; i <= MAX_SUBSCRIPTIONS_PER_SOCKET; i++) raw.subscribe(`s${i}`, LOBBY_EVENTS);
    // Queries do not hold a slot.
    raw.subscribe('q', '{ me { id } }');
    expect((await raw.result('q')).payload).toEqual({ data: { me: { id: 'dev:alice' } } });
    raw.subscribe('s26', LOBBY_EVENTS);
    const refused = await raw.result('s26');
    expect(refused.type).toBe('error');
    expect(refused.payload[0].extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', max: MAX_SUBSCRIPTIONS_PER_SOCKET });
    expect(raw.messages.filter((m) => m.type === 'error' && m.id !== 's26')).toEqual([]);
    // Ending one makes room for one more; the socket stayed open all along.
    raw.socket.send(JSON.stringify({ id: 's1', type: 'complete' }));
    raw.subscribe('s27', LOBBY_EVENTS);
    raw.subscribe('s28', LOBBY_EVENTS);
    const [s27, s28] = await Promise.race([
      raw.result('s28').then(async (m) => [raw.messages.find((x) => x.id === 's27'), m]),
      wait(2_000).then(() => [undefined, undefined]),
    ]);
    expect(s27).toBeUndefined();
    expect(s28?.payload[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    // The lobby events still arrive on the open subscriptions.
    await server.gql(CREATE_ROOM, { name: 'seen by 25' }, alice);
    await raw.next((m) => m.id === 's27' && m.type === 'next');
    raw.socket.close();
  });
});

describe('what one socket may make the server hold', () => {
  let server: TestServer;
  let alice: string;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer('memory');
    alice = await server.signIn('alice');
    roomId = (await server.gql(CREATE_ROOM, { name: 'heavy pages' }, alice)).data!.createRoom.id;
    // A page of these answers about 1.6 MB.
    for (let i = 0; i < 100; i++) await server.gql(POST, { roomId, body: `${i} ${'🎈'.repeat(3_990)}` }, alice);
  });
  afterAll(() => server.stop());

  const openSockets = async () => Number(/^balloons_websockets_open (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())![1]);

  it(`closes a socket that does not read what it asked for once ${MAX_UNSENT_BYTES / 1024 / 1024} MiB wait to be sent, queries included`, async () => {
    const before = await openSockets();
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
    expect(await openSockets()).toBe(before + 1);
    // The client stops reading: answers pile up at the server.
    (raw.socket as unknown as { _socket: Duplex })._socket.pause();
    const page = 'query($id: ID!) { room(id: $id) { messages(last: 100) { edges { node { body } } } } }';
    let sent = 0;
    // Before the limit, this kept all of it (8 × 5 pages are 64 MB), and the socket stayed open.
    // (The server's close is seen here a second later, once it cuts the socket that does not read its close frame either.)
    for (let batch = 0; batch < 8 && (await openSockets()) > before; batch++) {
      for (let i = 0; i < 5; i++) raw.subscribe(`q${sent++}`, page, { id: roomId });
    }
    await eventually(async () => (await openSockets()) === before, 5_000);
    expect(sent * 1_600 * 1024).toBeGreaterThan(MAX_UNSENT_BYTES);
  });

  it(`answers operations past ${MAX_OPERATIONS_IN_FLIGHT} under way on one socket with RATE_LIMITED at once, and keeps the socket`, async () => {
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
    const tcp = (raw.socket as unknown as { _socket: Duplex })._socket;
    // All in one write, so they arrive together, before any is answered.
    tcp.cork();
    for (let i = 0; i < MAX_OPERATIONS_IN_FLIGHT + 10; i++) raw.subscribe(`o${i}`, '{ me { id } }');
    tcp.uncork();
    const results = await Promise.all(Array.from({ length: MAX_OPERATIONS_IN_FLIGHT + 10 }, (_, i) => raw.result(`o${i}`)));
    const refused = results.filter((message) => toCode(message) === 'RATE_LIMITED');
    expect(refused).toHaveLength(10);
    for (const message of refused) {
      expect(message.type).toBe('error');
      expect(message.payload[0].extensions.retryAfterMs).toBeGreaterThan(0);
    }
    expect(results.filter((message) => message.type === 'next')).toHaveLength(MAX_OPERATIONS_IN_FLIGHT);
    raw.subscribe('later', '{ me { id } }');
    expect((await raw.result('later')).payload).toEqual({ data: { me: { id: 'dev:alice' } } });
    raw.socket.close();
  });
});

describe.each<StoreKind>(['memory', 'redis'])('sockets per user (%s store)', (kind) => {
  let redis: TestRedis | null = null;
  let servers: TestServer[];

  beforeAll(async () => {
    redis = kind === 'redis' ? await startTestRedis() : null;
    // Two instances on one Redis: the limit holds across them. Memory: one instance.
    servers =
      kind === 'redis'
        ? await Promise.all([0, 1].map(() => startTestServer('redis', { redis: redis! })))
        : [await startTestServer('memory')];
  });
  afterAll(async () => {
    for (const server of servers ?? []) await server.stop();
    await redis?.dispose();
  });

  it('accepts 10 sockets for one user, refuses the 11th with 429, and takes one again after a close', async () => {
    const alice = await servers[0]!.signIn('alice');
    const bob = await servers[0]!.signIn('bob');
    const on = (i: number) => servers[i % servers.length]!;
    const sockets = [];
    for (let i = 0; i < 10; i++) sockets.push(await openRawSocket(on(i).wsUrl, { origin: on(i).origin, cookie: alice }));
    for (const server of servers) {
      const refused = await refusedUpgrade(server.wsUrl, { origin: server.origin, cookie: alice });
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'TOO_MANY_CONNECTIONS' } });
    }
    // Another session of the same user counts too; other users and anonymous sockets do not.
    const aliceAgain = await servers[0]!.signIn('alice');
    expect((await refusedUpgrade(on(1).wsUrl, { origin: on(1).origin, cookie: aliceAgain })).status).toBe(429);
    const others = [
      await openRawSocket(on(1).wsUrl, { origin: on(1).origin, cookie: bob }),
      await openRawSocket(on(1).wsUrl, { origin: on(1).origin }),
    ];
    sockets[3]!.socket.close();
    await sockets[3]!.closed;
    let again: Awaited<ReturnType<typeof openRawSocket>> | undefined;
    await eventually(async () => {
      again = await openRawSocket(on(1).wsUrl, { origin: on(1).origin, cookie: alice }).catch(() => undefined);
      return again !== undefined;
    });
    for (const raw of [...sockets, ...others, again!]) raw.socket.close();
  });
});

describe('anonymous sockets per client address', () => {
  let server: TestServer;
  // Behind one trusted proxy, so that the test can speak for two client addresses.
  beforeAll(async () => {
    server = await startTestServer('memory', { env: { TRUST_PROXY_HOPS: '1' } });
  });
  afterAll(() => server.stop());

  it(`accepts ${MAX_ANONYMOUS_SOCKETS_PER_ADDRESS} from one address, refuses the next with 429, and takes one again after a close`, async () => {
    const from = (address: string) => ({ origin: server.origin, 'x-forwarded-for': address });
    const sockets = [];
    for (let i = 0; i < MAX_ANONYMOUS_SOCKETS_PER_ADDRESS; i++) sockets.push(await openRawSocket(server.wsUrl, from('203.0.113.1')));
    const refused = await refusedUpgrade(server.wsUrl, from('203.0.113.1'));
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'TOO_MANY_CONNECTIONS' } });
    // Another address, and a signed-in user at the same address, are not held up by it.
    const alice = await server.signIn('alice');
    const others = [
      await openRawSocket(server.wsUrl, from('203.0.113.2')),
      await openRawSocket(server.wsUrl, { ...from('203.0.113.1'), cookie: alice }),
    ];
    sockets[5]!.socket.close();
    await sockets[5]!.closed;
    let again: Awaited<ReturnType<typeof openRawSocket>> | undefined;
    await eventually(async () => {
      again = await openRawSocket(server.wsUrl, from('203.0.113.1')).catch(() => undefined);
      return again !== undefined;
    });
    for (const raw of [...sockets, ...others, again!]) raw.socket.close();
  });
});

describe.each<StoreKind>(['memory', 'redis'])('rate limits (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer(kind, { env: { RATE_LIMITS: '1' } });
    alice = await server.signIn('alice');
    roomId = (await server.gql(CREATE_ROOM, { name: `flooded ${kind}` }, alice)).data!.createRoom.id;
  });
  afterAll(() => server.stop());

  const roomLength = async () => (await server.app.services.store.streamInfo(toRoomStreamKey(roomId))).length;

  /** Accepted posts of a flood that took `elapsedMs`: 10, plus one per whole second of the steady rate. */
  const expectTen = (accepted: number, elapsedMs: number) => {
    if (elapsedMs < 1000) expect(accepted).toBe(10);
    else expect(accepted).toBeGreaterThanOrEqual(10);
    expect(accepted).toBeLessThanOrEqual(10 + Math.ceil(elapsedMs / 1000));
  };

  const expectRefused = (refused: GraphQLResponse<any>[]) => {
    for (const result of refused) {
      expect(result.data?.postMessage ?? null).toBeNull();
      const retryAfterMs = result.errors![0]!.extensions!.retryAfterMs as number;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(1000);
    }
  };

  it('accepts 10 of a flood of 100 posts sent at once on a socket, refuses the rest with RATE_LIMITED, appends nothing for them', async () => {
    const before = await roomLength();
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
    const started = Date.now();
    for (let i = 0; i < 100; i++) raw.subscribe(`p${i}`, POST, { roomId, body: `flood ${i}` });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => raw.result(`p${i}`)));
    const elapsed = Date.now() - started;
    raw.socket.close();
    const accepted = results.filter((m) => m.payload.data?.postMessage);
    const refused = results.filter((m) => toCode(m) === 'RATE_LIMITED');
    expectTen(accepted.length, elapsed);
    expect(refused.length).toBe(100 - accepted.length);
    // Refused by the post limit (an execution error), or, past the operations a socket may have under way, before running (an `error` message).
    expectRefused(refused.map((m) => (m.type === 'error' ? { errors: m.payload } : m.payload) as GraphQLResponse<any>));
    expect(await roomLength()).toBe(before + accepted.length);
    // Another user is not slowed down by it.
    const bob = await server.signIn('bob');
    expect((await server.gql(POST, { roomId, body: 'unaffected' }, bob)).data?.postMessage.body).toBe('unaffected');
  });

  it('limits every other write too: a flood of edits over HTTP gets 10 through and RATE_LIMITED with a wait for the rest, appending nothing for them', async () => {
    const erin = await server.signIn('erin');
    const message = (await server.gql(POST, { roomId, body: 'to be edited' }, erin)).data!.postMessage;
    const before = await roomLength();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        server.gql('mutation($id: ID!, $b: String!) { editMessage(id: $id, body: $b) { body } }', { id: message.id, b: `edit ${i}` }, erin),
      ),
    );
    const accepted = results.filter((r) => r.data?.editMessage);
    const refused = results.filter((r) => codes(r)?.[0] === 'RATE_LIMITED');
    expect(accepted.length).toBeGreaterThanOrEqual(10);
    expect(accepted.length).toBeLessThanOrEqual(11);
    expect(refused.length).toBe(40 - accepted.length);
    for (const result of refused) expect(result.errors![0]!.extensions!.retryAfterMs).toBeGreaterThan(0);
    expect(await roomLength()).toBe(before + accepted.length);
  });

  it('does the same for a flood over HTTP, and lets the user post again a second later', async () => {
    await wait(1100);
    const before = await roomLength();
    const dave = await server.signIn('dave');
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => server.gql(POST, { roomId, body: `http flood ${i}` }, dave)));
    const elapsed = Date.now() - started;
    const accepted = results.filter((r) => r.data?.postMessage);
    const refused = results.filter((r) => codes(r)?.[0] === 'RATE_LIMITED');
    expectTen(accepted.length, elapsed);
    expect(refused.length).toBe(100 - accepted.length);
    expectRefused(refused);
    // Dave's first post made him a member: one MembershipChanged besides the posts.
    expect(await roomLength()).toBe(before + accepted.length + 1);
    await wait(1100);
    expect((await server.gql(POST, { roomId, body: 'a second later' }, dave)).data?.postMessage.body).toBe('a second later');
  });

  it('answers a retried post with its first message even once the limit is spent, and still refuses new posts', async () => {
    const erin = await server.signIn('erin');
    const post = (clientId: string) => server.gql(POST_ONCE, { roomId, body: `retried ${clientId}`, clientId }, erin);
    const started = Date.now();
    const first = await Promise.all(Array.from({ length: 11 }, (_, i) => post(`c${i}`)));
    const accepted = first.flatMap((r, i) => (r.data?.postMessage ? [{ clientId: `c${i}`, id: r.data.postMessage.id as string }] : []));
    expect(accepted.length).toBeGreaterThanOrEqual(10);
    const before = await roomLength();
    // The burst pool stays spent for a minute: without the answer from the first post, these would be refused.
    const retried = await Promise.all(accepted.map((a) => post(a.clientId)));
    expect(retried.map((r) => r.errors)).toEqual(accepted.map(() => undefined));
    expect(retried.map((r) => r.data!.postMessage.id)).toEqual(accepted.map((a) => a.id));
    const fresh = await post('new');
    // Within the steady second the flood started, a new post is still refused (later, it may pass).
    if (Date.now() - started < 1000) expect(codes(fresh)).toEqual(['RATE_LIMITED']);
    expect(await roomLength()).toBe(before + (fresh.data?.postMessage ? 1 : 0));
  });

  it('accepts 3 rooms at once from one user and refuses the 4th (then 1 per 10 minutes), over the socket too', async () => {
    const carol = await server.signIn('carol');
    const client = server.wsClient(carol);
    const lobbyBefore = (await server.app.services.store.streamInfo(lobbyStreamKey)).length;
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await operateOverSocket(client, CREATE_ROOM, { name: `carol's room ${kind} ${i}` }));
    expect(results.slice(0, 3).map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    for (const result of results.slice(3)) {
      expect(codes(result)).toEqual(['RATE_LIMITED']);
      const retryAfterMs = result.errors![0]!.extensions!.retryAfterMs as number;
      expect(retryAfterMs).toBeGreaterThan(9 * 60_000);
      expect(retryAfterMs).toBeLessThanOrEqual(10 * 60_000);
    }
    expect((await server.app.services.store.streamInfo(lobbyStreamKey)).length).toBe(lobbyBefore + 3);
    // A name that exists already creates nothing, so the spent limit does not stand in the way of
    // its answer: the existing room (a retry after a lost reply, or another user's room).
    const again = await operateOverSocket(client, CREATE_ROOM, { name: `Carol's room ${kind} 0` });
    expect(again.errors).toBeUndefined();
    expect(again.data!.createRoom).toEqual(results[0]!.data!.createRoom);
    const others = await operateOverSocket(client, CREATE_ROOM, { name: `flooded ${kind}` });
    expect(others.data!.createRoom.id).toBe(roomId);
    expect((await server.app.services.store.streamInfo(lobbyStreamKey)).length).toBe(lobbyBefore + 3);
    await client.dispose();
  });
});

describe.each<StoreKind>(['memory', 'redis'])('what queries may cost (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;
  let roomId: string;

  beforeAll(async () => {
    // The client address comes from X-Forwarded-For here, so that a test can be several addresses.
    server = await startTestServer(kind, { env: { RATE_LIMITS: '1', TRUST_PROXY_HOPS: '1' } });
    alice = await server.signIn('alice');
    roomId = (await server.gql(CREATE_ROOM, { name: `costly ${kind}` }, alice)).data!.createRoom.id;
  });
  afterAll(() => server.stop());

  const HUGE = '{ rooms { messages(last: 100) { edges { node { body reactions { users { handle } } } } } } }';
  // About 60,000 of the 80,000 a document may cost.
  const HEAVY = `query($id: ID!) { room(id: $id) { messages(last: 100) { edges { node { id body reactions { emoji users(first: 14) { handle displayName } } } } } } }`;
  const asAddress = (address: string, query: string, variables: Record<string, unknown>) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.origin, 'x-forwarded-for': address },
      body: JSON.stringify({ query, variables }),
    }).then((response) => response.json() as Promise<GraphQLResponse<any>>);

  it('refuses a small document whose answer could be huge, over HTTP and the WebSocket, running nothing', async () => {
    expect(codes(await server.gql(HUGE, {}, alice))).toEqual(['QUERY_TOO_COMPLEX']);
    const overSocket = await operateOverSocket(server.wsClient(alice), HUGE);
    expect(overSocket.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('charges what each query may cost to a budget per address when signed out: a loop of heavy queries is cut, others carry on', async () => {
    let refused: GraphQLResponse<any> | null = null;
    let answered = 0;
    for (let i = 0; i < 40 && !refused; i++) {
      const result = await asAddress('203.0.113.7', HEAVY, { id: roomId });
      if (codes(result)?.[0] === 'RATE_LIMITED') refused = result;
      else {
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        answered++;
      }
    }
    // 160,000 + 480,000 at once: ten of about 60,000, give or take the steady refill.
    expect(answered).toBeGreaterThanOrEqual(9);
    expect(answered).toBeLessThanOrEqual(13);
    expect(refused!.errors![0]!.extensions!.retryAfterMs).toBeGreaterThan(0);
    expect(refused!.data ?? null).toBeNull();
    // Another address, and a signed-in user, have budgets of their own.
    expect((await asAddress('203.0.113.8', HEAVY, { id: roomId })).errors).toBeUndefined();
    expect((await server.gql(HEAVY, { id: roomId }, alice)).errors).toBeUndefined();
  });

  it('charges over the WebSocket too, per user', async () => {
    const bob = await server.signIn('bob');
    const client = server.wsClient(bob);
    let code: unknown = null;
    for (let i = 0; i < 40 && !code; i++) {
      const result = await operateOverSocket(client, HEAVY, { id: roomId });
      code = result.errors?.[0]?.extensions?.code ?? null;
    }
    expect(code).toBe('RATE_LIMITED');
  });
});

describe('what the subscriptions of one socket may cost', () => {
  let server: TestServer;
  let alice: string;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer('memory');
    alice = await server.signIn('alice');
    roomId = (await server.gql(CREATE_ROOM, { name: 'watched' }, alice)).data!.createRoom.id;
  });
  afterAll(() => server.stop());

  it(`answers a subscription that would take one socket's past ${MAX_SUBSCRIPTION_COST_PER_SOCKET} with QUERY_TOO_COMPLEX`, async () => {
    // Each event renders a page of the root's replies with their reactions and people: about 44,000.
    const heavy = `subscription($id: ID!) { roomEvents(roomId: $id) { cursor ... on MessagePosted { message { replies(first: 100) { edges { node { body reactions { users(first: 20) { handle } } } } } } } } }`;
    const raw = await openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice });
    raw.subscribe('s1', heavy, { id: roomId });
    raw.subscribe('s2', heavy, { id: roomId });
    raw.subscribe('s3', heavy, { id: roomId });
    const refused = await raw.result('s3');
    expect(toCode(refused)).toBe('QUERY_TOO_COMPLEX');
    expect(refused.payload[0].message).toMatch(/subscriptions of one connection may cost 100000 in all/);
    expect(
      raw.messages.filter((m) => (m.id === 's1' || m.id === 's2') && m.type === 'error').map((m) => JSON.stringify(m.payload)),
    ).toEqual([]);
    // Ending one makes room again.
    raw.socket.send(JSON.stringify({ id: 's1', type: 'complete' }));
    raw.subscribe('s4', heavy, { id: roomId });
    await server.gql(POST, { roomId, body: 'seen by s4' }, alice);
    const next = await raw.next((m) => m.id === 's4');
    expect(next.type).toBe('next');
    raw.socket.close();
  });
});

describe('rate limits shared by two instances on one Redis', () => {
  let redis: TestRedis;
  let servers: TestServer[];

  beforeAll(async () => {
    redis = await startTestRedis();
    servers = await Promise.all([0, 1].map(() => startTestServer('redis', { redis, env: { RATE_LIMITS: '1' } })));
  });
  afterAll(async () => {
    for (const server of servers ?? []) await server.stop();
    await redis?.dispose();
  });

  it('lets 10 of a flood split over both instances through', async () => {
    const alice = await servers[0]!.signIn('alice');
    const roomId = (await servers[0]!.gql(CREATE_ROOM, { name: 'split flood' }, alice)).data!.createRoom.id as string;
    const sockets = await Promise.all(servers.map((server) => openRawSocket(server.wsUrl, { origin: server.origin, cookie: alice })));
    const started = Date.now();
    for (let i = 0; i < 60; i++) sockets[i % 2]!.subscribe(`p${i}`, POST, { roomId, body: `split ${i}` });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => sockets[i % 2]!.result(`p${i}`)));
    const elapsed = Date.now() - started;
    for (const raw of sockets) raw.socket.close();
    const accepted = results.filter((m) => m.payload.data?.postMessage).length;
    if (elapsed < 1000) expect(accepted).toBe(10);
    expect(accepted).toBeLessThanOrEqual(10 + Math.ceil(elapsed / 1000));
    expect(results.filter((m) => toCode(m) === 'RATE_LIMITED').length).toBe(60 - accepted);
  });
});

describe('text that could trick a reader or a page', () => {
  let server: TestServer;
  let alice: string;

  beforeAll(async () => {
    server = await startTestServer('memory');
    alice = await server.signIn('alice');
  });
  afterAll(() => server.stop());

  it('refuses room names with U+202E (right-to-left override) and zero-width characters', async () => {
    const before = (await server.app.services.store.streamInfo(lobbyStreamKey)).length;
    for (const name of ['invoice\u202Etxt.exe', 'ad\u200Bmin', 'ad\u200Cmin', 'ad\u200Dmin', 'lob\uFEFFby', 'ad\u2060min']) {
      const result = await server.gql(CREATE_ROOM, { name }, alice);
      expect(codes(result), JSON.stringify(name)).toEqual(['BAD_USER_INPUT']);
    }
    expect((await server.app.services.store.streamInfo(lobbyStreamKey)).length).toBe(before);
  });

  it('stores <script> and javascript: bodies verbatim and returns them as plain JSON strings', async () => {
    const roomId = (await server.gql(CREATE_ROOM, { name: 'markup' }, alice)).data!.createRoom.id as string;
    const bodies = [
      '<script>alert(document.cookie)</script>',
      'javascript:alert(1)',
      '[x](javascript:alert(1))',
      '<img src=x onerror=alert(1)>',
    ];
    for (const body of bodies) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: alice },
        body: JSON.stringify({ query: POST, variables: { roomId, body } }),
      });
      expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
      const text = await response.text();
      // JSON escapes nothing of it into markup: the body is a string value, byte for byte.
      expect(JSON.parse(text).data.postMessage.body).toBe(body);
    }
    const page = await server.gql('query($id: ID!) { room(id: $id) { messages { edges { node { body } } } } }', { id: roomId });
    expect(page.data!.room.messages.edges.map((e: any) => e.node.body)).toEqual(bodies);
  });
});

describe('a request that reaches a raw socket directly', () => {
  it('still gets the security headers on errors', async () => {
    const server = await startTestServer('memory');
    try {
      const answer = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
        const req = httpRequest(`${server.url}/nope.js`, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(404);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['content-security-policy']).toMatch(/default-src 'self'/);
    } finally {
      await server.stop();
    }
  });
});
