import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, GraphQLError, getOperationAST } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Viewer } from '../graphql/context.js';
import { toFormattedErrors } from '../graphql/errors.js';
import { BODY_LIMIT_BYTES, isAllowedOrigin } from './httpUtil.js';
import type { Metrics } from './metrics.js';
import { type SharedTarget, createSharedSubscriptions, toGroupKey } from './sharedSubscriptions.js';
import type { ChatYoga } from './yoga.js';

export interface GraphQLWebSockets {
  /** Handles an HTTP upgrade to `/graphql`: Origin allowlist, session cookie, then graphql-ws. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  /** Closes every socket of that session (it signed out). */
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
}

type Executor = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown; shared?: SharedTarget };

const refuse = (socket: Duplex, status: number, message: string) => {
  const body = JSON.stringify({ error: { code: status === 403 ? 'FORBIDDEN_ORIGIN' : 'UPGRADE_REFUSED', message } });
  socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
};

/**
 * GraphQL over WebSocket (graphql-transport-ws) through Yoga's envelop, so the same schema,
 * plugins and error masking apply as over HTTP. A document that does not parse or validate
 * answers an error on that operation; the socket stays open.
 */
export const createGraphQLWebSockets = ({ yoga, allowedOrigins, authenticate, metrics }: Options): GraphQLWebSockets => {
  // ws closes a socket whose frame passes maxPayload with 1009 (message too big).
  const wss = new WebSocketServer({ noServer: true, maxPayload: BODY_LIMIT_BYTES });
  const bySession = new Map<string, Set<WebSocket>>();
  const viewers = new WeakMap<IncomingMessage, Viewer | null>();
  const sharedSubscriptions = createSharedSubscriptions(metrics);

  useServer<Record<string, unknown>, { viewer?: Viewer | null }>(
    {
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
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const shared: SharedTarget | undefined =
          getOperationAST(document, payload.operationName)?.operation === 'subscription'
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
      try {
        viewer = await authenticate(req.headers.cookie);
      } catch {
        return refuse(socket, 503, 'Session store unavailable');
      }
      viewers.set(req, viewer);
      wss.handleUpgrade(req, socket, head, (ws) => {
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

