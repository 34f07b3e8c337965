import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, MessageType, type SubscribePayload, handleProtocols, validateMessage } from 'graphql-ws';
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  execute as graphqlExecute,
  subscribe as graphqlSubscribe,
  getOperationAST,
  parse,
  validate,
} from 'graphql';
import { type RawData, WebSocket, type WebSocketServer } from 'ws';
import { type SettleTarget, canSettle, settleTo } from '../streaming/push.js';
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

type PromiseOrValue<T> = T | Promise<T>;

/** What the hooks see of a connection. */
export interface GraphQLWsContext<E> {
  /** What `open` was given for it. */
  readonly extra: E;
  /** An operation of this id is under way on it (subscribed, and not yet complete). */
  hasOperation(id: string): boolean;
  /** Its operations under way, oldest first. */
  readonly operations: readonly GraphQLWsOperation[];
}

/** How operations are run (the parts of graphql-ws's `ServerOptions` this server uses). */
export interface GraphQLWsOptions<E> {
  /** A socket that has not sent `connection_init` by then is closed with 4408. Default 3 s. */
  connectionInitWaitTimeout?: number;
  /** Without `onSubscribe`: the schema every operation is parsed, validated and run against. */
  schema?: GraphQLSchema;
  /** Without `onSubscribe`: the root value of each kind of operation. */
  roots?: { query?: unknown; mutation?: unknown; subscription?: unknown };
  /**
   * The operation's execution arguments, or the errors that answer it (an `error` frame; the
   * socket stays open). `operation` is where a subscription may send its results itself.
   */
  onSubscribe?(
    ctx: GraphQLWsContext<E>,
    id: string,
    payload: SubscribePayload,
    operation: GraphQLWsOperation,
  ): PromiseOrValue<ExecutionArgs | readonly GraphQLError[]>;
  /** Runs a query or a mutation (default: graphql's `execute`). */
  execute?(args: ExecutionArgs): PromiseOrValue<ExecutionResult>;
  /** Starts a subscription (default: graphql's `subscribe`): a result answers it at once. */
  subscribe?(args: ExecutionArgs): PromiseOrValue<ExecutionResult | AsyncIterableIterator<ExecutionResult>>;
  /** The `error` frame's payload for these errors (default: each error's JSON). */
  onError?(ctx: GraphQLWsContext<E>, id: string, errors: readonly GraphQLError[]): readonly GraphQLFormattedError[] | undefined;
}

/**
 * An operation as its subscription's output: results sent straight to the socket as `next` frames
 * of the operation, as UTF-8 JSON payloads (one object per operation serves as both).
 */
export interface GraphQLWsOperation {
  /** What the hooks may note on it while it is under way (a subscription slot's cost); null until then. */
  cost: number | null;
  /** Bytes handed to the socket but not yet sent. */
  unsent(): number;
  /** Resolves once no more than `bytes` wait unsent (or the socket closed); undefined when that is so already. */
  whenDrained(bytes: number): Promise<void> | undefined;
  /** Sends one `next` frame around `payload` (an execution result as UTF-8 JSON). */
  send(payload: Buffer): void;
}

const CLOSING_BRACE = '}'.charCodeAt(0);
/** A `next` frame is FRAME_ID, the operation's id as JSON, FRAME_NEXT, the payload, and a closing brace (all ASCII but the id). */
const FRAME_ID = '{"id":';
const FRAME_NEXT = ',"type":"next","payload":';

/** What a server socket's events reach: one per server, shared by its sockets. */
interface Receiver {
  message(socket: GraphQLWebSocket, data: RawData): void;
  closed(socket: GraphQLWebSocket): void;
}

const NO_OPERATIONS: readonly Operation[] = [];

/**
 * The prototype of an empty listener table: it has no properties (so no event name finds anything
 * inherited), and objects made from it are small and in V8's fast mode, where EventEmitter's own
 * (`{ __proto__: null }`) is a dictionary of some 200 bytes (memory per idle socket).
 */
const NO_LISTENERS: object = Object.create(null);

/** Pongs to the client's pings not yet written: past this many, the client is flooding, and the socket is terminated (as ws's own answer does). */
const MAX_PENDING_PONGS = 60;

/**
 * The server's WebSocket class (`serveGraphQLWs` installs it): what the protocol needs per
 * connection lives in its fields, and its events reach the server through `emit` directly,
 * instead of through listeners (a listener table and closures per socket; memory per idle socket
 * is what bench:scale's sockets part measures). It is the hooks' `ctx`.
 */
export class GraphQLWebSocket extends WebSocket implements GraphQLWsContext<unknown> {
  /** Set once it speaks graphql-ws: where its messages go. */
  receiver: Receiver | null = null;
  /** What the hooks see as `ctx.extra` (`open`'s `extra`), handed to `serveGraphQLWs`'s `onClose` too. */
  extra: unknown = undefined;
  /** Its `connection_init` came (and was acknowledged at once). */
  acknowledged = false;
  /** Operations under way, oldest first: a new array at each change, of the exact length (one or two, mostly). */
  operations: readonly Operation[] = NO_OPERATIONS;
  /** Operations under way (counted from their `subscribe` until they are over, even when the client completed them first). */
  inFlight = 0;
  /** Pinged by the keep-alive sweep, and no pong since. */
  awaitingPong = false;
  /** A message came since the last keep-alive sweep: alive, so not pinged by the next one. */
  heard = false;
  /** Until `connection_init` arrives: closes the socket with 4408 when it does not in time. */
  initTimer: NodeJS.Timeout | null = null;
  /** Pongs to the client's pings being written; how one that was written is counted, made at the first ping (browsers send none). */
  pendingPongs = 0;
  pongWritten: (() => void) | null = null;

  /** Nothing listens to a server socket (its events go to the receiver): an empty listener table of our own. */
  dropListenerTable() {
    const emitter = this as unknown as { _events: object; _eventsCount: number };
    if (emitter._eventsCount === 0) emitter._events = Object.create(NO_LISTENERS);
  }

  hasOperation(id: string) {
    return this.operations.some((operation) => operation.id === id);
  }

  /** Sends a frame, unless the socket is closing. */
  sendFrame(frames: FrameWriter, data: string) {
    if (this.readyState === this.OPEN) frames.send(this, data);
  }

  /**
   * Answers a client's ping (ws's own answer, `autoPong`, is off: it keeps a closure per socket).
   * Like ws's: only while open, and a client whose pongs pile up unsent is cut off.
   */
  private answerPing(data: Buffer) {
    if (this.readyState !== this.OPEN) return;
    if (this.pendingPongs >= MAX_PENDING_PONGS) return this.terminate();
    this.pendingPongs++;
    this.pong(data, false, (this.pongWritten ??= () => void this.pendingPongs--));
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'ping') this.answerPing(args[0] as Buffer);
    const receiver = this.receiver;
    if (receiver === null) return super.emit(event, ...args);
    switch (event) {
      case 'message':
        receiver.message(this, args[0] as RawData);
        return true;
      case 'pong':
        this.awaitingPong = false;
        return true;
      case 'ping':
        return true;
      // ws emits 'error' only for a client's protocol violation (a frame over maxPayload, bad
      // UTF-8), after closing the socket itself with the fitting code (1009, 1007, 1002).
      case 'error':
        return true;
      case 'close': {
        if (this.initTimer) clearTimeout(this.initTimer);
        this.initTimer = null;
        receiver.closed(this);
        return super.emit(event, ...args);
      }
      default:
        return super.emit(event, ...args);
    }
  }
}

/**
 * One operation under way on a socket, from its `subscribe` until it is over. It is also where a
 * settling subscription (`SettlingIterator`, the shared subscriptions' delivery) reports its end:
 * no promise, closure or suspended function is kept per idle subscription.
 */
class Operation implements SettleTarget, GraphQLWsOperation {
  /** A subscription's source once it has one: returned when the client completes it or the socket closes. */
  source: AsyncIterator<unknown> | null = null;
  cost: number | null = null;
  private over = false;

  constructor(
    readonly socket: GraphQLWebSocket,
    readonly id: string,
    private readonly server: Server,
  ) {}

  /** Still the socket's operation of its id: not completed by the client, and the socket open. */
  get current() {
    return this.socket.operations.includes(this);
  }

  remove() {
    const { socket } = this;
    if (socket.operations.includes(this)) socket.operations = socket.operations.filter((operation) => operation !== this);
  }

  /** Its result (a query's, or one value of a subscription), unless the client completed it. */
  next(result: ExecutionResult) {
    if (!this.current) return;
    const { errors, ...rest } = result;
    const payload = errors ? { ...rest, errors: errors.map((error) => error.toJSON()) } : rest;
    this.socket.sendFrame(this.server.frames, JSON.stringify({ id: this.id, type: MessageType.Next, payload }));
  }

  /** Over, with `complete` sent unless the client completed it. */
  complete() {
    if (this.current) this.socket.sendFrame(this.server.frames, JSON.stringify({ id: this.id, type: MessageType.Complete }));
    this.end();
  }

  /** Over, with an `error` frame unless the client completed it (and no `complete`). */
  fail(errors: readonly GraphQLError[]) {
    if (this.current) {
      const payload = this.server.onError?.(this.socket, this.id, errors) ?? errors.map((error) => error.toJSON());
      this.socket.sendFrame(this.server.frames, JSON.stringify({ id: this.id, type: MessageType.Error, payload }));
    }
    this.end();
  }

  end() {
    this.remove();
    if (this.over) return;
    this.over = true;
    this.socket.inFlight--;
  }

  // GraphQLWsOperation: a subscription's results, sent as they come.
  unsent() {
    return this.socket.bufferedAmount;
  }

  whenDrained(bytes: number) {
    return this.server.frames.whenDrained(this.socket, bytes);
  }

  send(payload: Buffer) {
    // The frame's start is written each time rather than kept: one string per idle subscription otherwise.
    const id = JSON.stringify(this.id);
    const idLength = Buffer.byteLength(id);
    const payloadAt = FRAME_ID.length + idLength + FRAME_NEXT.length;
    // Bytes, not a string: ws then neither measures nor encodes the text again for each member.
    const frame = Buffer.allocUnsafe(payloadAt + payload.length + 1);
    frame.write(FRAME_ID, 0, 'latin1');
    frame.write(id, FRAME_ID.length, 'utf8');
    frame.write(FRAME_NEXT, FRAME_ID.length + idLength, 'latin1');
    payload.copy(frame, payloadAt);
    frame[frame.length - 1] = CLOSING_BRACE;
    this.server.frames.send(this.socket, frame);
  }

  // SettleTarget: how a settling subscription ends.
  resolve() {
    this.complete();
  }

  reject(error: unknown) {
    this.fail([toGraphQLError(error)]);
  }
}

/** An error that ended a subscription's source, as graphql-ws reports it: its message, the error kept as the original. */
const toGraphQLError = (error: unknown) => {
  const originalError = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(originalError.message, { originalError });
};

const isAsyncIterable = (value: unknown): value is AsyncIterableIterator<ExecutionResult> =>
  typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';

/** What every socket of one `serveGraphQLWs` shares. */
interface Server {
  readonly frames: FrameWriter;
  onError?(ctx: GraphQLWsContext<unknown>, id: string, errors: readonly GraphQLError[]): readonly GraphQLFormattedError[] | undefined;
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
 * The GraphQL over WebSocket protocol (graphql-transport-ws, as graphql-ws's `makeServer` speaks
 * it, with its close codes and messages) on `ws` sockets, holding little per connection and per
 * operation, and writing little:
 * - a connection's state is fields of its `GraphQLWebSocket` (installed as `wss`'s WebSocket
 *   class), an operation's is one `Operation`: no listeners, closures or suspended functions per
 *   socket, and none per idle subscription whose source settles (`SettlingIterator`);
 * - each message is parsed once, its operation document interned, so a live subscription keeps
 *   neither the raw frame nor a copy of its query;
 * - one keep-alive sweep pings every socket that sent nothing since the last, instead of timers
 *   per socket; the connection-init timer is dropped once `connection_init` arrives;
 * - a frame counts as sent once handed to the socket, so an operation's result and its `complete`
 *   leave in one write (see `FrameWriter`); a socket that fails closes, which ends its operations.
 *
 * Close codes: 4400 for a message that is not one of the protocol, 4401 for a `subscribe` before
 * `connection_init`, 4406 without the graphql-transport-ws subprotocol, 4408 without
 * `connection_init` in time, 4409 for a `subscribe` whose id is under way, 4429 for a second
 * `connection_init`, 4500 when running an operation throws (a hook's bug: its errors are GraphQL
 * errors, answered on that operation).
 */
export const serveGraphQLWs = <E>(
  wss: WebSocketServer,
  options: GraphQLWsOptions<E>,
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
  const { connectionInitWaitTimeout = 3_000, schema, roots, onSubscribe, execute = graphqlExecute, subscribe = graphqlSubscribe } = options;
  const server: Server = {
    frames,
    onError: options.onError as Server['onError'],
  };
  wss.options.handleProtocols = handleProtocols;
  wss.options.WebSocket = GraphQLWebSocket;
  // GraphQLWebSocket answers pings itself.
  wss.options.autoPong = false;

  const documents = new Map<string, string>();
  const intern = (payload: { query: string }) => {
    const known = documents.get(payload.query);
    if (known !== undefined) payload.query = known;
    else if (documents.size < MAX_INTERNED_DOCUMENTS) documents.set(payload.query, payload.query);
  };

  /** Without `onSubscribe`: the document parsed and validated against `schema`. */
  const prepare = (payload: SubscribePayload): ExecutionArgs | readonly GraphQLError[] => {
    if (!schema) throw new Error('serveGraphQLWs: no schema and no onSubscribe');
    let document: ExecutionArgs['document'];
    try {
      document = parse(payload.query);
    } catch (error) {
      return [error instanceof GraphQLError ? error : toGraphQLError(error)];
    }
    const errors = validate(schema, document);
    if (errors.length > 0) return errors;
    return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
  };

  const run = async (operation: Operation, payload: SubscribePayload) => {
    const socket = operation.socket;
    const prepared = onSubscribe ? await onSubscribe(socket as GraphQLWsContext<E>, operation.id, payload, operation) : prepare(payload);
    if (Array.isArray(prepared)) return operation.fail(prepared as readonly GraphQLError[]);
    const args = prepared as ExecutionArgs;
    const ast = getOperationAST(args.document, args.operationName);
    if (!ast) return operation.fail([new GraphQLError('Unable to identify operation')]);
    if (!('rootValue' in args)) args.rootValue = roots?.[ast.operation];
    const result = ast.operation === 'subscription' ? await subscribe(args) : await execute(args);
    if (!isAsyncIterable(result)) {
      operation.next(result);
      return operation.complete();
    }
    if (!operation.current) {
      // Completed by the client (or the socket closed) while it was being set up.
      void result.return?.();
      return operation.end();
    }
    operation.source = result;
    // The source sends its values itself and reports its end: nothing waits for it here.
    if (canSettle(result)) return result[settleTo](operation);
    try {
      for await (const value of result) operation.next(value);
    } catch (error) {
      return operation.fail([toGraphQLError(error)]);
    }
    operation.complete();
  };

  const start = (socket: GraphQLWebSocket, id: string, payload: SubscribePayload) => {
    if (!socket.acknowledged) return socket.close(CloseCode.Unauthorized, 'Unauthorized');
    if (socket.hasOperation(id)) return socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
    const operation = new Operation(socket, id, server);
    socket.operations = socket.operations.concat(operation);
    socket.inFlight++;
    run(operation, payload).then(undefined, (error: unknown) => {
      operation.end();
      console.error('graphql-ws operation failed:', error);
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
  };

  // The open sockets, tracked here (ws's own tracking adds a listener per socket): wss may be
  // created with clientTracking off.
  const clients = new Set<GraphQLWebSocket>();
  const receiver: Receiver = {
    closed(socket) {
      clients.delete(socket);
      const operations = socket.operations;
      socket.operations = NO_OPERATIONS;
      for (const operation of operations) {
        if (operation.source?.return) Promise.resolve(operation.source.return()).catch(() => {});
      }
      onClose?.(socket.extra as E);
    },
    message(socket, data) {
      socket.heard = true;
      let message: ReturnType<typeof validateMessage>;
      try {
        message = validateMessage(JSON.parse(String(data)));
      } catch {
        return socket.close(CloseCode.BadRequest, 'Invalid message received');
      }
      switch (message.type) {
        case MessageType.ConnectionInit:
          if (socket.initTimer) clearTimeout(socket.initTimer);
          socket.initTimer = null;
          if (socket.acknowledged) return socket.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
          socket.acknowledged = true;
          return socket.sendFrame(frames, JSON.stringify({ type: MessageType.ConnectionAck }));
        case MessageType.Ping:
          return socket.sendFrame(
            frames,
            JSON.stringify(message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong }),
          );
        case MessageType.Pong:
          return;
        case MessageType.Subscribe:
          if (socket.inFlight >= MAX_OPERATIONS_IN_FLIGHT) return socket.sendFrame(frames, tooManyInFlight(message.id));
          // Parsed here, so its own: the payload may be changed.
          intern(message.payload as { query: string });
          return start(socket, message.id, message.payload);
        case MessageType.Complete: {
          const operation = socket.operations.find((candidate) => candidate.id === message.id);
          if (!operation) return;
          operation.remove();
          if (operation.source?.return) Promise.resolve(operation.source.return()).catch(() => {});
          return;
        }
        default:
          // A server's message sent by the client (connection_ack, next, error).
          console.error(`graphql-ws: unexpected message of type ${message.type} received`);
          return socket.close(CloseCode.InternalServerError, 'Internal server error');
      }
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
      socket.extra = extra;
      socket.dropListenerTable();
      socket.receiver = receiver;
      clients.add(socket);
      if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
        return socket.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
      }
      if (connectionInitWaitTimeout > 0 && Number.isFinite(connectionInitWaitTimeout)) {
        socket.initTimer = setTimeout(onInitTimeout, connectionInitWaitTimeout, socket);
      }
    },
    /** The sockets `open` was given that have not closed yet. */
    clients: clients as ReadonlySet<WebSocket>,
    close() {
      clearInterval(keepAlive);
    },
  };
};
