/**
 * The client's fold of one room: `evolveTimeline(state, event) => state`, pure and synchronous.
 *
 * Inputs are history pages, the room's subscription events, and what the page itself does (pending
 * messages, the clock). The state is immutable: unchanged items keep their identity, so the view
 * only re-renders what changed.
 *
 * Messages are ordered by their cursor (the position of their MessagePosted in the room's log),
 * whatever order they arrive in; a message or logged event seen twice is applied once.
 */

import type { MessageFieldsFragment, MessagePageFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';
import { compareCursors, toNextCursor } from '../graphql/cursors.js';
import type { MembershipChange } from '../members/membership.js';
import type { OutboxEntry } from './outbox.js';

export interface MessageItem {
  kind: 'message';
  /** Stable across edits: the message id. */
  key: string;
  /** The MessagePosted's position in the room's log. */
  cursor: string;
  message: MessageFieldsFragment;
}

export interface NoticeItem {
  kind: 'notice';
  key: string;
  what: 'joined' | 'left' | 'status' | 'membership';
  user: UserFieldsFragment;
  at: string;
  /** For `membership`: what changed (a kick, an invitation, a role…). */
  change?: MembershipChange;
}

export type TimelineItem = MessageItem | NoticeItem;

export type PendingStatus = OutboxEntry['status'];

/** A message of the viewer's that the server has not confirmed through the room's events yet. */
export interface PendingMessage {
  kind: 'pending';
  key: string;
  clientId: string;
  body: string;
  createdAt: string;
  author: UserFieldsFragment;
  status: PendingStatus;
  error: string | null;
  /** Set once postMessage answered: the event with this message id makes it final. */
  messageId: string | null;
  /** The thread root it answers, or null. */
  replyTo: string | null;
}

export interface TypingUser {
  user: UserFieldsFragment;
  /** Client clock (ms) after which the indicator goes away unless renewed. */
  until: number;
}

export interface TimelineState {
  viewerId: string | null;
  items: readonly TimelineItem[];
  pending: readonly PendingMessage[];
  /** The newest logged cursor applied; a logged event at or before it was seen already. */
  latestCursor: string | null;
  /** The oldest message cursor loaded: `before` for the next history page. */
  oldestCursor: string | null;
  /** Older messages exist before `oldestCursor` (unknown until the first page: true). */
  hasOlder: boolean;
  /**
   * After a jump into the past: newer messages exist after `latestCursor` that forward pages bring.
   * Nothing live is shown meanwhile; once a forward page reaches the present, live events resume from
   * `latestCursor`. False for a room followed live.
   */
  hasNewer: boolean;
  /** Has a history page been applied? */
  loaded: boolean;
  /** Who is here, as far as this page knows: in big rooms a PresenceChanged names only some, so this may be short of… */
  online: readonly UserFieldsFragment[];
  /** …how many are here: the count the server last told, moved by the single joins and leaves since. */
  onlineCount: number;
  typing: readonly TypingUser[];
  noticeSeq: number;
}

export type TimelineEvent =
  /** A page of history (oldest first), the first one or an older one. */
  | { type: 'HistoryLoaded'; edges: MessagePageFieldsFragment['edges']; hasPreviousPage: boolean }
  /**
   * The timeline leaves the present for the moment at `cursor` (from cursorAt; null: before the room's
   * first event): what was shown goes, and pages before and after it fill the timeline again.
   */
  | { type: 'Jumped'; cursor: string | null }
  /** A forward page after `after` (oldest first); `hasNextPage` false: it reached the present. */
  | { type: 'NewerLoaded'; after: string; edges: MessagePageFieldsFragment['edges']; hasNextPage: boolean }
  /** Logged events that carry a message as it is now: posted, edited, deleted, reacted to, pinned. */
  | { type: MessageEventType; cursor: string; message: MessageFieldsFragment }
  /** Presence from a query (the room's `online`), replacing what the timeline knew. */
  | { type: 'OnlineLoaded'; users: readonly UserFieldsFragment[] }
  | { type: 'UserJoined' | 'UserLeft' | 'UserStatusChanged'; user: UserFieldsFragment; at: string }
  /** Several people came or went at once (the lists may be cut short in big rooms); the count after. */
  | {
      type: 'PresenceChanged';
      joined: readonly UserFieldsFragment[];
      left: readonly UserFieldsFragment[];
      onlineCount: number;
      at: string;
    }
  | { type: 'UserTyping'; user: UserFieldsFragment; now: number }
  /** A logged membership change, as `describeMembershipChange` read it (null: nothing to show, the cursor still counts). */
  | { type: 'MembershipChanged'; cursor: string; at: string; change: MembershipChange | null }
  /** The viewer's own edit or delete, as the mutation answered it (its event follows). */
  | { type: 'MessageChanged'; message: MessageFieldsFragment }
  | {
      type: 'PendingAdded';
      clientId: string;
      body: string;
      createdAt: string;
      author: UserFieldsFragment;
      status: PendingStatus;
      replyTo?: string | null;
    }
  | { type: 'PendingStatusChanged'; clientId: string; status: PendingStatus; error?: string | null }
  /** postMessage answered with the message's id; its MessagePosted makes it final. */
  | { type: 'PendingSent'; clientId: string; messageId: string }
  | { type: 'PendingDiscarded'; clientId: string }
  | { type: 'ClockTicked'; now: number };

export type MessageEventType =
  | 'MessagePosted'
  | 'MessageEdited'
  | 'MessageDeleted'
  | 'ReactionAdded'
  | 'ReactionRemoved'
  | 'MessagePinned'
  | 'MessageUnpinned';

/** How long "alice is typing…" stays without a renewal (the server renews every 2 s while typing). */
export const TYPING_TTL_MS = 6_000;

export const initialTimeline = (viewerId: string | null): TimelineState => ({
  viewerId,
  items: [],
  pending: [],
  latestCursor: null,
  oldestCursor: null,
  hasOlder: true,
  hasNewer: false,
  loaded: false,
  online: [],
  onlineCount: 0,
  typing: [],
  noticeSeq: 0,
});

/**
 * Past this many people, a PresenceChanged whose names fall short of its count is left at that: the
 * list shows whom the page knows of, the count is exact. Everyone in a big room asking for the whole
 * list after every storm window would cost what coalescing saved (n people × n names).
 */
export const ONLINE_REFETCH_MAX = 100;

/** In a small room, the names a PresenceChanged cut short are worth one question (`online`). */
export const needsOnlineList = (state: TimelineState) =>
  state.online.length !== state.onlineCount && state.onlineCount <= ONLINE_REFETCH_MAX;

/** A PresenceChanged with more names than this gets no notice per person: a storm is not a wall of notices. */
const MAX_PRESENCE_NOTICES = 3;

const maxCursor = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : compareCursors(a, b) >= 0 ? a : b);
const minCursor = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : compareCursors(a, b) <= 0 ? a : b);

const byName = (a: UserFieldsFragment, b: UserFieldsFragment) => {
  const x = a.displayName.toLowerCase();
  const y = b.displayName.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

const indexOfMessage = (items: readonly TimelineItem[], id: string) => items.findIndex((i) => i.kind === 'message' && i.message.id === id);

/** A message as the timeline shows it, if loaded. */
export const findMessage = (state: TimelineState, id: string): MessageFieldsFragment | undefined => {
  const item = state.items[indexOfMessage(state.items, id)];
  return item?.kind === 'message' ? item.message : undefined;
};

/**
 * Inserts a message item at its cursor's place: after every message with a smaller cursor, before
 * the first with a larger one (notices stay where they were relative to the messages around them).
 */
const insertMessage = (items: readonly TimelineItem[], item: MessageItem): TimelineItem[] => {
  let at = items.length;
  for (let i = items.length - 1; i >= 0; i--) {
    const existing = items[i]!;
    if (existing.kind !== 'message') continue;
    if (compareCursors(existing.cursor, item.cursor) < 0) break;
    at = i;
  }
  return [...items.slice(0, at), item, ...items.slice(at)];
};

/** A message's state after an edit or delete; a deleted message stays deleted. */
const updateMessage = (current: MessageFieldsFragment, next: MessageFieldsFragment): MessageFieldsFragment =>
  current.deletedAt
    ? // Deleted stays deleted; its thread lives on, so the counters still move.
      current.replyCount === next.replyCount && current.lastReplyAt === next.lastReplyAt
      ? current
      : { ...current, replyCount: next.replyCount, lastReplyAt: next.lastReplyAt }
    : next.deletedAt
      ? { ...next, body: '', reactions: [] }
      : next;

const replaceMessage = (state: TimelineState, message: MessageFieldsFragment): TimelineState => {
  const i = indexOfMessage(state.items, message.id);
  if (i < 0) return state; // not loaded (older than history so far): its page will show it as it is now
  const item = state.items[i] as MessageItem;
  const updated = updateMessage(item.message, message);
  if (updated === item.message) return state;
  const items = [...state.items];
  items[i] = { ...item, message: updated };
  return { ...state, items };
};

/**
 * Every reply's event carries its root's counters as they are now (a reply posted or deleted
 * changes them): the root, when loaded, shows them.
 */
const updateRootCounters = (state: TimelineState, message: MessageFieldsFragment): TimelineState => {
  const root = message.replyTo;
  if (!root) return state;
  const i = indexOfMessage(state.items, root.id);
  if (i < 0) return state;
  const item = state.items[i] as MessageItem;
  if (item.message.replyCount === root.replyCount && item.message.lastReplyAt === root.lastReplyAt) return state;
  const items = [...state.items];
  items[i] = { ...item, message: { ...item.message, replyCount: root.replyCount, lastReplyAt: root.lastReplyAt } };
  return { ...state, items };
};

const toMessageItem = (cursor: string, message: MessageFieldsFragment): MessageItem => ({
  kind: 'message',
  key: message.id,
  cursor,
  message: message.deletedAt ? { ...message, body: '', reactions: [] } : message,
});

/** Pending messages that the timeline now holds as final are dropped. */
const settlePending = (state: TimelineState): TimelineState => {
  const pending = state.pending.filter((p) => p.messageId === null || indexOfMessage(state.items, p.messageId) < 0);
  return pending.length === state.pending.length ? state : { ...state, pending };
};

const addNotice = (state: TimelineState, what: NoticeItem['what'], user: UserFieldsFragment, at: string): TimelineState => {
  if (user.id === state.viewerId) return state;
  const notice: NoticeItem = { kind: 'notice', key: `notice-${state.noticeSeq + 1}`, what, user, at };
  return { ...state, items: [...state.items, notice], noticeSeq: state.noticeSeq + 1 };
};

const withoutTyping = (state: TimelineState, userId: string): TimelineState => {
  const typing = state.typing.filter((t) => t.user.id !== userId);
  return typing.length === state.typing.length ? state : { ...state, typing };
};

const updatePending = (state: TimelineState, clientId: string, change: (p: PendingMessage) => PendingMessage): TimelineState => {
  const i = state.pending.findIndex((p) => p.clientId === clientId);
  if (i < 0) return state;
  const pending = [...state.pending];
  pending[i] = change(pending[i]!);
  return { ...state, pending };
};

export const evolveTimeline = (state: TimelineState, event: TimelineEvent): TimelineState => {
  switch (event.type) {
    case 'HistoryLoaded': {
      let items = state.items;
      for (const edge of event.edges) {
        if (indexOfMessage(items, edge.node.id) >= 0) continue; // live events already brought it, newer
        items = insertMessage(items, toMessageItem(edge.cursor, edge.node));
      }
      const start = event.edges[0]?.cursor ?? null;
      const end = event.edges.at(-1)?.cursor ?? null;
      const oldestCursor = minCursor(state.oldestCursor, start);
      // Only the page that reaches furthest back knows whether there is more before it.
      const isOldest = start === null || state.oldestCursor === null || compareCursors(start, state.oldestCursor) <= 0;
      return settlePending({
        ...state,
        items,
        latestCursor: maxCursor(state.latestCursor, end),
        oldestCursor,
        hasOlder: isOldest ? event.hasPreviousPage : state.hasOlder,
        loaded: true,
      });
    }

    case 'Jumped':
      return {
        ...state,
        items: [],
        typing: [],
        latestCursor: event.cursor,
        // `before` is exclusive: the event at the jump's cursor (a message, perhaps) is on the older side.
        oldestCursor: event.cursor === null ? null : toNextCursor(event.cursor),
        hasOlder: event.cursor !== null,
        hasNewer: true,
        loaded: false,
      };

    case 'NewerLoaded': {
      let items = state.items;
      for (const edge of event.edges) {
        if (indexOfMessage(items, edge.node.id) >= 0) continue;
        items = insertMessage(items, toMessageItem(edge.cursor, edge.node));
      }
      const end = event.edges.at(-1)?.cursor ?? event.after;
      return settlePending({
        ...state,
        items,
        latestCursor: maxCursor(state.latestCursor, end),
        oldestCursor: minCursor(state.oldestCursor, event.edges[0]?.cursor ?? null),
        hasNewer: event.hasNextPage,
        loaded: true,
      });
    }

    case 'MessagePosted': {
      // Away from the present, new messages come with the forward pages (and the live events after them).
      if (state.hasNewer) return state;
      if (state.latestCursor !== null && compareCursors(event.cursor, state.latestCursor) <= 0) return state;
      const next = updateRootCounters(withoutTyping({ ...state, latestCursor: event.cursor }, event.message.author.id), event.message);
      if (indexOfMessage(next.items, event.message.id) >= 0) return next;
      const items = insertMessage(next.items, toMessageItem(event.cursor, event.message));
      return settlePending({ ...next, items, oldestCursor: next.oldestCursor ?? event.cursor });
    }

    case 'MessageEdited':
    case 'MessageDeleted':
    case 'ReactionAdded':
    case 'ReactionRemoved':
    case 'MessagePinned':
    case 'MessageUnpinned': {
      if (state.hasNewer) return state;
      if (state.latestCursor !== null && compareCursors(event.cursor, state.latestCursor) <= 0) return state;
      return updateRootCounters(replaceMessage({ ...state, latestCursor: event.cursor }, event.message), event.message);
    }

    case 'MessageChanged':
      return replaceMessage(state, event.message);

    case 'MembershipChanged': {
      if (state.hasNewer) return state;
      if (state.latestCursor !== null && compareCursors(event.cursor, state.latestCursor) <= 0) return state;
      const next = { ...state, latestCursor: event.cursor };
      if (!event.change) return next;
      const notice: NoticeItem = {
        kind: 'notice',
        key: `notice-${state.noticeSeq + 1}`,
        what: 'membership',
        user: event.change.user,
        at: event.at,
        change: event.change,
      };
      return { ...next, items: [...next.items, notice], noticeSeq: next.noticeSeq + 1 };
    }

    case 'OnlineLoaded':
      return { ...state, online: [...event.users].sort(byName), onlineCount: event.users.length };

    case 'UserJoined': {
      if (state.online.some((u) => u.id === event.user.id)) return state;
      const next = { ...state, online: [...state.online, event.user].sort(byName), onlineCount: state.onlineCount + 1 };
      return addNotice(next, 'joined', event.user, event.at);
    }

    case 'UserLeft': {
      if (!state.online.some((u) => u.id === event.user.id)) return withoutTyping(state, event.user.id);
      const online = state.online.filter((u) => u.id !== event.user.id);
      const next = withoutTyping({ ...state, online, onlineCount: Math.max(0, state.onlineCount - 1) }, event.user.id);
      return addNotice(next, 'left', event.user, event.at);
    }

    case 'PresenceChanged': {
      const leaving = new Set(event.left.map((u) => u.id));
      const known = new Set(state.online.map((u) => u.id));
      const arriving = event.joined.filter((u) => !known.has(u.id) && !leaving.has(u.id));
      const gone = state.online.filter((u) => leaving.has(u.id));
      let next: TimelineState = {
        ...state,
        online: [...state.online.filter((u) => !leaving.has(u.id)), ...arriving].sort(byName),
        onlineCount: event.onlineCount,
        typing: state.typing.filter((t) => !leaving.has(t.user.id)),
      };
      if (arriving.length + gone.length <= MAX_PRESENCE_NOTICES) {
        for (const user of arriving) next = addNotice(next, 'joined', user, event.at);
        for (const user of gone) next = addNotice(next, 'left', user, event.at);
      }
      return next;
    }

    case 'UserStatusChanged': {
      const known = state.online.find((u) => u.id === event.user.id);
      if (known?.status === event.user.status) return state;
      const online = known
        ? state.online.map((u) => (u.id === event.user.id ? event.user : u))
        : [...state.online, event.user].sort(byName);
      return addNotice({ ...state, online, onlineCount: state.onlineCount + (known ? 0 : 1) }, 'status', event.user, event.at);
    }

    case 'UserTyping': {
      if (event.user.id === state.viewerId) return state;
      const typing = state.typing.filter((t) => t.user.id !== event.user.id);
      return { ...state, typing: [...typing, { user: event.user, until: event.now + TYPING_TTL_MS }] };
    }

    case 'ClockTicked': {
      const typing = state.typing.filter((t) => t.until > event.now);
      return typing.length === state.typing.length ? state : { ...state, typing };
    }

    case 'PendingAdded': {
      if (state.pending.some((p) => p.clientId === event.clientId)) return state;
      const pending: PendingMessage = {
        kind: 'pending',
        key: `pending-${event.clientId}`,
        clientId: event.clientId,
        body: event.body,
        createdAt: event.createdAt,
        author: event.author,
        status: event.status,
        error: null,
        messageId: null,
        replyTo: event.replyTo ?? null,
      };
      return { ...state, pending: [...state.pending, pending] };
    }

    case 'PendingStatusChanged':
      return updatePending(state, event.clientId, (p) =>
        p.status === event.status && p.error === (event.error ?? null) ? p : { ...p, status: event.status, error: event.error ?? null },
      );

    case 'PendingSent':
      return settlePending(
        updatePending(state, event.clientId, (p) => ({ ...p, messageId: event.messageId, status: 'sending', error: null })),
      );

    case 'PendingDiscarded': {
      const pending = state.pending.filter((p) => p.clientId !== event.clientId);
      return pending.length === state.pending.length ? state : { ...state, pending };
    }

    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

/** Every event in order, from a starting state. */
export const foldTimeline = (events: readonly TimelineEvent[], state: TimelineState = initialTimeline(null)) =>
  events.reduce(evolveTimeline, state);
