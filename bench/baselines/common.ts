/**
 * What the fan-out baselines (rawWs.ts, yogaWs.ts) share: listening on PORT (0) / HOST (127.0.0.1),
 * the ready line "<name> listening on <url>", and stopping on SIGTERM/SIGINT with their sockets.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';

export const serveUntilSignalled = (server: Server, wss: WebSocketServer, name: string) => {
  // The poster's keep-alive sockets sit idle between phases: Node's 5 s default would close them under it ("socket hang up").
  server.keepAliveTimeout = 120_000;
  server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    console.log(`${name} listening on http://${process.env.HOST ?? '127.0.0.1'}:${port}`);
  });
  const shutdown = () => {
    for (const client of wss.clients) client.terminate();
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
};
