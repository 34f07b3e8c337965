import { ReplyError, type Redis } from 'ioredis';
import { compareCursors, type Cursor, type RecordedEvent, type StreamTailer } from './eventStore.js';
import { StoreUnavailableError } from '../storeUnavailable.js';

/**
 * Decodes one stream entry as Redis returns it (`[id, [field, value, …]]`, written by the append
 * script). Shared by the store's reads and the tailer so both see the same events.
 */
export const toRecordedEvent = (stream: string, entry: unknown): RecordedEvent => {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) {
    throw new Error(`malformed stream entry in ${stream}`);
  }
  const [cursor, flat] = entry as [string, unknown[]];
  const fields = new Map<unknown, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
  const type = fields.get('type');
  const data = fields.get('data');
  const meta = fields.get('meta');
  const v = Number(fields.get('v'));
  if (typeof type !== 'string' || typeof data !== 'string' || typeof meta !== 'string' || !Number.isInteger(v)) {
    throw new Error(`malformed event ${cursor} in ${stream}`);
  }
  return { stream, cursor, type, data: JSON.parse(data), meta: JSON.parse(meta), v };
};

export interface RedisStreamTailer extends StreamTailer {
  /** Stops the read loop and closes the tailer's connection; listeners receive nothing more. */
  close(): Promise<void>;
}

export interface RedisStreamTailerOptions {
  /**
   * A connection for the tailer alone, owned (and closed) by it: a blocking XREAD stalls every
   * other command on its connection. It must not re-send commands after a reconnect.
   */
  connection: Redis;
  /** The stream's last cursor (`0-0` when empty), read on the command connection. */
  readLastCursor(stream: string): Promise<Cursor>;
  /** `CLIENT UNBLOCK <id>` sent on the command connection; true when a blocked client woke. */
  unblock(clientId: number): Promise<boolean>;
  blockMs?: number;
  /** Entries per stream per read. */
  count?: number;
  /** Told about throwing listeners and unexpected Redis replies; the tailer carries on. */
  onError?: (error: unknown) => void;
}

interface Follower {
  listener: (events: RecordedEvent[]) => void;
}

interface Followed {
  /** The last cursor delivered for this stream; the next read starts strictly after it. */
  lastCursor: Cursor;
  followers: Set<Follower>;
}

const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 1_000;
const UNBLOCK_RETRY_MS = 5;

/**
 * The Redis `StreamTailer`: one loop doing `XREAD BLOCK … STREAMS <keys…> <last ids…>` over every
 * stream with a local listener, on its own connection.
 *
 * It never reads from `$`: a stream's first position comes from the command connection before
 * `follow` resolves, and after that it remembers the last id it delivered, so a failed or
 * interrupted read is simply repeated from the same ids (nothing lost, nothing twice). When Redis
 * is down it retries with a capped backoff, and again as soon as the connection is ready.
 */
export const createRedisStreamTailer = (options: RedisStreamTailerOptions): RedisStreamTailer => {
  const { connection, readLastCursor, unblock } = options;
  const blockMs = options.blockMs ?? 5_000;
  const count = options.count ?? 500;
  const onError = options.onError ?? ((error: unknown) => console.error('stream tailer:', error));

  const followed = new Map<string, Followed>();
  let closed = false;
  let clientId: number | null = null;
  /** The streams of the XREAD in flight, if any. */
  let reading: ReadonlySet<string> | null = null;
  let interrupting = false;
  let wakeLoop: (() => void) | null = null;

  const nudge = () => wakeLoop?.();
  /** Waits until nudged, or `ms` elapsed: an idle or backing-off loop costs nothing. */
  const pause = (ms?: number) =>
    new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeLoop = null;
        resolve();
      }
      wakeLoop = done;
    });

  connection.on('close', () => (clientId = null));
  connection.on('ready', nudge);

  const dispatch = (reply: unknown) => {
    if (!Array.isArray(reply)) return;
    for (const item of reply) {
      if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1])) continue;
      const stream = item[0];
      const state = followed.get(stream);
      if (!state) continue;
      const events = takeNewEvents(stream, state, item[1]);
      if (events.length === 0) continue;
      for (const follower of [...state.followers]) {
        if (!state.followers.has(follower)) continue;
        try {
          follower.listener(events);
        } catch (error) {
          onError(error);
        }
      }
    }
  };

  /**
   * Decodes the entries past the stream's position and advances it. Entries at or below it come
   * from a read that started before the stream was re-followed. A malformed entry is reported and
   * skipped: reading it again forever would stall every stream.
   */
  const takeNewEvents = (stream: string, state: Followed, entries: unknown[]): RecordedEvent[] => {
    const events: RecordedEvent[] = [];
    for (const entry of entries) {
      const cursor: unknown = Array.isArray(entry) ? entry[0] : undefined;
      if (typeof cursor !== 'string' || compareCursors(cursor, state.lastCursor) <= 0) continue;
      state.lastCursor = cursor;
      try {
        events.push(toRecordedEvent(stream, entry));
      } catch (error) {
        onError(error);
      }
    }
    return events;
  };

  const readOnce = async () => {
    if (clientId === null) clientId = Number(await connection.client('ID'));
    const streams = [...followed.keys()];
    // The last stream may have been unfollowed while the id was asked for: XREAD without a
    // stream is a syntax error (reported, then retried after a pause that would delay the next follow).
    if (streams.length === 0) return;
    const ids = streams.map((stream) => followed.get(stream)!.lastCursor);
    reading = new Set(streams);
    try {
      dispatch(await connection.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', ...streams, ...ids));
    } finally {
      reading = null;
    }
  };

  const run = async () => {
    let retryMs = RETRY_MIN_MS;
    while (!closed) {
      if (followed.size === 0) {
        await pause();
        continue;
      }
      try {
        await readOnce();
        retryMs = RETRY_MIN_MS;
      } catch (error) {
        if (closed) break;
        // Redis answering with an error is a bug worth reporting; a lost connection is not.
        if (error instanceof ReplyError) onError(error);
        await pause(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  };

  /** Wakes a read that blocks without some followed stream, so the new stream is read at once. */
  const interrupt = async () => {
    if (interrupting) return;
    interrupting = true;
    try {
      while (!closed && clientId !== null && reading && [...followed.keys()].some((s) => !reading!.has(s))) {
        // CLIENT UNBLOCK can overtake the XREAD it should wake (sent, not yet blocking): try again.
        if (await unblock(clientId).catch(() => false)) return;
        await new Promise((resolve) => setTimeout(resolve, UNBLOCK_RETRY_MS));
      }
    } finally {
      interrupting = false;
    }
  };

  const loop = run();

  const unfollow = (stream: string, follower: Follower) => {
    const state = followed.get(stream);
    if (!state?.followers.delete(follower)) return;
    if (state.followers.size === 0) followed.delete(stream);
  };

  return {
    follow: async (stream, listener) => {
      if (closed) throw new StoreUnavailableError(new Error('stream tailer is closed'));
      if (!followed.has(stream)) {
        const lastCursor = await readLastCursor(stream);
        if (closed) throw new StoreUnavailableError(new Error('stream tailer is closed'));
        // Another follow may have started this stream while we read; its position is as good.
        if (!followed.has(stream)) followed.set(stream, { lastCursor, followers: new Set() });
      }
      const follower: Follower = { listener };
      followed.get(stream)!.followers.add(follower);
      nudge();
      void interrupt();
      return () => unfollow(stream, follower);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      followed.clear();
      nudge();
      connection.disconnect();
      await loop;
    },
  };
};
