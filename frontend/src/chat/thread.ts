/**
 * A thread panel's fold: the root and its replies, oldest first, a page at a time, kept current by
 * the room's events. Pure: `evolveThread(state, event) => state`.
 *
 * Replies are ordered by cursor and applied once (by id), so a live reply that a page brings too,
 * or one replayed after a reconnect, shows once. A live reply past the loaded pages is left for the
 * next page (it would otherwise sit after a gap).
 */

import { compareCursors } from '../graphql/cursors.js';
import type { MessageFieldsFragment } from '../graphql/gql/graphql.js';
import type { MessageEventType, MessageItem } from './timeline.js';

export interface ThreadState {
  rootId: string;
  root: MessageItem | null;
  replies: readonly MessageItem[];
  /** `after` for the next page of replies. */
  endCursor: string | null;
  hasMore: boolean;
  loaded: boolean;
}

type Edges = readonly { cursor: string; node: MessageFieldsFragment }[];

export type ThreadEvent =
  /** The root and a page of its replies: the first (`first: true`) or the next. */
  | {
      type: 'ThreadLoaded';
      root: { cursor: string; node: MessageFieldsFragment };
      edges: Edges;
      hasNextPage: boolean;
      endCursor: string | null;
      first: boolean;
    }
  /** A room event carrying a message as it is now. */
  | { type: MessageEventType; cursor: string; message: MessageFieldsFragment }
  /** A mutation's answer (the viewer's own edit, delete, reaction): its event follows. */
  | { type: 'MessageChanged'; message: MessageFieldsFragment };

export const initialThread = (rootId: string): ThreadState => ({
  rootId,
  root: null,
  replies: [],
  endCursor: null,
  hasMore: false,
  loaded: false,
});

const toItem = (cursor: string, message: MessageFieldsFragment): MessageItem => ({
  kind: 'message',
  key: message.id,
  cursor,
  message: message.deletedAt ? { ...message, body: '', reactions: [] } : message,
});

const insertReply = (replies: readonly MessageItem[], item: MessageItem): readonly MessageItem[] => {
  if (replies.some((r) => r.key === item.key)) return replies;
  let at = replies.length;
  while (at > 0 && compareCursors(replies[at - 1]!.cursor, item.cursor) > 0) at--;
  return [...replies.slice(0, at), item, ...replies.slice(at)];
};

/** A deleted message stays deleted (its thread lives on: the counters still move). */
const merge = (current: MessageFieldsFragment, next: MessageFieldsFragment): MessageFieldsFragment =>
  current.deletedAt
    ? { ...current, replyCount: next.replyCount, lastReplyAt: next.lastReplyAt }
    : next.deletedAt
      ? { ...next, body: '', reactions: [] }
      : next;

const update = (state: ThreadState, message: MessageFieldsFragment): ThreadState => {
  let next = state;
  if (state.root && state.root.message.id === message.id)
    next = { ...next, root: { ...state.root, message: merge(state.root.message, message) } };
  // A reply's event carries the root's counters as they are now.
  const root = message.replyTo;
  if (next.root && root && root.id === next.rootId)
    next = {
      ...next,
      root: { ...next.root, message: { ...next.root.message, replyCount: root.replyCount, lastReplyAt: root.lastReplyAt } },
    };
  const i = state.replies.findIndex((r) => r.key === message.id);
  if (i >= 0) {
    const replies = [...state.replies];
    replies[i] = { ...replies[i]!, message: merge(replies[i]!.message, message) };
    next = { ...next, replies };
  }
  return next;
};

export const evolveThread = (state: ThreadState, event: ThreadEvent): ThreadState => {
  switch (event.type) {
    case 'ThreadLoaded': {
      if (event.root.node.id !== state.rootId) return state;
      let replies = event.first ? [] : state.replies;
      for (const edge of event.edges) replies = insertReply(replies, toItem(edge.cursor, edge.node));
      // Replies that came live while the first page loaded are kept (the page may predate them).
      if (event.first) for (const reply of state.replies) replies = insertReply(replies, reply);
      return {
        ...state,
        root: toItem(event.root.cursor, event.root.node),
        replies,
        endCursor: event.endCursor ?? state.endCursor,
        hasMore: event.hasNextPage,
        loaded: true,
      };
    }
    case 'MessagePosted': {
      if (event.message.replyTo?.id !== state.rootId) return update(state, event.message);
      const next = update(state, event.message);
      if (next.hasMore) return next; // the next page brings it, after the ones before it
      return { ...next, replies: insertReply(next.replies, toItem(event.cursor, event.message)) };
    }
    case 'MessageEdited':
    case 'MessageDeleted':
    case 'ReactionAdded':
    case 'ReactionRemoved':
    case 'MessagePinned':
    case 'MessageUnpinned':
    case 'MessageChanged':
      return update(state, event.message);
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
