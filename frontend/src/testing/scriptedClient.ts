import type { Client, CombinedError } from '@urql/core';
import { type DocumentNode, Kind } from 'graphql';
import type { GraphQLClient } from '../graphql/client.js';

/**
 * A GraphQL client for unit tests of the data modules (roomSession, roomDirectory): every query,
 * mutation and subscription they start is recorded, and the test answers it. No server, no socket.
 */

export interface ScriptedResult {
  data?: unknown;
  error?: CombinedError;
}

export interface ScriptedRequest {
  /** The operation's name, e.g. `RoomPage`. */
  name: string;
  variables: Record<string, unknown>;
  answer(result: ScriptedResult): void;
}

export interface ScriptedSubscription {
  name: string;
  variables: Record<string, unknown>;
  /** Delivers a result to the subscriber (nothing once it unsubscribed). */
  push(result: ScriptedResult): void;
  closed: boolean;
}

export interface ScriptedClient {
  client: GraphQLClient;
  /** Queries and mutations not answered yet, oldest first. */
  requests: ScriptedRequest[];
  /** Every subscription started, in order. */
  subscriptions: ScriptedSubscription[];
  /** Takes the oldest unanswered request named `name` off `requests`, waiting for one if need be. */
  next(name: string): Promise<ScriptedRequest>;
  /** Resolves once `count` subscriptions have been started. */
  subscribed(count: number): Promise<void>;
  /** Calls the client's `onReconnected` listeners, as after a dropped socket came back. */
  reconnect(): void;
}

const operationName = (document: DocumentNode): string => {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return (operation && 'name' in operation && operation.name?.value) || '';
};

export const createScriptedClient = (): ScriptedClient => {
  const requests: ScriptedRequest[] = [];
  const subscriptions: ScriptedSubscription[] = [];
  const changed = new Set<() => void>();
  const reconnectListeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...changed]) listener();
  };
  /** Resolves with `check()` once it is no longer undefined, checking after every recorded operation. */
  const when = <T>(check: () => T | undefined) =>
    new Promise<T>((resolve) => {
      const attempt = () => {
        const value = check();
        if (value === undefined) return;
        changed.delete(attempt);
        resolve(value);
      };
      changed.add(attempt);
      attempt();
    });

  const request = (document: DocumentNode, variables: Record<string, unknown>) => ({
    toPromise: () =>
      new Promise<ScriptedResult>((resolve) => {
        requests.push({ name: operationName(document), variables, answer: resolve });
        notify();
      }),
  });
  const urql = {
    query: request,
    mutation: request,
    subscription: (document: DocumentNode, variables: Record<string, unknown>) => ({
      subscribe(sink: (result: ScriptedResult) => void) {
        const subscription: ScriptedSubscription = {
          name: operationName(document),
          variables,
          push: (result) => {
            if (!subscription.closed) sink(result);
          },
          closed: false,
        };
        subscriptions.push(subscription);
        notify();
        return { unsubscribe: () => void (subscription.closed = true) };
      },
    }),
  };

  return {
    client: {
      urql: urql as unknown as Client,
      ws: undefined as never,
      connection: () => 'connected',
      onConnectionChange: () => () => {},
      onReconnected(listener) {
        reconnectListeners.add(listener);
        return () => reconnectListeners.delete(listener);
      },
      onSessionEnded: () => () => {},
      dispose: async () => {},
    },
    requests,
    subscriptions,
    next: (name) =>
      when(() => {
        const i = requests.findIndex((r) => r.name === name);
        return i < 0 ? undefined : requests.splice(i, 1)[0];
      }),
    subscribed: (count) => when(() => (subscriptions.length >= count ? true : undefined)).then(() => undefined),
    reconnect: () => {
      for (const listener of [...reconnectListeners]) listener();
    },
  };
};
