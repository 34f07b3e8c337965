import { type Accessor, createSignal } from 'solid-js';
import type { Viewer } from '../auth/session.js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import type { RoomEventsSubscription as RoomEventsResult } from '../graphql/gql/graphql.js';
import {
  DeleteMessageMutation,
  EditMessageMutation,
  OlderMessagesQuery,
  PAGE_SIZE,
  RoomEventsSubscription,
  RoomOnlineQuery,
  RoomPageQuery,
  TypingMutation,
} from './operations.js';
import { type Outbox, type OutboxEntry, newClientId } from './outbox.js';
import { type TimelineEvent, type TimelineState, evolveTimeline, initialTimeline } from './timeline.js';

/** A subscription event as the timeline folds it. */
const toTimelineEvent = (event: RoomEventsResult['roomEvents'], now: number): TimelineEvent => {
  switch (event.__typename) {
    case 'MessagePosted':
    case 'MessageEdited':
    case 'MessageDeleted':
      return { type: event.__typename, cursor: event.cursor, message: event.message };
    case 'UserTyping':
      return { type: 'UserTyping', user: event.user, now };
    case 'UserJoined':
    case 'UserLeft':
    case 'UserStatusChanged':
      return { type: event.__typename, user: event.user, at: event.at };
  }
};

/**
 * Typing is announced at most this often: the server drops announcements closer than 2 s
 * (`TYPING_THROTTLE_MS`); keystrokes in between schedule one trailing announcement, so typing right
 * after sending still shows.
 */
const TYPING_EVERY_MS = 2_100;
/** How often "alice is typing…" is checked for having expired, while someone is typing. */
const TYPING_TICK_MS = 500;

export interface RoomSessionOptions {
  roomId: string;
  viewer: Accessor<Viewer>;
  client: GraphQLClient;
  /** The page's outbox: what the viewer writes goes there, and its entries for this room show as pending. */
  outbox: Outbox;
  /** An operation was refused for want of a session. */
  onSessionEnded: () => void;
  /** Whether the page is out of sight: messages from others then count as unseen. */
  isHidden: () => boolean;
}

export interface RoomSession {
  /** The room: undefined until the first load answers, null when there is no such room. */
  room: Accessor<{ id: string; name: string } | null | undefined>;
  timeline: Accessor<TimelineState>;
  /** Why the room could not be loaded; null when it was. */
  loadError: Accessor<string | null>;
  /** Why live updates stopped; null while they flow. */
  liveError: Accessor<string | null>;
  loadingOlder: Accessor<boolean>;
  /** Messages from others that arrived while the page was hidden, since `markSeen`. */
  unseen: Accessor<number>;
  markSeen(): void;
  /** Loads the newest page again and follows the room from there. */
  reload(): void;
  /** Loads the page before the oldest message shown, if there is one and none is loading. */
  loadOlder(): void;
  /** Queues a message in the outbox, which sends it (and retries it, with the same clientId). */
  send(body: string): void;
  /** The viewer typed something: tells the room, at most every `TYPING_EVERY_MS`. */
  typing(): void;
  /** Answers an error message, or null when done. */
  edit(messageId: string, body: string): Promise<string | null>;
  remove(messageId: string): Promise<string | null>;
  retry(clientId: string): void;
  discard(clientId: string): void;
  /** The viewer's newest message that can still be edited, or null. */
  lastOwnMessageId(): string | null;
  dispose(): void;
}

/**
 * One room's data, live: the last page of history with the room's cursor (one query), then the
 * room's events after that cursor (no gap, no duplicate: the timeline drops what it has seen by
 * cursor; the client resumes from the newest cursor after a reconnect), older pages on demand, the
 * viewer's pending messages from the outbox, typing, edits and deletes. Presence is not logged, so
 * it is read again after a reconnect.
 */
export const createRoomSession = (options: RoomSessionOptions): RoomSession => {
  const { roomId, client, outbox } = options;
  const urql = client.urql;
  const viewerId = options.viewer().id;
  let state = initialTimeline(viewerId);
  const [timeline, setTimeline] = createSignal(state);
  const [room, setRoom] = createSignal<{ id: string; name: string } | null | undefined>(undefined);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [liveError, setLiveError] = createSignal<string | null>(null);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  const [unseen, setUnseen] = createSignal(0);
  let subscription: { unsubscribe(): void } | null = null;
  let loads = 0;
  let disposed = false;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const apply = (next: TimelineState) => {
    state = next;
    setTimeline(next);
    // "alice is typing…" goes away on its own: the clock ticks while someone types.
    if (next.typing.length > 0 && ticker === undefined)
      ticker = setInterval(() => dispatch({ type: 'ClockTicked', now: Date.now() }), TYPING_TICK_MS);
    if (next.typing.length === 0 && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
  const dispatch = (event: TimelineEvent) => apply(evolveTimeline(state, event));

  const pendingFromOutbox = (entry: OutboxEntry): TimelineEvent => ({
    type: 'PendingAdded',
    clientId: entry.clientId,
    body: entry.body,
    createdAt: entry.createdAt,
    author: { ...options.viewer() },
    status: entry.status,
  });

  const follow = (after: string) => {
    subscription = urql.subscription(RoomEventsSubscription, { roomId, after }).subscribe((result) => {
      if (result.error) {
        const { code, message } = toErrorInfo(result.error, 'Live updates stopped.');
        // The log no longer holds our cursor: start over from the newest page.
        if (code === 'CURSOR_EXPIRED') void load();
        else if (code === 'UNAUTHENTICATED') options.onSessionEnded();
        else setLiveError(message);
        return;
      }
      const event = result.data?.roomEvents;
      if (!event) return;
      setLiveError(null);
      const before = state;
      dispatch(toTimelineEvent(event, Date.now()));
      const added = state.items !== before.items;
      if (added && event.__typename === 'MessagePosted' && event.message.author.id !== viewerId && options.isHidden())
        setUnseen((n) => n + 1);
    });
  };

  const load = async () => {
    const run = ++loads;
    subscription?.unsubscribe();
    subscription = null;
    const result = await urql.query(RoomPageQuery, { id: roomId, last: PAGE_SIZE }).toPromise();
    if (disposed || run !== loads) return;
    if (!result.data) {
      const { code, message } = toErrorInfo(result.error, 'This room could not be loaded.');
      if (code === 'UNAUTHENTICATED') options.onSessionEnded();
      setLoadError(message);
      return;
    }
    const data = result.data.room;
    if (!data) {
      setRoom(null);
      return;
    }
    setLoadError(null);
    setLiveError(null);
    setRoom({ id: data.id, name: data.name });
    let next = initialTimeline(viewerId);
    next = evolveTimeline(next, {
      type: 'HistoryLoaded',
      edges: data.messages.edges,
      hasPreviousPage: data.messages.pageInfo.hasPreviousPage,
    });
    next = evolveTimeline(next, { type: 'OnlineLoaded', users: data.online });
    for (const entry of outbox.entries(roomId)) next = evolveTimeline(next, pendingFromOutbox(entry));
    apply(next);
    // The page is at least as new as the room's cursor: follow from there (null: nothing logged yet).
    follow(data.cursor ?? '0-0');
  };

  const loadOlder = async () => {
    if (loadingOlder() || !state.hasOlder || !state.oldestCursor) return;
    setLoadingOlder(true);
    const result = await urql.query(OlderMessagesQuery, { id: roomId, last: PAGE_SIZE, before: state.oldestCursor }).toPromise();
    if (disposed) return;
    const page = result.data?.room?.messages;
    if (page) dispatch({ type: 'HistoryLoaded', edges: page.edges, hasPreviousPage: page.pageInfo.hasPreviousPage });
    setLoadingOlder(false);
  };

  // Presence is not replayed: after a reconnect, ask who is here now.
  const refreshOnline = async () => {
    const result = await urql.query(RoomOnlineQuery, { id: roomId }).toPromise();
    const users = result.data?.room?.online;
    if (users && !disposed) dispatch({ type: 'OnlineLoaded', users });
  };

  let lastTyping = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const announceTyping = () => {
    lastTyping = Date.now();
    void urql.mutation(TypingMutation, { roomId }).toPromise();
  };
  const stopTyping = () => {
    clearTimeout(typingTimer);
    typingTimer = undefined;
  };

  const stopReconnects = client.onReconnected(() => void refreshOnline());
  const stopOutbox = outbox.subscribe((change) => {
    if (change.entry.roomId !== roomId) return;
    if (change.type === 'added') dispatch(pendingFromOutbox(change.entry));
    else if (change.type === 'changed')
      dispatch({ type: 'PendingStatusChanged', clientId: change.entry.clientId, status: change.entry.status, error: change.entry.error });
    else if (change.type === 'sent') dispatch({ type: 'PendingSent', clientId: change.entry.clientId, messageId: change.messageId });
    else dispatch({ type: 'PendingDiscarded', clientId: change.entry.clientId });
  });
  void load();

  return {
    room,
    timeline,
    loadError,
    liveError,
    loadingOlder,
    unseen,
    markSeen: () => setUnseen(0),
    reload: () => void load(),
    loadOlder: () => void loadOlder(),
    send(body) {
      stopTyping();
      outbox.add({ clientId: newClientId(), roomId, body, createdAt: new Date().toISOString() });
    },
    typing() {
      const wait = lastTyping + TYPING_EVERY_MS - Date.now();
      if (wait <= 0) return announceTyping();
      typingTimer ??= setTimeout(() => {
        typingTimer = undefined;
        announceTyping();
      }, wait);
    },
    async edit(id, body) {
      const result = await urql.mutation(EditMessageMutation, { id, body }).toPromise();
      if (!result.data) return toErrorInfo(result.error, 'The message could not be edited.').message;
      dispatch({ type: 'MessageChanged', message: result.data.editMessage });
      return null;
    },
    async remove(id) {
      const result = await urql.mutation(DeleteMessageMutation, { id }).toPromise();
      if (!result.data) return toErrorInfo(result.error, 'The message could not be deleted.').message;
      dispatch({ type: 'MessageChanged', message: result.data.deleteMessage });
      return null;
    },
    retry: (clientId) => outbox.retry(clientId),
    discard: (clientId) => outbox.discard(clientId),
    lastOwnMessageId() {
      for (let i = state.items.length - 1; i >= 0; i--) {
        const item = state.items[i]!;
        if (item.kind === 'message' && item.message.author.id === viewerId && !item.message.deletedAt) return item.message.id;
      }
      return null;
    },
    dispose() {
      disposed = true;
      subscription?.unsubscribe();
      stopReconnects();
      stopOutbox();
      stopTyping();
      clearInterval(ticker);
    },
  };
};
