import type { RecordedEvent, StreamTailer, Unfollow } from '../eventstore/eventStore.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import type { Following, LiveListener } from './subscribeToStream.js';

/**
 * A tailer of mapped items: one follow of the underlying tailer per stream, each batch mapped
 * once, in order, and the same item objects handed to every listener. That is what makes the
 * work per event independent of the number of subscribers (and lets the transport cache what it
 * renders per item).
 *
 * Keeps `StreamTailer.follow`'s promise: a listener gets every item mapped from an event above
 * the position its stream's channel had dispatched when `follow` resolved, and that position is
 * never above the stream's end.
 *
 * Listeners are objects (a subscription is its own) and `follow` answers the stream's channel,
 * shared by all of them: following costs a listener no closure of its own (memory per idle
 * socket, which bench:scale's sockets part measures).
 */
export const createMappedTailer = <T>(tailer: StreamTailer, map: (events: RecordedEvent[]) => Promise<T[]>) => {
  const channels = new Map<string, Channel>();

  class Channel implements Following<T> {
    readonly listeners = new Set<LiveListener<T>>();
    readonly ready: Promise<Unfollow>;
    private chain: Promise<void> = Promise.resolve();
    private unfollowTailer: Unfollow | null = null;

    constructor(readonly stream: string) {
      this.ready = tailer.follow(stream, (events) => {
        this.chain = this.chain.then(() => this.dispatch(events));
      });
      this.ready.then(
        (unfollow) => {
          this.unfollowTailer = unfollow;
        },
        () => channels.get(stream) === this && channels.delete(stream),
      );
    }

    private async dispatch(events: RecordedEvent[]) {
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
          if (!(error instanceof StoreUnavailableError) || this.listeners.size === 0) {
            failure = error;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1_000)));
        }
      }
      for (const listener of [...this.listeners]) {
        try {
          listener.onLive(items, failure);
        } catch (error) {
          console.error(`mapped tailer ${this.stream} listener:`, error);
        }
      }
    }

    remove(listener: LiveListener<T>) {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      if (channels.get(this.stream) === this) channels.delete(this.stream);
      // Set once `ready` resolved, before any `follow` handed this channel out.
      this.unfollowTailer?.();
    }
  }

  return {
    /** `listener` gets each mapped batch, or an error when a batch could not be mapped (then it should end). */
    async follow(stream: string, listener: LiveListener<T>): Promise<Following<T>> {
      let channel = channels.get(stream);
      if (!channel) {
        channel = new Channel(stream);
        channels.set(stream, channel);
      }
      channel.listeners.add(listener);
      try {
        await channel.ready;
        // Batches already received but still being mapped go to this listener too; that is fine:
        // they are above the position the channel had dispatched.
      } catch (error) {
        channel.listeners.delete(listener);
        throw error;
      }
      return channel;
    },
  };
};
