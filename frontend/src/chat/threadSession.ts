import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import { PAGE_SIZE, ThreadQuery } from './operations.js';
import type { MessageChange } from './roomSession.js';
import { type ThreadState, evolveThread, initialThread } from './thread.js';

export interface ThreadSession {
  state: Accessor<ThreadState>;
  loading: Accessor<boolean>;
  /** Why the thread could not be read; null when it was. */
  error: Accessor<string | null>;
  loadMore(): void;
  dispose(): void;
}

/**
 * One thread's data while its panel is open: the root (its cursor is where the timeline has it) with its replies a page
 * at a time, then every change the room's events bring (`watch`: the room session's), so replies
 * from others appear live, also after a reconnect (the room's subscription resumes and replays).
 */
export const createThreadSession = (options: {
  client: GraphQLClient;
  roomId: string;
  root: { id: string; cursor: string };
  watch: (listener: (change: MessageChange) => void) => () => void;
}): ThreadSession => {
  let state = initialThread(options.root.id);
  const [current, setCurrent] = createSignal(state);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let disposed = false;
  const apply = (next: ThreadState) => {
    state = next;
    setCurrent(next);
  };
  // Watched before the first page is asked for: a reply that comes meanwhile is kept.
  const stopWatching = options.watch((change) => apply(evolveThread(state, change)));

  const read = async (after: string | null) => {
    setLoading(true);
    const result = await options.client.urql.query(ThreadQuery, { id: options.root.id, first: PAGE_SIZE, after }).toPromise();
    if (disposed) return;
    setLoading(false);
    const found = result.data?.message;
    if (!found) return setError(toErrorInfo(result.error, 'This thread could not be read.').message);
    setError(null);
    const { replies, ...root } = found;
    apply(
      evolveThread(state, {
        type: 'ThreadLoaded',
        root: { cursor: options.root.cursor, node: root },
        edges: replies.edges,
        hasNextPage: replies.pageInfo.hasNextPage,
        endCursor: replies.pageInfo.endCursor,
        first: after === null,
      }),
    );
  };
  void read(null);

  return {
    state: current,
    loading,
    error,
    loadMore: () => {
      if (!loading() && state.hasMore && state.endCursor !== null) void read(state.endCursor);
    },
    dispose() {
      disposed = true;
      stopWatching();
    },
  };
};
