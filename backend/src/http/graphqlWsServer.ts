import { CloseCode, type ServerOptions, handleProtocols, makeServer } from 'graphql-ws';
import { type RawData, WebSocket, type WebSocketServer } from 'ws';
import type { FrameWriter } from './frameWriter.js';

/** Distinct operation documents kept once each; past this many, new ones are not interned. */
const MAX_INTERNED_DOCUMENTS = 256;

/**
 * Operations one socket may have under way at once, its subscriptions included: past it, a
 * `subscribe` is answered RATE_LIMITED at once, before any work is done for it.
 */
export const MAX_OPERATIONS_IN_FLIGHT = 50;
/** The wait a refusal for too many operations in flight suggests. */
const IN_FLIGHT_RETRY_MS = 100;

/** How often every socket is pinged; one that has not answered by the next ping is terminated. */
export const KEEP_ALIVE_MS = 12_000;

const isSubscribe = (message: unknown): message is { type: 'subscribe'; id: string } =>
  typeof message === 'object' &&
  message !== null &&
  (message as { type?: unknown }).type === 'subscribe' &&
  typeof (message as { id?: unknown }).id === 'string';

/** The error frame for an operation refused because too many are under way on its socket. */
const tooManyInFlight = (id: string) =>
  JSON.stringify({
    id,
    type: 'error',
    payload: [
      {
        message: `At most ${MAX_OPERATIONS_IN_FLIGHT} operations under way per connection; wait for answers`,
        extensions: { code: 'RATE_LIMITED', retryAfterMs: IN_FLIGHT_RETRY_MS },
      },
    ],
  });

/** What a server socket's events reach: one set per server, shared by its sockets. */
interface Receiver {
  message(socket: GraphQLWebSocket, data: RawData): void;
  closed(socket: GraphQLWebSocket, code: number, reason: string): void;
}

/**
 * The server's WebSocket class (`serveGraphQLWs` installs it): what graphql-ws needs per
 * connection lives in its fields, and its events reach the connection through `emit` directly,
 * instead of through listeners (a listener table and closures per socket; memory per idle socket
 * is what bench:scale's sockets part measures).
 */
export class GraphQLWebSocket extends WebSocket {
  /** Set once it speaks graphql-ws: where its messages go. */
  receiver: Receiver | null = null;
  /** graphql-ws's handler of this connection's messages (`onMessage`). */
  handle: ((data: string) => Promise<void>) | null = null;
  /** graphql-ws's end of this connection: ends its operations. */
  closed: ((code?: number, reason?: string) => Promise<void>) | null = null;
  /** What the hooks see as `ctx.extra` (`open`'s `extra`), handed to `serveGraphQLWs`'s `onClose` too. */
  extra: unknown = undefined;
  /** Operations under way (graphql-ws handles a `subscribe` until its operation is over). */
  inFlight = 0;
  /** Pinged by the keep-alive sweep, and no pong since. */
  awaitingPong = false;
  /** A message came since the last keep-alive sweep: alive, so not pinged by the next one. */
  heard = false;
  /** Until `connection_init` arrives: closes the socket with 4408 when it does not in time. */
  initTimer: NodeJS.Timeout | null = null;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const receiver = this.receiver;
    if (receiver === null) return super.emit(event, ...args);
    switch (event) {
      case 'message':
        receiver.message(this, args[0] as RawData);
        return true;
      case 'pong':
        this.awaitingPong = false;
        return true;
      // ws emits 'error' only for a client's protocol violation (a frame over maxPayload, bad
      // UTF-8), after closing the socket itself with the fitting code (1009, 1007, 1002).
      case 'error':
        return true;
      case 'close': {
        if (this.initTimer) clearTimeout(this.initTimer);
        this.initTimer = null;
        receiver.closed(this, args[0] as number, String(args[1]));
        return super.emit(event, ...args);
      }
      default:
        return super.emit(event, ...args);
    }
  }
}

/** The socket as graphql-ws's `makeServer` sees it: methods on a prototype, not closures per socket. */
class Transport {
  constructor(
    private readonly socket: GraphQLWebSocket,
    private readonly frames: FrameWriter,
  ) {}
  get protocol() {
    return this.socket.protocol;
  }
  send(data: string) {
    if (this.socket.readyState === this.socket.OPEN) this.frames.send(this.socket, data);
  }
  close(code?: number, reason?: string) {
    this.socket.close(code, reason);
  }
  onMessage(handle: (data: string) => Promise<void>) {
    this.socket.handle = handle;
  }
}

/**
 * The init timer fired. Timers run before the event loop reads the sockets: on a busy server, a
 * `connection_init` that arrived in time may still wait to be read. It is read first (setImmediate
 * runs after that), and only a socket still without one is closed.
 */
const onInitTimeout = (socket: GraphQLWebSocket) => {
  setImmediate(closeUninitialised, socket);
};
const closeUninitialised = (socket: GraphQLWebSocket) => {
  // Null: its connection_init came meanwhile, or it closed.
  if (socket.initTimer === null) return;
  socket.initTimer = null;
  socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
};

/**
 * graphql-ws (its protocol, `makeServer`) on `ws` sockets, as graphql-ws/use/ws does it but holding
 * less per connection and writing less:
 * - each message is parsed here and handed over parsed, its operation document interned, so a
 *   live subscription's pending handler keeps neither the raw frame nor a copy of its query;
 * - one keep-alive sweep pings every socket that sent nothing since the last, instead of timers
 *   per socket; the connection-init timer is dropped once `connection_init` arrives (graphql-ws
 *   would keep it for the connection's life);
 * - a socket's state is in fields of `GraphQLWebSocket` (installed as `wss`'s WebSocket class), not
 *   in listeners and closures;
 * - a frame counts as sent once handed to the socket, so an operation's result and its `complete`
 *   leave in one write (see `FrameWriter`); a socket that fails closes, which ends its operations.
 */
export const serveGraphQLWs = <E>(
  wss: WebSocketServer,
  options: ServerOptions<Record<string, unknown> | undefined, E>,
  frames: FrameWriter,
  {
    onClose,
    keepAliveMs = KEEP_ALIVE_MS,
  }: {
    /** Called once for each socket `open` was given, when it closes (after its operations were told to end), with its `extra`. */
    onClose?: (extra: E) => void;
    keepAliveMs?: number;
  } = {},
) => {
  const { connectionInitWaitTimeout = 3_000, ...rest } = options;
  const server = makeServer({ ...rest, connectionInitWaitTimeout: 0 });
  wss.options.handleProtocols = handleProtocols;
  wss.options.WebSocket = GraphQLWebSocket;

  const documents = new Map<string, string>();
  const intern = (message: { payload?: { query?: unknown } }) => {
    const query = message.payload?.query;
    if (typeof query !== 'string') return;
    const known = documents.get(query);
    if (known !== undefined) message.payload!.query = known;
    else if (documents.size < MAX_INTERNED_DOCUMENTS) documents.set(query, query);
  };

  // The open sockets, tracked here (ws's own tracking adds a listener per socket): wss may be
  // created with clientTracking off.
  const clients = new Set<GraphQLWebSocket>();
  const receiver: Receiver = {
    closed(socket, code, reason) {
      clients.delete(socket);
      void socket.closed?.(code, reason);
      onClose?.(socket.extra as E);
    },
    message(socket, data) {
      socket.heard = true;
      const handle = socket.handle;
      if (!handle) return;
      const text = String(data);
      let message: unknown = text;
      try {
        const parsed: unknown = JSON.parse(text);
        // Anything but an object (a double-encoded frame is a string) goes over as the text it
        // came as: graphql-ws parses that once, finds no message, and closes with 4400.
        if (typeof parsed === 'object' && parsed !== null) {
          intern(parsed);
          message = parsed;
        }
      } catch {
        // Handed over as it is: graphql-ws answers a malformed message by closing with 4400.
      }
      if (socket.initTimer && (message as { type?: unknown }).type === 'connection_init') {
        clearTimeout(socket.initTimer);
        socket.initTimer = null;
      }
      const subscribe = isSubscribe(message);
      if (subscribe && socket.inFlight >= MAX_OPERATIONS_IN_FLIGHT) {
        frames.send(socket, tooManyInFlight((message as { id: string }).id));
        return;
      }
      if (subscribe) socket.inFlight++;
      // graphql-ws parses strings and takes an object as parsed. One `then`, not `catch` and
      // `finally`: a subscription's handling is pending for as long as it lasts.
      handle(message as string).then(subscribe ? () => void socket.inFlight-- : undefined, (error: unknown) => {
        if (subscribe) socket.inFlight--;
        console.error('graphql-ws message handling failed:', error);
        socket.close(CloseCode.InternalServerError, 'Internal server error');
      });
    },
  };

  const keepAlive = setInterval(() => {
    for (const socket of clients) {
      if (socket.heard) {
        // It spoke since the last sweep: a ping would prove nothing more (a join storm's sockets
        // all just did, and pinging each costs a write).
        socket.heard = false;
        socket.awaitingPong = false;
      } else if (socket.awaitingPong) {
        socket.terminate();
      } else if (socket.readyState === socket.OPEN) {
        socket.awaitingPong = true;
        socket.ping();
      }
    }
  }, keepAliveMs);
  keepAlive.unref();

  return {
    /** Speaks graphql-ws on an upgraded socket (one of `wss`'s); `extra` is what the hooks see as `ctx.extra`. */
    open(socket: WebSocket, extra: E) {
      if (!(socket instanceof GraphQLWebSocket)) throw new TypeError('serveGraphQLWs: a socket of another WebSocketServer');
      socket.receiver = receiver;
      clients.add(socket);
      socket.extra = extra;
      if (connectionInitWaitTimeout > 0 && Number.isFinite(connectionInitWaitTimeout)) {
        socket.initTimer = setTimeout(onInitTimeout, connectionInitWaitTimeout, socket);
      }
      socket.closed = server.opened(new Transport(socket, frames), extra);
    },
    /** The sockets `open` was given that have not closed yet. */
    clients: clients as ReadonlySet<WebSocket>,
    close() {
      clearInterval(keepAlive);
    },
  };
};
