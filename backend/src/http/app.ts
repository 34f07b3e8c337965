import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import type { Config } from '../config.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import type { Viewer } from '../graphql/context.js';
import { toFormattedErrors } from '../graphql/errors.js';
import { createAuthRoutes } from './authRoutes.js';
import {
  ClientGoneError,
  HttpError,
  createOneLineLog,
  isAllowedOrigin,
  methodNotAllowed,
  readBody,
  sendError,
  sendJson,
  toGraphiQLContentSecurityPolicy,
  isPrivateAddress,
  toClientAddress,
  toHeaders,
  toSecurityHeaders,
} from './httpUtil.js';
import { type Services, createServices } from '../services.js';
import { createMetrics } from './metrics.js';
import { serveStatic } from './static.js';
import { GRAPHIQL_ASSETS_PATH, serveGraphiQLAsset } from './graphiql.js';
import { createSharedSubscriptions } from './sharedSubscriptions.js';
import { createGraphQLEventStreams } from './sse.js';
import { createGraphQLWebSockets } from './ws.js';
import { createChatYoga, toContextFactory } from './yoga.js';

/** How long an idle HTTP keep-alive connection stays open. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

const toEmptyBodyError = (status: number): { code: string; message: string } => {
  if (status === 415) return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as application/json' };
  if (status === 406) return { code: 'NOT_ACCEPTABLE', message: 'Accept application/json or application/graphql-response+json' };
  return { code: 'BAD_REQUEST', message: `Request refused (${status})` };
};

const GRAPHQL_METHODS = new Set(['GET', 'POST', 'OPTIONS']);
/** The bodies Yoga reads; anything else could never be an operation. */
const GRAPHQL_BODY_TYPES = /^\s*(application\/(json|graphql-response\+json|graphql|x-www-form-urlencoded)|multipart\/form-data)\s*(;|$)/i;

/** A bounded label set: the route, never the raw path. */
const toRouteLabel = (url: string | undefined) => {
  const path = URL.parse(url ?? '/', 'http://localhost')?.pathname ?? '';
  if (path === '/graphql' || path === '/healthz' || path === '/readyz' || path === '/metrics') return path;
  return path.startsWith('/auth/') ? '/auth' : 'static';
};

export interface App {
  server: Server;
  /** Serves `/metrics` alone when METRICS_PORT is set. */
  metricsServer: Server | null;
  services: Services;
  /** Listens on the configured host and port (0: any free port); resolves with the base URL. */
  start(): Promise<string>;
  /** Graceful: stop accepting, finish in-flight requests, close sockets with 1001 and event streams (without `complete`), close the stores. */
  stop(): Promise<void>;
}

/** Listens on a host and port (0: any free one); resolves with the base URL. */
const listen = (server: Server, host: string, port: number) =>
  new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
    });
  });

/** Assembles the whole server: one port for the UI, GraphQL over HTTP, WebSocket and Server-Sent Events, and auth. */
export const buildApp = async (config: Config, services?: Services): Promise<App> => {
  const svc =
    services ??
    (await createServices({
      redisUrl: config.redisUrl,
      redisCluster: config.redisCluster,
      databaseUrl: config.databaseUrl,
      presence: config.presence,
      roomLogMaxEvents: config.roomLogMaxEvents,
      rateLimits: config.rateLimits,
      redisAck: config.redisAck,
    }));
  const yoga = createChatYoga(config, svc);
  let sockets: ReturnType<typeof createGraphQLWebSockets> | undefined;
  let eventStreams: ReturnType<typeof createGraphQLEventStreams> | undefined;
  const auth = createAuthRoutes(config, svc, {
    onLogout: (sessionId) => {
      sockets?.closeSession(sessionId);
      eventStreams?.closeSession(sessionId);
    },
  });
  const metrics = createMetrics(svc.projectionLag);
  // One set of groups for both transports: a WebSocket and an SSE subscriber of one document share its renders.
  const sharedSubscriptions = createSharedSubscriptions(metrics);
  sockets = createGraphQLWebSockets({
    yoga,
    allowedOrigins: config.allowedOrigins,
    authenticate: auth.authenticate,
    sessionCookie: auth.sessionCookie,
    context: toContextFactory(svc),
    metrics,
    socketLeases: svc.socketLeases,
    trustProxyHops: config.trustProxyHops,
    production: config.production,
    limits: svc.limits,
    sharedSubscriptions,
  });
  eventStreams = createGraphQLEventStreams({
    yoga,
    context: toContextFactory(svc),
    sharedSubscriptions,
    socketLeases: svc.socketLeases,
    allowedOrigins: config.allowedOrigins,
    metrics,
    production: config.production,
    heartbeatMs: config.sseHeartbeatMs,
    limits: svc.limits,
    trustProxyHops: config.trustProxyHops,
  });
  // Sign-outs on other instances (and this one: closing twice is harmless) close their sockets and streams here.
  svc.sessionEvents.onEnded((sessionId) => {
    svc.sessions.forget(sessionId);
    sockets?.closeSession(sessionId);
    eventStreams?.closeSession(sessionId);
  });
  const securityHeaders = toSecurityHeaders(config);
  // GraphiQL's page is the same for every request: its policy is worked out once.
  let graphiqlPolicy: { html: string; policy: string } | null = null;
  const toGraphiQLPolicy = (html: string) => {
    if (graphiqlPolicy?.html !== html) graphiqlPolicy = { html, policy: toGraphiQLContentSecurityPolicy(config, html) };
    return graphiqlPolicy.policy;
  };

  const graphql = async (req: IncomingMessage, res: ServerResponse) => {
    const receivedAt = performance.now();
    // A page of another site must not run operations with the user's cookie (CORS alone only hides the answer).
    if (!isAllowedOrigin(req, config.allowedOrigins)) throw new HttpError(403, 'Origin not allowed', 'FORBIDDEN_ORIGIN');
    // Refused here rather than by Yoga, whose CSRF check would come first and answer 403 for what
    // is simply the wrong request.
    if (!GRAPHQL_METHODS.has(req.method ?? '')) throw methodNotAllowed([...GRAPHQL_METHODS]);
    if (req.method === 'POST' && !GRAPHQL_BODY_TYPES.test(req.headers['content-type'] ?? '')) {
      throw new HttpError(415, 'Send the body as application/json', 'UNSUPPORTED_MEDIA_TYPE');
    }
    // Bodies are read here, under our limit, rather than by Yoga.
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    let viewer: Viewer | null;
    try {
      viewer = await auth.authenticate(req.headers.cookie);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // Answered as GraphQL, the way the same outage inside a resolver is.
      return sendJson(res, 503, { errors: toFormattedErrors([new GraphQLError(error.message, { originalError: error })]) });
    }
    // A subscription asking for text/event-stream is streamed here; everything else is Yoga's.
    if (await eventStreams.serve(req, res, body, viewer)) return;
    const response = await yoga.fetch(
      new URL(req.url ?? '/', config.publicUrl),
      { method: req.method, headers: toHeaders(req), body: body ? new Uint8Array(body) : undefined },
      { viewer, transport: 'http', address: toClientAddress(req, config.trustProxyHops), receivedAt },
    );
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const setCookies = response.headers.getSetCookie();
    if (setCookies.length > 0) headers['set-cookie'] = setCookies;
    let payload = Buffer.from(await response.arrayBuffer());
    if (response.headers.get('content-type')?.startsWith('text/html')) {
      headers['content-security-policy'] = toGraphiQLPolicy(payload.toString('utf8'));
    }
    if (response.status >= 400 && payload.length === 0) {
      // Yoga refuses some requests (415, 406) with no body; every failure names its problem in JSON.
      const error = toEmptyBodyError(response.status);
      payload = Buffer.from(JSON.stringify({ error }));
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    headers['content-length'] = String(payload.length);
    res.writeHead(response.status, headers);
    res.end(payload);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/graphql') return graphql(req, res);
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    // Metrics tell what the server does and for whom: on a port of their own when METRICS_PORT is
    // set, else here for this machine and private networks only (others find nothing).
    if (path === '/metrics') {
      if (config.metricsPort === null && isPrivateAddress(toClientAddress(req, config.trustProxyHops))) return sendMetrics(res);
      throw new HttpError(404, `Nothing at ${req.method} ${path}`, 'NOT_FOUND');
    }
    if (path === '/readyz') {
      await svc.store.ping();
      await svc.searchIndex.ping();
      return sendJson(res, 200, { status: 'ready', store: svc.store.kind, search: svc.searchIndex.engine });
    }
    if (path.startsWith('/auth/') && (await auth.handle(req, res, path))) return;
    if (config.introspection && (req.method === 'GET' || req.method === 'HEAD') && path.startsWith(GRAPHIQL_ASSETS_PATH)) {
      if (await serveGraphiQLAsset(res, path, req.method)) return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && !path.startsWith('/auth/') && (await serveStatic(res, path))) return;
    throw new HttpError(404, `Nothing at ${req.method} ${path}`, 'NOT_FOUND');
  };

  const sendMetrics = async (res: ServerResponse) => {
    const body = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const metricsServer =
    config.metricsPort === null
      ? null
      : createServer((req, res) => {
          const path = new URL(req.url ?? '/', 'http://localhost').pathname;
          if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
            sendMetrics(res).catch(() => sendError(res, new HttpError(500, 'Internal error', 'INTERNAL')));
          } else sendError(res, new HttpError(404, `Nothing at ${req.method} ${path}`, 'NOT_FOUND'));
        });

  let inFlight = 0;
  let drained: (() => void) | null = null;
  const clientsGone = createOneLineLog(
    (n) => `http: ${n} request${n === 1 ? '' : 's'} ended by the client before the body arrived (logged at most once a minute)`,
  );
  // Node's own timeouts are 300 s for a request and 60 s for its headers: a slow client held a
  // connection (and its body buffer) that long. Checked every second, so they hold to the second.
  const server = createServer(
    { headersTimeout: config.httpTimeouts.headersMs, requestTimeout: config.httpTimeouts.requestMs, connectionsCheckingInterval: 1_000 },
    (req, res) => {
      inFlight++;
      res.once('close', () => {
        metrics.httpRequests.inc({ route: toRouteLabel(req.url), status: res.statusCode });
        inFlight--;
        if (inFlight === 0) drained?.();
      });
      route(req, res).catch((error: unknown) => {
        if (error instanceof ClientGoneError) {
          clientsGone.note();
          return res.destroy();
        }
        if (res.headersSent) return res.destroy();
        if (error instanceof HttpError) return sendError(res, error);
        if (error instanceof StoreUnavailableError)
          return sendError(res, new HttpError(503, 'A store the server depends on is unreachable', 'UNAVAILABLE'));
        console.error('unexpected error:', error);
        sendError(res, new HttpError(500, 'Internal error', 'INTERNAL'));
      });
    },
  );
  // Idle keep-alive connections live longer than a load balancer's usual 60 s idle timeout: the
  // proxy (or any pooling client) then closes them first, and never sends a request down one the
  // server is closing at that moment (Node's 5 s default made pooled clients see "socket hang up").
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/graphql') return socket.destroy();
    void sockets.handleUpgrade(req, socket, head);
  });
  // A request Node cannot parse (bad request line, headers over its limit) still gets a JSON answer.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // As Node's own handler does: never write into a response already under way.
    const inProgress = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || inProgress) return socket.destroy();
    const [status, code, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'Request headers too large']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'REQUEST_TIMEOUT', 'Request timed out']
          : [400, 'BAD_REQUEST', 'Malformed HTTP request'];
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  return {
    server,
    services: svc,
    metricsServer,
    async start() {
      const url = await listen(server, config.host, config.port);
      if (metricsServer) await listen(metricsServer, config.host, config.metricsPort!);
      return url;
    },
    async stop() {
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      sockets.closeAll();
      eventStreams.closeAll();
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      server.closeAllConnections();
      await closed;
      await yoga.dispose();
      await svc.close();
    },
  };
};
