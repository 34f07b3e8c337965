import { type Cursor, type EventStore, NoGroupError, type RecordedEvent, toPreviousCursor } from '../eventstore/eventStore.js';

/**
 * An asynchronous projection: a read model keyed by something other than the event's aggregate
 * (the room directory; later a person's inbox, the search index), kept by projectors that read its
 * log through a consumer group, off the write path. Applying is idempotent on the events' cursors
 * and indifferent to order between aggregates, as several projectors apply batches concurrently.
 *
 * Generations let a rebuild fill a fresh model while the serving one keeps answering; `apply`
 * refuses (`stale`) a generation that is neither serving nor being built.
 */
export interface AsyncProjection {
  name: string;
  /** The log it folds. */
  stream: string;
  readGenerations(): Promise<{ serving: number; building: number | null }>;
  writeGenerations(generations: { serving: number; building: number | null }): Promise<void>;
  apply(generation: number, events: readonly RecordedEvent[]): Promise<'applied' | 'stale'>;
  dropGeneration(generation: number): Promise<void>;
}

/** The consumer group of one generation of a projection. */
export const toGroupName = (projection: Pick<AsyncProjection, 'name'>, generation: number) => `projection:${projection.name}:${generation}`;

/**
 * Everything at or below the answer is applied to the serving model (null: nothing is). Read it
 * before reading the model, and the model is at least that new: a client that subscribes to the
 * log after it misses nothing (and may see again what the model already shows).
 */
export const readCheckpoint = async (store: EventStore, projection: AsyncProjection): Promise<Cursor | null> => {
  const { serving } = await projection.readGenerations();
  const position = await store.groups.position(projection.stream, toGroupName(projection, serving));
  if (!position) return null;
  if (position.oldestPending) return toPreviousCursor(position.oldestPending);
  return position.lastDelivered === '0-0' ? null : position.lastDelivered;
};

/** How far the serving model is behind its log: events not yet applied, and the age of the oldest. */
export const readLag = async (store: EventStore, projection: AsyncProjection, now = Date.now()) => {
  const { serving } = await projection.readGenerations();
  const position = await store.groups.position(projection.stream, toGroupName(projection, serving));
  if (!position) {
    const info = await store.streamInfo(projection.stream);
    return { events: info.length, seconds: info.firstCursor ? ageOf(info.firstCursor, now) : 0 };
  }
  const oldest = position.oldestPending ?? position.oldestUndelivered;
  return { events: position.pending + position.undelivered, seconds: oldest ? ageOf(oldest, now) : 0 };
};

const ageOf = (cursor: Cursor, now: number) => Math.max(0, (now - Number(cursor.slice(0, cursor.indexOf('-')))) / 1000);

export interface Projector {
  /** Stops after the batch in hand; a blocked read ends within `blockMs`, or at once when the store closes. */
  stop(): Promise<void>;
}

export interface ProjectorOptions {
  /** This process's name in the consumer group; unique per process. */
  consumer: string;
  batch?: number;
  blockMs?: number;
  /** How often entries left pending by a dead projector are looked for, and how idle they must be. */
  claimEveryMs?: number;
  claimIdleMs?: number;
  /** Reports failures (the store down); the projector carries on, backing off. */
  onError?: (error: unknown) => void;
}

/**
 * Runs a projection in this process: reads its log through the serving generation's consumer
 * group (created from the start of the log the first time, which is the initial build), applies
 * each batch and acknowledges it. Entries a dead projector left pending are claimed after a while.
 * Any number of processes run it; each event is applied by one of them (or again after a crash
 * between apply and ack, which applying idempotently makes harmless).
 */
export const startProjector = (store: EventStore, projection: AsyncProjection, options: ProjectorOptions): Projector => {
  const { consumer, batch = 500, blockMs = 1_000, claimEveryMs = 10_000, claimIdleMs = 30_000 } = options;
  let running = true;
  let wake: (() => void) | null = null;
  const created = new Set<string>();
  let claimedAt = 0;

  const turn = async () => {
    const { serving } = await projection.readGenerations();
    const group = toGroupName(projection, serving);
    if (!created.has(group)) {
      await store.groups.create(projection.stream, group, '0-0');
      created.add(group);
    }
    let events: RecordedEvent[] = [];
    if (Date.now() - claimedAt >= claimEveryMs) {
      claimedAt = Date.now();
      events = await store.groups.claimStale(projection.stream, group, consumer, { minIdleMs: claimIdleMs, count: batch });
    }
    if (events.length === 0) events = await store.groups.read(projection.stream, group, consumer, { count: batch, blockMs });
    if (events.length === 0) return;
    // Stale: a rebuild flipped generations under this batch; the new generation's group delivers it again.
    if ((await projection.apply(serving, events)) === 'applied') {
      await store.groups.ack(
        projection.stream,
        group,
        events.map((event) => event.cursor),
      );
    }
  };

  const loop = async () => {
    let backoffMs = 50;
    while (running) {
      try {
        await turn();
        backoffMs = 50;
      } catch (error) {
        if (!running) break;
        if (error instanceof NoGroupError) {
          created.clear();
          continue;
        }
        options.onError?.(error);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoffMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
        backoffMs = Math.min(backoffMs * 2, 2_000);
      }
    }
  };
  const done = loop();

  return {
    async stop() {
      running = false;
      wake?.();
      await done;
    },
  };
};

/**
 * Rebuilds a projection from its log while projectors run: folds the whole log into a new
 * generation, positions that generation's consumer group just after what it folded, and flips
 * the projectors over to it (what came meanwhile reaches the new generation through its group);
 * then drops the old generation. Answers the number of events folded.
 */
export const rebuildAsync = async (store: EventStore, projection: AsyncProjection, pageSize = 1_000): Promise<number> => {
  const { serving, building } = await projection.readGenerations();
  const next = Math.max(serving, building ?? 0) + 1;
  await projection.writeGenerations({ serving, building: next });
  let last: Cursor = '0-0';
  let folded = 0;
  for (;;) {
    const page = await store.readForward(projection.stream, { after: last === '0-0' ? undefined : last, count: pageSize });
    if (page.length === 0) break;
    if ((await projection.apply(next, page)) !== 'applied')
      throw new Error(`${projection.name}: generation ${next} was taken over by another rebuild`);
    last = page.at(-1)!.cursor;
    folded += page.length;
  }
  await store.groups.create(projection.stream, toGroupName(projection, next), last);
  await projection.writeGenerations({ serving: next, building: null });
  await store.groups.destroy(projection.stream, toGroupName(projection, serving));
  await projection.dropGeneration(serving);
  return folded;
};
