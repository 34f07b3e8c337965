import type { Redis } from 'ioredis';

/**
 * History paging as the benchmarks measure it (bench/run.ts, bench/projections.ts): the document,
 * a check of a page against the room's log, and the log's cursors.
 */

export const HISTORY_PAGE_SIZE = 50;

export const HISTORY_PAGE = `query Page($id: ID!, $before: String) {
  room(id: $id) { messages(last: ${HISTORY_PAGE_SIZE}, before: $before) { edges { cursor node { id body author { handle } } } pageInfo { hasPreviousPage } } }
}`;

interface PageResult {
  data: {
    room: {
      messages: {
        edges: { cursor: string; node: { id: string; body: string; author: { handle: string } } }[];
        pageInfo: { hasPreviousPage: boolean };
      };
    };
  };
}

/**
 * Checks a history page against the cursors of a room that holds only posts: the 50 (or fewer)
 * just before `index`.
 */
export const checkHistoryPage = (text: string, cursors: string[], index: number) => {
  const page = (JSON.parse(text) as PageResult).data.room.messages;
  const expected = cursors.slice(Math.max(0, index - HISTORY_PAGE_SIZE), index);
  const got = page.edges.map((edge) => edge.cursor);
  if (got.join() !== expected.join())
    throw new Error(
      `history page before #${index}: expected ${expected.length} cursors ending ${expected.at(-1)}, got ${got.length} ending ${got.at(-1)}`,
    );
  if (page.pageInfo.hasPreviousPage !== index > HISTORY_PAGE_SIZE)
    throw new Error(`history page before #${index}: hasPreviousPage is ${page.pageInfo.hasPreviousPage}`);
  if (page.edges.some((edge) => !edge.node.author.handle || !edge.node.body))
    throw new Error('history page: a message without author or body');
};

/** Every entry id of a stream, in order (XRANGE, 10,000 at a time). */
export const readLogCursors = async (admin: Redis, stream: string): Promise<string[]> => {
  const cursors: string[] = [];
  for (let start = '-'; ; ) {
    const batch = await admin.xrange(stream, start, '+', 'COUNT', 10_000);
    for (const [id] of batch) cursors.push(id);
    if (batch.length < 10_000) break;
    start = `(${batch.at(-1)![0]}`;
  }
  return cursors;
};
