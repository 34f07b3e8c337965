import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

type Corkable = Pick<Duplex, 'cork' | 'uncork' | 'writableCorked'>;

/** Frames are text frames, also when given as bytes. */
const TEXT = { binary: false } as const;

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
    /** `frame`: text, or its UTF-8 bytes. */
    send(socket: WebSocket, frame: string | Buffer) {
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
    },
  };
};

export type FrameWriter = ReturnType<typeof createFrameWriter>;
