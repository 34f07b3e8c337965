import { decodeMessageEvent } from '../domain/message/events.js';
import { type Cursor, type EventStore, type RecordedEvent, compareCursors } from '../eventstore/eventStore.js';
import { toRoomStreamKey } from '../chat/keys.js';
import { inboxActivityKey } from '../projections/keys.js';
import type { IndexChange, RoomBatch, SearchIndex } from './searchIndex.js';
import { toPosition } from './searchIndex.js';

/** What the projector needs to know of rooms beyond their logs. */
export interface SearchRooms {
  /** Every room's id, public or not. */
  listRoomIds(): Promise<string[]>;
  /** Whether the room is PUBLIC (a room's kind never changes). */
  isPublic(roomId: string): Promise<boolean>;
}

export interface SearchProjectorOptions {
  /** How often every room's log end is compared with the index, besides the activity feed's notes. */
  sweepEveryMs?: number;
  /** Events read from one room's log per turn. */
  pageSize?: number;
  /** Rooms caught up per turn (one write to the index). */
  roomsPerTurn?: number;
  onError?: (error: unknown) => void;
}

export interface SearchProjector {
  stop(): Promise<void>;
}

const MESSAGE_EVENTS = new Set(['MessagePosted', 'MessageEdited', 'MessageDeleted']);

/** A room's log events as index changes (pure). */
export const toIndexChanges = (roomId: string, isPublic: boolean, events: readonly RecordedEvent[]): IndexChange[] =>
  events.flatMap((recorded): IndexChange[] => {
    if (!MESSAGE_EVENTS.has(recorded.type)) return [];
    const event = decodeMessageEvent(recorded);
    switch (event.type) {
      case 'MessagePosted': {
        const { messageId, authorId, body } = event.data;
        return [
          {
            type: 'put',
            message: { id: messageId, roomId, authorId, body, position: toPosition(recorded.cursor, messageId), public: isPublic },
          },
        ];
      }
      case 'MessageEdited':
        return [{ type: 'edit', id: event.data.messageId, body: event.data.body }];
      case 'MessageDeleted':
        return [{ type: 'delete', id: event.data.messageId }];
      default:
        return [];
    }
  });

/**
 * Keeps the search index up with every room's log, off the write path. The activity feed's notes
 * (a post, an edit, a deletion in some room) say which rooms to look at; each room is then read
 * from its own log, from the index's position for it, so the index folds exactly the log, in
 * order, once, whichever notes arrive or are trimmed away. A sweep at start (and every
 * `sweepEveryMs`) compares each room's log end with the index: a missed note delays, never loses.
 *
 * Only a leading process writes (`SearchIndex.lead`: always, in memory; one instance at a time,
 * on PostgreSQL); its writes are checked against the rooms' positions all the same.
 */
export const startSearchProjector = (
  store: EventStore,
  index: SearchIndex,
  rooms: SearchRooms,
  options: SearchProjectorOptions = {},
): SearchProjector => {
  const { sweepEveryMs = 60_000, pageSize = 500, roomsPerTurn = 200 } = options;
  const dirty = new Set<string>();
  let running = true;
  let unfollow: (() => void) | null = null;
  let sweptAt = 0;
  let wake: (() => void) | null = null;
  let nudged = false;
  const nudge = () => {
    nudged = true;
    wake?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (nudged || !running) {
        nudged = false;
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        nudged = false;
        resolve();
      };
    });

  const folding = createSearchFolding(store, index, rooms, { pageSize });

  const sweep = async () => {
    sweptAt = Date.now();
    for (const roomId of await folding.sweep()) dirty.add(roomId);
  };

  const turn = async () => {
    if (!(await index.lead())) {
      unfollow?.();
      unfollow = null;
      await sleep(1_000);
      return;
    }
    if (!unfollow) {
      // Follow first, then sweep: what is logged after the follow's position arrives as notes.
      unfollow = await store.tailer.follow(inboxActivityKey, (notes) => {
        for (const note of notes) if (note.type === 'ACTIVITY') dirty.add((note.data as { roomId: string }).roomId);
        nudge();
      });
      await sweep();
    } else if (Date.now() - sweptAt >= sweepEveryMs) {
      await sweep();
    }
    if (dirty.size === 0) {
      await sleep(Math.max(10, Math.min(1_000, sweepEveryMs - (Date.now() - sweptAt))));
      return;
    }
    const roomIds = [...dirty].slice(0, roomsPerTurn);
    for (const roomId of roomIds) dirty.delete(roomId);
    try {
      for (const roomId of await folding.catchUp(roomIds)) dirty.add(roomId);
    } catch (error) {
      for (const roomId of roomIds) dirty.add(roomId);
      throw error;
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
        options.onError?.(error);
        // The feed may have moved on while the store was away: sweep again before trusting notes.
        unfollow?.();
        unfollow = null;
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 2_000);
      }
    }
    unfollow?.();
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
 * Folding rooms' logs into the index, by the rooms' positions: what the projector runs each turn,
 * and what a rebuild runs over every room.
 */
export const createSearchFolding = (store: EventStore, index: SearchIndex, rooms: SearchRooms, options: { pageSize?: number } = {}) => {
  const { pageSize = 500 } = options;
  const publicRooms = new Map<string, boolean>();
  const isPublic = async (roomId: string) => {
    let known = publicRooms.get(roomId);
    if (known === undefined) publicRooms.set(roomId, (known = await rooms.isPublic(roomId)));
    return known;
  };
  return {
    /** The rooms whose log goes on past the index's position. */
    async sweep(): Promise<string[]> {
      const behind: string[] = [];
      const ids = await rooms.listRoomIds();
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const [ends, positions] = await Promise.all([
          Promise.all(chunk.map(async (roomId) => (await store.streamInfo(toRoomStreamKey(roomId))).lastCursor)),
          index.positions(chunk),
        ]);
        chunk.forEach((roomId, k) => {
          const end = ends[k];
          const at = positions.get(roomId);
          if (end && (!at || compareCursors(at, end) < 0)) behind.push(roomId);
        });
      }
      return behind;
    },
    /** Catches some rooms up by a page each, in one write; answers those with more to read (or moved under it). */
    async catchUp(roomIds: readonly string[]): Promise<string[]> {
      const again: string[] = [];
      const positions = await index.positions(roomIds);
      const batches = (
        await Promise.all(
          roomIds.map(async (roomId): Promise<RoomBatch | null> => {
            const from = positions.get(roomId) ?? null;
            const events = await store.readForward(toRoomStreamKey(roomId), { after: from ?? undefined, count: pageSize });
            if (events.length === 0) return null;
            if (events.length === pageSize) again.push(roomId);
            return { roomId, from, to: events.at(-1)!.cursor, changes: toIndexChanges(roomId, await isPublic(roomId), events) };
          }),
        )
      ).filter((batch): batch is RoomBatch => batch !== null);
      // Moved: a rebuild swapped tables, or another writer got there first; read the positions again.
      if ((await index.apply(batches)) === 'moved') return [...new Set([...again, ...batches.map((batch) => batch.roomId)])];
      return again;
    },
  };
};

/** Folds every room's log into the index until it holds each log's end as it was at the call. */
export const catchUpAll = async (folding: ReturnType<typeof createSearchFolding>, roomsPerTurn = 200) => {
  let behind = await folding.sweep();
  while (behind.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < behind.length; i += roomsPerTurn) next.push(...(await folding.catchUp(behind.slice(i, i + roomsPerTurn))));
    behind = next;
  }
};

/** Whether the index holds a room's log up to `cursor` (tests and benchmarks wait on it). */
export const hasIndexed = async (index: SearchIndex, roomId: string, cursor: Cursor) => {
  const at = (await index.positions([roomId])).get(roomId);
  return at !== undefined && compareCursors(at, cursor) >= 0;
};
