import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { compareCursors } from '../eventstore/eventStore.js';
import { type ReceivedEvent, toSubjectId } from './deliveryChecker.js';

/** The fields of `roomEvents` this client asks for: enough to check delivery and presence. */
export const ROOM_EVENTS_SUBSCRIPTION = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
  __typename cursor
  ... on MessagePosted { message { id } } ... on MessageEdited { message { id } } ... on MessageDeleted { message { id } }
  ... on MembershipChanged { member { user { id } } }
  ... on UserJoined { user { handle } } ... on UserLeft { user { handle } }
  ... on PresenceChanged { onlineCount joined { handle } left { handle } } } }`;

/** One `roomEvents` payload as received. */
export interface RoomEventPayload {
  __typename: string;
  cursor: string | null;
  message?: { id: string };
  member?: { user: { id: string } };
  user?: { handle: string };
  joined?: { handle: string }[];
  left?: { handle: string }[];
  onlineCount?: number;
}

/**
 * How many times the payloads tell that `handle` joined (or left): alone (`UserJoined`, `UserLeft`),
 * or among others in a `PresenceChanged`.
 */
export const countPresence = (events: readonly RoomEventPayload[], kind: 'joined' | 'left', handle: string) =>
  events.filter((e) =>
    e.__typename === 'PresenceChanged'
      ? (e[kind] ?? []).some((u) => u.handle === handle)
      : e.__typename === (kind === 'joined' ? 'UserJoined' : 'UserLeft') && e.user?.handle === handle,
  ).length;

/** For `FollowedRoom.until`: the room got the log up to `cursor` (or past it). */
export const reached = (cursor: string) => (room: FollowedRoom) => room.lastCursor !== null && compareCursors(room.lastCursor, cursor) >= 0;

/** Resolves once the subscription sees its own user join: it is live (every subscriber a distinct user). */
export const live = (room: FollowedRoom, handle: string) => room.until((r) => countPresence(r.events, 'joined', handle) > 0);

export interface ResumingClientOptions {
  /**
   * The instances' `ws://…/graphql` URLs. Each (re)connect takes the first live one, starting
   * from the one in use; a function is asked again at every connect (instances come and go).
   */
  urls: readonly string[] | (() => readonly string[]);
  /** The session cookie ("name=value"), sent on every upgrade like a browser does. */
  cookie: string;
  /** The Origin header of the upgrade (an allowed origin of the servers). */
  origin: string;
  /** Reconnect attempts in a row before giving up. Default 1000 (graphql-ws's own default is 5). */
  retryAttempts?: number;
  /** Wait before each reconnect attempt. Default 50 ms (graphql-ws waits seconds). */
  retryWaitMs?: number;
}

/** A room followed across reconnects; its arrays grow as events arrive. */
export interface FollowedRoom {
  /** Every payload received, presence events included. */
  readonly events: readonly RoomEventPayload[];
  /** The logged events (those with a cursor), in arrival order, for the delivery checker. */
  readonly logged: readonly ReceivedEvent[];
  /** The cursor it will resume after on the next reconnect: the last one received, or the start. */
  readonly lastCursor: string | null;
  /** The error that ended it (a GraphQL error list from the server, or the last close event). */
  readonly error: unknown;
  /** Errors of single events (a `next` carrying `errors`); the subscription goes on. */
  readonly eventErrors: readonly unknown[];
  readonly completed: boolean;
  /** When it ended (error or complete), by `Date.now()`; null while it runs. */
  readonly endedAt: number | null;
  /** Resolves when the predicate holds, rejects when the subscription ends first or on timeout. */
  until(predicate: (room: FollowedRoom) => boolean, timeoutMs?: number): Promise<void>;
  dispose(): void;
}

export interface ResumingClient {
  readonly client: Client;
  /** One entry per acknowledged connection, with the URL it went to. */
  readonly connections: readonly { url: string; at: number }[];
  /**
   * Subscribes to `roomEvents(roomId, after)` and keeps it going across reconnects, resuming after
   * the last cursor received. This relies on graphql-ws re-sending the very payload object given
   * to `subscribe` on each reconnect (pinned by `resumingClient.int.spec.ts`): the client advances
   * `variables.after` in that object as events arrive.
   */
  followRoom(roomId: string, after: string | null, query?: string): FollowedRoom;
  dispose(): Promise<void>;
}

const isAlive = async (wsUrl: string): Promise<boolean> => {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/healthz';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
};

/** A graphql-ws client that follows rooms across instances: see `ResumingClient`. */
export const createResumingClient = (options: ResumingClientOptions): ResumingClient => {
  const urlsNow = () => (typeof options.urls === 'function' ? options.urls() : options.urls);
  const connections: { url: string; at: number }[] = [];
  let current: string | null = null;

  /** The instance in use if it still answers, else the next live one in the list. */
  const pickUrl = async (): Promise<string> => {
    const urls = urlsNow();
    if (urls.length === 0) throw new Error('no server URLs');
    const start = current === null ? 0 : Math.max(0, urls.indexOf(current));
    for (let i = 0; i < urls.length; i++) {
      const url = urls[(start + i) % urls.length]!;
      if (await isAlive(url)) return (current = url);
    }
    // None answers now: try the one in use; the failed attempt is retried after retryWait.
    return (current = urls[start]!);
  };

  const headers = { origin: options.origin, cookie: options.cookie };
  class AuthenticatedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }

  const client = createClient({
    url: pickUrl,
    webSocketImpl: AuthenticatedWebSocket,
    lazy: true,
    retryAttempts: options.retryAttempts ?? 1_000,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, options.retryWaitMs ?? 50)),
    // A refused connection (the instance is dead) surfaces as an error event, not a close event;
    // graphql-ws retries only close events by default. Fatal close codes still end the client.
    shouldRetry: () => true,
    on: {
      connected: (socket) => connections.push({ url: (socket as WebSocket).url ?? current ?? '?', at: Date.now() }),
    },
  });

  const rooms = new Set<FollowedRoom>();

  const followRoom = (roomId: string, after: string | null, query = ROOM_EVENTS_SUBSCRIPTION): FollowedRoom => {
    // The very object graphql-ws re-sends on every reconnect: `after` moves forward in place.
    const payload = { query, variables: { roomId, after } };
    const events: RoomEventPayload[] = [];
    const logged: ReceivedEvent[] = [];
    const eventErrors: unknown[] = [];
    let error: unknown = null;
    let completed = false;
    let endedAt: number | null = null;
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const waiter of [...waiters]) waiter();
    };

    const room: FollowedRoom = {
      events,
      logged,
      eventErrors,
      get lastCursor() {
        return payload.variables.after;
      },
      get error() {
        return error;
      },
      get completed() {
        return completed;
      },
      get endedAt() {
        return endedAt;
      },
      until: (predicate, timeoutMs = 15_000) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(
              new Error(`timed out after ${timeoutMs} ms with ${logged.length} logged events, last cursor ${payload.variables.after}`),
            );
          }, timeoutMs);
          function check() {
            if (predicate(room)) {
              clearTimeout(timer);
              waiters.delete(check);
              resolve();
            } else if (error !== null || completed) {
              clearTimeout(timer);
              waiters.delete(check);
              reject(
                new Error(`subscription ended (${completed ? 'completed' : describeError(error)}) with ${logged.length} logged events`),
              );
            }
          }
          waiters.add(check);
          check();
        }),
      dispose: () => {
        dispose();
        rooms.delete(room);
      },
    };

    const dispose = client.subscribe<{ roomEvents: RoomEventPayload }>(payload, {
      next: (result) => {
        const event = result.data?.roomEvents;
        if (event) {
          events.push(event);
          if (event.cursor !== null) {
            logged.push({
              cursor: event.cursor,
              type: event.__typename,
              messageId: toSubjectId({ messageId: event.message?.id, userId: event.member?.user.id }),
            });
            payload.variables.after = event.cursor;
          }
        }
        if (result.errors) eventErrors.push(result.errors);
        wake();
      },
      error: (e) => {
        error = e;
        endedAt ??= Date.now();
        wake();
      },
      complete: () => {
        completed = true;
        endedAt ??= Date.now();
        wake();
      },
    });
    rooms.add(room);
    return room;
  };

  return {
    client,
    connections,
    followRoom,
    dispose: async () => {
      for (const room of [...rooms]) room.dispose();
      await client.dispose();
    },
  };
};

/** A GraphQL error list, a close event or an Error as one line. */
export const describeError = (error: unknown): string => {
  if (Array.isArray(error))
    return error
      .map((e: { message?: string; extensions?: { code?: string } }) => `${e.extensions?.code ?? ''} ${e.message ?? ''}`.trim())
      .join('; ');
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error)
    return `closed ${String(error.code)} ${String(error.reason)}`;
  if (error instanceof Error) return error.message;
  return String(error);
};
