import type { Cursor } from '../eventstore/eventStore.js';
import { matchesUnits } from './query.js';
import type { IndexQuery, IndexedMessage, RoomBatch, SearchIndex } from './searchIndex.js';
import { toIndexTerms, toSequenceLexemes, toUnits } from './tokens.js';

interface Doc {
  message: IndexedMessage;
  /** Its units' terms, in order (for phrases and exclusions). */
  units: { term: string }[];
}

/**
 * The in-memory search index: an inverted index (term → documents) in this process, built from
 * the log at start by the projector. The embedded default, and each instance's own when Redis is
 * set without a database.
 */
export const createMemorySearchIndex = (): SearchIndex => {
  const docs = new Map<number, Doc>();
  const ids = new Map<string, number>();
  const postings = new Map<string, Set<number>>();
  const positions = new Map<string, Cursor>();
  let nextDoc = 1;

  const unindex = (n: number) => {
    const doc = docs.get(n)!;
    for (const term of toIndexTerms(toUnits(doc.message.body)).keys()) {
      const set = postings.get(term);
      set?.delete(n);
      if (set?.size === 0) postings.delete(term);
    }
    docs.delete(n);
  };
  const index = (n: number, message: IndexedMessage) => {
    const units = toUnits(message.body);
    for (const term of toIndexTerms(units).keys()) {
      let set = postings.get(term);
      if (!set) postings.set(term, (set = new Set()));
      set.add(n);
    }
    docs.set(n, { message, units: units.map(({ term }) => ({ term })) });
  };

  return {
    engine: 'memory',
    lead: async () => true,
    positions: async (roomIds) => new Map(roomIds.flatMap((roomId) => (positions.has(roomId) ? [[roomId, positions.get(roomId)!]] : []))),
    async apply(batches: readonly RoomBatch[]) {
      if (batches.some((batch) => (positions.get(batch.roomId) ?? null) !== batch.from)) return 'moved';
      for (const batch of batches) {
        for (const change of batch.changes) {
          const id = change.type === 'put' ? change.message.id : change.id;
          const n = ids.get(id);
          if (change.type === 'put') {
            if (n !== undefined) unindex(n);
            const m = n ?? nextDoc++;
            ids.set(id, m);
            index(m, change.message);
          } else if (n !== undefined) {
            const doc = docs.get(n)!;
            unindex(n);
            if (change.type === 'edit') index(n, { ...doc.message, body: change.body });
            else ids.delete(id);
          }
        }
        positions.set(batch.roomId, batch.to);
      }
      return 'applied';
    },
    async search(query: IndexQuery) {
      const lexemes = [...new Set(query.include.flatMap((sequence) => toSequenceLexemes(sequence).map(({ term }) => term)))];
      const sets = lexemes.map((term) => postings.get(term) ?? new Set<number>()).sort((a, b) => a.size - b.size);
      const readable = new Set(query.readable.rooms);
      const only = query.only ? new Set(query.only) : null;
      const candidates: Iterable<number> = sets[0] ?? docs.keys();
      const found: IndexedMessage[] = [];
      for (const n of candidates) {
        if (!sets.every((set) => set.has(n))) continue;
        const doc = docs.get(n)!;
        const { message } = doc;
        if (!message.public && !readable.has(message.roomId)) continue;
        if (only && !only.has(message.roomId)) continue;
        if (query.authorId !== null && message.authorId !== query.authorId) continue;
        if (query.below !== null && message.position >= query.below) continue;
        if (query.notBelow !== null && message.position < query.notBelow) continue;
        if (!matchesUnits(query, doc.units)) continue;
        found.push(message);
      }
      found.sort((a, b) => (a.position < b.position ? 1 : a.position > b.position ? -1 : 0));
      return found.slice(0, query.limit).map(({ id, roomId, position }) => ({ id, roomId, position }));
    },
    ping: async () => {},
    close: async () => {},
  };
};
