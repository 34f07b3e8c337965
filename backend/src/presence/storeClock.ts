import type { EventStore } from '../eventstore/eventStore.js';

/**
 * The store's clock, read without a round trip: this process's clock plus its offset from the
 * store's (Redis's `TIME`), measured at start and again every `everyMs`, the round trip's half
 * taken off. Every instance then reads one clock, whatever its own says: presence leases and
 * sweeps compare times written by different instances.
 */
export interface StoreClock {
  now(): number;
  /** Measures the offset again. */
  sync(): Promise<void>;
  close(): void;
}

export const createStoreClock = async (
  store: Pick<EventStore, 'serverTime'>,
  options: { everyMs?: number; local?: () => number; onError?: (error: unknown) => void } = {},
): Promise<StoreClock> => {
  const local = options.local ?? Date.now;
  let offset = 0;
  const sync = async () => {
    const sent = local();
    const server = await store.serverTime();
    const received = local();
    offset = server - (sent + received) / 2;
  };
  await sync();
  const timer = setInterval(() => sync().catch((error: unknown) => options.onError?.(error)), options.everyMs ?? 10_000);
  timer.unref();
  return { now: () => local() + offset, sync, close: () => clearInterval(timer) };
};
