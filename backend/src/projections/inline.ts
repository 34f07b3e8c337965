import type { Cursor, EventStore, IndexEntry, RecordedEvent, Snapshot } from '../eventstore/eventStore.js';
import { compareByUtf8 } from '../eventstore/utf8Order.js';
import { toRebuildKey } from './keys.js';

/**
 * An inline projection: a read model the append script writes in the same step as the events
 * (in the event's Redis Cluster slot), so a command can check it. Here: the snapshots of one
 * aggregate kind (one hash field per aggregate), and optionally an index of some of the events.
 * The live model is written by the command side (`handleCommand`); this module is its other half:
 * the same model folded from the log, for rebuilds and for the tests that compare the two.
 */
export interface InlineProjection<S, E = unknown> {
  name: string;
  /** The event types it folds; others are skipped. */
  events: ReadonlySet<string>;
  /** A stored event of one of those types, typed (the aggregate's decoder: it validates and upcasts). */
  decode(event: RecordedEvent): E;
  /** The snapshot field (aggregate id) an event changes; null for an event that only the index keeps. */
  fieldOf(event: E): string | null;
  /** The state after the event (the aggregate's `evolve`; `null` before its first event). */
  evolve(state: S | null, event: E): S;
  /** The index entry's ref for an event that the index keeps, else null. */
  indexRef?(event: E): string | null;
  /** What a change of one snapshot does to the model's lexicographic sets (keys among the location's `sets`). */
  sets?(before: S | null, after: S): readonly SetChange[];
}

/** Members a change takes out of a lexicographic set and puts into it. */
export interface SetChange {
  key: string;
  add?: readonly string[];
  remove?: readonly string[];
}

/** Where one instance of an inline model lives: the log it folds, its snapshot hash, its index, its sets. */
export interface InlineLocation {
  stream: string;
  hash: string;
  index?: string;
  sets?: readonly string[];
}

/**
 * The model as data: its index entries in log order, its snapshots by field, and its sets. A
 * set is kept as its members' last changes (true: in), which from an empty set is its content.
 */
export interface InlineModel<S> {
  index: IndexEntry[];
  snapshots: Map<string, Snapshot<S>>;
  sets: Map<string, Map<string, boolean>>;
}

/** A model's sets as their members, each sorted. */
export const toSetMembers = (model: Pick<InlineModel<unknown>, 'sets'>): Map<string, string[]> =>
  new Map(
    [...model.sets]
      .map(([key, members]) => [key, [...members].flatMap(([member, present]) => (present ? [member] : [])).sort(compareByUtf8)] as const)
      .filter(([, members]) => members.length > 0),
  );

/**
 * Folds events onto a model (pure). A snapshot's revision counts the events that changed it: each
 * append of these aggregates logs exactly one event, so it equals the live revision.
 */
export const foldInline = <S, E>(
  projection: InlineProjection<S, E>,
  events: readonly RecordedEvent[],
  model: InlineModel<S> = emptyModel(),
): InlineModel<S> => foldDecoded(projection, decodeFolded(projection, events), model);

/** The events a projection folds, each decoded once, beside its cursor. */
const decodeFolded = <S, E>(projection: InlineProjection<S, E>, events: readonly RecordedEvent[]) =>
  events.flatMap((recorded) =>
    projection.events.has(recorded.type) ? [{ cursor: recorded.cursor, event: projection.decode(recorded) }] : [],
  );

const foldDecoded = <S, E>(projection: InlineProjection<S, E>, events: readonly { cursor: Cursor; event: E }[], model: InlineModel<S>) => {
  for (const { cursor, event } of events) {
    const field = projection.fieldOf(event);
    if (field !== null) {
      const before = model.snapshots.get(field);
      const after = projection.evolve(before?.state ?? null, event);
      model.snapshots.set(field, { rev: (before?.rev ?? 0) + 1, state: after });
      for (const change of projection.sets?.(before?.state ?? null, after) ?? []) {
        const members = model.sets.get(change.key) ?? new Map<string, boolean>();
        model.sets.set(change.key, members);
        for (const member of change.remove ?? []) members.set(member, false);
        for (const member of change.add ?? []) members.set(member, true);
      }
    }
    const ref = projection.indexRef?.(event);
    if (ref != null) model.index.push({ cursor, ref });
  }
  return model;
};

export const emptyModel = <S>(): InlineModel<S> => ({ index: [], snapshots: new Map(), sets: new Map() });

/** The live model as stored (tests compare it with `foldInline` of the log). */
export const readInlineModel = async <S>(store: EventStore, location: InlineLocation): Promise<InlineModel<S>> => {
  const index: IndexEntry[] = [];
  if (location.index) {
    for (;;) {
      const page = await store.readIndexForward(location.index, { after: index.at(-1)?.cursor, count: 1_000 });
      index.push(...page);
      if (page.length < 1_000) break;
    }
  }
  const sets = new Map<string, Map<string, boolean>>();
  for (const key of location.sets ?? []) {
    const members = await store.readSetRange(key, { min: '-', max: '+', count: Number.MAX_SAFE_INTEGER });
    sets.set(key, new Map(members.map((member) => [member, true])));
  }
  return { index, snapshots: await store.readAllSnapshots<S>(location.hash), sets };
};

const REBUILD_PAGE = 1_000;
/** How long appends may wait for the swap: the last events are folded and swapped in well within it. */
const HOLD_MS = 2_000;

/**
 * Rebuilds one inline model from its log while appends go on: folds the log page by page into
 * keys beside the live ones (reading back only the states a page changes). Once it has caught up,
 * it holds appends to the log for a moment, folds what came last, and swaps its keys in; the held
 * appends then go on, onto the rebuilt model. Were the hold to run out first, it catches up and
 * tries again. Answers the number of events folded.
 */
export const rebuildInline = async <S, E>(
  store: EventStore,
  projection: InlineProjection<S, E>,
  location: InlineLocation,
): Promise<number> => {
  const rebuilt = { hash: toRebuildKey(location.hash), index: location.index && toRebuildKey(location.index) };
  const sets = (location.sets ?? []).map((key) => ({ from: toRebuildKey(key), to: key }));
  await store.deleteKeys([rebuilt.hash, ...(rebuilt.index ? [rebuilt.index] : []), ...sets.map((set) => set.from)]);
  const moves = [
    { from: rebuilt.hash, to: location.hash },
    ...(rebuilt.index ? [{ from: rebuilt.index, to: location.index! }] : []),
    ...sets,
  ];
  let last: Cursor | null = null;
  let folded = 0;
  /** Folds the log after `last`, up to `end` when given; answers whether the last page was short (caught up). */
  const foldOn = async (end?: Cursor | null) => {
    for (;;) {
      if (end !== undefined && last === end) return true;
      const page = await store.readForward(location.stream, { after: last ?? undefined, count: REBUILD_PAGE });
      if (page.length === 0) return true;
      last = page.at(-1)!.cursor;
      folded += page.length;
      const model = await foldPage(store, projection, page, rebuilt.hash);
      await store.writeRebuilt({
        index: rebuilt.index ? { key: rebuilt.index, entries: model.index } : undefined,
        snapshots: { key: rebuilt.hash, values: [...model.snapshots] },
        // A page's last change of each member wins: set operations, so the order within it is settled.
        sets: [...model.sets].map(([key, members]) => ({
          key: toRebuildKey(key),
          add: [...members].flatMap(([member, present]) => (present ? [member] : [])),
          remove: [...members].flatMap(([member, present]) => (present ? [] : [member])),
        })),
      });
      if (end === undefined && page.length < REBUILD_PAGE) return true;
    }
  };
  for (;;) {
    await foldOn();
    const end = await store.holdAppends(location.stream, HOLD_MS);
    await foldOn(end);
    if (await store.swapRebuilt(location.stream, last, moves)) return folded;
  }
};

/** One page folded onto the rebuilt states it touches; each event decoded once. */
const foldPage = async <S, E>(store: EventStore, projection: InlineProjection<S, E>, page: RecordedEvent[], hash: string) => {
  const events = decodeFolded(projection, page);
  const fields = [...new Set(events.flatMap(({ event }) => projection.fieldOf(event) ?? []))];
  const stored = await store.readSnapshots<S>(hash, fields);
  const model = emptyModel<S>();
  fields.forEach((field, i) => {
    const snapshot = stored[i];
    if (snapshot) model.snapshots.set(field, snapshot);
  });
  return foldDecoded(projection, events, model);
};
