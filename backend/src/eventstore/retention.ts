import type { EventStore } from './eventStore.js';

/**
 * Keeps each log `listLogs` names (the rooms') to about `maxEvents` (the newest), and its indexes
 * to the same point, trimming on a timer. Trimmed history
 * is gone for good: a subscriber resuming from before it gets CURSOR_EXPIRED, never a silent jump.
 * Several instances may trim at once; trimming to the same point twice changes nothing.
 */
export const startRetention = (
  store: EventStore,
  options: { maxEvents: number; everyMs: number; listLogs: () => Promise<readonly { stream: string; indexes: readonly string[] }[]> },
) => {
  const trimAll = async () => {
    for (const { stream, indexes } of await options.listLogs()) {
      const { length } = await store.streamInfo(stream);
      if (length <= options.maxEvents) continue;
      const kept = await store.readBackward(stream, { count: options.maxEvents });
      const oldestKept = kept.at(-1);
      if (!oldestKept) continue;
      await store.trim(stream, oldestKept.cursor);
      for (const index of indexes) await store.trim(index, oldestKept.cursor);
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
