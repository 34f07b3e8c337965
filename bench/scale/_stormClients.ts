/**
 * The people of a join storm (bench/scale/storm.ts): a child process with an IPC channel that opens
 * one graphql-ws socket per cookie it is given, from its own loopback source address (so that many
 * processes do not run out of ports), subscribes each to one room as soon as the socket is acked,
 * and keeps per socket what presence told it: frames, the count it believes, and when that count
 * last changed.
 *
 * Commands (`{ id, command }`, answered `{ id, ok, result | error }`): `storm` starts opening the
 * sockets and answers at once; `stats` answers the per-socket figures; `exit` closes everything.
 *
 * The sockets are `ws` clients (`client: 'ws'`), or by default bare ones written here (`'raw'`):
 * the opening handshake and frames of RFC 6455 over a TCP socket, text frames masked with a zero
 * key, pings answered. The server sees the same bytes either way; a bare socket costs its process
 * a fraction of a `ws` client's CPU (an HTTP client request, a handshake check, a parser and
 * sender per socket), which on a 2-core machine is CPU the server under test does not get.
 */
import { connect } from 'node:net';
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
  /** Bare sockets written here (default), or `ws` clients. */
  client?: 'raw' | 'ws';
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
  /** Open (the handshake done, not closed since). */
  open: boolean;
  /** Closes the TCP connection at once. */
  terminate(): void;
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

/** What a socket does with the server's graphql-ws messages; `send` sends one text message back. */
const onMessages = (command: StormCommand, index: number, person: Person, openedAt: number, resolve: () => void) => {
  let acked = false;
  return (text: string, send: (text: string) => void) => {
    const message = JSON.parse(text) as { type: string; payload?: any };
    if (message.type === 'connection_ack' && !acked) {
      acked = true;
      send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: STORM_DOCUMENT, variables: { roomId: command.roomId } } }));
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
  };
};

const openWs = (command: StormCommand, index: number) =>
  new Promise<void>((resolve) => {
    const openedAt = performance.now();
    const ws = new WebSocket(command.url, GRAPHQL_WS_PROTOCOL, {
      headers: { cookie: command.cookies[index]! },
      origin: command.origin,
      localAddress: command.localAddress,
      perMessageDeflate: false,
    });
    const person: Person = {
      get open() {
        return ws.readyState === WebSocket.OPEN;
      },
      terminate: () => ws.terminate(),
      frames: 0,
      believed: null,
      changedAt: 0,
    };
    people[index] = person;
    const handle = onMessages(command, index, person, openedAt, resolve);
    const send = (text: string) => ws.send(text);
    ws.on('open', () => ws.send('{"type":"connection_init"}'));
    ws.on('error', (error) => {
      noteError(`socket ${index}: ${error.message}`);
      resolve();
    });
    ws.on('close', (code, reason) => {
      if (code !== 1000) noteError(`socket ${index}: closed ${code} ${reason.toString()}`);
      resolve();
    });
    ws.on('message', (data: Buffer) => handle(data.toString(), send));
  });

/** A client frame: FIN, the opcode, masked with a zero key (so the payload goes as it is). */
const clientFrame = (opcode: number, payload: Buffer): Buffer => {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.alloc(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, header + 4);
  return frame;
};

/** A fixed key: the server only echoes its hash, which a bench need not check. */
const HANDSHAKE_KEY = Buffer.from('storm-bench-key!').toString('base64');

const openRaw = (command: StormCommand, index: number) =>
  new Promise<void>((resolve) => {
    const openedAt = performance.now();
    const url = new URL(command.url);
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress: command.localAddress });
    let open = false;
    let closing = false;
    const person: Person = {
      get open() {
        return open;
      },
      terminate: () => {
        closing = true;
        socket.destroy();
      },
      frames: 0,
      believed: null,
      changedAt: 0,
    };
    people[index] = person;
    const handle = onMessages(command, index, person, openedAt, resolve);
    const send = (text: string) => socket.write(clientFrame(0x1, Buffer.from(text)));
    const fail = (message: string) => {
      if (!closing) noteError(`socket ${index}: ${message}`);
      closing = true;
      open = false;
      socket.destroy();
      resolve();
    };
    socket.setNoDelay(true);
    socket.on('connect', () =>
      socket.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${GRAPHQL_WS_PROTOCOL}\r\n` +
          `Origin: ${command.origin}\r\nCookie: ${command.cookies[index]!}\r\n\r\n`,
      ),
    );
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (!open) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buffered.subarray(0, buffered.indexOf('\r\n')).toString();
        if (!status.startsWith('HTTP/1.1 101'))
          return fail(
            `upgrade refused: ${
              buffered
                .subarray(end + 4)
                .toString()
                .slice(0, 200) || status
            }`,
          );
        open = true;
        buffered = buffered.subarray(end + 4);
        socket.write(clientFrame(0x1, Buffer.from('{"type":"connection_init"}')));
      }
      // Server frames: unmasked, unfragmented (ws sends whole messages).
      while (buffered.length >= 2) {
        const opcode = buffered[0]! & 0x0f;
        let length = buffered[1]! & 0x7f;
        let at = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          at = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          at = 10;
        }
        if (buffered.length < at + length) return;
        const payload = buffered.subarray(at, at + length);
        buffered = buffered.subarray(at + length);
        if (opcode === 0x1) handle(payload.toString(), send);
        else if (opcode === 0x9) socket.write(clientFrame(0xa, payload));
        else if (opcode === 0x8) {
          const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          return fail(`closed ${code} ${payload.subarray(2).toString()}`);
        }
      }
    });
    socket.on('error', (error) => fail(error.message));
    socket.on('close', () => fail('connection closed'));
  });

const open = (command: StormCommand, index: number) => (command.client === 'ws' ? openWs(command, index) : openRaw(command, index));

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
  open: people.filter((p) => p.open).length,
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
  for (const person of people) person.terminate();
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
