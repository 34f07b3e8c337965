import {
  type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLError, Kind, createSourceEventStream, execute, getOperationAST,
} from 'graphql';
import type { WebSocket } from 'ws';
import { SubscriberTooSlowError } from '../eventstore/subscribeToStream.js';
import { maskError } from '../graphql/errors.js';
import type { Metrics } from './metrics.js';

const toMasked = (error: GraphQLError) => maskError(error, 'Unexpected error.') as GraphQLError;

/** How long one execution context (and its user cache) is shared by a group's renders. */
const RENDER_CONTEXT_MS = 100;

/** A socket that has this much unsent is not keeping up: end its subscription, let it resume. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

interface Group {
  members: number;
  /** Each entry rendered once for the whole group; entries are shared objects, dropped with their last reference. */
  renders: WeakMap<object, Promise<string>>;
  /** The same, once settled: most members find their frame here and skip a microtask. */
  rendered: WeakMap<object, string>;
  render(entry: object): string | Promise<string>;
}

export interface SharedTarget {
  socket: WebSocket;
  /** The graphql-ws operation id the frames answer. */
  id: string;
  /** Same key, same rendering: the document, operation and variables, but not the resume cursor. */
  groupKey: string;
  contextFactory: () => Promise<unknown> | unknown;
}

/**
 * The key of the group a subscription belongs to. Subscribers of one group receive byte-identical
 * payloads, so fields under a subscription must not depend on who is asking (none does: the
 * payload types hold no per-viewer field). The root field's `after` variable only moves where a
 * subscriber starts, so it is left out.
 */
export const toGroupKey = (query: string, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined) => {
  const operation = getOperationAST(document, operationName);
  const root = operation?.selectionSet.selections[0];
  const after = root?.kind === Kind.FIELD ? root.arguments?.find((a) => a.name.value === 'after')?.value : undefined;
  const { [after?.kind === Kind.VARIABLE ? after.name.value : '']: _, ...rest } = variables ?? {};
  return JSON.stringify([query, operationName ?? null, rest]);
};

/**
 * Subscriptions whose work per event is done once per group of identical subscriptions, not once
 * per subscriber: the source stream yields entries shared by every subscriber of a stream; each
 * entry is executed against the selection set and serialised once per group; every member gets
 * the same bytes in a frame of its own id, written straight to its socket. graphql-ws still owns
 * the operation (its `complete` and `error` messages, and `return()` when the client stops).
 */
export const createSharedSubscriptions = (metrics: Metrics) => {
  const groups = new Map<string, Group>();

  const join = (target: SharedTarget, args: ExecutionArgs): Group => {
    let group = groups.get(target.groupKey);
    if (!group) {
      // One context serves the group's renders for a moment: its per-operation caches (authors)
      // then cover a burst of events, e.g. a catch-up, and are never older than that moment.
      let context: { value: Promise<unknown> | unknown; until: number } | null = null;
      const renderContext = () => {
        const now = performance.now();
        if (!context || context.until < now) context = { value: target.contextFactory(), until: now + RENDER_CONTEXT_MS };
        return context.value;
      };
      const created: Group = {
        members: 0,
        renders: new WeakMap(),
        rendered: new WeakMap(),
        render(entry) {
          const done = created.rendered.get(entry);
          if (done !== undefined) return done;
          let rendered = created.renders.get(entry);
          if (!rendered) {
            metrics.renders.inc();
            rendered = (async () => {
              // graphql-js's own execute: Yoga's would treat a subscription document as a new subscription.
              const result = await execute({ ...args, rootValue: entry, contextValue: await renderContext() });
              const json = JSON.stringify(result.errors ? { ...result, errors: result.errors.map(toMasked) } : result);
              created.rendered.set(entry, json);
              return json;
            })();
            created.renders.set(entry, rendered);
          }
          return rendered;
        },
      };
      groups.set(target.groupKey, (group = created));
    }
    group.members++;
    return group;
  };

  const leave = (key: string, group: Group) => {
    if (--group.members === 0 && groups.get(key) === group) groups.delete(key);
  };

  return {
    /** Opens the operation's source stream (its errors answered as a result) and pumps frames. */
    async subscribe(args: ExecutionArgs, target: SharedTarget): Promise<ExecutionResult | AsyncIterableIterator<never>> {
      const source = await createSourceEventStream({ ...args, rootValue: undefined });
      if (!(Symbol.asyncIterator in source)) {
        return { errors: (source.errors ?? []).map(toMasked) };
      }
      const events = source as AsyncIterableIterator<{ cursor?: string | null }>;
      const group = join(target, args);
      metrics.subscriptions.inc();
      const prefix = `{"id":${JSON.stringify(target.id)},"type":"next","payload":`;
      let lastCursor = '0-0';
      let ended = false;
      const end = async () => {
        if (ended) return;
        ended = true;
        metrics.subscriptions.dec();
        leave(target.groupKey, group);
        await events.return?.();
      };
      const pump: AsyncIterableIterator<never> = {
        async next() {
          try {
            for (;;) {
              const result = await events.next();
              if (result.done || ended) break;
              const rendered = group.render(result.value);
              const frame = prefix + (typeof rendered === 'string' ? rendered : await rendered) + '}';
              if (target.socket.bufferedAmount > MAX_BUFFERED_BYTES) throw new SubscriberTooSlowError(lastCursor);
              target.socket.send(frame);
              metrics.framesSent.inc();
              if (result.value.cursor) lastCursor = result.value.cursor;
            }
          } catch (error) {
            if (error instanceof SubscriberTooSlowError) metrics.slowSubscribers.inc();
            await end();
            throw error;
          }
          await end();
          return { done: true, value: undefined };
        },
        async return() {
          await end();
          return { done: true, value: undefined };
        },
        async throw(error?: unknown) {
          await end();
          throw error;
        },
        [Symbol.asyncIterator]() {
          return pump;
        },
      };
      return pump;
    },
  };
};
