import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type GraphQLClient, type Network, advanceResumeCursor, createGraphQLClient } from './client.js';

/**
 * Pins the graphql-ws client behaviour that resuming relies on: after a reconnect it re-sends the
 * same subscribe payload object, so advancing its `variables.after` makes the server replay from
 * the newest cursor the page saw. A tiny graphql-transport-ws server stands in for ours.
 */
interface FakeServer {
  url: string;
  /** Every subscribe message received, in order. */
  subscribes: { id: string; payload: { variables?: Record<string, unknown> } }[];
  sockets: Set<WebSocket>;
  waitForSubscribes(n: number): Promise<void>;
  send(socket: WebSocket, message: unknown): void;
  close(): Promise<void>;
}

const startFakeServer = async (): Promise<FakeServer> => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'graphql-transport-ws' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const subscribes: FakeServer['subscribes'] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const sockets = new Set<WebSocket>();
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id: string; payload: FakeServer['subscribes'][number]['payload'] };
      if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
      if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      if (message.type === 'subscribe') {
        subscribes.push({ id: message.id, payload: structuredClone(message.payload) });
        for (const w of [...waiters]) if (subscribes.length >= w.n) w.resolve();
      }
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    subscribes,
    sockets,
    waitForSubscribes: (n) => new Promise((resolve) => (subscribes.length >= n ? resolve() : waiters.push({ n, resolve }))),
    send: (socket, message) => socket.send(JSON.stringify(message)),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.terminate();
        wss.close(() => resolve());
      }),
  };
};

const ROOM_EVENTS =
  'subscription Events($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) { __typename cursor } }';

describe('resuming subscriptions after a reconnect', () => {
  let server: FakeServer | undefined;
  let client: GraphQLClient | undefined;
  afterEach(async () => {
    await client?.dispose();
    await server?.close();
  });

  it('re-subscribes with `after` advanced to the last cursor it received, skipping null cursors', async () => {
    server = await startFakeServer();
    client = createGraphQLClient({ url: 'http://127.0.0.1:1/graphql', wsUrl: server.url, webSocketImpl: WebSocket, retryDelay: () => 10 });
    const received: unknown[] = [];
    const states: string[] = [];
    client.onConnectionChange((s) => states.push(s));
    let reconnected = 0;
    client.onReconnected(() => reconnected++);
    const sub = client.urql.subscription(ROOM_EVENTS, { roomId: 'r1', after: '5-0' }).subscribe((result) => received.push(result.data));

    await server.waitForSubscribes(1);
    const first = server.subscribes[0]!;
    expect(first.payload.variables).toEqual({ roomId: 'r1', after: '5-0' });
    const socket = [...server.sockets][0]!;
    server.send(socket, { id: first.id, type: 'next', payload: { data: { roomEvents: { __typename: 'MessagePosted', cursor: '10-0' } } } });
    server.send(socket, { id: first.id, type: 'next', payload: { data: { roomEvents: { __typename: 'MessagePosted', cursor: '10-1' } } } });
    server.send(socket, { id: first.id, type: 'next', payload: { data: { roomEvents: { __typename: 'UserTyping', cursor: null } } } });
    await expect.poll(() => received.length).toBe(3);

    socket.terminate(); // the connection drops
    await server.waitForSubscribes(2);
    expect(server.subscribes[1]!.payload.variables).toEqual({ roomId: 'r1', after: '10-1' });
    expect(server.subscribes[1]!.id).toBe(first.id);
    await expect.poll(() => reconnected).toBe(1);
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    sub.unsubscribe();
  });

  it('sends mutations over the open socket, not over HTTP', async () => {
    server = await startFakeServer();
    // The HTTP url points nowhere: a mutation sent by fetch would fail.
    client = createGraphQLClient({ url: 'http://127.0.0.1:1/graphql', wsUrl: server.url, webSocketImpl: WebSocket, retryDelay: () => 10 });
    const result = client.urql
      .mutation('mutation Post($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b, clientId: "c1") { id } }', { r: 'r1', b: 'hi' })
      .toPromise();
    await server.waitForSubscribes(1);
    const sent = server.subscribes[0]!;
    expect(sent.payload.variables).toEqual({ r: 'r1', b: 'hi' });
    const socket = [...server.sockets][0]!;
    server.send(socket, { id: sent.id, type: 'next', payload: { data: { postMessage: { id: 'm1' } } } });
    server.send(socket, { id: sent.id, type: 'complete' });
    expect((await result).data).toEqual({ postMessage: { id: 'm1' } });
  });

  it('waits for the network before reconnecting, then resumes', async () => {
    server = await startFakeServer();
    let online = true;
    const listeners = new Set<(online: boolean) => void>();
    const network: Network = {
      isOnline: () => online,
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const setOnline = (value: boolean) => {
      online = value;
      for (const l of listeners) l(value);
    };
    client = createGraphQLClient({
      url: 'http://127.0.0.1:1/graphql',
      wsUrl: server.url,
      webSocketImpl: WebSocket,
      network,
      retryDelay: () => 10,
    });
    let received = 0;
    const sub = client.urql.subscription(ROOM_EVENTS, { roomId: 'r1', after: '0-0' }).subscribe(() => received++);
    await server.waitForSubscribes(1);
    const socket = [...server.sockets][0]!;
    server.send(socket, {
      id: server.subscribes[0]!.id,
      type: 'next',
      payload: { data: { roomEvents: { __typename: 'MessagePosted', cursor: '7-3' } } },
    });
    await expect.poll(() => received).toBe(1);
    expect(client.connection()).toBe('connected');

    setOnline(false); // the browser goes offline: the socket is dropped and no retry runs meanwhile
    expect(client.connection()).toBe('offline');
    await expect.poll(() => server!.sockets.size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100)); // several retry delays pass
    expect(server.subscribes).toHaveLength(1);

    setOnline(true);
    await server.waitForSubscribes(2);
    expect(server.subscribes[1]!.payload.variables).toEqual({ roomId: 'r1', after: '7-3' });
    sub.unsubscribe();
  });
});

describe('advanceResumeCursor', () => {
  it('only touches payloads that have an `after` variable', () => {
    const payload = { query: '', variables: { roomId: 'r' } as Record<string, unknown> };
    advanceResumeCursor(payload, { data: { roomEvents: { cursor: '1-0' } } });
    expect(payload.variables).toEqual({ roomId: 'r' });
  });

  it('keeps the last cursor when a result has none', () => {
    const payload = { query: '', variables: { after: '1-0' } as Record<string, unknown> };
    advanceResumeCursor(payload, { data: { lobbyEvents: { cursor: null, kind: 'ONLINE_COUNT_CHANGED' } } });
    advanceResumeCursor(payload, { errors: [] } as never);
    expect(payload.variables.after).toBe('1-0');
    advanceResumeCursor(payload, { data: { lobbyEvents: { cursor: '2-0' } } });
    expect(payload.variables.after).toBe('2-0');
  });
});
