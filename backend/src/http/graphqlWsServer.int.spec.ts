import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ExecutionResult, buildSchema, subscribe as graphqlSubscribe } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type SettleTarget, settleTo } from '../streaming/push.js';
import { createFrameWriter } from './frameWriter.js';
import { serveGraphQLWs } from './graphqlWsServer.js';

const schema = buildSchema('type Query { hello: String } type Subscription { ticks: String, failing: String }');

/** A source that yields one tick, then waits until it is returned (counted in `returned`). */
const ticksSource = (counter: { returned: number }): AsyncIterableIterator<{ ticks: string }> => {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let sent = false;
  return {
    async next() {
      if (!sent) {
        sent = true;
        return { done: false, value: { ticks: 'one' } };
      }
      await stopped;
      return { done: true, value: undefined };
    },
    async return() {
      counter.returned++;
      stop();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
};

/**
 * A source that sends nothing itself and can report its end without a promise (`settleTo`, as the
 * shared subscriptions' delivery does): it records whether the server used that or `next()`.
 */
const settlingSource = () => {
  const source = {
    nextCalls: 0,
    target: null as SettleTarget | null,
    returned: 0,
    next() {
      source.nextCalls++;
      return new Promise<IteratorResult<never>>(() => {});
    },
    async return() {
      source.returned++;
      source.target?.resolve({ done: true, value: undefined });
      return { done: true as const, value: undefined };
    },
    [settleTo](target: SettleTarget) {
      source.target = target;
    },
    [Symbol.asyncIterator]() {
      return source;
    },
  };
  return source;
};

/** A source that fails at its first value. */
const failingSource = (): AsyncIterableIterator<{ failing: string }> => ({
  next: () => Promise.reject(new Error('source failed')),
  [Symbol.asyncIterator]() {
    return this;
  },
});
const KEEP_ALIVE_MS = 100;
const INIT_TIMEOUT_MS = 300;

describe('graphql-ws on ws sockets', () => {
  let server: Server;
  let graphqlWs: ReturnType<typeof serveGraphQLWs>;
  let wss: WebSocketServer;
  let url: string;

  let ticks: { returned: number };
  let settling: ReturnType<typeof settlingSource>[];

  beforeEach(async () => {
    ticks = { returned: 0 };
    settling = [];
    wss = new WebSocketServer({ noServer: true });
    const streams = new WeakMap<WebSocket, Duplex>();
    graphqlWs = serveGraphQLWs(
      wss,
      {
        schema,
        roots: { query: { hello: 'world' }, subscription: { ticks: () => ticksSource(ticks), failing: failingSource } },
        // An operation named Settling gets a settling source (the shared subscriptions' kind).
        subscribe: (args) => {
          if (args.operationName !== 'Settling') return graphqlSubscribe(args);
          const source = settlingSource();
          settling.push(source);
          return source as unknown as AsyncIterableIterator<ExecutionResult>;
        },
        connectionInitWaitTimeout: INIT_TIMEOUT_MS,
      },
      createFrameWriter((ws) => streams.get(ws)),
      { keepAliveMs: KEEP_ALIVE_MS },
    );
    server = createServer();
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        streams.set(ws, socket);
        graphqlWs.open(ws, {});
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    graphqlWs.close();
    for (const socket of wss.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  const connect = async (autoPong: boolean) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { autoPong });
    const messages: unknown[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await once(socket, 'open');
    return { socket, messages };
  };

  /** The messages received once there are `count` (they may arrive several in one read). */
  const received = async ({ socket, messages }: { socket: WebSocket; messages: unknown[] }, count: number) => {
    while (messages.length < count) await once(socket, 'message');
    return messages.slice(0, count);
  };

  it('answers operations with their result and complete, in order', async () => {
    const client = await connect(true);
    client.socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await received(client, 1)).toEqual([{ type: 'connection_ack' }]);
    for (const id of ['1', '2']) client.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: '{ hello }' } }));
    const answers = (await received(client, 5)).slice(1) as { id: string }[];
    for (const id of ['1', '2']) {
      expect(answers.filter((message) => message.id === id)).toEqual([
        { id, type: 'next', payload: { data: { hello: 'world' } } },
        { id, type: 'complete' },
      ]);
    }
    client.socket.close();
  });

  /** A socket past connection_ack. */
  const initialised = async () => {
    const client = await connect(true);
    client.socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await received(client, 1)).toEqual([{ type: 'connection_ack' }]);
    return client;
  };
  const subscribe = (client: { socket: WebSocket }, id: string, query: string) =>
    client.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));

  it('closes with 4401 a subscribe before connection_init, and with 4429 a second connection_init', async () => {
    const early = await connect(true);
    subscribe(early, '1', '{ hello }');
    expect((await once(early.socket, 'close'))[0]).toBe(4401);
    const twice = await initialised();
    twice.socket.send(JSON.stringify({ type: 'connection_init' }));
    expect((await once(twice.socket, 'close'))[0]).toBe(4429);
  });

  it('closes with 4400 a message that is not one of the protocol (a subscribe without a query)', async () => {
    const client = await initialised();
    client.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: {} }));
    expect((await once(client.socket, 'close'))[0]).toBe(4400);
  });

  it("answers a WebSocket ping with a pong of the ping's data", async () => {
    const client = await initialised();
    for (const data of ['one', 'two']) {
      client.socket.ping(data);
      const [pong] = await once(client.socket, 'pong');
      expect(String(pong)).toBe(data);
    }
    client.socket.close();
  });

  it('answers a ping with a pong carrying its payload', async () => {
    const client = await initialised();
    client.socket.send(JSON.stringify({ type: 'ping' }));
    client.socket.send(JSON.stringify({ type: 'ping', payload: { n: 1 } }));
    expect((await received(client, 3)).slice(1)).toEqual([{ type: 'pong' }, { type: 'pong', payload: { n: 1 } }]);
    client.socket.close();
  });

  it('closes with 4409 a subscribe whose id is live; a complete from the client returns the source and frees its id', async () => {
    const client = await initialised();
    subscribe(client, 'a', 'subscription { ticks }');
    expect((await received(client, 2))[1]).toEqual({ id: 'a', type: 'next', payload: { data: { ticks: 'one' } } });
    client.socket.send(JSON.stringify({ id: 'a', type: 'complete' }));
    while (ticks.returned === 0) await new Promise((resolve) => setImmediate(resolve));
    // The id is free again: a query under it is answered (and nothing more came for the subscription).
    subscribe(client, 'a', '{ hello }');
    expect((await received(client, 4)).slice(2)).toEqual([
      { id: 'a', type: 'next', payload: { data: { hello: 'world' } } },
      { id: 'a', type: 'complete' },
    ]);
    expect(ticks.returned).toBe(1);
    subscribe(client, 'b', 'subscription { ticks }');
    expect((await received(client, 5))[4]).toEqual({ id: 'b', type: 'next', payload: { data: { ticks: 'one' } } });
    subscribe(client, 'b', 'subscription { ticks }');
    expect((await once(client.socket, 'close'))[0]).toBe(4409);
  });

  it('waits for a settling source without a promise: it reports its end, or is returned when the client completes it', async () => {
    const client = await initialised();
    for (const id of ['a', 'b']) {
      client.socket.send(
        JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription Settling { ticks }', operationName: 'Settling' } }),
      );
    }
    while (settling.length < 2 || settling.some((source) => source.target === null)) await new Promise((resolve) => setImmediate(resolve));
    const [a, b] = settling as [ReturnType<typeof settlingSource>, ReturnType<typeof settlingSource>];
    // No next(): a promise, its resolvers and the function awaiting it would be kept per idle subscription.
    expect([a.nextCalls, b.nextCalls]).toEqual([0, 0]);
    a.target!.resolve({ done: true, value: undefined });
    expect((await received(client, 2))[1]).toEqual({ id: 'a', type: 'complete' });
    client.socket.send(JSON.stringify({ id: 'b', type: 'complete' }));
    while (b.returned === 0) await new Promise((resolve) => setImmediate(resolve));
    // Completed by the client: nothing more is sent for it (the next message answers a query after it).
    subscribe(client, 'q', '{ hello }');
    expect((await received(client, 4)).slice(2)).toEqual([
      { id: 'q', type: 'next', payload: { data: { hello: 'world' } } },
      { id: 'q', type: 'complete' },
    ]);
    client.socket.close();
  });

  it('returns the sources of a socket that closes', async () => {
    const client = await initialised();
    subscribe(client, 'a', 'subscription { ticks }');
    await received(client, 2);
    client.socket.close();
    while (ticks.returned === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(ticks.returned).toBe(1);
  });

  it('answers a source that fails, and a document that does not validate, with an error and no complete, and keeps the socket', async () => {
    const client = await initialised();
    subscribe(client, 'f', 'subscription { failing }');
    subscribe(client, 'v', '{ nothing }');
    subscribe(client, 'q', '{ hello }');
    const answers = (await received(client, 5)).slice(1) as { id: string; type: string; payload?: { message: string }[] }[];
    expect(answers.filter((answer) => answer.id === 'f')).toEqual([
      { id: 'f', type: 'error', payload: [expect.objectContaining({ message: 'source failed' })] },
    ]);
    const invalid = answers.filter((answer) => answer.id === 'v');
    expect(invalid).toEqual([
      { id: 'v', type: 'error', payload: [expect.objectContaining({ message: expect.stringContaining('nothing') })] },
    ]);
    expect(answers.filter((answer) => answer.id === 'q').map((answer) => answer.type)).toEqual(['next', 'complete']);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
  });

  it('closes a socket that sends no connection_init in time with 4408, and keeps one that did, past the timeout', async () => {
    const initialised = await connect(true);
    initialised.socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await received(initialised, 1)).toEqual([{ type: 'connection_ack' }]);
    const silent = await connect(true);
    const [code] = await once(silent.socket, 'close');
    expect(code).toBe(4408);
    // The silent one was opened after the other was acknowledged: the other's timeout has passed too.
    expect(initialised.socket.readyState).toBe(WebSocket.OPEN);
    initialised.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ hello }' } }));
    expect((await received(initialised, 3)).slice(1)).toEqual([
      { id: '1', type: 'next', payload: { data: { hello: 'world' } } },
      { id: '1', type: 'complete' },
    ]);
    initialised.socket.close();
  });

  it('acknowledges a connection_init sent in time but read after the timeout, on a busy server', async () => {
    const client = await connect(true);
    client.socket.send(JSON.stringify({ type: 'connection_init' }));
    // The event loop blocked past the timeout: the timer and the message are both due when it is free.
    const until = Date.now() + INIT_TIMEOUT_MS + 100;
    while (Date.now() < until) {}
    expect(await received(client, 1)).toEqual([{ type: 'connection_ack' }]);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
  });

  it('closes a socket that sends something that is not JSON with 4400', async () => {
    const { socket } = await connect(true);
    socket.send('{ not json');
    const [code] = await once(socket, 'close');
    expect(code).toBe(4400);
  });

  it('terminates a socket that stops answering pings, and keeps one that answers', async () => {
    const silent = await connect(false);
    const answering = await connect(true);
    // Both initialised: only the pings decide which one stays.
    for (const { socket } of [silent, answering]) socket.send(JSON.stringify({ type: 'connection_init' }));
    let pings = 0;
    answering.socket.on('ping', () => pings++);
    // Terminated (1006), not closed for want of connection_init (4408).
    const [code] = await once(silent.socket, 'close');
    expect(code).toBe(1006);
    // The answering socket has been pinged meanwhile, and outlives a few more sweeps.
    while (pings < 4) await once(answering.socket, 'ping');
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
    answering.socket.close();
  });

  it('does not ping a socket that spoke since the last sweep', async () => {
    const idle = await connect(true);
    const chatty = await connect(true);
    for (const { socket } of [idle, chatty]) socket.send(JSON.stringify({ type: 'connection_init' }));
    let chattyPings = 0;
    chatty.socket.on('ping', () => chattyPings++);
    // Each sweep pings the idle socket; the chatty one speaks after each, before the next. (The
    // first sweep may have come before its connection_init: counted from the second.)
    for (let sweep = 1; sweep <= 4; sweep++) {
      await once(idle.socket, 'ping');
      if (sweep === 2) chattyPings = 0;
      chatty.socket.send(JSON.stringify({ type: 'ping' }));
    }
    await once(idle.socket, 'ping');
    expect(chattyPings).toBe(0);
    expect(chatty.socket.readyState).toBe(WebSocket.OPEN);
    for (const { socket } of [idle, chatty]) socket.close();
  });
});
