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
   * Rooms by folded name, then id (code point order, as UTF-8 bytes compare): the `first` after
   * the edge cursor `after`, and whether more follow. `search` is what the user typed: the store
   * folds it with `toRoomSearchKey` (folding twice changes nothing) and keeps only names whose fold
   * contains it as a plain substring; one that folds to '' means no search. `first` is trusted
   * (the caller checks its range). Cursors are opaque strings this store made; any other is
   * refused with a `ValidationError` (field `after`). A cursor stays valid after its room moves
   * or goes: the page continues from where that cursor sorts.
   */
  readPage(generation: number, options: { first: number; after: string | null; search: string }): Promise<DirectoryPage>;
  /** Removes every key of a generation (its rooms and its applied cursors); the meta stays. */
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
