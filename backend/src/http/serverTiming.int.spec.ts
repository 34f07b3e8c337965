import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../testing/testServer.js';
import { parseServerTiming } from './serverTiming.js';

const MY_ROOMS = 'query { myRooms(first: 50) { edges { node { id unreadCount mentionCount lastActivityAt lastMessage { body } } } } }';

describe('Server-Timing on GraphQL over HTTP', () => {
  let server: TestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startTestServer('redis');
    cookie = await server.signIn('timed');
    const roomId = (await server.gql('mutation { createRoom(name: "timed") { id } }', {}, cookie)).data!.createRoom.id;
    await server.gql('mutation($r: ID!) { postMessage(roomId: $r, body: "hello") { id } }', { r: roomId }, cookie);
  });
  afterAll(() => server.stop());

  const post = async (body: string, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body,
    });
    const text = await response.text();
    return { response, text, elapsedMs: performance.now() - started };
  };

  it("answers the server's time for a query, within what the client saw", async () => {
    const { response, text, elapsedMs } = await post(JSON.stringify({ query: MY_ROOMS }), { cookie });
    expect(JSON.parse(text).data.myRooms.edges).toHaveLength(1);
    const header = response.headers.get('server-timing');
    expect(header).toMatch(/^graphql;dur=\d+\.\d$/);
    const dur = parseServerTiming(header)!;
    expect(dur).toBeGreaterThan(0);
    expect(dur).toBeLessThanOrEqual(elapsedMs);
  });

  it('times refusals too: an unauthenticated query, a bad document, a mutation sent as GET', async () => {
    const refused = await post(JSON.stringify({ query: MY_ROOMS }));
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const invalid = await post(JSON.stringify({ query: '{ nope' }), { cookie });
    expect(invalid.response.status).toBe(400);
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('mutation { markRead(roomId: "x", upTo: "1-0") { id } }')}`, {
      headers: { accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1', cookie },
    });
    await get.text();
    expect(get.status).toBe(405);
    for (const response of [refused.response, invalid.response, get]) {
      expect(parseServerTiming(response.headers.get('server-timing'))).toBeGreaterThanOrEqual(0);
    }
  });

  it('starts at the arrival: a body that comes late is in the time', async () => {
    // The head and half the body, then the rest 80 ms later: the server's time must cover the wait
    // (it is counted from the request's arrival, before its body is read and its cookie checked).
    const body = JSON.stringify({ query: MY_ROOMS });
    const half = Math.floor(body.length / 2);
    const url = new URL(`${server.url}/graphql`);
    const header = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json',
            'content-length': Buffer.byteLength(body),
            cookie,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers['server-timing'] as string | undefined));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      req.write(body.slice(0, half));
      setTimeout(() => req.end(body.slice(half)), 80);
    });
    expect(parseServerTiming(header)).toBeGreaterThanOrEqual(75);
  });

  it('reads the metric out of a header of several', () => {
    expect(parseServerTiming('db;dur=2, graphql;desc="x";dur=12.5, cache;dur=1')).toBe(12.5);
    expect(parseServerTiming('db;dur=2')).toBeNull();
    expect(parseServerTiming(null)).toBeNull();
    expect(parseServerTiming('graphql;dur=abc')).toBeNull();
  });
});
