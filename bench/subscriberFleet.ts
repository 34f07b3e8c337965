/**
 * The subscriber fleet: a child process (`node --import tsx bench/subscriberFleet.ts`, started by
 * bench/fleet.ts with an IPC channel) that holds N WebSockets subscribed to one room and counts
 * what they receive, so that the subscribers' CPU is not the server's nor the load generator's.
 *
 * Commands arrive over IPC (see `FleetCommand` in fleet.ts) and are answered with `{ id, ok, result }`.
 * While `progress` is on, `{ type: 'progress', delivered }` is pushed every 10 ms when it changed.
 *
 * A delivery is a frame of the main subscription (id "s") that carries a MessagePosted. With
 * latency on, the post time the body starts with (`t=<µs>`, CLOCK_MONOTONIC, the same clock in
 * every process of the machine: process.hrtime) is subtracted from the receipt time.
 */
import WebSocket from 'ws';
import { GRAPHQL_WS_PROTOCOL } from './wsClient.js';

export type FleetProtocol = 'graphql-ws' | 'raw';

export interface ConnectCommand {
  op: 'connect';
  url: string;
  protocol: FleetProtocol;
  /** Grow the fleet to this many sockets. */
  target: number;
  origin?: string;
  /** One Cookie header per socket index (the fleet's socket i uses cookies[i]); absent: no cookie. */
  cookies?: string[];
  query?: string;
  variables?: Record<string, unknown>;
  /**
   * Before the main subscriptions, each new socket subscribes once (id "p"), waits for its first
   * frame and completes it, at most `preJoinConcurrency` at a time: the users enter the room's
   * presence while few subscribers listen, so their UserJoined events are not fanned out to
   * everyone (see fanout.ts).
   */
  preJoin?: boolean;
  preJoinConcurrency?: number;
  /** Sockets being opened at once (default 64). */
  concurrency?: number;
  /**
   * The local address the sockets connect from (127.0.0.2, …): each loopback source address has
   * its own ephemeral ports, so that tens of thousands of sockets to one port do not run out of them.
   */
  localAddress?: string;
  /** Opens a socket again this many times when it fails before it is ready (on a loaded machine); counted in `retries`. */
  retries?: number;
}

type Command =
  | ConnectCommand
  | { op: 'shrink'; target: number }
  | { op: 'reset' }
  | { op: 'stats' }
  | { op: 'latency'; on: boolean }
  | { op: 'progress'; on: boolean }
  | { op: 'exit' };

interface Member {
  ws: WebSocket;
  index: number;
  count: number;
}

const members: Member[] = [];
let delivered = 0;
let errors = 0;
let retries = 0;
const retrySamples: string[] = [];
const errorSamples: string[] = [];
let latencyOn = false;
let latencies = new Float64Array(1 << 16);
let latencyCount = 0;

const NEXT_S = Buffer.from('{"id":"s","type":"next"');
const TYPE_NAME = Buffer.from('"MessagePosted"');
const BODY_T = Buffer.from('"body":"t=');

const noteError = (message: string) => {
  errors++;
  if (errorSamples.length < 5 && !errorSamples.includes(message)) errorSamples.push(message);
};

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

const recordLatency = (frame: Buffer) => {
  const at = frame.indexOf(BODY_T);
  if (at < 0) return;
  let sent = 0;
  for (let i = at + BODY_T.length; i < frame.length; i++) {
    const digit = frame[i]! - 48;
    if (digit < 0 || digit > 9) break;
    sent = sent * 10 + digit;
  }
  if (latencyCount === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[latencyCount++] = (nowMicros() - sent) / 1000;
};

const isNextOfS = (frame: Buffer) => frame.length > NEXT_S.length && frame.compare(NEXT_S, 0, NEXT_S.length, 0, NEXT_S.length) === 0;

/** A frame that is not a delivery: the handshake, pre-join frames, errors, completions. */
const onControl = (member: Member, frame: Buffer, onPreJoined?: () => void) => {
  let message: { id?: string; type?: string; payload?: unknown };
  try {
    message = JSON.parse(frame.toString()) as typeof message;
  } catch {
    return noteError(`unparsable frame: ${frame.toString().slice(0, 120)}`);
  }
  if (message.id === 'p' && message.type === 'next') return onPreJoined?.();
  if (message.type === 'error')
    return noteError(`socket ${member.index} ${message.id}: error ${JSON.stringify(message.payload).slice(0, 200)}`);
  if (message.type === 'complete' && message.id === 's') return noteError(`socket ${member.index}: subscription completed by the server`);
};

/** Opens one socket; resolves once it is ready for its main subscription (acked, pre-joined if asked). */
const openMember = (command: ConnectCommand, index: number): Promise<Member> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    const cookie = command.cookies?.[index];
    if (cookie) headers.cookie = cookie;
    const ws =
      command.protocol === 'raw'
        ? new WebSocket(command.url, { headers, origin: command.origin, perMessageDeflate: false, localAddress: command.localAddress })
        : new WebSocket(command.url, GRAPHQL_WS_PROTOCOL, {
            headers,
            origin: command.origin,
            perMessageDeflate: false,
            localAddress: command.localAddress,
          });
    const member: Member = { ws, index, count: 0 };
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        ws.terminate();
        reject(error);
      } else {
        resolve(member);
      }
    };
    const timer = setTimeout(() => settle(new Error(`socket ${index}: not ready within 60 s`)), 60_000);
    let acked = command.protocol === 'raw';
    let preJoined = !command.preJoin;
    ws.on('unexpected-response', (_req, res) => settle(new Error(`socket ${index}: upgrade refused with ${res.statusCode}`)));
    ws.on('error', (error) => settle(new Error(`socket ${index}: ${error.message}`)));
    ws.on('close', (code, reason) => {
      if (!settled) return settle(new Error(`socket ${index}: closed ${code} ${reason.toString()} before it was ready`));
      if (members[index] === member && code !== 1000 && code !== 1005)
        noteError(`socket ${index}: closed by the server ${code} ${reason.toString()}`);
    });
    ws.on('open', () => {
      if (command.protocol === 'raw') settle();
      else ws.send('{"type":"connection_init"}');
    });
    ws.on('message', (frame: Buffer) => {
      if (isNextOfS(frame)) {
        if (frame.indexOf(TYPE_NAME) < 0) return;
        member.count++;
        delivered++;
        if (latencyOn) recordLatency(frame);
        return;
      }
      if (command.protocol === 'raw') return;
      if (!acked) {
        if (!frame.toString().includes('"connection_ack"')) return;
        acked = true;
        if (preJoined) return settle();
        ws.send(JSON.stringify({ id: 'p', type: 'subscribe', payload: { query: command.query, variables: command.variables } }));
        return;
      }
      onControl(member, frame, () => {
        if (preJoined) return;
        preJoined = true;
        ws.send('{"id":"p","type":"complete"}');
        settle();
      });
    });
  });

/** Runs `work` over indexes with at most `concurrency` at once. */
const pool = async (indexes: number[], concurrency: number, work: (index: number) => Promise<void>) => {
  let next = 0;
  const worker = async () => {
    while (next < indexes.length) await work(indexes[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, indexes.length) }, worker));
};

const connect = async (command: ConnectCommand) => {
  const started = performance.now();
  const indexes = Array.from({ length: Math.max(0, command.target - members.length) }, (_, i) => members.length + i);
  const opened: Member[] = [];
  const concurrency = command.preJoin ? (command.preJoinConcurrency ?? 16) : (command.concurrency ?? 64);
  await pool(indexes, concurrency, async (index) => {
    let member: Member;
    for (let attempt = 0; ; attempt++) {
      try {
        member = await openMember(command, index);
        break;
      } catch (error) {
        if (attempt >= (command.retries ?? 0)) throw error;
        retries++;
        if (retrySamples.length < 3) retrySamples.push(error instanceof Error ? error.message : String(error));
      }
    }
    members[index] = member;
    opened.push(member);
  });
  const subscribe = JSON.stringify({ id: 's', type: 'subscribe', payload: { query: command.query, variables: command.variables } });
  if (command.protocol !== 'raw') {
    for (const member of opened) member.ws.send(subscribe);
  }
  return { sockets: members.length, opened: opened.length, ms: performance.now() - started };
};

const shrink = async (target: number) => {
  const closing = members.splice(target);
  await Promise.all(
    closing.map(
      (member) =>
        new Promise<void>((resolve) => {
          if (member.ws.readyState === WebSocket.CLOSED) return resolve();
          member.ws.once('close', () => resolve());
          member.ws.close(1000);
          setTimeout(() => {
            member.ws.terminate();
            resolve();
          }, 3_000).unref();
        }),
    ),
  );
  return { sockets: members.length };
};

const quantile = (sorted: Float64Array, q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

const stats = () => {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let withAny = 0;
  let open = 0;
  for (const member of members) {
    if (member.count < min) min = member.count;
    if (member.count > max) max = member.count;
    if (member.count > 0) withAny++;
    if (member.ws.readyState === WebSocket.OPEN) open++;
  }
  const usage = process.cpuUsage();
  const sorted = latencies.slice(0, latencyCount).sort();
  return {
    sockets: members.length,
    open,
    delivered,
    minPerSocket: members.length > 0 ? min : 0,
    maxPerSocket: max,
    socketsWithAny: withAny,
    errors,
    errorSamples,
    retries,
    retrySamples,
    cpuMicros: usage.user + usage.system,
    rssKiB: Math.round(process.memoryUsage.rss() / 1024),
    latency: {
      count: latencyCount,
      p50: quantile(sorted, 0.5),
      p90: quantile(sorted, 0.9),
      p99: quantile(sorted, 0.99),
      max: latencyCount > 0 ? sorted[latencyCount - 1]! : Number.NaN,
    },
  };
};

let progressTimer: NodeJS.Timeout | null = null;
let lastPushed = -1;

const handle = async (command: Command): Promise<unknown> => {
  switch (command.op) {
    case 'connect':
      return connect(command);
    case 'shrink':
      return shrink(command.target);
    case 'reset':
      delivered = 0;
      errors = 0;
      errorSamples.length = 0;
      latencyCount = 0;
      for (const member of members) member.count = 0;
      lastPushed = -1;
      return { sockets: members.length };
    case 'stats':
      return stats();
    case 'latency':
      latencyOn = command.on;
      return {};
    case 'progress':
      if (progressTimer) clearInterval(progressTimer);
      progressTimer = null;
      if (command.on) {
        progressTimer = setInterval(() => {
          if (delivered === lastPushed) return;
          lastPushed = delivered;
          process.send?.({ type: 'progress', delivered });
        }, 10);
      }
      return {};
    case 'exit':
      await shrink(0);
      setImmediate(() => process.exit(0));
      return {};
  }
};

if (!process.send) {
  console.error('subscriberFleet runs as a child with an IPC channel (see bench/fleet.ts)');
  process.exit(1);
}
process.on('message', (message: { id: number; command: Command }) => {
  handle(message.command).then(
    (result) => process.send!({ id: message.id, ok: true, result }),
    (error: unknown) => process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
// The parent going away (even by SIGKILL) ends the fleet: the IPC channel closes.
process.on('disconnect', () => process.exit(0));
console.log('fleet ready');
