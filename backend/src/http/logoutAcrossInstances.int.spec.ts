import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { INSTANCE_ORIGIN, type ServerProcess, signInAt, startServerProcess } from '../testing/serverProcess.js';

/*
 * Sign-out across instances: two real server processes on one Redis. Signing out through one
 * closes that session's sockets on both within a second; other sessions' sockets stay.
 */

const ORIGIN = INSTANCE_ORIGIN;

/** A raw graphql-transport-ws socket, acknowledged; `closed` resolves with the close code and when it came. */
const openSocket = async (server: ServerProcess, cookie: string) => {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws', { headers: { origin: ORIGIN, cookie } });
  const closed = new Promise<{ code: number; at: number }>((resolve) => socket.once('close', (code) => resolve({ code, at: Date.now() })));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await new Promise<void>((resolve) => socket.once('message', () => resolve()));
  // A live subscription on it, as the UI has.
  socket.send(JSON.stringify({ id: 'lobby', type: 'subscribe', payload: { query: 'subscription { lobbyEvents { kind } }' } }));
  return { socket, closed };
};

describe('sign-out across two server processes on one Redis', () => {
  let redis: TestRedis;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    servers = await Promise.all(['A', 'B'].map((name) => startServerProcess({ name, env: { REDIS_URL: redis.url, PUBLIC_URL: ORIGIN } })));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill('SIGKILL')));
    await redis?.dispose();
  });

  it("closes the session's sockets on both instances within a second, and only those", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const session = await signInAt(a, 'alice');
    const otherSession = await signInAt(b, 'alice');
    const signedOut = [await openSocket(a, session), await openSocket(b, session), await openSocket(b, session)];
    const staying = [await openSocket(a, otherSession), await openSocket(b, otherSession)];

    const started = Date.now();
    const logout = await fetch(`${a.url}/auth/logout`, { method: 'POST', headers: { origin: ORIGIN, cookie: session } });
    expect(logout.status).toBe(200);
    const closures = await Promise.all(signedOut.map((s) => s.closed));
    for (const { code, at } of closures) {
      expect(code).toBe(4401);
      expect(at - started).toBeLessThan(1000);
    }

    // The other session's sockets are open and serve operations on both instances.
    for (const { socket } of staying) {
      expect(socket.readyState).toBe(WebSocket.OPEN);
      const answer = new Promise<any>((resolve) =>
        socket.on('message', (data) => {
          const message = JSON.parse(data.toString());
          if (message.id === 'me') resolve(message.payload);
        }),
      );
      socket.send(JSON.stringify({ id: 'me', type: 'subscribe', payload: { query: '{ me { id } }' } }));
      expect(await answer).toEqual({ data: { me: { id: 'dev:alice' } } });
      socket.close();
    }
    // And the signed-out cookie no longer opens anything anywhere.
    for (const server of servers) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: session },
        body: '{"query":"{ me { id } }"}',
      });
      expect(await response.json()).toEqual({ data: { me: null } });
    }
  });
});
