import { type DocumentNode, type ExecutionArgs, type ExecutionResult, Kind, createSourceEventStream, getOperationAST } from 'graphql';
import { type SettleTarget, type SettlingIterator, type Sink, canPush, pushTo, settleTo } from '../streaming/push.js';
import { SubscriberTooSlowError } from '../streaming/subscribeToStream.js';
import { type GraphQLContext, createContext } from '../graphql/context.js';
import { executeMasked, isPromiseLike, toMaskedResult } from '../graphql/execute.js';
import type { Metrics } from './metrics.js';

/** How long one execution context (and its user cache) is shared by a group's renders. */
const RENDER_CONTEXT_MS = 100;

/** A connection that has this much unsent is not keeping up: end its subscription, let it resume. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/**
 * While a subscription catches up from the log, it may have this much unsent (a page of the
 * heaviest events on top of `CATCH_UP_LOW_WATER`, below a connection's `MAX_UNSENT_BYTES`): its next
 * page is read only once the connection has drained to `CATCH_UP_LOW_WATER`.
 */
const MAX_CATCH_UP_BUFFERED_BYTES = 3 * 1024 * 1024;
const CATCH_UP_LOW_WATER = 256 * 1024;

/** Entries that may wait behind one still being rendered before the subscriber is ended as too slow. */
const MAX_BACKLOG = 1_000;

/** What a source yields: an entry shared by every subscriber, positioned when it was logged. */
type Entry = { cursor?: string | null };

/** An entry's payload as UTF-8 JSON, or the promise of it while its execution waits for something. */
type Rendered = Buffer | Promise<Buffer>;

interface Group {
  key: string;
  members: number;
  /** The subscriptions' metrics, and how a member leaves (kept here rather than by each member). */
  metrics: Metrics;
  leave(group: Group): void;
  /** The entry's payload, rendered once for the whole group; at once when the selection needs nothing it has to wait for. */
  render(entry: object): Rendered;
}

/**
 * Where one subscriber's results go: a graphql-ws operation on a socket, or a Server-Sent Events
 * stream. The payload bytes are shared by the whole group; each output frames them its own way.
 */
export interface SubscriptionOutput {
  /** Bytes handed over but not yet sent to the client: past `MAX_BUFFERED_BYTES` the subscriber is too slow. */
  unsent(): number;
  /** Writes one result: `json` is its UTF-8 payload, `cursor` the position of its entry (null for an ephemeral one). */
  send(json: Buffer, cursor: string | null): void;
  /** Resolves once no more than `bytes` wait unsent (or the connection closed); undefined when that is so already. */
  whenDrained(bytes: number): Promise<void> | undefined;
}

export interface SharedTarget {
  output: SubscriptionOutput;
  /** Same key, same rendering: the document, operation and variables, but not the resume cursor. */
  groupKey: string;
  contextFactory: () => Promise<unknown> | unknown;
}

/**
 * The key of the group a subscription belongs to. Subscribers of one group receive byte-identical
 * payloads: a document that selects a field whose answer depends on who asks (see
 * graphql/viewerDependent.ts) passes its viewer's id, which then keys a group of that viewer's own.
 * The root field's `after` variable only moves where a subscriber starts, so it is left out.
 */
export const toGroupKey = (
  query: string,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  viewerKey: string | null = null,
) => {
  const operation = getOperationAST(document, operationName);
  const root = operation?.selectionSet.selections[0];
  const after = root?.kind === Kind.FIELD ? root.arguments?.find((a) => a.name.value === 'after')?.value : undefined;
  const { [after?.kind === Kind.VARIABLE ? after.name.value : '']: _, ...rest } = variables ?? {};
  return JSON.stringify([query, operationName ?? null, rest, viewerKey]);
};

/**
 * Subscriptions whose work per event is done once per group of identical subscriptions, not once
 * per subscriber: the source stream yields entries shared by every subscriber of a stream; each
 * entry is executed against the selection set and serialised once per group; every member gets
 * the same bytes in a frame of its own (`SubscriptionOutput`), over either transport. The
 * transport still owns the operation: the iterator's one `next()` settles when it ends (rejecting
 * with the error that ended it), and `return()` ends it when the client stops.
 */
export const createSharedSubscriptions = (metrics: Metrics) => {
  const groups = new Map<string, Group>();

  const join = ({ groupKey: key, contextFactory }: SharedTarget, args: ExecutionArgs): Group => {
    let group = groups.get(key);
    if (!group) {
      // The first member's context, with fresh per-operation caches (users) every moment: they
      // then cover a burst of events, e.g. a catch-up, and are never older than that moment.
      let base: GraphQLContext | null = null;
      let context: { value: GraphQLContext; until: number } | null = null;
      const renderContext = (): GraphQLContext | Promise<GraphQLContext> => {
        if (!base) {
          return Promise.resolve(contextFactory()).then((value) => {
            base ??= value as GraphQLContext;
            return renderContext();
          });
        }
        const now = performance.now();
        if (!context || context.until < now) context = { value: createContext(base), until: now + RENDER_CONTEXT_MS };
        return context.value;
      };
      // Entries are shared objects: each rendering is dropped with the entry's last reference.
      const renders = new WeakMap<object, Promise<Buffer>>();
      const rendered = new WeakMap<object, Buffer>();
      const serialise = (entry: object, result: ExecutionResult) => {
        const json = Buffer.from(JSON.stringify(result));
        rendered.set(entry, json);
        renders.delete(entry);
        return json;
      };
      // Not Yoga's execute: it would treat a subscription document as a new subscription.
      const run = (entry: object, contextValue: GraphQLContext) => executeMasked({ ...args, rootValue: entry, contextValue });
      group = {
        key,
        members: 0,
        metrics,
        leave,
        render(entry) {
          const done = rendered.get(entry);
          if (done !== undefined) return done;
          let pending = renders.get(entry);
          if (pending) return pending;
          metrics.renders.inc();
          try {
            const contextValue = renderContext();
            const result = isPromiseLike(contextValue) ? contextValue.then((value) => run(entry, value)) : run(entry, contextValue);
            if (!isPromiseLike(result)) return serialise(entry, result);
            pending = Promise.resolve(result).then((value) => serialise(entry, value));
          } catch (error) {
            pending = Promise.reject(error);
          }
          renders.set(entry, pending);
          return pending;
        },
      };
      groups.set(key, group);
    }
    group.members++;
    return group;
  };

  const leave = (group: Group) => {
    if (--group.members === 0 && groups.get(group.key) === group) groups.delete(group.key);
  };

  return {
    /** Opens the operation's source stream (its errors answered as a result) and sends its frames. */
    async subscribe(args: ExecutionArgs, target: SharedTarget): Promise<ExecutionResult | AsyncIterableIterator<never>> {
      const source = await createSourceEventStream({ ...args, rootValue: undefined });
      if (!(Symbol.asyncIterator in source)) {
        return toMaskedResult({ errors: source.errors ?? [] });
      }
      const context = args.contextValue as GraphQLContext;
      const group = join(
        context.renderPerViewer ? { ...target, groupKey: JSON.stringify([target.groupKey, context.viewer?.userId]) } : target,
        args,
      );
      // The operation's context served its source, and the target its group; renders use the
      // group's. graphql-ws keeps these arguments as long as the subscription lasts: let both go
      // (memory per subscriber, which bench:fanout measures).
      args.contextValue = undefined;
      args.rootValue = undefined;
      return deliver(source as AsyncIterableIterator<Entry>, group, target.output);
    },
  };

  function deliver(events: AsyncIterableIterator<Entry>, group: Group, output: SubscriptionOutput): SettlingIterator {
    metrics.subscriptions.inc();
    return new Delivery(events, group, output);
  }
};

const NO_ENTRIES: Entry[] = [];
const NO_WAITERS: (() => void)[] = [];

/**
 * The operation's iterator for graphql-ws: its one `next()` settles when the subscription ends.
 * Entries are pushed when the source can push (live ones arrive within the tailer's dispatch,
 * rendered already for all but the first member); otherwise pulled one by one. It is also the
 * sink they are pushed to. A class rather than closures: one lives per subscriber for as long as
 * it is subscribed (memory per idle socket, which bench:scale's sockets part measures).
 */
class Delivery implements SettlingIterator {
  private lastCursor = '0-0';
  private ended = false;
  // Catching up from the log: paced by the connection (see Sink.ready), so held to the larger budget.
  private catchingUp = false;
  private outcome: SettleTarget | null = null;
  // Entries whose turn came while an earlier one was still being rendered, oldest first.
  private backlog: Entry[] = NO_ENTRIES;
  // Who waits for the backlog to be sent (or the subscription to end).
  private backlogEmptied: (() => void)[] = NO_WAITERS;
  private draining = false;
  private completed = false;
  // A source that ends with an error right after an entry (a subscriber's own ban) has that entry sent first.
  private failedWith: { error: unknown } | null = null;

  constructor(
    private readonly events: AsyncIterableIterator<Entry>,
    private readonly group: Group,
    private readonly output: SubscriptionOutput,
  ) {}

  private get metrics() {
    return this.group.metrics;
  }

  private async end() {
    if (this.ended) return;
    this.ended = true;
    this.wakeBacklogWaiters();
    this.metrics.subscriptions.dec();
    this.group.leave(this.group);
    await this.events.return?.();
  }

  private fail(error: unknown) {
    if (this.ended) return;
    if (error instanceof SubscriberTooSlowError) this.metrics.slowSubscribers.inc();
    const settle = this.outcome;
    this.outcome = null;
    void this.end().finally(() => settle?.reject(error));
  }

  private finish() {
    const settle = this.outcome;
    this.outcome = null;
    void this.end().finally(() => settle?.resolve({ done: true, value: undefined }));
  }

  /** Sends one frame, or ends the subscription when the connection is not keeping up. */
  private send(json: Buffer, entry: Entry): boolean {
    if (this.output.unsent() > (this.catchingUp ? MAX_CATCH_UP_BUFFERED_BYTES : MAX_BUFFERED_BYTES)) {
      this.fail(new SubscriberTooSlowError(this.lastCursor));
      return false;
    }
    this.output.send(json, entry.cursor ?? null);
    this.metrics.framesSent.inc();
    if (entry.cursor) this.lastCursor = entry.cursor;
    return true;
  }

  private wakeBacklogWaiters() {
    const waiting = this.backlogEmptied;
    this.backlogEmptied = NO_WAITERS;
    for (const resolve of waiting) resolve();
  }

  private async drain() {
    this.draining = true;
    const backlog = this.backlog;
    try {
      while (backlog.length > 0 && !this.ended) {
        const rendered = this.group.render(backlog[0]!);
        const json = rendered instanceof Promise ? await rendered : rendered;
        if (this.ended || !this.send(json, backlog[0]!)) return;
        backlog.shift();
      }
    } catch (error) {
      this.fail(error);
      return;
    } finally {
      this.draining = false;
      this.wakeBacklogWaiters();
    }
    if (this.failedWith) this.fail(this.failedWith.error);
    else if (this.completed) this.finish();
  }

  // The Sink side: what a pushing source hands over.
  pace(on: boolean) {
    this.catchingUp = on;
  }

  // Once what was handed over is rendered and sent (the backlog empty), and the connection has drained.
  ready(): Promise<void> | undefined {
    if (this.ended) return undefined;
    if (this.backlog.length === 0) return this.output.whenDrained(CATCH_UP_LOW_WATER);
    if (this.backlogEmptied === NO_WAITERS) this.backlogEmptied = [];
    const waiters = this.backlogEmptied;
    return new Promise<void>((resolve) => waiters.push(resolve)).then(() =>
      this.ended ? undefined : this.output.whenDrained(CATCH_UP_LOW_WATER),
    );
  }

  /** The one `next()`: settles when the subscription ends. */
  next(): Promise<IteratorResult<never>> {
    return new Promise<IteratorResult<never>>((resolve, reject) => this[settleTo]({ resolve, reject }));
  }

  /** As `next()`, told to `target` (the transport's operation) instead of a promise. */
  [settleTo](target: SettleTarget) {
    this.outcome = target;
    if (canPush(this.events)) this.events[pushTo](new DeliverySink(this));
    else void this.pull();
  }

  take(entry: Entry) {
    if (this.ended) return;
    if (this.backlog.length === 0) {
      const rendered = this.group.render(entry);
      if (!(rendered instanceof Promise)) {
        this.send(rendered, entry);
        return;
      }
    }
    if (this.backlog === NO_ENTRIES) this.backlog = [];
    this.backlog.push(entry);
    if (this.backlog.length > MAX_BACKLOG) this.fail(new SubscriberTooSlowError(this.lastCursor));
    else if (!this.draining) void this.drain();
  }

  sourceFailed(error: unknown) {
    if (this.draining) this.failedWith = { error };
    else this.fail(error);
  }

  sourceCompleted() {
    this.completed = true;
    if (!this.draining) this.finish();
  }

  private async pull(): Promise<void> {
    try {
      for (;;) {
        const result = await this.events.next();
        if (result.done || this.ended) break;
        const rendered = this.group.render(result.value);
        if (!this.send(rendered instanceof Promise ? await rendered : rendered, result.value)) break;
      }
    } catch (error) {
      this.fail(error);
    }
    this.finish();
  }

  async return(): Promise<IteratorResult<never>> {
    this.finish();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<never>> {
    this.fail(error);
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/** The sink a pushing source hands its entries to: the delivery's, under the names a Sink has. */
class DeliverySink implements Sink<Entry> {
  constructor(private readonly delivery: Delivery) {}
  pace(on: boolean) {
    this.delivery.pace(on);
  }
  ready() {
    return this.delivery.ready();
  }
  next(entry: Entry) {
    this.delivery.take(entry);
  }
  error(error: unknown) {
    this.delivery.sourceFailed(error);
  }
  complete() {
    this.delivery.sourceCompleted();
  }
}
