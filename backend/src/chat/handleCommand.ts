import type { Decider } from '../domain/decider.js';
import { type ChatEvent, toEventVersion } from '../domain/events.js';
import { fold } from '../domain/decider.js';
import type { AppendRequest, Cursor, EventMeta, EventStore, RefusalReason, SnapshotRef } from '../eventstore/eventStore.js';

/** Where one aggregate lives: the stream its events go to and the snapshot that holds its state. */
export interface AggregateAddress {
  stream: string;
  snapshot: SnapshotRef;
}

export interface HandleOptions<E, S> {
  meta: EventMeta;
  /** The aggregate's id was just made: skip reading a snapshot that cannot exist (the append still checks). */
  fresh?: boolean;
  idempotency?: AppendRequest['idempotency'];
  /** A uniqueness claim derived from what was decided (e.g. a room's name). */
  claim?: (events: E[], before: S) => AppendRequest['claim'] | undefined;
  /** Inline index entries for what was decided, from the state before it (e.g. a room's history index, a message's edit history). */
  indexes?: (events: E[], before: S) => AppendRequest['indexes'];
  /** Inline set changes for what was decided, from the state before and after (e.g. a room's member list). */
  sets?: (before: S, after: S) => AppendRequest['sets'];
  /** Refuse the append, in its own step, unless this member may write (see `AppendRequest.guard`). */
  guard?: AppendRequest['guard'];
  /** Notes for other streams about what was decided (see `AppendRequest.notify`). */
  notify?: (events: E[]) => AppendRequest['notify'];
  /** Number the decided event in its log (see `AppendRequest.sequence`). */
  sequence?: AppendRequest['sequence'];
  /** Scored set changes for what was decided, from the state before and after (e.g. unread counts). */
  scored?: (before: S, after: S) => AppendRequest['scored'];
  /** Counter moves for what was decided (e.g. a thread's reply count). */
  counts?: (before: S, after: S, events: E[]) => AppendRequest['counts'];
  /** Hash fields set for what was decided (e.g. a thread's last reply time). */
  values?: (events: E[]) => AppendRequest['values'];
  /** Grouped tally changes for what was decided, from the state before (e.g. a message's reactions). */
  tallies?: (before: S, events: E[]) => AppendRequest['tallies'];
}

export type HandleResult<E, S> =
  | { status: 'done'; state: S; events: E[]; cursors: Cursor[] }
  | { status: 'duplicate'; result: string }
  | { status: 'claimed'; owner: string }
  | { status: 'refused'; reason: RefusalReason; until: string | null };

/**
 * Others kept changing the aggregate between each read and append, attempt after attempt: a
 * transient refusal, to be tried again (UNAVAILABLE), not a fault of the request.
 */
export class ContentionError extends Error {
  override name = 'ContentionError';
  constructor() {
    super('Too many concurrent changes to the same thing; try again');
  }
}

const MAX_ATTEMPTS = 8;
/** Between attempts after the second: a random wait up to this many ms times the attempt, so racers spread out. */
const BACKOFF_MS = 2;

/**
 * Read the aggregate's snapshot, decide, fold, and append the events together with the new
 * snapshot, on condition that nobody changed the aggregate in between; on a version conflict,
 * decide again on the fresh state (bounded, with a short random wait from the third attempt;
 * past the bound, `ContentionError`). Domain refusals propagate as `DomainError`s.
 * A decision with no events appends nothing and answers the current state.
 */
export const handleCommand = async <C, E extends ChatEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  address: AggregateAddress,
  command: C,
  options: HandleOptions<E, S>,
): Promise<HandleResult<E, S>> => {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const snapshot = options.fresh && attempt === 1 ? null : await store.readSnapshot<S>(address.snapshot);
    const state = snapshot?.state ?? decider.initialState;
    const events = decider.decide(command, state);
    if (events.length === 0) return { status: 'done', state, events, cursors: [] };
    const next = fold(decider, state, events);
    const result = await store.append({
      stream: address.stream,
      events: events.map((e) => ({ type: e.type, data: e.data, meta: options.meta, v: toEventVersion(e) })),
      snapshot: { ref: address.snapshot, expectedRev: snapshot?.rev ?? null, state: next },
      idempotency: options.idempotency,
      claim: options.claim?.(events, state),
      indexes: options.indexes?.(events, state),
      sets: options.sets?.(state, next),
      guard: options.guard,
      sequence: options.sequence,
      notify: options.notify?.(events),
      scored: options.scored?.(state, next),
      counts: options.counts?.(state, next, events),
      values: options.values?.(events),
      tallies: options.tallies?.(state, events),
    });
    switch (result.status) {
      case 'appended':
        return { status: 'done', state: next, events, cursors: result.cursors };
      case 'duplicate':
        return { status: 'duplicate', result: result.result };
      case 'claimed':
        return { status: 'claimed', owner: result.owner };
      case 'refused':
        return result;
      case 'conflict':
        if (attempt >= 2) await new Promise((resolve) => setTimeout(resolve, Math.random() * BACKOFF_MS * attempt));
        continue;
    }
  }
  throw new ContentionError();
};
