import { Cluster, ReplyError, type Redis } from 'ioredis';
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

/**
 * A doorbell: what the scripts publish (SPUBLISH, sharded pub/sub) on the channel named as the
 * stream, in the same step as each XADD to a stream a tailer may follow: the entry itself, as
 * `<cursor>\n<type>\n<v>\n<meta>\n<data>` (JSON never holds a raw newline). Bells of one stream
 * are published in the order of its entries, and one connection receives them in that order.
 */
export const toBellLua = (stream: string, cursor: string, type: string, v: string, meta: string, data: string) =>
  `redis.call('SPUBLISH', ${stream}, ${cursor} .. '\\n' .. ${type} .. '\\n' .. ${v} .. '\\n' .. ${meta} .. '\\n' .. ${data})`;

export const fromBell = (stream: string, message: string): RecordedEvent => {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 4; i++) {
    const end = message.indexOf('\n', start);
    if (end < 0) throw new Error(`malformed bell on ${stream}`);
    parts.push(message.slice(start, end));
    start = end + 1;
  }
  const [cursor, type, v, meta] = parts as [string, string, string, string];
  return { stream, cursor, type, data: JSON.parse(message.slice(start)), meta: JSON.parse(meta), v: Number(v) };
};

export interface RedisStreamTailer extends StreamTailer {
  /** Stops listening and closes the tailer's connection; listeners receive nothing more. */
  close(): Promise<void>;
}

export interface RedisStreamTailerOptions {
  /**
   * A connection for the tailer's bells alone, owned (and closed) by it: it is in subscriber mode.
   * It must not resubscribe by itself after a reconnect (`autoResubscribe: false`): the tailer does,
   * then reads what it missed. On a Cluster: a `Cluster` with `shardedSubscribers: true` (a
   * subscriber per primary, resubscribed by ioredis itself after a topology change); the tailer
   * treats a lost node subscriber (`-node`) and a change of topology (`subscribersReady`: a slot
   * moved, a failover) as a dropped connection: it subscribes again (which confirms the
   * subscriptions), or at the next check tick, then reads what it missed.
   */
  bells: Redis | Cluster;
  /** The last cursor of each stream, in the order asked (`0-0` when empty), in one round trip. */
  readLastCursors(streams: readonly string[]): Promise<Cursor[]>;
  /** Entries strictly after `after`, at most `count`, as XRANGE answers them. */
  readAfter(stream: string, after: Cursor, count: number): Promise<unknown[]>;
  /** Entries per read when catching up. */
  count?: number;
  /**
   * Each followed stream's end is compared with what the tailer delivered about this often: a
   * stream still behind an end seen at the previous check lost a bell, and is read again. That
   * finds a stream's newest entries whose bells never came (a writer that does not ring); a bell
   * lost in the middle, with later ones heard, is not detected: bells are lost only with their
   * connection (or node), which the tailer handles by reading from its last cursor.
   */
  checkMs?: number;
  /**
   * With replicas (REDIS_ACK_REPLICAS > 0): resolves once a stream's entries up to `newest` are on
   * the replicas (`ReplicatedReads.confirm`). Entries are then handed on only after it, in order;
   * when it fails (the replica late, the primary gone), the stream goes back to where it stood
   * before them and is read again from there after a pause: a failover's lost entries never reach
   * a listener.
   */
  confirm?: (stream: string, newest: Cursor) => Promise<void>;
  /** Told about throwing listeners and unexpected Redis replies; the tailer carries on. */
  onError?: (error: unknown) => void;
}

interface Follower {
  listener: (events: RecordedEvent[]) => void;
  /** Until its first delivery, events at or below this position are not the follower's. */
  from: Cursor | null;
}

interface Followed {
  stream: string;
  /** The last cursor taken for this stream; the next event must be past it. */
  lastCursor: Cursor;
  followers: Set<Follower>;
  /** True while every entry past lastCursor is sure to ring, in order: bells are delivered as they come. */
  synced: boolean;
  /** Bells heard while not synced, delivered once the reads caught up. */
  held: RecordedEvent[];
  catchingUp: boolean;
  /** An end seen past lastCursor at the last check. */
  behind: Cursor | null;
  /** Moved on when the stream goes back to an earlier position: events taken before are not handed on. */
  generation: number;
  /** With `confirm`: this stream's batches handed on so far, one confirmation at a time, in order. */
  confirming: Promise<void>;
}

/** Events taken for a stream and not yet handed on: where the stream stood before them, and them. */
interface Batch {
  state: Followed;
  from: Cursor;
  events: RecordedEvent[];
  generation: number;
}

const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 1_000;
const CHECK_TICK_MS = 1_000;

/**
 * The Redis `StreamTailer`, for one Redis or a Cluster alike: no multi-key XREAD, so its cost does
 * not grow with the number of followed streams. It subscribes to each followed stream's doorbell
 * (sharded pub/sub, the bell carrying the entry) and reads the stream itself only to catch up:
 * when it starts following (the stream's end, read after the subscription took effect, is the
 * position), after its connection came back (resubscribed first, then read from the last cursor
 * delivered), and when a periodic check finds a stream behind. Bells heard while a stream catches
 * up are held and delivered after it, past what the reads gave: nothing lost, nothing twice.
 */
export const createRedisStreamTailer = (options: RedisStreamTailerOptions): RedisStreamTailer => {
  const { bells, readLastCursors, readAfter } = options;
  const count = options.count ?? 500;
  const checkMs = options.checkMs ?? 15_000;
  const onError = options.onError ?? ((error: unknown) => console.error('stream tailer:', error));

  const followed = new Map<string, Followed>();
  /** Follows of streams not yet subscribed to: the subscription and the first position under way. */
  const starting = new Map<string, Promise<Followed>>();
  let closed = false;
  let connected = true;

  /** Events taken but not yet handed to listeners, per stream, flushed once per turn. */
  const pending = new Map<Followed, Batch>();
  let flushScheduled = false;

  const flush = () => {
    flushScheduled = false;
    const batches = [...pending.values()];
    pending.clear();
    if (!options.confirm) {
      deliver(batches);
      return;
    }
    // In order within a stream; streams apart, so one primary's late replica holds back only its rooms.
    for (const batch of batches) batch.state.confirming = batch.state.confirming.then(() => confirmThenDeliver(batch));
  };

  const confirmThenDeliver = async (batch: Batch) => {
    const current = () => batch.generation === batch.state.generation && followed.get(batch.state.stream) === batch.state;
    if (!current()) return;
    try {
      await options.confirm!(batch.state.stream, batch.events.at(-1)!.cursor);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) onError(error);
      if (current()) goBack(batch);
      return;
    }
    if (current()) deliver([batch]);
  };

  /** A batch's replicas did not confirm it: forget it and what was taken after it, and read again from before it, after a pause. */
  const goBack = ({ state, from }: Batch) => {
    state.generation++;
    state.lastCursor = from;
    state.synced = false;
    state.held = [];
    pending.delete(state);
    setTimeout(() => {
      if (followed.get(state.stream) === state && !state.synced) void catchUp(state.stream, state);
    }, RETRY_MAX_MS).unref();
  };

  const deliver = (batches: Batch[]) => {
    for (const { state, events } of batches) {
      for (const follower of [...state.followers]) {
        if (!state.followers.has(follower)) continue;
        let mine = events;
        if (follower.from !== null) {
          const from = follower.from;
          mine = events.filter((event) => compareCursors(event.cursor, from) > 0);
          follower.from = null;
          if (mine.length === 0) continue;
        }
        try {
          follower.listener(mine);
        } catch (error) {
          onError(error);
        }
      }
    }
  };

  /** Takes an event if it is past the stream's position, to be delivered at the end of the turn. */
  const take = (state: Followed, event: RecordedEvent) => {
    if (compareCursors(event.cursor, state.lastCursor) <= 0) return;
    const batch = pending.get(state);
    if (batch) batch.events.push(event);
    else pending.set(state, { state, from: state.lastCursor, events: [event], generation: state.generation });
    state.lastCursor = event.cursor;
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  bells.on('smessage', (channel: string, message: string) => {
    const state = followed.get(channel);
    if (!state) return;
    let event: RecordedEvent;
    try {
      event = fromBell(channel, message);
    } catch (error) {
      // Not lost: the stream is read again from its position.
      onError(error);
      resync(channel, state);
      return;
    }
    if (state.synced) take(state, event);
    else state.held.push(event);
  });

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * Reads the stream from its position until the end, then delivers the bells held meanwhile
   * (those past what the reads gave). Retries with a capped backoff while Redis is away.
   */
  const catchUp = async (stream: string, state: Followed) => {
    if (state.catchingUp) return;
    state.catchingUp = true;
    let retryMs = RETRY_MIN_MS;
    try {
      while (!closed && followed.get(stream) === state && connected) {
        try {
          const generation = state.generation;
          const entries = await readAfter(stream, state.lastCursor, count);
          // Gone back meanwhile (an unconfirmed batch): read again from the earlier position.
          if (state.generation !== generation) continue;
          for (const entry of entries) {
            try {
              take(state, toRecordedEvent(stream, entry));
            } catch (error) {
              // A malformed entry is reported and skipped: reading it again forever would stall the stream.
              const cursor = Array.isArray(entry) && typeof entry[0] === 'string' ? entry[0] : null;
              if (cursor && compareCursors(cursor, state.lastCursor) > 0) state.lastCursor = cursor;
              onError(error);
            }
          }
          if (entries.length >= count) continue;
          for (const event of state.held) take(state, event);
          state.held = [];
          state.synced = true;
          return;
        } catch (error) {
          if (error instanceof ReplyError) onError(error);
          await pause(retryMs);
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        }
      }
    } finally {
      state.catchingUp = false;
    }
  };

  const resync = (stream: string, state: Followed) => {
    state.synced = false;
    state.held = [];
    void catchUp(stream, state);
  };

  // The connection dropped (on a Cluster: one node's subscriber): bells were missed. Once it is
  // back, subscribe again, then read.
  const lost = () => {
    connected = false;
    for (const state of followed.values()) {
      state.synced = false;
      state.held = [];
    }
  };
  const onCluster = bells instanceof Cluster;
  for (const event of onCluster ? ['-node', 'close'] : ['close']) bells.on(event, lost);
  let resubscribing = false;
  const resubscribe = async () => {
    if (connected || closed || resubscribing || bells.status !== 'ready') return;
    resubscribing = true;
    connected = true;
    try {
      const streams = [...followed.keys()];
      if (streams.length === 0) return;
      if (onCluster) {
        // Each stream to the subscriber of its slot's node (a pipeline must stay on one node).
        await Promise.all(streams.map((stream) => bells.ssubscribe(stream)));
      } else {
        const pipeline = (bells as Redis).pipeline();
        for (const stream of streams) pipeline.ssubscribe(stream);
        const results = await pipeline.exec();
        if (!results || results.some(([error]) => error)) throw results?.find(([error]) => error)?.[0] ?? new Error('resubscribe failed');
      }
      if (!connected) return;
      for (const stream of streams) {
        const state = followed.get(stream);
        if (state && !state.synced) void catchUp(stream, state);
      }
    } catch {
      // Gone again, or a node not back yet: the next ready (or check tick) starts over.
      lost();
    } finally {
      resubscribing = false;
    }
  };
  if (onCluster) {
    // ioredis moved its node subscribers after a change of topology (a slot handed to another
    // primary, a failover): bells rung on a slot's new primary before its subscriber listened
    // there were missed, and later ones will be heard. Read every followed stream again.
    bells.on('subscribersReady', () => {
      lost();
      void resubscribe();
    });
  } else {
    bells.on('ready', () => void resubscribe());
  }

  /** Subscribes, then reads the stream's end: every entry past it rings on the subscription. */
  const start = async (stream: string): Promise<Followed> => {
    await bells.ssubscribe(stream);
    const state: Followed = {
      stream,
      lastCursor: '0-0',
      followers: new Set(),
      synced: false,
      held: [],
      catchingUp: false,
      behind: null,
      generation: 0,
      confirming: Promise.resolve(),
    };
    followed.set(stream, state);
    try {
      [state.lastCursor] = (await readLastCursors([stream])) as [Cursor];
    } catch (error) {
      followed.delete(stream);
      void bells.sunsubscribe(stream).catch(() => {});
      throw error;
    }
    // Bells heard between the subscription and the read; those past the end go out, as the rest will.
    for (const event of state.held) take(state, event);
    state.held = [];
    state.synced = connected;
    if (!connected) void catchUp(stream, state);
    return state;
  };

  /** Each followed stream is checked once per checkMs: a round of all of them, a slice per tick. */
  let checkQueue: string[] = [];
  let roundStartedAt = Number.NEGATIVE_INFINITY;
  let perTick = 0;
  let checking = false;
  const check = async () => {
    if (!connected) void resubscribe();
    if (checking || closed || !connected) return;
    checking = true;
    try {
      if (checkQueue.length === 0) {
        if (performance.now() - roundStartedAt < checkMs) return;
        roundStartedAt = performance.now();
        checkQueue = [...followed.keys()];
        perTick = Math.ceil((checkQueue.length * CHECK_TICK_MS) / checkMs);
      }
      const slice = checkQueue.splice(0, perTick);
      if (slice.length === 0) return;
      const ends = await readLastCursors(slice);
      slice.forEach((stream, i) => {
        const state = followed.get(stream);
        const end = ends[i]!;
        if (!state?.synced) return;
        if (compareCursors(end, state.lastCursor) <= 0) {
          state.behind = null;
        } else if (state.behind !== null && compareCursors(state.behind, state.lastCursor) > 0) {
          // Still short of an end seen a check ago: its bell was lost.
          state.behind = null;
          resync(stream, state);
        } else {
          state.behind = end;
        }
      });
    } catch {
      // Redis away: the next tick tries again.
    } finally {
      checking = false;
    }
  };
  const checkTimer = setInterval(() => void check(), CHECK_TICK_MS);
  checkTimer.unref();

  const unfollow = (stream: string, state: Followed, follower: Follower) => {
    if (!state.followers.delete(follower) || state.followers.size > 0 || followed.get(stream) !== state) return;
    followed.delete(stream);
    pending.delete(state);
    void bells.sunsubscribe(stream).catch(() => {});
  };

  return {
    follow: async (stream, listener) => {
      if (closed) throw new StoreUnavailableError(new Error('stream tailer is closed'));
      let state = followed.get(stream);
      if (!state) {
        let started = starting.get(stream);
        if (!started) {
          started = start(stream).finally(() => starting.delete(stream));
          starting.set(stream, started);
        }
        try {
          state = await started;
        } catch (error) {
          throw closed ? new StoreUnavailableError(error) : error instanceof ReplyError ? error : new StoreUnavailableError(error);
        }
        if (closed) throw new StoreUnavailableError(new Error('stream tailer is closed'));
      }
      const follower: Follower = { listener, from: state.lastCursor };
      state.followers.add(follower);
      const followedState = state;
      return () => unfollow(stream, followedState, follower);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(checkTimer);
      followed.clear();
      pending.clear();
      bells.disconnect();
    },
  };
};
