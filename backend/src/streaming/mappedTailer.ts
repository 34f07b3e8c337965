import type { RecordedEvent, StreamTailer, Unfollow } from '../eventstore/eventStore.js';
import { StoreUnavailableError } from '../storeUnavailable.js';

/**
 * A tailer of mapped items: one follow of the underlying tailer per stream, each batch mapped
 * once, in order, and the same item objects handed to every listener. That is what makes the
 * work per event independent of the number of subscribers (and lets the transport cache what it
 * renders per item).
 *
 * Keeps `StreamTailer.follow`'s promise: a listener gets every item mapped from an event above
 * the position its stream's channel had dispatched when `follow` resolved, and that position is
 * never above the stream's end.
 */
export const createMappedTailer = <T>(tailer: StreamTailer, map: (events: RecordedEvent[]) => Promise<T[]>) => {
  type Listener = (items: T[], error?: unknown) => void;
  interface Channel {
    listeners: Set<Listener>;
    ready: Promise<Unfollow>;
    chain: Promise<void>;
  }
  const channels = new Map<string, Channel>();

  const open = (stream: string): Channel => {
    const channel: Channel = { listeners: new Set(), ready: Promise.resolve(() => {}), chain: Promise.resolve() };
    channel.ready = tailer.follow(stream, (events) => {
      channel.chain = channel.chain.then(async () => {
        let items: T[] = [];
        let failure: unknown;
        for (let attempt = 0; ; attempt++) {
          try {
            items = await map(events);
            break;
          } catch (error) {
            // An outage passes: the batch was read already, so wait for the store rather than end
            // every subscriber. Anything else is a bug: never skip an event silently; every
            // listener is told, ends, and its client resumes.
            if (!(error instanceof StoreUnavailableError) || channel.listeners.size === 0) {
              failure = error;
              break;
            }
            await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1_000)));
          }
        }
        for (const listener of [...channel.listeners]) {
          try {
            listener(items, failure);
          } catch (error) {
            console.error(`mapped tailer ${stream} listener:`, error);
          }
        }
      });
    });
    channels.set(stream, channel);
    channel.ready.catch(() => channels.get(stream) === channel && channels.delete(stream));
    return channel;
  };

  return {
    /** `listener` gets each mapped batch, or an error when a batch could not be mapped (then it should end). */
    async follow(stream: string, listener: Listener): Promise<Unfollow> {
      const channel = channels.get(stream) ?? open(stream);
      channel.listeners.add(listener);
      let unfollowTailer: Unfollow;
      try {
        unfollowTailer = await channel.ready;
        // Batches already received but still being mapped go to this listener too; that is fine:
        // they are above the position the channel had dispatched.
      } catch (error) {
        channel.listeners.delete(listener);
        throw error;
      }
      return () => {
        if (!channel.listeners.delete(listener) || channel.listeners.size > 0) return;
        if (channels.get(stream) === channel) channels.delete(stream);
        unfollowTailer();
      };
    },
  };
};
