import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, GraphQLError, getOperationAST } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { TooManySubscriptionsError } from '../auth/limitErrors.js';
import { MAX_SOCKETS_PER_USER, type SocketLease, type SocketLeases } from '../auth/socketLeases.js';
import type { Viewer } from '../graphql/context.js';
import { toFormattedErrors } from '../graphql/errors.js';
import { BODY_LIMIT_BYTES, isAllowedOrigin } from './httpUtil.js';
import type { Metrics } from './metrics.js';
import { type SharedTarget, createSharedSubscriptions, toGroupKey } from './sharedSubscriptions.js';
import type { ChatYoga } from './yoga.js';

export interface GraphQLWebSockets {
  /**
   * Handles an HTTP upgrade to `/graphql`: Origin allowlist (403), session cookie, a socket slot
   * for a signed-in user (429 past `MAX_SOCKETS_PER_USER` across instances; 503 when the session
   * store is down), then graphql-ws with a 3 s connection-init timeout (4408) and at most
   * `MAX_SUBSCRIPTIONS_PER_SOCKET` live subscriptions (the next answers TOO_MANY_SUBSCRIPTIONS).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  /** Closes this instance's sockets of that session with 4401 (it signed out; graphql-ws clients do not retry 4401). */
  closeSession(sessionId: string): void;
  /** Closes every socket with 1001 (server going away). */
  closeAll(): void;
}

interface Options {
  yoga: ChatYoga;
  allowedOrigins: readonly string[];
  /** The viewer a cookie header proves, or null; may reject when the session store is down. */
  authenticate(cookieHeader: string | undefined): Promise<Viewer | null>;
  metrics: Metrics;
  /** One lease per socket of a signed-in user: at most `MAX_SOCKETS_PER_USER` across instances. */
  socketLeases: SocketLeases;
}

/** Subscriptions one socket may hold at once; the next one is answered TOO_MANY_SUBSCRIPTIONS. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 25;
/** A socket that has not sent `connection_init` by then is closed (4408). */
export const CONNECTION_INIT_TIMEOUT_MS = 3_000;

type Executor = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown; shared?: SharedTarget };

const refuse = (socket: Duplex, status: number, message: string, code = status === 403 ? 'FORBIDDEN_ORIGIN' : 'UPGRADE_REFUSED') => {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
};

/**
 * GraphQL over WebSocket (graphql-transport-ws) through Yoga's envelop, so the same schema,
 * plugins and error masking apply as over HTTP. A document that does not parse or validate
 * answers an error on that operation; the socket stays open.
 */
export const createGraphQLWebSockets = ({ yoga, allowedOrigins, authenticate, metrics, socketLeases }: Options): GraphQLWebSockets => {
  // ws closes a socket whose frame passes maxPayload with 1009 (message too big).
  const wss = new WebSocketServer({ noServer: true, maxPayload: BODY_LIMIT_BYTES });
  const bySession = new Map<string, Set<WebSocket>>();
  const viewers = new WeakMap<IncomingMessage, Viewer | null>();
  // The TCP stream under each WebSocket: shared subscriptions cork it to send a burst in one write.
  const streams = new WeakMap<WebSocket, Duplex>();
  const sharedSubscriptions = createSharedSubscriptions(metrics, (ws) => streams.get(ws));
  // Per socket: ids of the subscriptions it started. graphql-ws drops an id from
  // `ctx.subscriptions` when that operation ends, which is how finished ones are told apart.
  const subscriptionIds = new WeakMap<object, Set<string>>();

  /** Takes a subscription slot on the socket, or answers false when all are in use. */
  const claimSubscriptionSlot = (socket: object, active: Record<string, unknown>, id: string): boolean => {
    let ids = subscriptionIds.get(socket);
    if (!ids) subscriptionIds.set(socket, (ids = new Set()));
    for (const known of ids) if (!(known in active)) ids.delete(known);
    if (ids.size >= MAX_SUBSCRIPTIONS_PER_SOCKET) return false;
    ids.add(id);
    return true;
  };

  useServer<Record<string, unknown>, { viewer?: Viewer | null }>(
    {
      connectionInitWaitTimeout: CONNECTION_INIT_TIMEOUT_MS,
      onSubscribe: async (ctx, id, payload) => {
        const request = ctx.extra.request;
        // The session may have ended since the upgrade: check it again for every operation.
        let viewer: Viewer | null = null;
        try {
          if (viewers.get(request)) viewer = await authenticate(request.headers.cookie);
        } catch (error) {
          // Thrown here, graphql-ws would close the whole socket with 4500 and the error's message.
          return [new GraphQLError('Session store unavailable', { originalError: error instanceof Error ? error : undefined })];
        }
        const { schema, parse, validate, contextFactory, execute, subscribe } = yoga.getEnveloped({ viewer, transport: 'ws' });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax error')];
        }
        let errors: readonly GraphQLError[];
        try {
          errors = validate(schema, document);
        } catch (error) {
          // A validation rule that throws (rather than reports) must not take the socket down (4500).
          return [error instanceof GraphQLError ? error : new GraphQLError('Invalid document')];
        }
        if (errors.length > 0) return [...errors];
        const isSubscription = getOperationAST(document, payload.operationName)?.operation === 'subscription';
        if (isSubscription && !claimSubscriptionSlot(ctx.extra.socket, ctx.subscriptions, id)) {
          const error = new TooManySubscriptionsError(MAX_SUBSCRIPTIONS_PER_SOCKET);
          return [new GraphQLError(error.message, { originalError: error })];
        }
        const shared: SharedTarget | undefined =
          isSubscription
            ? { socket: ctx.extra.socket, id, groupKey: toGroupKey(payload.query, document, payload.operationName, payload.variables), contextFactory }
            : undefined;
        const rootValue: Executor = { execute, subscribe, shared };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue,
        };
      },
      execute: (args) => (args.rootValue as Executor).execute(args) as never,
      subscribe: (args) => {
        const { shared, subscribe } = args.rootValue as Executor;
        return (shared ? sharedSubscriptions.subscribe(args, shared) : subscribe(args)) as never;
      },
      onError: (_ctx, _id, _payload, errors) => toFormattedErrors(errors),
    },
    wss,
  );

  const track = (socket: WebSocket, sessionId: string) => {
    let sockets = bySession.get(sessionId);
    if (!sockets) bySession.set(sessionId, (sockets = new Set()));
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) bySession.delete(sessionId);
    });
  };

  return {
    async handleUpgrade(req, socket, head) {
      if (!isAllowedOrigin(req, allowedOrigins)) return refuse(socket, 403, 'Origin not allowed');
      let viewer: Viewer | null;
      let lease: SocketLease | null = null;
      try {
        viewer = await authenticate(req.headers.cookie);
        if (viewer) lease = await socketLeases.acquire(viewer.userId);
      } catch {
        return refuse(socket, 503, 'Session store unavailable');
      }
      if (viewer && !lease) {
        return refuse(socket, 429, `At most ${MAX_SOCKETS_PER_USER} connections per user; close one first`, 'TOO_MANY_CONNECTIONS');
      }
      // The TCP socket closes however this ends (refused by ws, closed later, or dropped): the slot with it.
      if (lease) socket.once('close', () => void lease.release());
      if (socket.destroyed) void lease?.release();
      viewers.set(req, viewer);
      wss.handleUpgrade(req, socket, head, (ws) => {
        streams.set(ws, socket);
        if (viewer) track(ws, viewer.sessionId);
        metrics.webSockets.inc();
        ws.once('close', () => metrics.webSockets.dec());
        wss.emit('connection', ws, req);
        // ws emits 'error' only for a client's protocol violation (a frame over maxPayload, bad
        // UTF-8), after closing the socket itself with the fitting code (1009, 1007, 1002).
        // graphql-ws would log each one with the whole socket: a client could flood the log.
        ws.removeAllListeners('error');
        ws.on('error', () => {});
      });
    },
    closeSession(sessionId) {
      for (const socket of bySession.get(sessionId) ?? []) socket.close(4401, 'Signed out');
    },
    closeAll() {
      for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
    },
  };
};

