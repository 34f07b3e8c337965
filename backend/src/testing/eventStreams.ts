import { createClient } from 'graphql-sse';
import { type ReceivedEvent, toSubjectId } from './deliveryChecker.js';
import { describeError, type FollowedRoom, ROOM_EVENTS_SUBSCRIPTION, type RoomEventPayload } from './resumingClient.js';

/** One event of a `text/event-stream` body, as an EventSource would dispatch it. */
export interface ServerSentEvent {
  /** Its own `id:` field, or null when it had none (the stream's last event id then stays as it was). */
  id: string | null;
  /** `message` when it named none. */
  event: string;
  data: string;
}

/**
 * Parses `text/event-stream` text fed in pieces (split anywhere, even inside a UTF-8 sequence when
 * given bytes), as the HTML standard's event stream interpretation does: `id`, `event` and `data`
 * fields, comments (lines starting with a colon), an empty line dispatching the event. Events
 * with no data are not dispatched, but their `id` still becomes the last event id.
 */
export const createEventStreamParser = (onEvent: (event: ServerSentEvent) => void, onComment: () => void = () => {}) => {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | null = null;
  let lastEventId = '';
  const line = (text: string) => {
    if (text === '') {
      if (id !== null) lastEventId = id;
      if (data.length > 0) onEvent({ id, event: event || 'message', data: data.join('\n') });
      data = [];
      event = '';
      id = null;
      return;
    }
    if (text.startsWith(':')) return onComment();
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  };
  return {
    feed(chunk: Uint8Array | string) {
      buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      for (let end = buffer.search(/\r\n|\r|\n/); end !== -1; end = buffer.search(/\r\n|\r|\n/)) {
        const text = buffer.slice(0, end);
        buffer = buffer.slice(buffer.startsWith('\r\n', end) ? end + 2 : end + 1);
        line(text);
      }
    },
    /** The id an EventSource would send as `Last-Event-ID` on its next connection ('' when none). */
    get lastEventId() {
      return lastEventId;
    },
  };
};

/** A `next` event's payload. */
export interface StreamedResult<T = any> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** A response read as an event stream by plain `fetch`: what it sent so far, and how it ended. */
export interface EventStreamReading {
  status: number;
  headers: Headers;
  /** The whole body, when it was not an event stream (a refusal). */
  text: string | null;
  readonly events: readonly ServerSentEvent[];
  /** Comment lines received (the opening one and heartbeats). */
  readonly comments: number;
  /** The payloads of the `next` events, parsed. */
  results<T = any>(): StreamedResult<T>[];
  readonly completed: boolean;
  /** How the body ended, once it has: the server closed it (`end`), it broke (`error`), or `abort()`. */
  readonly endedBy: 'end' | 'error' | 'abort' | null;
  readonly lastEventId: string;
  /** Resolves once the predicate holds; rejects on timeout, or when the body ends first. */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the body has ended. */
  readonly ended: Promise<void>;
  /** Drops the connection, as a client that goes away does. */
  abort(): void;
}

/** A POST of a GraphQL operation asking for `text/event-stream`, read as the bytes arrive. */
export const openEventStream = async (
  url: string,
  options: { headers?: Record<string, string>; body?: unknown; method?: 'GET' | 'POST' },
): Promise<EventStreamReading> => {
  const control = new AbortController();
  const method = options.method ?? 'POST';
  const response = await fetch(url, {
    method,
    signal: control.signal,
    headers: { accept: 'text/event-stream', ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: method === 'POST' ? JSON.stringify(options.body) : undefined,
  });
  const events: ServerSentEvent[] = [];
  let comments = 0;
  let completed = false;
  let endedBy: EventStreamReading['endedBy'] = null;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const parser = createEventStreamParser(
    (event) => {
      events.push(event);
      if (event.event === 'complete') completed = true;
      wake();
    },
    () => {
      comments++;
      wake();
    },
  );
  const isStream = response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
  const text = isStream ? null : await response.text();
  const ended = (async () => {
    if (!isStream || !response.body) return void (endedBy = 'end');
    try {
      for await (const chunk of response.body) parser.feed(chunk);
      endedBy = 'end';
    } catch {
      endedBy = control.signal.aborted ? 'abort' : 'error';
    }
    wake();
  })();
  return {
    status: response.status,
    headers: response.headers,
    text,
    events,
    get comments() {
      return comments;
    },
    results: () => events.filter((e) => e.event === 'next').map((e) => JSON.parse(e.data) as StreamedResult),
    get completed() {
      return completed;
    },
    get endedBy() {
      return endedBy;
    },
    get lastEventId() {
      return parser.lastEventId;
    },
    until: (predicate, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms with ${events.length} events`));
        }, timeoutMs);
        function check() {
          if (predicate()) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          } else if (endedBy !== null) {
            clearTimeout(timer);
            waiters.delete(check);
            const last = events.at(-1);
            reject(
              new Error(`stream ended (${endedBy}) with ${events.length} events, the last: ${last?.event} ${last?.data.slice(0, 200)}`),
            );
          }
        }
        waiters.add(check);
        check();
      }),
    ended,
    abort: () => control.abort(),
  };
};

const toReceived = (event: RoomEventPayload): ReceivedEvent => ({
  cursor: event.cursor!,
  type: event.__typename,
  messageId: toSubjectId({ messageId: event.message?.id, userId: event.member?.user.id }),
});

/** `http://host:port` answers its health check. */
const isAlive = async (baseUrl: string): Promise<boolean> => {
  try {
    const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
};

export interface EventStreamFollowerOptions {
  /** The instances' base URLs (`http://host:port`); each connection takes the first live one, from the one in use on. */
  urls: readonly string[] | (() => readonly string[]);
  cookie: string;
  origin: string;
  /** Wait before each reconnection. Default 50 ms. */
  retryWaitMs?: number;
}

/** A room followed over SSE; `connections` lists the base URL of each connection it made. */
export interface FollowedStream extends FollowedRoom {
  readonly connections: readonly string[];
}

/** Follows a room as a browser's EventSource would, resuming with `Last-Event-ID` (see `followRoomOverSse`). */
const createFollower = (options: EventStreamFollowerOptions) => {
  const urlsNow = () => (typeof options.urls === 'function' ? options.urls() : options.urls);
  let current: string | null = null;
  const pickUrl = async () => {
    const urls = urlsNow();
    const start = current === null ? 0 : Math.max(0, urls.indexOf(current));
    for (let i = 0; i < urls.length; i++) {
      const url = urls[(start + i) % urls.length]!;
      if (await isAlive(url)) return (current = url);
    }
    return (current = urls[start]!);
  };
  const headers = (lastCursor: string | null): Record<string, string> => ({
    cookie: options.cookie,
    origin: options.origin,
    ...(lastCursor ? { 'last-event-id': lastCursor } : {}),
  });
  const sleep = () => new Promise<void>((resolve) => setTimeout(resolve, options.retryWaitMs ?? 50));
  return { pickUrl, headers, sleep, current: () => current ?? '?' };
};

/** What both followers share: the arrays, the waiting, the ending. */
const createFollowedState = (describe: () => string) => {
  const events: RoomEventPayload[] = [];
  const logged: ReceivedEvent[] = [];
  const eventErrors: unknown[] = [];
  const connections: string[] = [];
  const waiters = new Set<() => void>();
  const state = {
    events,
    logged,
    eventErrors,
    connections,
    lastCursor: null as string | null,
    error: null as unknown,
    completed: false,
    endedAt: null as number | null,
    wake() {
      for (const waiter of [...waiters]) waiter();
    },
    receive(result: StreamedResult<{ roomEvents: RoomEventPayload }>) {
      const event = result.data?.roomEvents;
      if (event) {
        events.push(event);
        if (event.cursor !== null) {
          logged.push(toReceived(event));
          state.lastCursor = event.cursor;
        }
      }
      if (result.errors) eventErrors.push(result.errors);
      state.wake();
    },
    until(room: FollowedRoom, predicate: (room: FollowedRoom) => boolean, timeoutMs = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms with ${logged.length} logged events (${describe()})`));
        }, timeoutMs);
        function check() {
          if (predicate(room)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          } else if (state.error !== null || state.completed) {
            clearTimeout(timer);
            waiters.delete(check);
            const how = state.completed ? 'completed' : describeError(state.error);
            reject(new Error(`subscription ended (${how}) with ${logged.length} logged events`));
          }
        }
        waiters.add(check);
        check();
      });
    },
  };
  return state;
};

const toFollowedStream = (state: ReturnType<typeof createFollowedState>, dispose: () => void): FollowedStream => {
  const room: FollowedStream = {
    events: state.events,
    logged: state.logged,
    eventErrors: state.eventErrors,
    connections: state.connections,
    get lastCursor() {
      return state.lastCursor;
    },
    get error() {
      return state.error;
    },
    get completed() {
      return state.completed;
    },
    get endedAt() {
      return state.endedAt;
    },
    until: (predicate, timeoutMs) => state.until(room, predicate, timeoutMs),
    dispose,
  };
  return room;
};

/**
 * Follows `roomEvents(roomId, after)` over SSE with plain `fetch`, as an EventSource does: each
 * time the stream ends without `complete` (the instance died, or ended it as too slow) it
 * connects again, to the first live instance, with `Last-Event-ID` set to the last `id:` received.
 * The document keeps the `after` it started with: the header must win over it.
 */
export const followRoomOverSse = (
  options: EventStreamFollowerOptions,
  roomId: string,
  after: string | null,
  query = ROOM_EVENTS_SUBSCRIPTION,
): FollowedStream => {
  const follower = createFollower(options);
  let disposed = false;
  let reading: EventStreamReading | null = null;
  let lastEventId = '';
  const state = createFollowedState(() => `last Last-Event-ID ${lastEventId || 'none'}`);
  void (async () => {
    while (!disposed) {
      const url = await follower.pickUrl();
      try {
        reading = await openEventStream(`${url}/graphql`, {
          headers: follower.headers(lastEventId || null),
          body: { query, variables: { roomId, after } },
        });
      } catch {
        await follower.sleep();
        continue;
      }
      if (reading.status !== 200 || reading.text !== null) {
        state.error = new Error(`refused: ${reading.status} ${reading.text}`);
        break;
      }
      state.connections.push(url);
      let seen = 0;
      const take = () => {
        for (; seen < reading!.events.length; seen++) {
          const event = reading!.events[seen]!;
          if (event.id !== null) lastEventId = event.id;
          if (event.event === 'next') state.receive(JSON.parse(event.data) as StreamedResult);
        }
      };
      const done = () => {
        take();
        return reading!.completed;
      };
      // Ends (rejects) when the body ends; what came last is taken either way.
      await reading.until(done, 3_600_000).catch(take);
      if (reading.completed) {
        state.completed = true;
        break;
      }
      // Closed without `complete`: reconnect, as EventSource does.
      if (!disposed) await follower.sleep();
    }
    state.endedAt = Date.now();
    state.wake();
  })();
  return toFollowedStream(state, () => {
    disposed = true;
    reading?.abort();
  });
};

/**
 * Follows `roomEvents(roomId, after)` with the graphql-sse client (distinct connections mode): it
 * reconnects by itself when a stream closes without `complete`, retrying without limit here, and
 * asks `headers()` afresh each time, which sends the cursor of the last event received as
 * `Last-Event-ID` (the client does not read `id:` fields itself).
 */
export const followRoomWithGraphQLSse = (
  options: EventStreamFollowerOptions,
  roomId: string,
  after: string | null,
  query = ROOM_EVENTS_SUBSCRIPTION,
): FollowedStream => {
  const follower = createFollower(options);
  const state = createFollowedState(() => `last cursor ${state.lastCursor ?? 'none'}`);
  const client = createClient({
    url: async () => `${await follower.pickUrl()}/graphql`,
    headers: () => follower.headers(state.lastCursor),
    retryAttempts: 1_000,
    retry: follower.sleep,
    on: { connected: () => void state.connections.push(follower.current()) },
  });
  const dispose = client.subscribe<{ roomEvents: RoomEventPayload }>(
    { query, variables: { roomId, after } },
    {
      next: (result) => state.receive(result as StreamedResult<{ roomEvents: RoomEventPayload }>),
      error: (error) => {
        state.error = error;
        state.endedAt ??= Date.now();
        state.wake();
      },
      complete: () => {
        state.completed = true;
        state.endedAt ??= Date.now();
        state.wake();
      },
    },
  );
  return toFollowedStream(state, () => {
    dispose();
    client.dispose();
  });
};
