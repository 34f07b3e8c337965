import type { SearchEdgeView, SearchPage } from '../chat/search.js';
import { builder } from './builder.js';
import { requireViewer } from './context.js';
import { MessageRef } from './message.js';
import { PageInfoRef } from './pageInfo.js';

const TextRangeRef = builder.objectRef<{ start: number; length: number }>('TextRange').implement({
  description: 'A range of a message body, in UTF-16 code units, that matched a search.',
  fields: (t) => ({
    start: t.exposeInt('start'),
    length: t.exposeInt('length'),
  }),
});

const SearchEdgeRef = builder.objectRef<SearchEdgeView>('SearchEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: "This result's place in this search's results (refused by another search)." }),
    node: t.field({ type: MessageRef, resolve: (edge) => edge.node }),
    highlights: t.field({
      type: [TextRangeRef],
      description: "The body's ranges that matched the query's words and phrases, in order, never overlapping.",
      resolve: (edge) => edge.highlights,
    }),
  }),
});

const SearchConnectionRef = builder.objectRef<SearchPage>('SearchConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [SearchEdgeRef], resolve: (page) => page.edges }),
    pageInfo: t.field({
      type: PageInfoRef,
      resolve: (page) => ({
        hasPreviousPage: false,
        hasNextPage: () => page.hasNextPage,
        startCursor: page.edges[0]?.cursor ?? null,
        endCursor: page.endCursor,
      }),
    }),
  }),
});

builder.queryFields((t) => ({
  search: t.field({
    type: SearchConnectionRef,
    description: [
      'Messages the viewer may read that match `query` (words, "phrases", -exclusions), newest first; `roomId` narrows to one room.',
      'Syntax as in a web search box: every word must match (English words by their stem: "running" finds "runs"), "exact phrases", -word and -"phrase" exclude,',
      '`from:handle`, `in:room` or `in:"room name"` (rooms whose name contains it), `before:2026-12-01` and `after:2026-12-01` (days in UTC, both exclusive; or an ISO 8601 instant).',
      'Chinese and Japanese are found without spaces. `first` 1–50. BAD_USER_INPUT for an empty query, one of only exclusions or dates, a date that does not parse, or a cursor of another search;',
      'an unknown `from:` or `in:` finds nothing. UNAUTHENTICATED when signed out. Indexing follows the log within about a second; deletions and removals leave the results at once.',
    ].join(' '),
    args: {
      query: t.arg.string({ required: true }),
      roomId: t.arg.id(),
      first: t.arg.int({ defaultValue: 20 }),
      after: t.arg.string(),
    },
    resolve: (_, args, context) =>
      context.search.search(
        requireViewer(context),
        { query: args.query, roomId: args.roomId == null ? null : String(args.roomId), first: args.first ?? 20, after: args.after ?? null },
        (room) => context.loadAccess(room),
      ),
  }),
}));
