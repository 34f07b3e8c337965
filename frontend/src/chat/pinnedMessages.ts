import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import { PinnedMessagesQuery } from './operations.js';
import { type PinnedState, evolvePinned, initialPinned } from './pinnedList.js';
import type { MessageChange } from './roomSession.js';

export interface PinnedMessages {
  state: Accessor<PinnedState>;
  error: Accessor<string | null>;
  dispose(): void;
}

/** The room's pins while their panel is open: read once, then kept current by the room's events (`watch`). */
export const createPinnedMessages = (options: {
  client: GraphQLClient;
  roomId: string;
  watch: (listener: (change: MessageChange) => void) => () => void;
}): PinnedMessages => {
  let state = initialPinned;
  const [current, setCurrent] = createSignal(state);
  const [error, setError] = createSignal<string | null>(null);
  let disposed = false;
  const apply = (next: PinnedState) => {
    state = next;
    setCurrent(next);
  };
  const stopWatching = options.watch((change) => apply(evolvePinned(state, change)));
  void (async () => {
    const result = await options.client.urql.query(PinnedMessagesQuery, { id: options.roomId }).toPromise();
    if (disposed) return;
    const pinned = result.data?.room?.pinned;
    if (!pinned) return setError(toErrorInfo(result.error, 'The pinned messages could not be read.').message);
    // Pins that came while the list loaded stay on top of it.
    const live = state.messages;
    apply(evolvePinned(state, { type: 'PinnedLoaded', messages: pinned }));
    for (const message of [...live].reverse()) apply(evolvePinned(state, { type: 'MessagePinned', message }));
  })();
  return {
    state: current,
    error,
    dispose() {
      disposed = true;
      stopWatching();
    },
  };
};
