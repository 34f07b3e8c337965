import { type Cursor, compareCursors } from './eventStore.js';

/** Streams whose confirmed position is remembered, the least recently confirmed forgotten first: a forgotten one costs a barrier again, nothing more. */
const REMEMBERED = 10_000;

/**
 * Reads that hand on only what a failover keeps (REDIS_ACK_REPLICAS > 0). An append is on the
 * primary, and readable there, a moment before its `WAIT` answers; a reader that handed it on then
 * (a live delivery, a catch-up, a history page) could show a post the failover loses, and that its
 * poster, told UNAVAILABLE, retries under a new id: seen twice. So a read past what is known to be
 * replicated waits for a read barrier (`createReadBarrier`) before its entries go out. Known: per
 * stream, the newest cursor an append's `WAIT` or a barrier confirmed; a read at or below it (most
 * history pages, every entry this instance appended) costs nothing more.
 */
export interface ReplicatedReads {
  /** Resolves once the stream's entries up to `newest` are on the replicas; rejects with `StoreUnavailableError` when they are not in time. */
  confirm(stream: string, newest: Cursor): Promise<void>;
  /** The stream's entries up to `cursor` are on the replicas (an append's `WAIT` said so). */
  known(stream: string, cursor: Cursor): void;
}

/**
 * `ephemeral`: streams no append waits on replicas for (presence, typing): read without a barrier
 * either, so a late replica holds back the log, not presence.
 */
export const createReplicatedReads = (
  barrier: (key: string) => Promise<void>,
  ephemeral: (stream: string) => boolean = () => false,
): ReplicatedReads => {
  const confirmed = new Map<string, Cursor>();
  const known = (stream: string, cursor: Cursor) => {
    const was = confirmed.get(stream);
    if (was !== undefined && compareCursors(was, cursor) >= 0) return;
    // Insertion order is recency: the first key is the one to forget.
    confirmed.delete(stream);
    confirmed.set(stream, cursor);
    if (confirmed.size > REMEMBERED) confirmed.delete(confirmed.keys().next().value!);
  };
  return {
    known,
    confirm: async (stream, newest) => {
      if (ephemeral(stream)) return;
      const was = confirmed.get(stream);
      if (was !== undefined && compareCursors(newest, was) <= 0) return;
      await barrier(stream);
      known(stream, newest);
    },
  };
};
