import type { RecordedEvent, StreamTailer } from './eventStore.js';

interface Follower {
  listener: (events: RecordedEvent[]) => void;
}

/**
 * The in-memory store's `StreamTailer`: the store calls `publish` with each append's events, and
 * they reach the listeners that were following when the append happened, in a microtask, in append
 * order. A listener that throws is reported and the others still get the batch.
 */
export const createMemoryStreamTailer = (assertOpen: () => void) => {
  const followers = new Map<string, Set<Follower>>();

  const publish = (stream: string, events: RecordedEvent[]) => {
    const targets = followers.get(stream);
    if (!targets?.size) return;
    const following = [...targets];
    queueMicrotask(() => {
      for (const follower of following) {
        if (!followers.get(stream)?.has(follower)) continue;
        try {
          follower.listener(events);
        } catch (error) {
          console.error('stream tailer:', error);
        }
      }
    });
  };

  const tailer: StreamTailer = {
    follow: async (stream, listener) => {
      assertOpen();
      const follower: Follower = { listener };
      const set = followers.get(stream) ?? new Set<Follower>();
      followers.set(stream, set);
      set.add(follower);
      return () => {
        set.delete(follower);
        if (set.size === 0 && followers.get(stream) === set) followers.delete(stream);
      };
    },
  };

  return { tailer, publish, clear: () => followers.clear() };
};
