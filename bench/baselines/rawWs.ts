/**
 * Fan-out baseline 1: a raw `ws` broadcast server, the least a WebSocket fan-out can cost in Node.
 * `POST /post {"roomId","body","clientId"}` builds the event our server would send (a graphql-ws
 * `next` frame with the same MessagePosted shape as bench/wsClient.ts's ROOM_EVENTS_DOCUMENT
 * selects), serialises it ONCE and sends that string to every open socket; no protocol, no
 * auth. A socket opened with `?rooms=a,b,…` gets only the posts to those rooms instead, once per
 * room it named (bench:scale's many rooms: the floor of a fan-out by room). Env: PORT (0), HOST
 * (127.0.0.1). Prints "raw-ws listening on <url>" when ready.
 */
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { serveUntilSignalled } from './common.js';

const wss = new WebSocketServer({ noServer: true });
const author = { id: 'u_bench', handle: 'bench_poster', displayName: 'bench_poster', avatarUrl: null, status: 'AVAILABLE' };
let seq = 0;
/** Sockets by the rooms they named; sockets that named none are in `wss.clients` only, and get every post. */
const rooms = new Map<string, WebSocket[]>();
const roomless = new Set<WebSocket>();

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/post') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { body, roomId } = JSON.parse(Buffer.concat(chunks).toString()) as { roomId: string; body: string; clientId?: string };
    const now = new Date();
    const at = now.toISOString();
    const message = { id: `m${++seq}`, body, createdAt: at, editedAt: null, deletedAt: null, author };
    const frame = JSON.stringify({
      id: 's',
      type: 'next',
      payload: { data: { roomEvents: { __typename: 'MessagePosted', cursor: `${now.getTime()}-${seq}`, at, message } } },
    });
    for (const client of roomless) client.send(frame);
    for (const client of rooms.get(roomId) ?? []) client.send(frame);
    const answer = JSON.stringify({ data: { postMessage: { id: message.id, body, createdAt: at } } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
  });
});
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => {
    const named = new URL(req.url ?? '/', 'http://x').searchParams.get('rooms')?.split(',') ?? [];
    if (named.length === 0) roomless.add(ws);
    for (const room of named) {
      const members = rooms.get(room);
      if (members) members.push(ws);
      else rooms.set(room, [ws]);
    }
    ws.on('close', () => {
      roomless.delete(ws);
      for (const room of new Set(named)) rooms.set(room, rooms.get(room)?.filter((member) => member !== ws) ?? []);
    });
    wss.emit('connection', ws, req);
  }),
);
serveUntilSignalled(server, wss, 'raw-ws');
