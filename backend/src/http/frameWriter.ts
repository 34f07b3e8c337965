import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

type Corkable = Pick<Duplex, 'cork' | 'uncork' | 'writableCorked' | 'on' | 'off'>;

/** Frames are text frames, also when given as bytes. */
const TEXT = { binary: false } as const;

/**
 * The most a socket may have waiting to be sent, whatever produced it (results, errors, events):
 * past it the client is not reading, and the socket is closed (1008) rather than its data kept.
 * Subscriptions end sooner on their own (SUBSCRIBER_TOO_SLOW, at 1 MiB), and resume.
 */
export const MAX_UNSENT_BYTES = 4 * 1024 * 1024;
/**
 * A promise that resolves once a connection has no more than `bytes` waiting to be sent (`unsent`),
 * or is no longer `open`; undefined when that is so already. Checked at each 'drain' and at 'close'
 * of `emitter` (the TCP stream under a WebSocket, or an HTTP response).
 */
export const whenUnsentAtMost = (
  emitter: Pick<EventEmitter, 'on' | 'off'>,
  unsent: () => number,
  open: () => boolean,
  bytes: number,
): Promise<void> | undefined => {
  if (unsent() <= bytes || !open()) return undefined;
  return new Promise<void>((resolve) => {
    const check = () => {
      if (unsent() > bytes && open()) return;
      emitter.off('drain', check);
      emitter.off('close', check);
      resolve();
    };
    emitter.on('drain', check);
    emitter.on('close', check);
  });
};

/** A socket closed for not reading is cut this long after, if its close frame did not get through either. */
const TERMINATE_AFTER_MS = 1_000;

/**
 * Writes text frames to WebSockets so that the frames to one socket within one turn of the event
 * loop leave in one write (one system call): the socket's TCP stream is corked at its first frame,
 * and every stream corked in the turn is uncorked once the turn's work is done. An operation's
 * result and its `complete`, a catch-up page, or a tailer batch of several live events each cost
 * one write per socket. (Corking only from a socket's second frame saved the cork for a lone
 * frame, but wrote the first frame of every batch on its own: at 100 subscribers, with ~3 events
 * per batch, that was 2 writes per batch per socket, profiled.)
 */
export const createFrameWriter = (streamOf: (socket: WebSocket) => Corkable | undefined) => {
  let ending = false;
  const corked: Corkable[] = [];

  const endTurn = () => {
    for (const stream of corked) stream.uncork();
    corked.length = 0;
    ending = false;
  };

  return {
    /** `frame`: text, or its UTF-8 bytes. False when the socket was closed instead, for not reading what it was sent. */
    send(socket: WebSocket, frame: string | Buffer): boolean {
      if (socket.bufferedAmount > MAX_UNSENT_BYTES) {
        if (socket.readyState === socket.OPEN) {
          socket.close(1008, 'Too much unsent data: the client is not reading');
          setTimeout(() => socket.terminate(), TERMINATE_AFTER_MS).unref();
        }
        return false;
      }
      if (!ending) {
        ending = true;
        process.nextTick(endTurn);
      }
      const stream = streamOf(socket);
      if (stream && stream.writableCorked === 0) {
        stream.cork();
        corked.push(stream);
      }
      socket.send(frame, TEXT);
      return true;
    },
    /**
     * A promise that resolves once the socket has no more than `bytes` waiting to be sent (or has
     * closed); undefined when that is so already.
     */
    whenDrained(socket: WebSocket, bytes: number): Promise<void> | undefined {
      const stream = streamOf(socket);
      if (!stream) return undefined;
      return whenUnsentAtMost(
        stream,
        () => socket.bufferedAmount,
        () => socket.readyState === socket.OPEN,
        bytes,
      );
    },
  };
};

export type FrameWriter = ReturnType<typeof createFrameWriter>;
