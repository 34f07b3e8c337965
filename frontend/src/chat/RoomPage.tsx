import { Match, Show, Switch, createEffect, createMemo, createSignal, onCleanup } from 'solid-js';
import type { Viewer } from '../auth/session.js';
import type { GraphQLClient } from '../graphql/client.js';
import { plural } from '../ui/format.js';
import { Link } from '../ui/router.js';
import { Composer } from './Composer.js';
import type { Row } from './grouping.js';
import type { Outbox } from './outbox.js';
import { PeopleList } from './PeopleList.js';
import { createRoomSession } from './roomSession.js';
import { Timeline, type TimelineHandle } from './Timeline.js';
import { TypingIndicator } from './TypingIndicator.js';

/** Titles the tab, with the count of messages that arrived while it was hidden: "(3) room". */
const TITLE_SUFFIX = ' · Balloons';

/**
 * One room: its header, timeline, composer and people. The room's data (history, live events,
 * sending, typing, edits) is its session's (roomSession.ts); this keeps the view state: the scroll
 * handle, which message ArrowUp asked to edit, and the tab's title.
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
  const session = createRoomSession({
    roomId: props.roomId,
    viewer: () => props.viewer,
    client: props.client,
    outbox: props.outbox,
    onSessionEnded: () => props.onSessionEnded(),
    isHidden: () => document.visibilityState === 'hidden',
  });
  const [editRequestId, setEditRequestId] = createSignal<string | null>(null);
  let timeline: TimelineHandle | undefined;

  const onVisible = () => {
    if (document.visibilityState === 'visible') session.markSeen();
  };
  document.addEventListener('visibilitychange', onVisible);
  onCleanup(() => {
    session.dispose();
    document.removeEventListener('visibilitychange', onVisible);
  });

  const state = () => session.timeline();
  const name = () => props.knownName ?? session.room()?.name ?? '';
  const rows = createMemo((): Row[] => [...state().items, ...state().pending]);

  createEffect(() => {
    if (!name()) return;
    const unseen = session.unseen();
    document.title = `${unseen > 0 ? `(${unseen}) ` : ''}${name()}${TITLE_SUFFIX}`;
  });

  const send = (body: string) => {
    session.send(body);
    timeline?.scrollToBottom();
  };

  return (
    <Switch>
      <Match when={session.room() === null}>
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

          <Show when={session.loadError()}>
            <div class="room-error" role="alert">
              {session.loadError()}{' '}
              <button type="button" class="link-button" onClick={() => session.reload()}>
                Try again
              </button>
            </div>
          </Show>
          <Show when={session.liveError()}>
            <div class="room-error" role="alert">
              {session.liveError()}{' '}
              <button type="button" class="link-button" onClick={() => session.reload()}>
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
                loadingOlder={session.loadingOlder()}
                onLoadOlder={() => session.loadOlder()}
                editRequestId={editRequestId()}
                onEditDone={() => setEditRequestId(null)}
                onEdit={(id, body) => session.edit(id, body)}
                onDelete={(id) => session.remove(id)}
                onRetry={(clientId) => session.retry(clientId)}
                onDiscard={(clientId) => session.discard(clientId)}
              />
              <TypingIndicator typing={state().typing} />
              {/* Open while the room loads: what is written goes to the outbox and is sent in order. */}
              <Composer
                roomName={name()}
                onSend={send}
                onTyping={() => session.typing()}
                onEditLast={() => setEditRequestId(session.lastOwnMessageId())}
              />
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
