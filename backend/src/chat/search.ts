import { createHash } from 'node:crypto';
import type { PostedMessage } from '../domain/message/message.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { toRoomSearchKey } from '../domain/room/searchKey.js';
import { type SearchQuery, matchesText, parseSearchQuery, toHighlights } from '../search/query.js';
import { type SearchIndex, isPosition, toTimeBound } from '../search/searchIndex.js';
import { type Access, assertMayReadRoom, mayReadRoom } from './policy.js';
import type { ChatQueries, RoomView } from './queries.js';

export const SEARCH_PAGE_MAX = 50;
/** How many times one page reads the index when what it finds is no longer there for the viewer. */
const ROUNDS_MAX = 6;

export interface SearchEdgeView {
  cursor: string;
  node: PostedMessage;
  highlights: { start: number; length: number }[];
}

export interface SearchPage {
  edges: SearchEdgeView[];
  hasNextPage: boolean;
  /** Where the next page starts: the last edge, or past what was read and found unreadable. */
  endCursor: string | null;
}

export interface MessageSearch {
  readonly engine: SearchIndex['engine'];
  /**
   * Messages the viewer may read now that match the query, newest first. The index narrows
   * (words, rooms, author, time), then each hit is checked against the room's policy and the
   * message's current state: a message deleted, edited away from the words, or in a room the
   * viewer was removed from is not answered, even before the index catches up.
   */
  search(
    viewer: { userId: string },
    args: { query: string; roomId: string | null; first: number; after: string | null },
    accessOf: (room: RoomView) => Promise<Access>,
  ): Promise<SearchPage>;
}

/** A search's identity: a cursor of one search is refused by another. */
const toFingerprint = (query: SearchQuery, roomId: string | null) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        query.include,
        query.exclude,
        query.from?.toLowerCase(),
        query.in && toRoomSearchKey(query.in),
        query.before,
        query.notBefore,
        roomId,
      ]),
    )
    .digest('base64url')
    .slice(0, 16);

const toCursor = (fingerprint: string, position: string) => Buffer.from(`${fingerprint}:${position}`, 'utf8').toString('base64url');

const parseCursor = (cursor: string, fingerprint: string): string => {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const position = text.slice(fingerprint.length + 1);
  if (cursor.length > 200 || !text.startsWith(`${fingerprint}:`) || !isPosition(position) || toCursor(fingerprint, position) !== cursor) {
    throw new ValidationError('after is not a cursor of this search', 'after');
  }
  return position;
};

const empty: SearchPage = { edges: [], hasNextPage: false, endCursor: null };

export const createMessageSearch = (index: SearchIndex, queries: ChatQueries): MessageSearch => ({
  engine: index.engine,
  async search(viewer, args, accessOf) {
    const query = parseSearchQuery(args.query);
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > SEARCH_PAGE_MAX) {
      throw new ValidationError(`first must be 1–${SEARCH_PAGE_MAX}`, 'first');
    }
    const fingerprint = toFingerprint(query, args.roomId);
    // A cursor of this search is below its `before:` bound already (the fingerprint holds the bound).
    let below = args.after == null ? (query.before === null ? null : toTimeBound(query.before)) : parseCursor(args.after, fingerprint);
    if (args.roomId !== null) {
      const room = await queries.getRoom(args.roomId);
      if (!room) throw new NotFoundError('Room not found');
      assertMayReadRoom(await accessOf(room));
    }
    const [myRoomIds, authorId] = await Promise.all([
      queries.listMyRoomIds(viewer.userId),
      query.from === null ? null : queries.findUserIdByHandle(query.from),
    ]);
    if (query.from !== null && authorId === null) return empty;
    let only: string[] | null = args.roomId === null ? null : [args.roomId];
    if (query.in !== null) {
      const wanted = toRoomSearchKey(query.in);
      const named = [...(await queries.listRooms()), ...(await Promise.all(myRoomIds.map((id) => queries.getRoom(id))))].flatMap((room) =>
        room && toRoomSearchKey(room.name).includes(wanted) ? [room.id] : [],
      );
      only = only === null ? [...new Set(named)] : only.filter((id) => named.includes(id));
      if (only.length === 0) return empty;
    }
    const readable = new Map<string, Promise<boolean>>();
    const mayRead = (roomId: string) => {
      let known = readable.get(roomId);
      if (!known) {
        known = queries.getRoom(roomId).then(async (room) => room !== null && mayReadRoom(await accessOf(room)));
        readable.set(roomId, known);
      }
      return known;
    };

    const edges: SearchEdgeView[] = [];
    let exhausted = false;
    for (let round = 0; round < ROUNDS_MAX && edges.length <= args.first && !exhausted; round++) {
      const limit = args.first + 1 - edges.length;
      const hits = await index.search({
        include: query.include,
        exclude: query.exclude,
        readable: { rooms: myRoomIds },
        only,
        authorId,
        below,
        notBelow: query.notBefore === null ? null : toTimeBound(query.notBefore),
        limit,
      });
      exhausted = hits.length < limit;
      const found = await Promise.all(
        hits.map(async (hit) => ({ hit, readable: await mayRead(hit.roomId), message: await queries.getMessage(hit.id) })),
      );
      for (const { hit, readable: ok, message } of found) {
        below = hit.position;
        if (!ok || !message || message.status !== 'posted' || !matchesText(query, message.body)) continue;
        edges.push({ cursor: toCursor(fingerprint, hit.position), node: message, highlights: toHighlights(query, message.body) });
      }
    }
    if (edges.length > args.first) {
      const page = edges.slice(0, args.first);
      return { edges: page, hasNextPage: true, endCursor: page.at(-1)!.cursor };
    }
    return {
      edges,
      hasNextPage: !exhausted,
      endCursor: exhausted ? (edges.at(-1)?.cursor ?? null) : below === null ? null : toCursor(fingerprint, below),
    };
  },
});
