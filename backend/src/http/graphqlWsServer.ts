import { CloseCode, type ServerOptions, handleProtocols, makeServer } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { FrameWriter } from './frameWriter.js';

/** Distinct operation documents kept once each; past this many, new ones are not interned. */
const MAX_INTERNED_DOCUMENTS = 256;

/**
 * Operations one socket may have under way at once, its subscriptions included: past it, a
 * `subscribe` is answered RATE_LIMITED at once, before any work is done for it.
 */
export const MAX_OPERATIONS_IN_FLIGHT = 50;
/** The wait a refusal for too many operations in flight suggests. */
const IN_FLIGHT_RETRY_MS = 100;

/** How often every socket is pinged; one that has not answered by the next ping is terminated. */
export const KEEP_ALIVE_MS = 12_000;

function noop() {}

const isSubscribe = (message: unknown): message is { type: 'subscribe'; id: string } =>
  typeof message === 'object' &&
  message !== null &&
  (message as { type?: unknown }).type === 'subscribe' &&
  typeof (message as { id?: unknown }).id === 'string';

/** The error frame for an operation refused because too many are under way on its socket. */
const tooManyInFlight = (id: string) =>
  JSON.stringify({
    id,
    type: 'error',
    payload: [
      {
        message: `At most ${MAX_OPERATIONS_IN_FLIGHT} operations under way per connection; wait for answers`,
        extensions: { code: 'RATE_LIMITED', retryAfterMs: IN_FLIGHT_RETRY_MS },
      },
    ],
  });

/**
 * graphql-ws (its protocol, `makeServer`) on `ws` sockets, as graphql-ws/use/ws does it but holding
 * less per connection and writing less:
 * - each message is parsed here and handed over parsed, its operation document interned, so a
 *   live subscription's pending handler keeps neither the raw frame nor a copy of its query;
 * - one keep-alive sweep pings every socket, instead of timers per socket;
 * - a frame counts as sent once handed to the socket, so an operation's result and its `complete`
 *   leave in one write (see `FrameWriter`); a socket that fails closes, which ends its operations.
 */
export const serveGraphQLWs = <E>(
  wss: WebSocketServer,
  options: ServerOptions<Record<string, unknown> | undefined, E>,
  frames: FrameWriter,
  keepAliveMs = KEEP_ALIVE_MS,
) => {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;

  const documents = new Map<string, string>();
  const intern = (message: { payload?: { query?: unknown } }) => {
    const query = message.payload?.query;
    if (typeof query !== 'string') return;
    const known = documents.get(query);
    if (known !== undefined) message.payload!.query = known;
    else if (documents.size < MAX_INTERNED_DOCUMENTS) documents.set(query, query);
  };

  const awaitingPong = new WeakSet<WebSocket>();
  function onPong(this: WebSocket) {
    awaitingPong.delete(this);
  }
  const keepAlive = setInterval(() => {
    for (const socket of wss.clients) {
      if (awaitingPong.has(socket)) {
        socket.terminate();
      } else if (socket.readyState === socket.OPEN) {
        awaitingPong.add(socket);
        socket.ping();
      }
    }
  }, keepAliveMs);
  keepAlive.unref();

  return {
    /** Speaks graphql-ws on an upgraded socket; `extra` is what the hooks see as `ctx.extra`. */
    open(socket: WebSocket, extra: E, onClose?: () => void) {
      // ws emits 'error' only for a client's protocol violation (a frame over maxPayload, bad
      // UTF-8), after closing the socket itself with the fitting code (1009, 1007, 1002).
      socket.on('error', noop);
      socket.on('pong', onPong);
      const closed = server.opened(
        {
          protocol: socket.protocol,
          send: (data) => {
            if (socket.readyState === socket.OPEN) frames.send(socket, data);
          },
          close: (code, reason) => socket.close(code, reason),
          onMessage: (handle) => {
            // graphql-ws handles a `subscribe` until its operation is over (a subscription's, until it ends).
            let inFlight = 0;
            socket.on('message', (data) => {
              const text = String(data);
              let message: unknown = text;
              try {
                const parsed: unknown = JSON.parse(text);
                // Anything but an object (a double-encoded frame is a string) goes over as the text it
                // came as: graphql-ws parses that once, finds no message, and closes with 4400.
                if (typeof parsed === 'object' && parsed !== null) {
                  intern(parsed);
                  message = parsed;
                }
              } catch {
                // Handed over as it is: graphql-ws answers a malformed message by closing with 4400.
              }
              const subscribe = isSubscribe(message);
              if (subscribe && inFlight >= MAX_OPERATIONS_IN_FLIGHT) {
                frames.send(socket, tooManyInFlight((message as { id: string }).id));
                return;
              }
              if (subscribe) inFlight++;
              // graphql-ws parses strings and takes an object as parsed.
              handle(message as string)
                .catch((error: unknown) => {
                  console.error('graphql-ws message handling failed:', error);
                  socket.close(CloseCode.InternalServerError, 'Internal server error');
                })
                .finally(() => {
                  if (subscribe) inFlight--;
                });
            });
          },
        },
        extra,
      );
      // 'close' comes once: on(), not once() and its wrapper per socket.
      socket.on('close', (code, reason) => {
        void closed(code, String(reason));
        onClose?.();
      });
    },
    close() {
      clearInterval(keepAlive);
    },
  };
};
