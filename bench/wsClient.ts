import WebSocket from 'ws';

/**
 * A bare graphql-transport-ws client for the bench: no reconnects, no retries, no parsing beyond
 * what it must (frames of a subscription reach `onFrame` as they came, as Buffers). Cheaper than
 * the graphql-ws client, and the same for our server and the baselines.
 */
export const GRAPHQL_WS_PROTOCOL = 'graphql-transport-ws';

/** The subscription the fan-out bench runs: the UI's `RoomEvents` document (frontend/src/graphql), verbatim in shape. */
export const ROOM_EVENTS_DOCUMENT = `subscription RoomEvents($roomId: ID!, $after: String) {
  roomEvents(roomId: $roomId, after: $after) {
    __typename
    cursor
    at
    ... on MessagePosted { message { ...MessageFields } }
    ... on MessageEdited { message { ...MessageFields } }
    ... on MessageDeleted { message { ...MessageFields } }
    ... on UserJoined { user { ...UserFields } }
    ... on UserLeft { user { ...UserFields } }
    ... on UserStatusChanged { user { ...UserFields } }
    ... on UserTyping { user { ...UserFields } }
  }
}
fragment UserFields on User { id handle displayName avatarUrl status }
fragment MessageFields on Message { id body createdAt editedAt deletedAt author { ...UserFields } }`;

export const POST_MESSAGE =
  'mutation Post($roomId: ID!, $body: String!, $clientId: String) { postMessage(roomId: $roomId, body: $body, clientId: $clientId) { id body createdAt } }';

export interface GraphqlSocket {
  readonly ws: WebSocket;
  /** Runs a query or mutation; resolves with the `next` payload as text, rejects on `error` or GraphQL errors. */
  request(query: string, variables: Record<string, unknown>): Promise<string>;
  /** Starts a subscription; every frame for `id` goes to `onFrame` (the raw frame, `next`, `error` and `complete`). */
  subscribe(id: string, query: string, variables: Record<string, unknown>, onFrame: (frame: Buffer) => void): void;
  complete(id: string): void;
  close(): Promise<void>;
}

export interface OpenOptions {
  origin?: string;
  cookie?: string;
  timeoutMs?: number;
}

/** Opens a socket and completes the connection_init / connection_ack handshake. */
export const openGraphqlSocket = (url: string, options: OpenOptions = {}): Promise<GraphqlSocket> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (options.cookie) headers.cookie = options.cookie;
    const ws = new WebSocket(url, GRAPHQL_WS_PROTOCOL, { headers, origin: options.origin, perMessageDeflate: false });
    const pending = new Map<string, { resolve: (text: string) => void; reject: (error: Error) => void }>();
    const subscriptions = new Map<string, (frame: Buffer) => void>();
    let nextId = 0;
    let acked = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no connection_ack from ${url} within ${options.timeoutMs ?? 15_000} ms`));
    }, options.timeoutMs ?? 15_000);

    const fail = (error: Error) => {
      for (const { reject: rejectRequest } of pending.values()) rejectRequest(error);
      pending.clear();
    };
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => reject(new Error(`upgrade refused: ${res.statusCode} ${body.slice(0, 200)}`)));
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      if (!acked) reject(error);
      fail(error);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      const error = new Error(`socket closed: ${code} ${reason.toString()}`);
      if (!acked) reject(error);
      fail(error);
    });
    ws.on('open', () => ws.send('{"type":"connection_init"}'));
    ws.on('message', (data: Buffer) => {
      if (!acked) {
        const message = JSON.parse(data.toString()) as { type: string };
        if (message.type !== 'connection_ack') return;
        acked = true;
        clearTimeout(timer);
        resolve(socket);
        return;
      }
      // Frames are {"id":"…","type":"…",…}: the id is read without parsing the whole frame.
      const text = data.toString('latin1', 0, Math.min(data.length, 80));
      const match = /^\{"id":"([^"]*)","type":"(\w+)"/.exec(text);
      if (!match) return;
      const [, id, type] = match as unknown as [string, string, string];
      const onFrame = subscriptions.get(id);
      if (onFrame) {
        if (type !== 'next') subscriptions.delete(id);
        onFrame(data);
        return;
      }
      const waiting = pending.get(id);
      if (!waiting) return;
      pending.delete(id);
      const body = data.toString();
      if (type === 'next' && !body.includes('"errors"')) waiting.resolve(body);
      else if (type !== 'complete') waiting.reject(new Error(`${type}: ${body.slice(0, 300)}`));
      else waiting.reject(new Error('complete without a result'));
    });

    const socket: GraphqlSocket = {
      ws,
      request: (query, variables) =>
        new Promise((resolveRequest, rejectRequest) => {
          if (ws.readyState !== WebSocket.OPEN) return rejectRequest(new Error('socket not open'));
          const id = `q${nextId++}`;
          pending.set(id, { resolve: resolveRequest, reject: rejectRequest });
          ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
        }),
      subscribe(id, query, variables, onFrame) {
        subscriptions.set(id, onFrame);
        ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
      },
      complete(id) {
        subscriptions.delete(id);
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ id, type: 'complete' }));
      },
      close: () =>
        new Promise((resolveClose) => {
          if (ws.readyState === WebSocket.CLOSED) return resolveClose();
          ws.once('close', () => resolveClose());
          ws.close(1000);
          setTimeout(() => ws.terminate(), 2_000).unref();
        }),
    };
  });
