import type { Redis } from 'ioredis';

/** Counters of a redis-server: socket reads it processed (a round trip is at least one) and calls per command. */
const readCounters = async (admin: Redis) => {
  const text = await admin.info('stats', 'commandstats');
  const reads = Number(/total_reads_processed:(\d+)/.exec(text)![1]);
  const calls = new Map([...text.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((match) => [match[1]!, Number(match[2])]));
  return { reads, calls };
};

/**
 * The environment of a test server whose Redis costs are counted: presence's sweep, every second
 * by default, is put off, or on a loaded machine (CI runs many files at once) it falls into every
 * try of a slow request.
 */
export const COUNTED_SERVER_ENV = { PRESENCE_SWEEP_MS: '3600000' };

/**
 * What one request costs Redis: the fewest reads and commands of a few tries (a background poll
 * of the server, a projector's or presence's, may fall into one), the admin's own INFO left out.
 */
export const measureRedisCost = async (admin: Redis, request: () => Promise<unknown>) => {
  let best: { reads: number; commands: Record<string, number> } | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await readCounters(admin);
    await request();
    const after = await readCounters(admin);
    const commands: Record<string, number> = {};
    for (const [name, calls] of after.calls) {
      const delta = calls - (before.calls.get(name) ?? 0);
      if (name !== 'info' && delta > 0) commands[name] = delta;
    }
    // The second INFO's own read is in `after`.
    const reads = after.reads - before.reads - 1;
    const total = (counted: Record<string, number>) => Object.values(counted).reduce((sum, n) => sum + n, 0);
    if (!best || reads + total(commands) < best.reads + total(best.commands)) best = { reads, commands };
  }
  return best!;
};
