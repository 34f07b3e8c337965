import { Match, Show, Switch, createEffect, createMemo, createSignal, onCleanup, onMount } from 'solid-js';
import type { Viewer } from '../auth/session.js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import type { RoomEventsSubscription } from '../graphql/gql/graphql.js';
import { plural } from '../ui/format.js';
import { Link } from '../ui/router.js';
import { Composer } from './Composer.js';
import type { Row } from './grouping.js';
import {
  DeleteMessageMutation,
  EditMessageMutation,
  OlderMessagesQuery,
  PAGE_SIZE,
  RoomEventsSubscription as RoomEventsDocument,
  RoomOnlineQuery,
  RoomPageQuery,
  TypingMutation,
} from './operations.js';
import { type Outbox, type OutboxEntry, newClientId } from './outbox.js';
import { PeopleList } from './PeopleList.js';
import { Timeline, type TimelineHandle } from './Timeline.js';
import { type TimelineEvent, evolveTimeline, initialTimeline } from './timeline.js';
import { TypingIndicator } from './TypingIndicator.js';

type RoomEvent = RoomEventsSubscription['roomEvents'];

/** A subscription event as the timeline folds it. */
export const toTimelineEvent = (event: RoomEvent, now: number): TimelineEvent => {
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

/** Titles the tab, with the count of messages that arrived while it was hidden: "(3) room". */
const TITLE_SUFFIX = ' · Balloons';

/**
 * One room, live: loads the last page of history, then follows the room's events from the end of
 * that page (no gap, no duplicate), sends through the outbox, and keeps the title's unseen count.
 */
export const RoomPage = (props: {
  roomId: string;
  viewer: Viewer;
  client: GraphQLClient;
  outbox: Outbox;
  /** The name the room list knows (renames arrive there). */
  knownName: string | null;
  peopleOpen: boolean;
  onTogglePeople: () => void;
  onToggleRooms: () => void;
  /** An operation was refused for want of a session. */
  onSessionEnded: () => void;
}) => {
  const client = props.client.urql;
  const viewerAsUser = (): Viewer => ({ ...props.viewer });
  const [state, setState] = createSignal(initialTimeline(props.viewer.id));
  const dispatch = (event: TimelineEvent) => setState((s) => evolveTimeline(s, event));
  const [room, setRoom] = createSignal<{ id: string; name: string } | null | undefined>(undefined);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [liveError, setLiveError] = createSignal<string | null>(null);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  const [unseen, setUnseen] = createSignal(0);
  const [editRequestId, setEditRequestId] = createSignal<string | null>(null);
  let timeline: TimelineHandle | undefined;
  let subscription: { unsubscribe(): void } | null = null;
  let disposed = false;

  const name = () => props.knownName ?? room()?.name ?? '';
  const rows = createMemo((): Row[] => [...state().items, ...state().pending]);

  const pendingFromOutbox = (entry: OutboxEntry): TimelineEvent => ({
    type: 'PendingAdded',
    clientId: entry.clientId,
    body: entry.body,
    createdAt: entry.createdAt,
    author: viewerAsUser(),
    status: entry.status,
  });

  const follow = (after: string) => {
    subscription?.unsubscribe();
    subscription = client.subscription(RoomEventsDocument, { roomId: props.roomId, after }).subscribe((result) => {
      if (result.error) {
        const { code, message } = toErrorInfo(result.error, 'Live updates stopped.');
        // The log no longer holds our cursor: start over from the newest page.
        if (code === 'CURSOR_EXPIRED') void start();
        else if (code === 'UNAUTHENTICATED') props.onSessionEnded();
        else setLiveError(message);
        return;
      }
      const event = result.data?.roomEvents;
      if (!event) return;
      setLiveError(null);
      dispatch(toTimelineEvent(event, Date.now()));
      if (event.__typename === 'MessagePosted' && event.message.author.id !== props.viewer.id && document.visibilityState === 'hidden') {
        setUnseen((n) => n + 1);
      }
    });
  };

  const start = async () => {
    subscription?.unsubscribe();
    subscription = null;
    const result = await client.query(RoomPageQuery, { id: props.roomId, last: PAGE_SIZE }).toPromise();
    if (disposed) return;
    if (result.error || !result.data) {
      setLoadError(toErrorInfo(result.error, 'This room could not be loaded.').message);
      return;
    }
    const data = result.data.room;
    if (!data) {
      setRoom(null);
      return;
    }
    setLoadError(null);
    setRoom({ id: data.id, name: data.name });
    let next = initialTimeline(props.viewer.id);
    next = evolveTimeline(next, { type: 'HistoryLoaded', edges: data.messages.edges, hasPreviousPage: data.messages.pageInfo.hasPreviousPage });
    next = evolveTimeline(next, { type: 'OnlineLoaded', users: data.online });
    for (const entry of props.outbox.entries(props.roomId)) next = evolveTimeline(next, pendingFromOutbox(entry));
    setState(next);
    // From the end of the page just shown; an empty room replays its (empty) log from the start.
    follow(data.messages.pageInfo.endCursor ?? '0-0');
  };

  const loadOlder = async () => {
    const s = state();
    if (loadingOlder() || !s.hasOlder || !s.oldestCursor) return;
    setLoadingOlder(true);
    const result = await client.query(OlderMessagesQuery, { id: props.roomId, last: PAGE_SIZE, before: s.oldestCursor }).toPromise();
    if (disposed) return;
    const page = result.data?.room?.messages;
    if (page) dispatch({ type: 'HistoryLoaded', edges: page.edges, hasPreviousPage: page.pageInfo.hasPreviousPage });
    setLoadingOlder(false);
  };

  // Presence is not replayed: after a reconnect, ask who is here now.
  const refreshOnline = async () => {
    const result = await client.query(RoomOnlineQuery, { id: props.roomId }).toPromise();
    const users = result.data?.room?.online;
    if (users && !disposed) dispatch({ type: 'OnlineLoaded', users });
  };

  onMount(() => {
    void start();
    const stopReconnects = props.client.onReconnected(() => void refreshOnline());
    const stopOutbox = props.outbox.subscribe((change) => {
      if (change.entry.roomId !== props.roomId) return;
      if (change.type === 'added') dispatch(pendingFromOutbox(change.entry));
      else if (change.type === 'changed') dispatch({ type: 'PendingStatusChanged', clientId: change.entry.clientId, status: change.entry.status, error: change.entry.error });
      else if (change.type === 'sent') dispatch({ type: 'PendingSent', clientId: change.entry.clientId, messageId: change.messageId });
      else dispatch({ type: 'PendingDiscarded', clientId: change.entry.clientId });
    });
    const onVisible = () => {
      if (document.visibilityState === 'visible') setUnseen(0);
    };
    document.addEventListener('visibilitychange', onVisible);
    onCleanup(() => {
      disposed = true;
      subscription?.unsubscribe();
      stopReconnects();
      stopOutbox();
      document.removeEventListener('visibilitychange', onVisible);
    });
  });

  createEffect(() => {
    if (!name()) return;
    document.title = `${unseen() > 0 ? `(${unseen()}) ` : ''}${name()}${TITLE_SUFFIX}`;
  });

  // "alice is typing…" goes away on its own.
  createEffect(() => {
    if (state().typing.length === 0) return;
    const timer = setInterval(() => dispatch({ type: 'ClockTicked', now: Date.now() }), 500);
    onCleanup(() => clearInterval(timer));
  });

  // Typing is announced at most every TYPING_EVERY_MS (the server drops announcements closer than
  // 2 s); keystrokes in between schedule one trailing announcement, so typing right after sending
  // still shows.
  const TYPING_EVERY_MS = 2_100;
  let lastTyping = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const announceTyping = () => {
    lastTyping = Date.now();
    void client.mutation(TypingMutation, { roomId: props.roomId }).toPromise();
  };
  const onTyping = () => {
    const wait = lastTyping + TYPING_EVERY_MS - Date.now();
    if (wait <= 0) return announceTyping();
    typingTimer ??= setTimeout(() => {
      typingTimer = undefined;
      announceTyping();
    }, wait);
  };
  onCleanup(() => clearTimeout(typingTimer));

  const send = (body: string) => {
    clearTimeout(typingTimer);
    typingTimer = undefined;
    props.outbox.add({ clientId: newClientId(), roomId: props.roomId, body, createdAt: new Date().toISOString() });
    timeline?.scrollToBottom();
  };

  const edit = async (id: string, body: string) => {
    const result = await client.mutation(EditMessageMutation, { id, body }).toPromise();
    if (!result.data) return toErrorInfo(result.error, 'The message could not be edited.').message;
    dispatch({ type: 'MessageChanged', message: result.data.editMessage });
    return null;
  };

  const remove = async (id: string) => {
    const result = await client.mutation(DeleteMessageMutation, { id }).toPromise();
    if (!result.data) return toErrorInfo(result.error, 'The message could not be deleted.').message;
    dispatch({ type: 'MessageChanged', message: result.data.deleteMessage });
    return null;
  };

  const editLast = () => {
    const items = state().items;
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      if (item.kind === 'message' && item.message.author.id === props.viewer.id && !item.message.deletedAt) {
        setEditRequestId(item.message.id);
        return;
      }
    }
  };

  return (
    <Switch>
      <Match when={room() === null}>
        <main class="room-missing" id="main">
          <h1>No such room</h1>
          <p>It may have been a mistyped link.</p>
          <Link href="/" class="button button-primary">
            See all rooms
          </Link>
        </main>
      </Match>
      <Match when={true}>
        <main class="room" id="main" classList={{ 'people-open': props.peopleOpen }} data-room-id={props.roomId}>
          <header class="room-header">
            <button type="button" class="icon-button rooms-toggle" aria-label="Show rooms" onClick={() => props.onToggleRooms()}>
              <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                <path fill="currentColor" d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z" />
              </svg>
            </button>
            <h1 class="room-title">
              <span class="room-hash" aria-hidden="true">
                #
              </span>
              {name() || 'Loading…'}
            </h1>
            <button
              type="button"
              class="people-toggle"
              aria-expanded={props.peopleOpen}
              aria-controls="room-people"
              onClick={() => props.onTogglePeople()}
            >
              <span class="online-dot" aria-hidden="true" />
              {plural(state().online.length, 'person', 'people')} here
            </button>
          </header>

          <Show when={loadError()}>
            <div class="room-error" role="alert">
              {loadError()}{' '}
              <button type="button" class="link-button" onClick={() => void start()}>
                Try again
              </button>
            </div>
          </Show>
          <Show when={liveError()}>
            <div class="room-error" role="alert">
              {liveError()}{' '}
              <button type="button" class="link-button" onClick={() => void start()}>
                Reload the room
              </button>
            </div>
          </Show>

          <div class="room-body">
            <div class="conversation">
              <Timeline
                ref={(handle) => (timeline = handle)}
                rows={rows()}
                roomName={name()}
                viewerId={props.viewer.id}
                viewerHandle={props.viewer.handle}
                loaded={state().loaded}
                hasOlder={state().hasOlder}
                loadingOlder={loadingOlder()}
                onLoadOlder={() => void loadOlder()}
                editRequestId={editRequestId()}
                onEditDone={() => setEditRequestId(null)}
                onEdit={edit}
                onDelete={remove}
                onRetry={(clientId) => props.outbox.retry(clientId)}
                onDiscard={(clientId) => props.outbox.discard(clientId)}
              />
              <TypingIndicator typing={state().typing} />
              {/* Open while the room loads: what is written goes to the outbox and is sent in order. */}
              <Composer roomName={name()} onSend={send} onTyping={onTyping} onEditLast={editLast} />
            </div>
            <aside id="room-people" class="people-panel" aria-label="People in this room">
              <PeopleList people={state().online} viewerId={props.viewer.id} />
            </aside>
          </div>
        </main>
      </Match>
    </Switch>
  );
};
