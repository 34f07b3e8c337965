import { toRoomStreamKey } from '../chat/keys.js';
import type { Cursor, EventStore, RebuiltPart, RecordedEvent } from '../eventstore/eventStore.js';
import { toRebuildKey } from './keys.js';

/**
 * A room's read model folded from its log page by page: each page's changes, written into the
 * rebuilt keys (`toRebuildKey` of the live ones), and the live keys the model has by then.
 */
export interface RoomModelFold {
  fold(page: readonly RecordedEvent[]): RebuiltPart[];
  keys(): string[];
}

const PAGE = 1_000;
/** How long appends may wait for the swap: the last events are folded and swapped in well within it. */
const HOLD_MS = 2_000;

/**
 * Rebuilds a room's model from its log while appends go on: folds the log into keys beside the
 * live ones; once caught up, holds appends for a moment, folds what came last, and swaps the keys
 * in (were the hold to run out first, it catches up and tries again: nothing an append wrote is
 * lost). `fresh` makes a new fold, `stale` names keys to clear first. Answers the events folded.
 */
export const rebuildRoomModel = async (
  store: EventStore,
  roomId: string,
  fresh: () => RoomModelFold,
  stale: readonly string[],
): Promise<number> => {
  const stream = toRoomStreamKey(roomId);
  const model = fresh();
  await store.deleteKeys(stale.map(toRebuildKey));
  let last: Cursor | null = null;
  let folded = 0;
  /** Folds the log after `last`, up to `end` when given. */
  const foldOn = async (end?: Cursor | null) => {
    for (;;) {
      if (end !== undefined && last === end) return;
      const page = await store.readForward(stream, { after: last ?? undefined, count: PAGE });
      if (page.length === 0) return;
      last = page.at(-1)!.cursor;
      folded += page.length;
      for (const part of model.fold(page)) await store.writeRebuilt(part);
      if (end === undefined && page.length < PAGE) return;
    }
  };
  for (;;) {
    await foldOn();
    const end = await store.holdAppends(stream, HOLD_MS);
    await foldOn(end);
    const moves = [...new Set([...stale, ...model.keys()])].map((key) => ({ from: toRebuildKey(key), to: key }));
    if (await store.swapRebuilt(stream, last, moves)) return folded;
  }
};
