import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import type { AuditLogQuery as AuditLogResult } from '../graphql/gql/graphql.js';
import { AuditLogQuery } from './operations.js';

export type AuditEntry = NonNullable<AuditLogResult['room']>['auditLog']['edges'][number]['node'];

export interface AuditLog {
  entries: Accessor<readonly AuditEntry[]>;
  loading: Accessor<boolean>;
  /** Why it could not be read (not a moderator: FORBIDDEN); null when it was. */
  error: Accessor<string | null>;
  hasMore: Accessor<boolean>;
  loadMore(): void;
  reload(): void;
  dispose(): void;
}

/** A room's moderation log, newest first, a page at a time: read when the panel opens. */
export const createAuditLog = (client: GraphQLClient, roomId: string, pageSize = 50): AuditLog => {
  const [entries, setEntries] = createSignal<readonly AuditEntry[]>([]);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [endCursor, setEndCursor] = createSignal<string | null>(null);
  const [hasMore, setHasMore] = createSignal(false);
  let disposed = false;
  let generation = 0;

  const read = async (after: string | null) => {
    const run = after === null ? ++generation : generation;
    setLoading(true);
    const result = await client.urql.query(AuditLogQuery, { id: roomId, first: pageSize, after }).toPromise();
    if (disposed || run !== generation) return;
    setLoading(false);
    const page = result.data?.room?.auditLog;
    if (!page) return setError(toErrorInfo(result.error, 'The moderation log could not be read.').message);
    setError(null);
    const nodes = page.edges.map((e) => e.node);
    setEntries((shown) => (after === null ? nodes : [...shown, ...nodes]));
    setEndCursor(page.pageInfo.endCursor);
    setHasMore(page.pageInfo.hasNextPage);
  };
  void read(null);
  return {
    entries,
    loading,
    error,
    hasMore,
    loadMore: () => {
      if (!loading() && hasMore() && endCursor() !== null) void read(endCursor());
    },
    reload: () => void read(null),
    dispose: () => {
      disposed = true;
    },
  };
};
