/**
 * Fan-out baseline 1: a raw `ws` broadcast server, the least a WebSocket fan-out can cost in Node.
 * `POST /post {"roomId","body","clientId"}` builds the event our server would send (a graphql-ws
 * `next` frame with the same MessagePosted shape as bench/wsClient.ts's ROOM_EVENTS_DOCUMENT
 * selects), serialises it ONCE and sends that string to every open socket; no protocol, no
 * rooms, no auth. Env: PORT (0), HOST (127.0.0.1). Prints "raw-ws listening on <url>" when ready.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { serveUntilSignalled } from './common.js';

const wss = new WebSocketServer({ noServer: true });
const author = { id: 'u_bench', handle: 'bench_poster', displayName: 'bench_poster', avatarUrl: null, status: 'AVAILABLE' };
let seq = 0;

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/post') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { body } = JSON.parse(Buffer.concat(chunks).toString()) as { roomId: string; body: string; clientId?: string };
    const now = new Date();
    const at = now.toISOString();
    const message = { id: `m${++seq}`, body, createdAt: at, editedAt: null, deletedAt: null, author };
    const frame = JSON.stringify({
      id: 's',
      type: 'next',
      payload: { data: { roomEvents: { __typename: 'MessagePosted', cursor: `${now.getTime()}-${seq}`, at, message } } },
    });
    for (const client of wss.clients) client.send(frame);
    const answer = JSON.stringify({ data: { postMessage: { id: message.id, body, createdAt: at } } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
  });
});
server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
serveUntilSignalled(server, wss, 'raw-ws');
