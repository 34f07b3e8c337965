import { compareCursors, type Cursor } from '../../eventstore/eventStore.js';
import { toRoomSearchKey } from '../../domain/room/room.js';
import {
  compareByUtf8,
  parseDirectoryCursor,
  toDirectoryCursor,
  toDirectoryMember,
  toMemberName,
  toMemberRoomId,
} from './directoryEntry.js';
import type { DirectoryChange, DirectoryPage, DirectoryStore } from './directoryStore.js';

/**
 * A run of listed rooms, consecutive in member order. A search tests a whole block with one
 * `indexOf` over its names joined in one string: reading 100,000 separately allocated names in
 * order, even with a plain `includes` each, costs tens of milliseconds in cache misses alone.
 */
interface Block {
  /** Sorted in UTF-8 byte order, as Redis orders them. */
  members: string[];
  /** The folded name of each member, in the same order. */
  names: string[];
  /** The names joined by NUL (which no folded name holds), built by the first search after a change. */
  text: string | null;
  /** Where each name starts in `text`. */
  offsets: number[];
}

interface Generation {
  /** roomId → the last change applied: its cursor, and its member (null: unlisted). */
  applied: Map<string, { cursor: Cursor; member: string | null }>;
  /** Every listed member, in order, in blocks of 1 to `blockMax`. */
  blocks: Block[];
}

const SEPARATOR = '\u0000';

/** Index of the first item above `value` (or at or above it, with `inclusive`). */
const findIndex = (items: readonly string[], value: string, inclusive: boolean): number => {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareByUtf8(items[middle]!, value);
    if (order < 0 || (order === 0 && !inclusive)) low = middle + 1;
    else high = middle;
  }
  return low;
};

/** Index of the block `member` belongs in: the last whose first member is at or below it (or the first). */
const findBlock = (blocks: readonly Block[], member: string): number => {
  let low = 0;
  let high = blocks.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareByUtf8(blocks[middle]!.members[0]!, member) <= 0) low = middle + 1;
    else high = middle;
  }
  return Math.max(0, low - 1);
};

const toBlock = (members: string[], names: string[]): Block => ({ members, names, text: null, offsets: [] });

const addMember = (generation: Generation, member: string, blockMax: number) => {
  const { blocks } = generation;
  if (blocks.length === 0) {
    blocks.push(toBlock([member], [toMemberName(member)]));
    return;
  }
  const b = findBlock(blocks, member);
  const block = blocks[b]!;
  const i = findIndex(block.members, member, true);
  if (block.members[i] === member) return;
  block.members.splice(i, 0, member);
  block.names.splice(i, 0, toMemberName(member));
  block.text = null;
  if (block.members.length > blockMax) {
    const half = block.members.length >>> 1;
    blocks.splice(b + 1, 0, toBlock(block.members.splice(half), block.names.splice(half)));
  }
};

const removeMember = (generation: Generation, member: string) => {
  const { blocks } = generation;
  if (blocks.length === 0) return;
  const b = findBlock(blocks, member);
  const block = blocks[b]!;
  const i = findIndex(block.members, member, true);
  if (block.members[i] !== member) return;
  block.members.splice(i, 1);
  block.names.splice(i, 1);
  block.text = null;
  if (block.members.length === 0) blocks.splice(b, 1);
};

const textOf = (block: Block): string => {
  if (block.text === null) {
    let offset = 0;
    block.offsets = block.names.map((name) => {
      const start = offset;
      offset += name.length + SEPARATOR.length;
      return start;
    });
    block.text = block.names.join(SEPARATOR);
  }
  return block.text;
};

/** Index of the name in `block` that holds position `at` of its text. */
const nameAt = (block: Block, at: number): number => {
  let low = 0;
  let high = block.offsets.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (block.offsets[middle]! <= at) low = middle + 1;
    else high = middle;
  }
  return low - 1;
};

/**
 * Pushes onto `found` the members of `block` from index `start` on whose names contain `needle`
 * (every one with an empty needle), until `found` holds `wanted`.
 */
const collect = (block: Block, start: number, needle: string, found: string[], wanted: number) => {
  if (needle === '') {
    for (let i = start; i < block.members.length && found.length < wanted; i++) found.push(block.members[i]!);
    return;
  }
  const text = textOf(block);
  // The needle holds no NUL (the caller checks), so a match never spans two names.
  let from = start < block.offsets.length ? block.offsets[start]! : text.length;
  while (found.length < wanted) {
    const at = text.indexOf(needle, from);
    if (at < 0) return;
    const i = nameAt(block, at);
    found.push(block.members[i]!);
    from = block.offsets[i + 1] ?? text.length;
  }
};

const applyChange = (generation: Generation, change: DirectoryChange, member: string | null, blockMax: number) => {
  const current = generation.applied.get(change.roomId);
  if (current && compareCursors(change.cursor, current.cursor) <= 0) return;
  if (current?.member !== member) {
    if (current?.member) removeMember(generation, current.member);
    if (member) addMember(generation, member, blockMax);
  }
  generation.applied.set(change.roomId, { cursor: change.cursor, member });
};

export interface MemoryDirectoryStoreOptions {
  /**
   * A block holding more rooms than this splits in two. Larger blocks make a change cost more
   * (a splice) and a search less (fewer texts); tests lower it to work across many blocks.
   */
  blockMax?: number;
}

/**
 * The room directory in this process's memory, for the embedded mode (one process; nothing
 * survives a restart). Behaves as the Redis store does (same order, cursors and search, proven by
 * `directoryStore.contract.ts`). Each call is atomic: it runs without awaiting anything.
 * Listed rooms are kept in sorted blocks: a change is a binary search and a splice within one
 * block; a page is a binary search for `after`, then a read in order, a search testing a block's
 * names at once, so a search that matches nothing costs one pass over the names' text.
 */
export const createMemoryDirectoryStore = (options: MemoryDirectoryStoreOptions = {}): DirectoryStore => {
  const blockMax = options.blockMax ?? 1_024;
  let generations: { serving: number; building: number | null } = { serving: 1, building: null };
  const data = new Map<number, Generation>();

  const generationFor = (generation: number): Generation => {
    let found = data.get(generation);
    if (!found) {
      found = { applied: new Map(), blocks: [] };
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
      changes.forEach((change, i) => {
        applyChange(target, change, members[i] ?? null, blockMax);
      });
      return 'applied';
    },
    async readPage(generation, { first, after, search }): Promise<DirectoryPage> {
      const afterMember = after === null ? null : parseDirectoryCursor(after);
      const needle = toRoomSearchKey(search);
      const blocks = data.get(generation)?.blocks ?? [];
      const found: string[] = [];
      // No folded name holds a NUL, so a needle with one matches nothing.
      if (!needle.includes(SEPARATOR)) {
        let b = afterMember === null ? 0 : findBlock(blocks, afterMember);
        let start = afterMember === null || blocks.length === 0 ? 0 : findIndex(blocks[b]!.members, afterMember, false);
        for (; b < blocks.length && found.length <= first; b++, start = 0) collect(blocks[b]!, start, needle, found, first + 1);
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
