import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { readConfig } from '../config.js';
import { type App, buildApp } from '../http/app.js';
import { type TestRedis, startTestRedis } from './redisServer.js';

export type StoreKind = 'memory' | 'redis';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** A real server on a free port, with helpers that speak to it the way clients do. */
export interface TestServer {
  app: App;
  url: string;
  wsUrl: string;
  origin: string;
  redis: TestRedis | null;
  /** Development sign-in; the session cookie ("name=value"). */
  signIn(handle: string): Promise<string>;
  /** GraphQL over HTTP. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, cookie?: string): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client authenticated by the cookie (sent on the upgrade, like a browser does). */
  wsClient(cookie?: string, options?: Partial<Parameters<typeof createClient>[0]>): Client;
  stop(): Promise<void>;
}

export const startTestServer = async (
  kind: StoreKind,
  options: { redis?: TestRedis; env?: Record<string, string> } = {},
): Promise<TestServer> => {
  const redis = kind === 'redis' ? (options.redis ?? (await startTestRedis())) : null;
  const ownsRedis = kind === 'redis' && !options.redis;
  // Tests act as a few users at machine speed: rate limits only where a test asks for them (RATE_LIMITS: '1').
  const config = readConfig({ PORT: '0', RATE_LIMITS: '0', ...(redis ? { REDIS_URL: redis.url } : {}), ...options.env });
  const app = await buildApp(config);
  const url = await app.start();
  const origin = config.publicUrl.origin;
  const clients = new Set<Client>();

  return {
    app,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    origin,
    redis,
    async signIn(handle) {
      const response = await fetch(`${url}/auth/dev`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ handle }),
      });
      if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
      return response.headers.getSetCookie()[0]!.split(';')[0]!;
    },
    async gql(query, variables, cookie) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<any>;
    },
    wsClient(cookie, clientOptions = {}) {
      const headers = { origin, ...(cookie ? { cookie } : {}) };
      class AuthenticatedWebSocket extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers });
        }
      }
      const client = createClient({
        url: `${url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: AuthenticatedWebSocket,
        lazy: true,
        retryAttempts: 0,
        ...clientOptions,
      });
      clients.add(client);
      return client;
    },
    async stop() {
      await Promise.all([...clients].map((c) => c.dispose()));
      await app.stop();
      if (ownsRedis) await redis?.dispose();
    },
  };
};

/** Runs one subscription and collects its results; `waitFor(n)` and `until(predicate)` await results. */
export const collect = <T = any>(client: Client, query: string, variables: Record<string, unknown> = {}) => {
  const results: { data?: T; errors?: GraphQLResponse['errors'] }[] = [];
  const waiters: { done: () => boolean; resolve: () => void }[] = [];
  let error: unknown = null;
  let completed = false;
  const wake = () => {
    for (const w of [...waiters]) {
      if (w.done() || error || completed) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        results.push(result as never);
        wake();
      },
      error: (e) => {
        error = e;
        wake();
      },
      complete: () => {
        completed = true;
        wake();
      },
    },
  );
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      waiters.push({ done, resolve });
      wake();
    });
  return {
    results,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    /** Resolves when at least n results arrived, or the subscription ended. */
    waitFor: (n: number) => until(() => results.length >= n),
    /** Resolves when the predicate holds for the results so far, or the subscription ended. */
    until: (predicate: (soFar: typeof results) => boolean) => until(() => predicate(results)),
    dispose,
  };
};

/** One query or mutation over a graphql-ws client: its single result, or its `error` message as `{ errors }`. */
export const operateOverSocket = (client: Client, query: string, variables: Record<string, unknown> = {}) =>
  new Promise<GraphQLResponse<any>>((resolve, reject) => {
    let result: GraphQLResponse<any> | undefined;
    client.subscribe(
      { query, variables },
      {
        next: (value) => void (result = value as GraphQLResponse<any>),
        error: (error) =>
          Array.isArray(error) ? resolve({ errors: error }) : reject(new Error(`socket failed: ${(error as { code?: number }).code}`)),
        complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
      },
    );
  });
