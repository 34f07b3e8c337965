import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type DocumentNode, GraphQLError, type GraphQLSchema, getOperationAST } from 'graphql';
import { type WebSocket, WebSocketServer } from 'ws';
import { TooManySubscriptionsError } from '../auth/limitErrors.js';
import { MAX_SOCKETS_PER_USER, type SocketLease, type SocketLeases } from '../auth/socketLeases.js';
import type { GraphQLContext, Viewer } from '../graphql/context.js';
import { toDocumentTooComplexError, toFormattedErrors, toMaskError } from '../graphql/errors.js';
import { chargeOperation } from '../graphql/queryBudget.js';
import type { RateLimits } from '../auth/rateLimits.js';
import { executeMasked } from '../graphql/execute.js';
import { selectsViewerDependentField } from '../graphql/viewerDependent.js';
import { createFrameWriter } from './frameWriter.js';
import { type GraphQLWsContext, type GraphQLWsOperation, serveGraphQLWs } from './graphqlWsServer.js';
import { BODY_LIMIT_BYTES, isAllowedOrigin, toClientAddress } from './httpUtil.js';
import type { Metrics } from './metrics.js';
import { type SharedTarget, type createSharedSubscriptions, toGroupKey } from './sharedSubscriptions.js';
import type { ChatYoga } from './yoga.js';

export interface GraphQLWebSockets {
  /**
   * Handles an HTTP upgrade to `/graphql`: Origin allowlist (403), session cookie, a socket slot
   * for a signed-in user (429 past `MAX_SOCKETS_PER_USER` across instances; 503 when the session
   * store is down) or for an anonymous one (429 past `MAX_ANONYMOUS_SOCKETS_PER_ADDRESS` from one
   * client address on this instance), then graphql-ws with a 3 s connection-init timeout (4408)
   * and at most `MAX_SUBSCRIPTIONS_PER_SOCKET` live subscriptions (the next answers
   * TOO_MANY_SUBSCRIPTIONS).
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
  /** The session cookie alone of a cookie header (`AuthRoutes.sessionCookie`): what a socket keeps. */
  sessionCookie(cookieHeader: string | undefined): string | undefined;
  /** An operation's context (Yoga's `context`, `toContextFactory`): built here without envelop's pipeline. */
  context(viewer: Viewer | null): GraphQLContext;
  metrics: Metrics;
  /** One lease per socket of a signed-in user: at most `MAX_SOCKETS_PER_USER` across instances. */
  socketLeases: SocketLeases;
  /** Proxies in front of this server whose `X-Forwarded-For` entries are believed (`toClientAddress`). */
  trustProxyHops: number;
  /** Production: errors say no "Did you mean …?" (see `toMaskError`). */
  production: boolean;
  /** What operations cost is charged to their sender's budget (`chargeOperation`). */
  limits: RateLimits;
  /** Shared with the other transport, so that a group's renders serve its members on both. */
  sharedSubscriptions: ReturnType<typeof createSharedSubscriptions>;
}

/** Subscriptions one socket may hold at once; the next one is answered TOO_MANY_SUBSCRIPTIONS. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 25;
/**
 * What one socket's subscriptions may cost in all (graphql/cost.ts): each event renders each of
 * its distinct documents, so this bounds the work per event one socket can buy (and one user, with
 * `MAX_SOCKETS_PER_USER`). Past it, QUERY_TOO_COMPLEX.
 */
export const MAX_SUBSCRIPTION_COST_PER_SOCKET = 100_000;
/**
 * Sockets without a session from one client address, on one instance. Signed-in sockets are
 * counted per user instead; without this, one host could hold any number of sockets (each some KiB
 * of server memory) at no cost. Generous, for the people behind one NAT who use the API unsigned.
 */
export const MAX_ANONYMOUS_SOCKETS_PER_ADDRESS = 20;
/** Valid operation texts whose parsed document is kept (`checkedDocuments`); past this many, new ones are checked each time. */
const MAX_CHECKED_DOCUMENTS = 256;
/** Longer texts are not kept there (their documents would hold on to much memory). */
const MAX_CHECKED_DOCUMENT_LENGTH = 16 * 1024;

/** A socket that has not sent `connection_init` by then is closed (4408). */
export const CONNECTION_INIT_TIMEOUT_MS = 3_000;

/** What the graphql-ws hooks know of a connection (`ctx.extra`). */
interface Connection {
  socket: WebSocket;
  cookie: string | undefined;
  /** The client's address (`toClientAddress`), for the budget of a signed-out socket. */
  address: string;
  /** Its session, when it was signed in at the upgrade (its operations check the session again); else null. */
  sessionId: string | null;
  /** Its user's socket slot, given back when it closes; null for an anonymous socket. */
  lease: SocketLease | null;
}

const refuse = (socket: Duplex, status: number, message: string, code = status === 403 ? 'FORBIDDEN_ORIGIN' : 'UPGRADE_REFUSED') => {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
};

/**
 * GraphQL over WebSocket (graphql-transport-ws) through Yoga's envelop, so the same schema,
 * plugins and error masking apply as over HTTP. A document that does not parse or validate
 * answers an error on that operation; the socket stays open.
 */
export const createGraphQLWebSockets = ({
  yoga,
  allowedOrigins,
  authenticate,
  sessionCookie,
  context,
  metrics,
  socketLeases,
  trustProxyHops,
  production,
  limits,
  sharedSubscriptions,
}: Options): GraphQLWebSockets => {
  const mask = toMaskError(production);
  // ws closes a socket whose frame passes maxPayload with 1009 (message too big).
  const wss = new WebSocketServer({ noServer: true, maxPayload: BODY_LIMIT_BYTES, clientTracking: false });
  // A session's sockets on this instance: usually one, held as itself (a Set per socket costs more than the socket's other state).
  const bySession = new Map<string, WebSocket | Set<WebSocket>>();
  // The TCP stream under each WebSocket: corked to send a burst of frames in one write.
  const streams = new WeakMap<WebSocket, Duplex>();
  const frames = createFrameWriter((ws) => streams.get(ws));
  // Validation results by document (Yoga's parse cache hands out the same document for the same
  // text): the rules are the same for every operation, and Yoga's own validation cache costs
  // more per operation (its key joins every rule's name).
  const validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  // By operation text, what parsing and validating it gave (the schema and rules are the same for
  // every operation): a storm's thousands of identical subscriptions then skip Yoga's pipeline
  // (its plugins' hooks and its parse cache's LRU) altogether. The texts are graphqlWsServer.ts's
  // interned ones; only valid ones are kept.
  const checkedDocuments = new Map<string, { schema: GraphQLSchema; document: DocumentNode; errors: readonly GraphQLError[] }>();
  /** Takes a subscription slot on the socket: an error when all are in use, or when the subscriptions would cost too much in all. */
  const claimSubscriptionSlot = (ctx: GraphQLWsContext<Connection>, output: GraphQLWsOperation, cost: number): GraphQLError | null => {
    // The slots held are those of the socket's subscriptions under way: each operation keeps its own.
    let held = 0;
    let count = 0;
    for (const operation of ctx.operations) {
      if (operation.cost === null) continue;
      held += operation.cost;
      count++;
    }
    if (count >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
      const error = new TooManySubscriptionsError(MAX_SUBSCRIPTIONS_PER_SOCKET);
      return new GraphQLError(error.message, { originalError: error });
    }
    if (held + cost > MAX_SUBSCRIPTION_COST_PER_SOCKET) {
      return toDocumentTooComplexError(
        `The subscriptions of one connection may cost ${MAX_SUBSCRIPTION_COST_PER_SOCKET} in all; these would cost ${held + cost}: complete one first`,
      );
    }
    output.cost = cost;
    return null;
  };

  const graphqlWs = serveGraphQLWs<Connection>(
    wss,
    {
      connectionInitWaitTimeout: CONNECTION_INIT_TIMEOUT_MS,
      onSubscribe: async (ctx, _id, payload, output) => {
        // The session may have ended since the upgrade: check it again for every operation.
        let viewer: Viewer | null = null;
        try {
          if (ctx.extra.sessionId !== null) viewer = await authenticate(ctx.extra.cookie);
        } catch (error) {
          // Thrown here, graphql-ws would close the whole socket with 4500 and the error's message.
          return [new GraphQLError('Session store unavailable', { originalError: error instanceof Error ? error : undefined })];
        }
        let checked = checkedDocuments.get(payload.query);
        if (!checked) {
          const { schema, parse, validate } = yoga.getEnveloped({ viewer, transport: 'ws', address: ctx.extra.address });
          let document: DocumentNode;
          try {
            document = parse(payload.query);
          } catch (error) {
            return [error instanceof GraphQLError ? error : new GraphQLError('Syntax error')];
          }
          let errors = validated.get(document);
          if (!errors) {
            let result: readonly GraphQLError[];
            try {
              result = validate(schema, document);
            } catch (error) {
              // A validation rule that throws (rather than reports) must not take the socket down (4500).
              return [error instanceof GraphQLError ? error : new GraphQLError('Invalid document')];
            }
            validated.set(document, (errors = result));
          }
          checked = { schema, document, errors };
          if (errors.length === 0 && payload.query.length <= MAX_CHECKED_DOCUMENT_LENGTH && checkedDocuments.size < MAX_CHECKED_DOCUMENTS) {
            checkedDocuments.set(payload.query, checked);
          }
        }
        const { schema, document, errors } = checked;
        const contextFactory = () => context(viewer);
        if (errors.length > 0) return [...errors];
        const operation = getOperationAST(document, payload.operationName);
        // As over HTTP (Yoga's words and code), where graphql-ws would say "Unable to identify operation" with no code.
        if (!operation) {
          return [
            new GraphQLError('Could not determine what operation to execute.', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }),
          ];
        }
        const isSubscription = operation.operation === 'subscription';
        const { cost, refused } = await chargeOperation(
          limits,
          { viewer, address: ctx.extra.address },
          { schema, document, operationName: payload.operationName, variables: payload.variables },
        );
        if (refused) return [refused];
        const unclaimed = isSubscription ? claimSubscriptionSlot(ctx, output, cost) : null;
        if (unclaimed) return [unclaimed];
        // Carried to `subscribe` below as the root value, which a subscription's source ignores.
        const shared: SharedTarget | undefined = isSubscription
          ? {
              // Its results go straight to the socket as next frames of this operation.
              output,
              groupKey: toGroupKey(
                payload.query,
                document,
                payload.operationName,
                payload.variables,
                selectsViewerDependentField(schema, document) ? (viewer?.userId ?? '') : null,
              ),
              contextFactory,
            }
          : undefined;
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: contextFactory(),
          rootValue: shared,
        };
      },
      execute: (args) => executeMasked({ ...args, rootValue: undefined }, mask) as never,
      subscribe: (args) => sharedSubscriptions.subscribe(args, args.rootValue as SharedTarget) as never,
      onError: (_ctx, _id, errors) => toFormattedErrors(errors, mask),
    },
    frames,
    {
      // One function for every socket: what it must undo is in its connection.
      onClose: ({ socket, sessionId, lease }) => {
        metrics.webSockets.dec();
        if (lease) void lease.release();
        if (sessionId === null) return;
        const held = bySession.get(sessionId);
        if (held === socket) bySession.delete(sessionId);
        else if (held instanceof Set && held.delete(socket) && held.size === 0) bySession.delete(sessionId);
      },
    },
  );

  // Set up out of handleUpgrade's scope, so that what lives as long as the socket does not hold
  // on to the upgrade request.
  const accept = (
    ws: WebSocket,
    stream: Duplex,
    cookie: string | undefined,
    address: string,
    sessionId: string | null,
    lease: SocketLease | null,
  ) => {
    streams.set(ws, stream);
    metrics.webSockets.inc();
    if (sessionId !== null) {
      const held = bySession.get(sessionId);
      if (!held) bySession.set(sessionId, ws);
      else if (held instanceof Set) held.add(ws);
      else bySession.set(sessionId, new Set([held, ws]));
    }
    graphqlWs.open(ws, { socket: ws, cookie, address, sessionId, lease });
  };
  /** Runs `release` once, when the TCP socket closes (at once if it has already). */
  const releaseOnClose = (socket: Duplex, release: () => void) => {
    let released = false;
    const once = () => {
      if (released) return;
      released = true;
      release();
    };
    socket.on('close', once);
    if (socket.destroyed) once();
  };
  // Anonymous sockets by client address, each held until its TCP socket closes.
  const anonymousByAddress = new Map<string, number>();
  const takeAnonymousSlot = (socket: Duplex, address: string): boolean => {
    const held = anonymousByAddress.get(address) ?? 0;
    if (held >= MAX_ANONYMOUS_SOCKETS_PER_ADDRESS) return false;
    anonymousByAddress.set(address, held + 1);
    releaseOnClose(socket, () => {
      const left = anonymousByAddress.get(address)! - 1;
      if (left === 0) anonymousByAddress.delete(address);
      else anonymousByAddress.set(address, left);
    });
    return true;
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
      const address = toClientAddress(req, trustProxyHops);
      if (!viewer && !takeAnonymousSlot(socket, address)) {
        return refuse(
          socket,
          429,
          `At most ${MAX_ANONYMOUS_SOCKETS_PER_ADDRESS} connections per address without signing in`,
          'TOO_MANY_CONNECTIONS',
        );
      }
      // Kept for the socket's life to check the session at each operation: the session cookie
      // alone, not the site's whole Cookie header (often kilobytes of other cookies).
      const cookie = viewer ? sessionCookie(req.headers.cookie) : undefined;
      const sessionId = viewer?.sessionId ?? null;
      // ws accepts (calls back) or refuses within handleUpgrade: it is given no verifyClient.
      let accepted = false;
      wss.handleUpgrade(req, socket, head, (ws) => {
        accepted = true;
        // Given back when the WebSocket closes (however it closes: ws emits 'close' once its TCP socket has).
        accept(ws, socket, cookie, address, sessionId, lease);
      });
      // Refused by ws: the slot goes with the TCP socket.
      if (lease && !accepted) releaseOnClose(socket, () => void lease.release());
    },
    closeSession(sessionId) {
      const held = bySession.get(sessionId);
      for (const socket of held instanceof Set ? [...held] : held ? [held] : []) socket.close(4401, 'Signed out');
    },
    closeAll() {
      graphqlWs.close();
      for (const socket of graphqlWs.clients) socket.close(1001, 'Server shutting down');
    },
  };
};
