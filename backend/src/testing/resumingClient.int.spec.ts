import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createResumingClient } from './resumingClient.js';

/**
 * A minimal graphql-transport-ws server: acks, records each subscribe payload, answers it with the
 * events `script` returns for it, then (if asked) drops the connection the way a dying instance does.
 */
interface FakeServer {
  wsUrl: string;
  subscribes: { variables: Record<string, unknown> }[];
  close(): Promise<void>;
}

const startFakeServer = async (
  script: (subscribeNumber: number, variables: Record<string, unknown>) => { cursors: string[]; drop: boolean },
): Promise<FakeServer> => {
  const http: Server = createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 404).end();
  });
  const wss = new WebSocketServer({ server: http, path: '/graphql' });
  const subscribes: FakeServer['subscribes'] = [];
  wss.on('connection', (socket) => {
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: { variables: Record<string, unknown> } };
      if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
      if (message.type !== 'subscribe') return;
      // A copy: the client mutates its payload object later, and that is what is being tested.
      const variables = structuredClone(message.payload!.variables);
      subscribes.push({ variables });
      const { cursors, drop } = script(subscribes.length, variables);
      for (const cursor of cursors) {
        socket.send(
          JSON.stringify({
            id: message.id,
            type: 'next',
            payload: { data: { roomEvents: { __typename: 'MessagePosted', cursor, message: { id: `m${cursor}` } } } },
          }),
        );
      }
      if (drop) setImmediate(() => socket.terminate());
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    subscribes,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('resuming a subscription across reconnects', () => {
  it('graphql-ws re-sends the same payload object on reconnect, so advancing variables.after in it resumes from the newest cursor', async () => {
    // If this fails, graphql-ws copies the payload (or stopped re-sending it): resumingClient's
    // way of resuming is broken and must move to a fresh subscribe per connection.
    const server = await startFakeServer((n) => (n === 1 ? { cursors: ['1-1', '1-2'], drop: true } : { cursors: ['1-3'], drop: false }));
    cleanups.push(server.close);
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 3,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 10)),
    });
    cleanups.push(async () => client.dispose());
    const payload = { query: 'subscription { roomEvents }', variables: { roomId: 'r', after: '0-0' as string } };
    const cursors: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ roomEvents: { cursor: string } }>(payload, {
        next: (result) => {
          cursors.push(result.data!.roomEvents.cursor);
          payload.variables.after = result.data!.roomEvents.cursor;
          if (cursors.length === 3) resolve();
        },
        error: reject,
        complete: () => {},
      });
    });
    await done;
    expect(server.subscribes.map((s) => s.variables.after)).toEqual(['0-0', '1-2']);
    expect(cursors).toEqual(['1-1', '1-2', '1-3']);
  });

  it('resumes after its last cursor on the next live instance when the one in use goes away', async () => {
    const first = await startFakeServer(() => ({ cursors: ['5-1', '5-2'], drop: false }));
    const second = await startFakeServer((_, variables) => ({ cursors: variables.after === '5-2' ? ['5-3'] : ['wrong-0'], drop: false }));
    cleanups.push(second.close);
    const resuming = createResumingClient({
      urls: [first.wsUrl, second.wsUrl],
      cookie: 'session=x',
      origin: 'http://localhost',
      retryWaitMs: 10,
    });
    cleanups.push(() => resuming.dispose());
    const room = resuming.followRoom('r', '0-0');
    await room.until((r) => r.logged.length === 2);
    await first.close(); // the instance dies: its socket drops and /healthz stops answering
    await room.until((r) => r.logged.length === 3);
    expect(room.logged.map((e) => e.cursor)).toEqual(['5-1', '5-2', '5-3']);
    expect(second.subscribes.map((s) => s.variables)).toEqual([{ roomId: 'r', after: '5-2' }]);
    expect(resuming.connections.map((c) => c.url)).toEqual([first.wsUrl, second.wsUrl]);
    expect(room.lastCursor).toBe('5-3');
  });
});
