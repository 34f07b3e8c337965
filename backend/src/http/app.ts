import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import { StoreUnavailableError } from '../eventstore/eventStore.js';
import { createAuthRoutes } from './authRoutes.js';
import { HttpError, readBody, sendError, sendJson, toHeaders } from './httpUtil.js';
import { type Services, createServices } from './services.js';
import { serveStatic } from './static.js';
import { createGraphQLWebSockets } from './ws.js';
import { createChatYoga } from './yoga.js';

export interface App {
  server: Server;
  services: Services;
  /** Listens on the configured host and port (0: any free port); resolves with the base URL. */
  start(): Promise<string>;
  /** Graceful: stop accepting, finish in-flight requests, close sockets with 1001, close the stores. */
  stop(): Promise<void>;
}

/** Assembles the whole server: one port for the UI, GraphQL over HTTP and WebSocket, and auth. */
export const buildApp = async (config: Config, services?: Services): Promise<App> => {
  const svc = services ?? (await createServices({ redisUrl: config.redisUrl, presence: config.presence }));
  const yoga = createChatYoga(config, svc);
  let sockets: ReturnType<typeof createGraphQLWebSockets> | undefined;
  const auth = createAuthRoutes(config, svc, { onLogout: (sessionId) => sockets?.closeSession(sessionId) });
  sockets = createGraphQLWebSockets({ yoga, allowedOrigins: config.allowedOrigins, authenticate: auth.authenticate });

  const graphql = async (req: IncomingMessage, res: ServerResponse) => {
    // Bodies are read here, under our limit, rather than by Yoga.
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    const viewer = await auth.authenticate(req.headers.cookie);
    const response = await yoga.fetch(
      new URL(req.url ?? '/', config.publicUrl),
      { method: req.method, headers: toHeaders(req), body: body ? new Uint8Array(body) : undefined },
      { viewer, transport: 'http' },
    );
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    const setCookies = response.headers.getSetCookie();
    if (setCookies.length > 0) headers['set-cookie'] = setCookies;
    const payload = Buffer.from(await response.arrayBuffer());
    headers['content-length'] = String(payload.length);
    res.writeHead(response.status, headers);
    res.end(payload);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/graphql') return graphql(req, res);
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      await svc.store.ping();
      return sendJson(res, 200, { status: 'ready', store: svc.store.kind });
    }
    if (path.startsWith('/auth/') && (await auth.handle(req, res, path))) return;
    if ((req.method === 'GET' || req.method === 'HEAD') && !path.startsWith('/auth/') && (await serveStatic(res, path))) return;
    throw new HttpError(404, `Nothing at ${req.method} ${path}`, 'NOT_FOUND');
  };

  let inFlight = 0;
  let drained: (() => void) | null = null;
  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError) return sendError(res, error);
      if (error instanceof StoreUnavailableError) return sendError(res, new HttpError(503, 'The event store is unreachable', 'UNAVAILABLE'));
      console.error('unexpected error:', error);
      sendError(res, new HttpError(500, 'Internal error', 'INTERNAL'));
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/graphql') return socket.destroy();
    void sockets.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  return {
    server,
    services: svc,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          resolve(`http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`);
        });
      }),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      sockets.closeAll();
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      server.closeAllConnections();
      await closed;
      await yoga.dispose();
      await svc.close();
    },
  };
};
