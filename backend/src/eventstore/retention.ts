import type { EventStore } from './eventStore.js';

/**
 * Keeps each stream `listStreams` names (the rooms' logs) to about `maxEvents` (the newest), trimming on a timer. Trimmed history
 * is gone for good: a subscriber resuming from before it gets CURSOR_EXPIRED, never a silent jump.
 * Several instances may trim at once; trimming to the same point twice changes nothing.
 */
export const startRetention = (
  store: EventStore,
  options: { maxEvents: number; everyMs: number; listStreams: () => Promise<readonly string[]> },
) => {
  const trimAll = async () => {
    for (const stream of await options.listStreams()) {
      const { length } = await store.streamInfo(stream);
      if (length <= options.maxEvents) continue;
      const kept = await store.readBackward(stream, { count: options.maxEvents });
      const oldestKept = kept.at(-1);
      if (oldestKept) await store.trim(stream, oldestKept.cursor);
    }
  };
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= trimAll()
      .catch((error: unknown) => console.warn('retention:', error instanceof Error ? error.message : error))
      .finally(() => (running = null));
    return running;
  };
  const timer = setInterval(run, options.everyMs);
  timer.unref();
  return {
    /** Trims now (tests, and the first pass at start). */
    run,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
};
