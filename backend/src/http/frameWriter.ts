import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

type Corkable = Pick<Duplex, 'cork' | 'uncork' | 'writableCorked'>;

/** Frames are text frames, also when given as bytes. */
const TEXT = { binary: false } as const;

/**
 * Writes text frames to WebSockets so that several frames to one socket within one turn of the
 * event loop leave in one write (one system call): the socket's TCP stream is corked, and
 * uncorked once the turn's work is done.
 *
 * `send` corks from a socket's first frame in the turn: for frames that usually come in twos (an
 * operation's result and its `complete`). `sendLive` corks only from the second: a live event is
 * mostly alone, and then is written at once, as ws does, without the cork's bookkeeping.
 */
export const createFrameWriter = (streamOf: (socket: WebSocket) => Corkable | undefined) => {
  let turn = 0;
  let ending = false;
  const corked: Corkable[] = [];
  const lastTurn = new WeakMap<WebSocket, number>();

  const endTurn = () => {
    for (const stream of corked) stream.uncork();
    corked.length = 0;
    turn++;
    ending = false;
  };

  const write = (socket: WebSocket, frame: string | Buffer, corkFirst: boolean) => {
    if (!ending) {
      ending = true;
      process.nextTick(endTurn);
    }
    if (corkFirst || lastTurn.get(socket) === turn) {
      const stream = streamOf(socket);
      if (stream && stream.writableCorked === 0) {
        stream.cork();
        corked.push(stream);
      }
    } else {
      lastTurn.set(socket, turn);
    }
    socket.send(frame, TEXT);
  };

  return {
    send: (socket: WebSocket, frame: string) => write(socket, frame, true),
    /** `frame`: text, or its UTF-8 bytes. */
    sendLive: (socket: WebSocket, frame: string | Buffer) => write(socket, frame, false),
  };
};

export type FrameWriter = ReturnType<typeof createFrameWriter>;
