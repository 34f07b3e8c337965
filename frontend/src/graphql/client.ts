import { Client, type ExecutionResult, fetchExchange, subscriptionExchange } from '@urql/core';
import { type Client as WsClient, createClient as createWsClient } from 'graphql-ws';

/**
 * How the live connection is doing, for the banner: `idle` (no subscription needs a socket),
 * `connecting` (the first attempt), `connected`, `reconnecting` (it dropped; retrying), `offline`
 * (the browser says there is no network; retrying when it comes back).
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** What the client needs to know about the network; the browser's is `browserNetwork()`. */
export interface Network {
  isOnline(): boolean;
  /** Calls back on every change of `isOnline()`; returns the unsubscribe function. */
  onChange(listener: (online: boolean) => void): () => void;
}

/** A network that is always there (Node, tests). */
export const alwaysOnline: Network = { isOnline: () => true, onChange: () => () => {} };

/** `navigator.onLine` and the window's `online`/`offline` events. */
export const browserNetwork = (): Network => ({
  isOnline: () => navigator.onLine,
  onChange(listener) {
    const online = () => listener(true);
    const offline = () => listener(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  },
});

export interface GraphQLClientOptions {
  /** GraphQL over HTTP, e.g. `/graphql` (queries and mutations). */
  url: string;
  /** GraphQL over WebSocket, e.g. `ws://host/graphql` (subscriptions). */
  wsUrl: string;
  /** Node has no global WebSocket: pass `ws` there. */
  webSocketImpl?: unknown;
  network?: Network;
  /** Delay before reconnect attempt `attempt` (0-based); default 250 ms doubling to 5 s, with jitter. */
  retryDelay?: (attempt: number) => number;
  /** Ping the server this often (ms) and give up on the socket when no pong follows within `pongTimeout`. */
  keepAlive?: number;
  pongTimeout?: number;
}

export interface GraphQLClient {
  /** The urql client: queries and mutations over HTTP, subscriptions over the WebSocket. */
  urql: Client;
  /** The graphql-ws client underneath, for tests. */
  ws: WsClient;
  connection(): ConnectionState;
  /** Calls back on every connection state change; returns the unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** Calls back each time the socket is up again after it dropped (every subscription has resumed by then). */
  onReconnected(listener: () => void): () => void;
  /** Calls back when the server closed the socket because the session ended (signed out elsewhere, expired). */
  onSessionEnded(listener: () => void): () => void;
  dispose(): Promise<void>;
}

/** A subscribe payload as graphql-ws sends it: the same object is sent again on every reconnect. */
export interface SubscribePayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

/**
 * Moves a resumable subscription's `after` variable to the newest cursor a result carries.
 *
 * The graphql-ws client re-sends the very payload object it was given when it reconnects, so a
 * subscription whose payload has an `after` variable resumes from the last event it saw: the server
 * replays everything logged after it, nothing twice. A result whose root field has no string
 * `cursor` (ephemeral events: presence, typing, online counts) leaves `after` alone.
 */
export const advanceResumeCursor = (payload: SubscribePayload, result: ExecutionResult): void => {
  const variables = payload.variables;
  if (!variables || !('after' in variables) || !result.data || typeof result.data !== 'object') return;
  for (const value of Object.values(result.data as Record<string, unknown>)) {
    if (value && typeof value === 'object' && typeof (value as { cursor?: unknown }).cursor === 'string') {
      variables.after = (value as { cursor: string }).cursor;
    }
  }
};

const defaultRetryDelay = (attempt: number) => Math.min(5_000, 250 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

/**
 * The one GraphQL client of the page. Subscriptions retry forever (waiting for the network while
 * the browser is offline) and resume from their last cursor; see `advanceResumeCursor`.
 */
export const createGraphQLClient = (options: GraphQLClientOptions): GraphQLClient => {
  const network = options.network ?? alwaysOnline;
  const retryDelay = options.retryDelay ?? defaultRetryDelay;
  const keepAlive = options.keepAlive ?? 15_000;
  const pongTimeout = options.pongTimeout ?? 6_000;

  let state: ConnectionState = 'idle';
  let active = 0;
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const reconnectListeners = new Set<() => void>();
  const sessionEndedListeners = new Set<() => void>();
  const onlineWaiters = new Set<() => void>();
  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  };

  /** Resolves after `ms`, or as soon as the network comes back; never while offline. */
  const waitBeforeRetry = (ms: number) =>
    new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        onlineWaiters.delete(done);
        resolve();
      };
      onlineWaiters.add(done);
      if (network.isOnline()) timer = setTimeout(done, ms);
    });

  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const ws: WsClient = createWsClient({
    url: options.wsUrl,
    lazy: true,
    lazyCloseTimeout: 3_000,
    keepAlive,
    retryAttempts: Number.POSITIVE_INFINITY,
    // A refused or failed connection surfaces as an error event rather than a close event; both are worth retrying.
    shouldRetry: () => true,
    retryWait: (attempt) => waitBeforeRetry(retryDelay(attempt)),
    ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
    on: {
      connecting: (isRetry) => setState(!network.isOnline() ? 'offline' : isRetry ? 'reconnecting' : 'connecting'),
      connected: (_socket, _payload, wasRetry) => {
        setState('connected');
        // After a drop every subscription has been re-sent with its newest cursor; ephemeral state (presence) is re-read by listeners.
        if (wasRetry) for (const listener of [...reconnectListeners]) listener();
      },
      closed: (event) => {
        clearTimeout(pongTimer);
        // 4401 Unauthorized / 4403 Forbidden: the session is gone; retrying will not bring it back.
        const code = (event as { code?: number } | undefined)?.code;
        if (code === 4401 || code === 4403) for (const listener of [...sessionEndedListeners]) listener();
        setState(active === 0 ? 'idle' : network.isOnline() ? 'reconnecting' : 'offline');
      },
      // A socket can stay "open" with nothing getting through (a laptop waking up, a dead NAT entry).
      ping: (received) => {
        if (received) return;
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => ws.terminate(), pongTimeout);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });

  const unwatchNetwork = network.onChange((online) => {
    if (online) {
      for (const wake of [...onlineWaiters]) wake();
      if (state === 'offline') setState(active > 0 ? 'reconnecting' : 'idle');
      return;
    }
    // Browsers keep a WebSocket "open" while offline; drop it so the retry loop takes over.
    if (active > 0) {
      setState('offline');
      ws.terminate();
    }
  });

  const urql = new Client({
    url: options.url,
    fetchOptions: { credentials: 'same-origin' },
    preferGetMethod: false,
    // No document cache: the timeline and the room list are folds of events, and urql's cache would
    // re-run history queries whenever a mutation returns a Message.
    requestPolicy: 'network-only',
    exchanges: [
      subscriptionExchange({
        // Mutations too go over the already-open socket (no HTTP round trip through Yoga per post):
        // graphql-ws re-sends an in-flight one after a reconnect, which is safe because every
        // mutation here is idempotent (postMessage by clientId; the others change nothing twice).
        isSubscriptionOperation: (operation) => operation.kind === 'subscription' || operation.kind === 'mutation',
        forwardSubscription: (request) => {
          // Our own copy: graphql-ws keeps this object and re-sends it on every reconnect.
          const payload: SubscribePayload = {
            query: request.query ?? '',
            operationName: request.operationName ?? null,
            variables: { ...(request.variables as Record<string, unknown> | undefined) },
            extensions: request.extensions ?? null,
          };
          return {
            subscribe(sink) {
              active++;
              let ended = false;
              const end = () => {
                if (ended) return;
                ended = true;
                active--;
              };
              const dispose = ws.subscribe(payload as Parameters<WsClient['subscribe']>[0], {
                next: (result) => {
                  advanceResumeCursor(payload, result as ExecutionResult);
                  sink.next(result as ExecutionResult);
                },
                error: (error) => {
                  end();
                  sink.error(error);
                },
                complete: () => {
                  end();
                  sink.complete();
                },
              });
              return {
                unsubscribe: () => {
                  end();
                  dispose();
                },
              };
            },
          };
        },
      }),
      fetchExchange,
    ],
  });

  return {
    urql,
    ws,
    connection: () => state,
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    onReconnected(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    onSessionEnded(listener) {
      sessionEndedListeners.add(listener);
      return () => sessionEndedListeners.delete(listener);
    },
    async dispose() {
      unwatchNetwork();
      clearTimeout(pongTimer);
      for (const wake of [...onlineWaiters]) wake();
      await ws.dispose();
    },
  };
};

/** The page's own endpoints: `/graphql` over HTTP and ws(s)://<host>/graphql. */
export const createBrowserGraphQLClient = (): GraphQLClient =>
  createGraphQLClient({
    url: '/graphql',
    wsUrl: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`,
    network: browserNetwork(),
  });
