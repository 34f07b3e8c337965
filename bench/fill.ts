import { createChatCommands } from '../backend/src/chat/commands.js';
import { createChatLookups } from '../backend/src/chat/queries.js';
import { createRedisEventStore } from '../backend/src/eventstore/redisEventStore.js';
import { type LoadResult, runLoad } from './load.js';

/**
 * Fills a room with `messages` messages through the store, exactly as the server writes them
 * (createChatCommands.postMessage from the bench process), `concurrency` in flight, the authors in turn.
 */
export const fillRoom = async (options: {
  redisUrl: string;
  roomId: string;
  authors: string[];
  messages: number;
  concurrency: number;
  clientId: (i: number) => string;
  body: (i: number) => string;
}): Promise<LoadResult> => {
  const { authors, roomId } = options;
  const store = await createRedisEventStore({ url: options.redisUrl });
  try {
    const commands = createChatCommands(store, createChatLookups(store));
    let next = 0;
    return await runLoad({ concurrency: options.concurrency, maxOps: options.messages, maxErrors: 1 }, async () => {
      const i = next++;
      await commands.postMessage({ actorId: authors[i % authors.length]!, roomId, clientId: options.clientId(i), body: options.body(i) });
    });
  } finally {
    await store.close();
  }
};
