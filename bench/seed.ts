import { type ChatCommands, createChatCommands } from '../backend/src/chat/commands.js';
import { createChatLookups } from '../backend/src/chat/queries.js';
import type { EventStore } from '../backend/src/eventstore/eventStore.js';
import { createRedisEventStore } from '../backend/src/eventstore/redisEventStore.js';
import { type LoadResult, quantile, runLoad } from './load.js';

/** Helpers the benches share to seed data and wait on it. */

export const median = (values: number[]) => quantile(Float64Array.from(values).sort(), 0.5);

export const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

/** Commands as the server runs them, from this process (no rate limits: those live in the server's wrapper). */
export const openCommands = async (redisUrl: string): Promise<{ store: EventStore; commands: ChatCommands }> => {
  const store = await createRedisEventStore({ url: redisUrl });
  return { store, commands: createChatCommands(store, createChatLookups(store)) };
};

export const profileOf = (handle: string) => ({ handle, displayName: `Bench ${handle}`, avatarUrl: null });

/** Runs `op(i)` for i = 0…count-1, `limit` at a time; the first failure ends it. */
export const forEachBounded = async (count: number, limit: number, op: (i: number) => Promise<void>): Promise<LoadResult> => {
  let next = 0;
  return runLoad({ concurrency: limit, maxOps: count, maxErrors: 1 }, async () => {
    await op(next++);
  });
};
