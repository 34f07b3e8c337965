import type { Cursor } from '../eventstore/eventStore.js';
import { matchesTerms } from './query.js';
import type { IndexQuery, IndexedMessage, RoomBatch, SearchIndex } from './searchIndex.js';
import { type Unit, isCjkTerm, toIndexTerms, toSequenceLexemes, toUnits } from './tokens.js';

/**
 * A message as the index keeps it: not its body (the store has it, and a big body would cost the
 * index its size again), only its units' terms, in order (for phrases, exclusions and unindexing),
 * each term one shared string.
 */
interface Doc {
  message: Omit<IndexedMessage, 'body'>;
  terms: string[];
}

const toUnitsOf = (terms: readonly string[]): Pick<Unit, 'term' | 'cjk'>[] => terms.map((term) => ({ term, cjk: isCjkTerm(term) }));

/**
 * A term that holds on to no more than itself: V8 may keep a long substring as a slice of the
 * whole body it was cut from, which would keep that body in memory.
 */
const ownCopy = (term: string) => (term.length < 13 ? term : Buffer.from(term, 'utf8').toString('utf8'));

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

  /** One string per distinct term, shared by every document that has it. */
  const interned = new Map<string, string>();
  const intern = (term: string) => {
    let shared = interned.get(term);
    if (shared === undefined) interned.set((shared = ownCopy(term)), shared);
    return shared;
  };

  const unindex = (n: number) => {
    const doc = docs.get(n)!;
    for (const term of toIndexTerms(toUnitsOf(doc.terms)).keys()) {
      const set = postings.get(term);
      set?.delete(n);
      if (set?.size === 0) {
        postings.delete(term);
        interned.delete(term);
      }
    }
    docs.delete(n);
  };
  const index = (n: number, message: Omit<IndexedMessage, 'body'>, body: string) => {
    const units = toUnits(body).map(({ term, cjk }) => ({ term: intern(term), cjk }));
    for (const term of toIndexTerms(units).keys()) {
      let set = postings.get(term);
      if (!set) postings.set(intern(term), (set = new Set()));
      set.add(n);
    }
    docs.set(n, { message, terms: units.map(({ term }) => term) });
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
            const { body, ...message } = change.message;
            index(m, message, body);
          } else if (n !== undefined) {
            const doc = docs.get(n)!;
            unindex(n);
            if (change.type === 'edit') index(n, doc.message, change.body);
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
      const needsOrder = query.exclude.length > 0 || query.include.some((sequence) => sequence.length > 1);
      const only = query.only ? new Set(query.only) : null;
      const candidates: Iterable<number> = sets[0] ?? docs.keys();
      const found: Doc['message'][] = [];
      for (const n of candidates) {
        if (!sets.every((set) => set.has(n))) continue;
        const doc = docs.get(n)!;
        const { message } = doc;
        if (!message.public && !readable.has(message.roomId)) continue;
        if (only && !only.has(message.roomId)) continue;
        if (query.authorId !== null && message.authorId !== query.authorId) continue;
        if (query.below !== null && message.position >= query.below) continue;
        if (query.notBelow !== null && message.position < query.notBelow) continue;
        // Words alone are settled by the postings; phrases and exclusions need the order of the terms.
        if (needsOrder && !matchesTerms(query, doc.terms)) continue;
        found.push(message);
      }
      found.sort((a, b) => (a.position < b.position ? 1 : a.position > b.position ? -1 : 0));
      return found.slice(0, query.limit).map(({ id, roomId, position }) => ({ id, roomId, position }));
    },
    ping: async () => {},
    close: async () => {},
  };
};
