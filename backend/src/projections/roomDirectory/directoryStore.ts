import type { Cursor } from '../../eventstore/eventStore.js';

/**
 * The room directory's read model: public rooms by folded name, paged and searchable. An
 * asynchronous projection of the lobby log: the projector turns RoomCreated/RoomRenamed into
 * changes and applies them here, from any number of instances at once, in any order.
 *
 * Generations: a rebuild (`npm run projections:rebuild directory`) fills generation g+1 while
 * g keeps serving, then flips. `apply` writes only to the serving or the building generation and
 * answers `stale` for any other (a projector that has not noticed the flip yet re-reads the meta).
 */
export interface DirectoryStore {
  /** Which generation serves reads, and which one a rebuild is filling (null when none). */
  readGenerations(): Promise<{ serving: number; building: number | null }>;
  /** Sets the serving and building generations (the rebuild's steps). */
  writeGenerations(generations: { serving: number; building: number | null }): Promise<void>;
  /**
   * Applies changes idempotently and order-insensitively per room: a change whose cursor is at or
   * below the one already applied for its room changes nothing (the last write by cursor wins).
   * `listed: false` takes the room out of the directory (kept as applied, so an older change
   * cannot bring it back).
   */
  apply(generation: number, changes: readonly DirectoryChange[]): Promise<'applied' | 'stale'>;
  /**
   * Rooms by folded name, then id: the `first` after the edge cursor `after`; with a non-empty
   * `search` (already folded by `toRoomSearchKey`), only names that contain it. Cursors are opaque
   * strings this store made; a cursor it did not make is refused with a `ValidationError`.
   */
  readPage(generation: number, options: { first: number; after: string | null; search: string }): Promise<DirectoryPage>;
  /** Removes every key of a generation. */
  dropGeneration(generation: number): Promise<void>;
}

export interface DirectoryChange {
  roomId: string;
  /** The display name; the store folds it with `toRoomSearchKey` for order and search. */
  name: string;
  listed: boolean;
  /** The lobby log cursor of the event this change comes from. */
  cursor: Cursor;
}

export interface DirectoryPage {
  edges: { cursor: string; roomId: string }[];
  hasNextPage: boolean;
}
