/**
 * The people of a join storm (bench/scale/storm.ts): a child process with an IPC channel that opens
 * one graphql-ws socket per cookie it is given, from its own loopback source address (so that many
 * processes do not run out of ports), subscribes each to one room as soon as the socket is acked,
 * and keeps per socket what presence told it: frames, the count it believes, and when that count
 * last changed.
 *
 * Commands (`{ id, command }`, answered `{ id, ok, result | error }`): `storm` starts opening the
 * sockets and answers at once; `stats` answers the per-socket figures; `exit` closes everything.
 */
import WebSocket from 'ws';
import { GRAPHQL_WS_PROTOCOL } from '../wsClient.js';

export const STORM_DOCUMENT = `subscription Storm($roomId: ID!) { roomEvents(roomId: $roomId) {
  __typename
  ... on UserJoined { user { id handle } }
  ... on UserLeft { user { id handle } }
  ... on PresenceChanged { onlineCount joined { id handle } left { id handle } } } }`;

export interface StormCommand {
  op: 'storm';
  url: string;
  origin: string;
  roomId: string;
  cookies: string[];
  /** Source address of this process's sockets, e.g. 127.0.0.3. */
  localAddress: string;
  /** Sockets being opened at once. */
  concurrency: number;
}

export interface StormClientStats {
  /** Sockets whose subscription was sent (acked by the server's connection_ack). */
  subscribed: number;
  open: number;
  /** Presence frames (UserJoined, UserLeft, PresenceChanged) per socket. */
  frames: number[];
  /** The count each socket believes (PresenceChanged sets it, a lone join or leave moves it by one); null before any. */
  believed: (number | null)[];
  /** When (Date.now()) each socket's believed count last changed. */
  changedAt: number[];
  /** When the last subscription was sent. */
  lastSubscribedAt: number;
  /** When the last presence frame arrived (0: none yet). */
  lastFrameAt: number;
  errors: number;
  errorSamples: string[];
  /** Per subscribed socket, ms from opening it until its connection_ack came (then the subscription went out). */
  ackMs: number[];
  /** This process's CPU so far (user + system), µs. */
  cpuMicros: number;
}

interface Person {
  ws: WebSocket;
  frames: number;
  believed: number | null;
  changedAt: number;
}

const people: Person[] = [];
let subscribed = 0;
let lastSubscribedAt = 0;
let lastFrameAt = 0;
let errors = 0;
const errorSamples: string[] = [];
const ackMs: number[] = [];
const noteError = (message: string) => {
  errors++;
  if (errorSamples.length < 5 && !errorSamples.includes(message)) errorSamples.push(message);
};

const PRESENCE = new Set(['UserJoined', 'UserLeft', 'PresenceChanged']);

const open = (command: StormCommand, index: number) =>
  new Promise<void>((resolve) => {
    const ws = new WebSocket(command.url, GRAPHQL_WS_PROTOCOL, {
      headers: { cookie: command.cookies[index]! },
      origin: command.origin,
      localAddress: command.localAddress,
      perMessageDeflate: false,
    });
    const openedAt = performance.now();
    const person: Person = { ws, frames: 0, believed: null, changedAt: 0 };
    people[index] = person;
    let acked = false;
    ws.on('open', () => ws.send('{"type":"connection_init"}'));
    ws.on('error', (error) => {
      noteError(`socket ${index}: ${error.message}`);
      resolve();
    });
    ws.on('close', (code, reason) => {
      if (code !== 1000) noteError(`socket ${index}: closed ${code} ${reason.toString()}`);
      resolve();
    });
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; payload?: any };
      if (message.type === 'connection_ack' && !acked) {
        acked = true;
        ws.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: STORM_DOCUMENT, variables: { roomId: command.roomId } } }));
        subscribed++;
        lastSubscribedAt = Date.now();
        ackMs.push(performance.now() - openedAt);
        return resolve();
      }
      if (message.type === 'error' || message.type === 'complete') {
        return noteError(`socket ${index}: ${message.type} ${JSON.stringify(message.payload ?? null).slice(0, 200)}`);
      }
      if (message.type !== 'next') return;
      const event = message.payload?.data?.roomEvents;
      if (!event) return noteError(`socket ${index}: ${JSON.stringify(message.payload).slice(0, 200)}`);
      if (!PRESENCE.has(event.__typename)) return;
      person.frames++;
      lastFrameAt = Date.now();
      const before = person.believed;
      if (event.__typename === 'PresenceChanged') person.believed = event.onlineCount;
      else if (person.believed !== null) person.believed += event.__typename === 'UserJoined' ? 1 : -1;
      if (person.believed !== before) person.changedAt = Date.now();
    });
  });

const storm = (command: StormCommand) => {
  let next = 0;
  const worker = async () => {
    while (next < command.cookies.length) await open(command, next++);
  };
  void Promise.all(Array.from({ length: Math.min(command.concurrency, command.cookies.length) }, worker));
  return {};
};

const stats = (): StormClientStats => ({
  subscribed,
  open: people.filter((p) => p.ws.readyState === WebSocket.OPEN).length,
  frames: people.map((p) => p.frames),
  believed: people.map((p) => p.believed),
  changedAt: people.map((p) => p.changedAt),
  lastSubscribedAt,
  lastFrameAt,
  errors,
  errorSamples,
  ackMs,
  cpuMicros: (({ user, system }) => user + system)(process.cpuUsage()),
});

const exit = () => {
  for (const person of people) person.ws.terminate();
  setImmediate(() => process.exit(0));
  return {};
};

if (!process.send) {
  console.error('_stormClients runs as a child with an IPC channel (see bench/scale/storm.ts)');
  process.exit(1);
}
process.on('message', (message: { id: number; command: StormCommand | { op: 'stats' } | { op: 'exit' } }) => {
  const { command } = message;
  try {
    const result = command.op === 'storm' ? storm(command) : command.op === 'stats' ? stats() : exit();
    process.send!({ id: message.id, ok: true, result });
  } catch (error) {
    process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
console.log('storm clients ready');
