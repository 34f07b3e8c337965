import { compareCursors, type Cursor } from '../../eventstore/eventStore.js';
import { toRoomSearchKey } from '../../domain/room/room.js';
import { compareByUtf8, parseDirectoryCursor, toDirectoryCursor, toDirectoryMember, toMemberName, toMemberRoomId } from './directoryEntry.js';
import type { DirectoryChange, DirectoryPage, DirectoryStore } from './directoryStore.js';

interface Entry {
  member: string;
  /** The folded name, kept beside the member so a search scan does not slice it again. */
  name: string;
}

interface Generation {
  /** roomId → the last change applied: its cursor, and its member (null: unlisted). */
  applied: Map<string, { cursor: Cursor; member: string | null }>;
  /** Listed rooms, sorted by member in UTF-8 byte order (as Redis orders them). */
  entries: Entry[];
}

/** Index of the first entry whose member is above `member` (or at or above it, with `inclusive`). */
const findIndex = (entries: readonly Entry[], member: string, inclusive: boolean): number => {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareByUtf8(entries[middle]!.member, member);
    if (order < 0 || (order === 0 && !inclusive)) low = middle + 1;
    else high = middle;
  }
  return low;
};

const removeEntry = (generation: Generation, member: string) => {
  const index = findIndex(generation.entries, member, true);
  if (generation.entries[index]?.member === member) generation.entries.splice(index, 1);
};

const addEntry = (generation: Generation, member: string) => {
  const index = findIndex(generation.entries, member, true);
  if (generation.entries[index]?.member !== member) generation.entries.splice(index, 0, { member, name: toMemberName(member) });
};

const applyChange = (generation: Generation, change: DirectoryChange, member: string | null) => {
  const current = generation.applied.get(change.roomId);
  if (current && compareCursors(change.cursor, current.cursor) <= 0) return;
  if (current?.member !== member) {
    if (current?.member) removeEntry(generation, current.member);
    if (member) addEntry(generation, member);
  }
  generation.applied.set(change.roomId, { cursor: change.cursor, member });
};

/**
 * The room directory in this process's memory, for the embedded mode (one process; nothing
 * survives a restart). Behaves as the Redis store does (same order, cursors and search, proven by
 * `directoryStore.contract.ts`). Each call is atomic: it runs without awaiting anything.
 * A page is a binary search for `after`, then a scan in order; a search scans with a plain
 * substring test, so a rare search reads every room after `after`.
 */
export const createMemoryDirectoryStore = (): DirectoryStore => {
  let generations: { serving: number; building: number | null } = { serving: 1, building: null };
  const data = new Map<number, Generation>();

  const generationFor = (generation: number): Generation => {
    let found = data.get(generation);
    if (!found) {
      found = { applied: new Map(), entries: [] };
      data.set(generation, found);
    }
    return found;
  };

  return {
    async readGenerations() {
      return { ...generations };
    },
    async writeGenerations(next) {
      generations = { serving: next.serving, building: next.building };
    },
    async apply(generation, changes) {
      if (generation !== generations.serving && generation !== generations.building) return 'stale';
      // Members first: a change that cannot be listed throws before anything is written.
      const members = changes.map((change) => (change.listed ? toDirectoryMember(change.roomId, change.name) : null));
      const target = generationFor(generation);
      changes.forEach((change, i) => applyChange(target, change, members[i] ?? null));
      return 'applied';
    },
    async readPage(generation, { first, after, search }): Promise<DirectoryPage> {
      const afterMember = after === null ? null : parseDirectoryCursor(after);
      const needle = toRoomSearchKey(search);
      const entries = data.get(generation)?.entries ?? [];
      const found: string[] = [];
      for (let i = afterMember === null ? 0 : findIndex(entries, afterMember, false); i < entries.length && found.length <= first; i++) {
        const entry = entries[i]!;
        if (needle === '' || entry.name.includes(needle)) found.push(entry.member);
      }
      return {
        edges: found.slice(0, first).map((member) => ({ cursor: toDirectoryCursor(member), roomId: toMemberRoomId(member) })),
        hasNextPage: found.length > first,
      };
    },
    async dropGeneration(generation) {
      data.delete(generation);
    },
  };
};
