import { builder } from './builder.js';

/** Relay's PageInfo for any connection; `hasNextPage` may be costly, so it is computed only when asked. */
export interface PageInfoView {
  hasPreviousPage: boolean;
  hasNextPage(): boolean | Promise<boolean>;
  startCursor: string | null;
  endCursor: string | null;
}

export const PageInfoRef = builder.objectRef<PageInfoView>('PageInfo').implement({
  fields: (t) => ({
    hasPreviousPage: t.exposeBoolean('hasPreviousPage', { description: 'More items exist before startCursor.' }),
    hasNextPage: t.boolean({ description: 'More items exist after endCursor.', resolve: (page) => page.hasNextPage() }),
    startCursor: t.string({ nullable: true, resolve: (page) => page.startCursor }),
    endCursor: t.string({ nullable: true, resolve: (page) => page.endCursor }),
  }),
});

/** The PageInfo of a page of edges. */
export const toPageInfo = (
  edges: readonly { cursor: string }[],
  page: { hasPreviousPage: boolean; hasNextPage: PageInfoView['hasNextPage'] },
): PageInfoView => ({
  hasPreviousPage: page.hasPreviousPage,
  hasNextPage: page.hasNextPage,
  startCursor: edges[0]?.cursor ?? null,
  endCursor: edges.at(-1)?.cursor ?? null,
});
