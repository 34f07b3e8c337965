import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type FrameWriter, createFrameWriter } from './frameWriter.js';

/*
 * Frames over a real TCP connection, counted where they become system calls: the server socket's
 * `_write` and `_writev`.
 */
describe('frame writer', () => {
  let server: Server;
  let wss: WebSocketServer;
  let frames: FrameWriter;
  let serverSide: WebSocket;
  let client: WebSocket;
  let writes: number;
  const received: string[] = [];

  beforeEach(async () => {
    wss = new WebSocketServer({ noServer: true });
    const streams = new WeakMap<WebSocket, Socket>();
    frames = createFrameWriter((ws) => streams.get(ws));
    server = createServer();
    const accepted = new Promise<WebSocket>((resolve) => {
      server.on('upgrade', (req, socket: Socket, head) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          streams.set(ws, socket);
          const counted = socket as Socket & { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
          for (const method of ['_write', '_writev'] as const) {
            const original = counted[method];
            counted[method] = function (this: unknown, ...args: unknown[]) {
              writes++;
              return original.apply(this, args);
            };
          }
          resolve(ws);
        }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    client.on('message', (data) => received.push(String(data)));
    serverSide = await accepted;
    await once(client, 'open');
    writes = 0;
    received.length = 0;
  });

  afterEach(async () => {
    client.terminate();
    for (const socket of wss.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  const arrived = async (count: number) => {
    while (received.length < count) await once(client, 'message');
  };

  it('writes the frames one socket gets in one turn at once, the first included', async () => {
    frames.send(serverSide, 'one');
    frames.send(serverSide, Buffer.from('two'));
    frames.send(serverSide, 'three');
    await arrived(3);
    expect(received).toEqual(['one', 'two', 'three']);
    expect(writes).toBe(1);
  });

  it('writes again in the next turn', async () => {
    frames.send(serverSide, 'first turn');
    await new Promise((resolve) => setImmediate(resolve));
    frames.send(serverSide, 'second turn');
    await arrived(2);
    expect(received).toEqual(['first turn', 'second turn']);
    expect(writes).toBe(2);
  });
});
