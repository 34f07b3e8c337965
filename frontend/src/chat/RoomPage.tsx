import { Match, Show, Switch, createEffect, createMemo, createSignal, onCleanup, untrack } from 'solid-js';
import type { Viewer } from '../auth/session.js';
import type { GraphQLClient } from '../graphql/client.js';
import type { MemberFieldsFragment, MessageFieldsFragment, MyRoomFieldsFragment } from '../graphql/gql/graphql.js';
import { AuditLogPanel } from '../members/AuditLogPanel.js';
import { type AuditLog, createAuditLog } from '../members/auditLog.js';
import { InviteBox } from '../members/InviteBox.js';
import { MembersPanel } from '../members/MembersPanel.js';
import { canInvite, isModerator } from '../members/moderation.js';
import { createModerationActions } from '../members/moderationActions.js';
import { restrictionText } from '../members/restriction.js';
import { createUserSearch } from '../people/userSearch.js';
import { plural } from '../ui/format.js';
import { RoomMarker } from '../ui/RoomMarker.js';
import { Link } from '../ui/router.js';
import { Composer } from './Composer.js';
import type { Row } from './grouping.js';
import { toJumpTime } from './jump.js';
import type { MessageActions } from './MessageRow.js';
import { canPin } from './pinnedList.js';
import { PinsPanel } from './PinsPanel.js';
import { type ReplyTarget, toReplyTarget } from './replies.js';
import { createSidePanels } from './sidePanels.js';
import { ThreadPanel } from './ThreadPanel.js';
import type { Outbox } from './outbox.js';
import { PeopleList } from './PeopleList.js';
import { newestMessageCursor, toDividerKey } from './readMarker.js';
import { type RefusalListener, type RoomInfo, createRoomSession } from './roomSession.js';
import { Timeline, type TimelineHandle } from './Timeline.js';
import { TypingIndicator } from './TypingIndicator.js';

/** Titles the tab, with the count of unread messages: "(3) room · Balloons". */
export const toTabTitle = (name: string, unread: number) => `${unread > 0 ? `(${unread}) ` : ''}${name} · Balloons`;

/**
 * One room: its header, timeline, composer, members and people. The room's data (history, live
 * events, members, sending, typing, edits) is its session's (roomSession.ts); invitations and
 * moderation are moderationActions.ts's. This keeps the view state: the scroll handle, which
 * message ArrowUp asked to edit, which box is open, and the tab's title.
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
  watchRefusals: (listener: RefusalListener) => () => void;
  /** The viewer's membership here changed (their room list may need to know). */
  onViewerMembershipChanged: (member: MemberFieldsFragment) => void;
  /** Opens the direct conversation with these people; answers an error message, or null. */
  onOpenDirect: (handles: string[]) => Promise<string | null>;
  /** Accepts the invitation to this room; answers an error message, or null. */
  onAccept: (roomId: string) => Promise<string | null>;
  onDecline: (roomId: string) => Promise<string | null>;
  onLeave: (roomId: string) => Promise<string | null>;
  /** Unread messages in the viewer's other rooms, and in this one as the room list has it (the tab's title counts both). */
  unreadElsewhere: number;
  unreadHere: number;
  /** The viewer's read marker moved here: the room with their counts now. */
  onRead: (room: MyRoomFieldsFragment) => void;
  /** The reader has seen the room up to this cursor (the newest message on screen, the tab visible). */
  onSeen: (cursor: string) => void;
  /** A mention or direct message came while the page was hidden. */
  onNotable: (message: MessageFieldsFragment, room: RoomInfo) => void;
  /** A message to show and mark once the room is loaded (a search result); null when none. */
  jumpRequest?: { messageId: string; createdAt: string } | null;
  /** The jump request was taken (it is shown, or its error is). */
  onJumpHandled?: () => void;
}) => {
  const session = createRoomSession({
    roomId: props.roomId,
    viewer: () => props.viewer,
    client: props.client,
    outbox: props.outbox,
    onSessionEnded: () => props.onSessionEnded(),
    isHidden: () => document.visibilityState === 'hidden',
    watchRefusals: (listener) => props.watchRefusals(listener),
    onViewerMembershipChanged: (member) => props.onViewerMembershipChanged(member),
    onRead: (room) => props.onRead(room),
    onNotable: (message, room) => props.onNotable(message, room),
  });
  const actions = createModerationActions(props.client, props.roomId, {
    onMember: (member) => session.applyMember(member),
    onMessage: (message) => session.applyMessage(message),
  });
  const people = createUserSearch(props.client);
  const [editRequestId, setEditRequestId] = createSignal<string | null>(null);
  const [inviting, setInviting] = createSignal(false);
  const [confirmingLeave, setConfirmingLeave] = createSignal(false);
  const [actionError, setActionError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [auditLog, setAuditLog] = createSignal<AuditLog | null>(null);
  const toggleAuditLog = () => {
    const open = auditLog();
    open?.dispose();
    setAuditLog(open ? null : createAuditLog(props.client, props.roomId));
    if (!open && !props.peopleOpen) props.onTogglePeople();
  };
  let timeline: TimelineHandle | undefined;
  const [replyingTo, setReplyingTo] = createSignal<ReplyTarget | null>(null);
  const panels = createSidePanels({ client: props.client, roomId: props.roomId, watch: (listener) => session.watchMessages(listener) });
  const [highlightId, setHighlightId] = createSignal<string | null>(null);
  const [jumpValue, setJumpValue] = createSignal('');
  let highlightTimer: ReturnType<typeof setTimeout> | undefined;
  /** After the rows are laid out (a jump's pages just went in). */
  const afterLayout = (then: () => void) => requestAnimationFrame(() => then());

  const [visible, setVisible] = createSignal(document.visibilityState === 'visible');
  let atEnd = false;
  const onVisible = () => {
    setVisible(document.visibilityState === 'visible');
    if (!visible()) return;
    session.markSeen();
    readIfSeen();
  };
  document.addEventListener('visibilitychange', onVisible);
  onCleanup(() => {
    session.dispose();
    panels.dispose();
    clearTimeout(highlightTimer);
    people.dispose();
    auditLog()?.dispose();
    document.removeEventListener('visibilitychange', onVisible);
  });

  const state = () => session.timeline();
  const info = () => session.room();
  const kind = () => info()?.kind ?? null;
  const name = () => (kind() === 'PUBLIC' ? props.knownName : null) ?? info()?.name ?? props.knownName ?? '';
  const role = () => info()?.myRole ?? null;
  const invited = () => info()?.myMembership === 'INVITED' && !session.readable();
  /** The room is there for the viewer, but its history is not (an invitation, a ban). */
  const unreadable = () => !!info() && !session.readable();
  /** Why the composer is closed: a ban or mute, or removal from the room; null when it is open. */
  const blocked = () => {
    const restriction = session.restriction();
    if (restriction) return restrictionText(restriction);
    return session.ended() ? 'You can no longer post in this room.' : null;
  };
  const run = async (action: () => Promise<string | null>) => {
    if (busy()) return;
    setBusy(true);
    setActionError(null);
    const problem = await action();
    setBusy(false);
    if (problem) setActionError(problem);
    return problem;
  };
  const accept = async () => {
    const problem = await run(() => props.onAccept(props.roomId));
    if (problem === null) session.reload();
  };
  // Away from the present the viewer's messages on their way belong after what is not shown yet.
  const rows = createMemo((): Row[] => (state().hasNewer ? [...state().items] : [...state().items, ...state().pending]));
  const canPinHere = () => canPin(kind(), role(), info()?.myMembership === 'JOINED');
  const threadPanel = () => {
    const panel = panels.open();
    return panel?.kind === 'thread' ? panel.thread : null;
  };
  const pinsPanel = () => {
    const panel = panels.open();
    return panel?.kind === 'pins' ? panel.pins : null;
  };

  createEffect(() => {
    if (!name()) return;
    // This room's own count: as the list has it, or what came while hidden in a room the viewer only reads.
    document.title = toTabTitle(name(), props.unreadElsewhere + Math.max(props.unreadHere, session.unseen()));
  });

  // Read: the newest message is on screen (the timeline says so each time it looks, after laying out
  // new rows) and the tab is visible. The marker only moves forward.
  const readIfSeen = () => {
    if (!atEnd || !visible()) return;
    const newest = newestMessageCursor(state().items);
    if (!newest) return;
    props.onSeen(newest);
    session.markRead(newest);
  };
  const dividerKey = createMemo(() => toDividerKey(state().items, session.opened(), props.viewer.id));

  const jumpToPresent = async () => {
    await session.jumpToPresent();
    afterLayout(() => timeline?.scrollToBottom());
  };
  const send = (body: string) => {
    session.send(body, replyingTo()?.id ?? null);
    setReplyingTo(null);
    if (state().hasNewer) void jumpToPresent();
    else timeline?.scrollToBottom();
  };
  /** Shows a message (loading the pages around it when it is not loaded) and marks it for a moment. */
  const jumpTo = async (messageId: string, createdAt: string) => {
    setActionError(null);
    const shown = await session.jumpToMessage(messageId, createdAt);
    if (typeof shown === 'string') return setActionError(shown);
    if (!shown) return setActionError('That message is no longer in this room’s history.');
    afterLayout(() => {
      timeline?.scrollToMessage(messageId);
      clearTimeout(highlightTimer);
      setHighlightId(messageId);
      highlightTimer = setTimeout(() => setHighlightId(null), 2_500);
    });
  };
  // A jump asked from outside (a search result) waits for the room's first page: a jump before it
  // would overtake that load, and it may find the message on it.
  createEffect(() => {
    const request = props.jumpRequest;
    if (!request || !state().loaded || !session.readable()) return;
    untrack(() => {
      props.onJumpHandled?.();
      void jumpTo(request.messageId, request.createdAt);
    });
  });
  const jumpToDate = async () => {
    const time = toJumpTime(jumpValue());
    if (!time) return setActionError('Pick a date and time to jump to.');
    setActionError(null);
    const problem = await session.jumpToTime(time);
    if (problem) return setActionError(problem);
    afterLayout(() => timeline?.scrollToStart());
  };
  /** What every message row can do, in the timeline and in a thread. */
  const messageActions: MessageActions = {
    onEdit: (id, body) => session.edit(id, body),
    onDelete: (id) => session.remove(id),
    onRetry: (clientId) => session.retry(clientId),
    onDiscard: (clientId) => session.discard(clientId),
    onRemove: (id, reason) => actions.removeMessage(id, reason),
    onMessageUser: (handle) => props.onOpenDirect([handle]),
    onReply: (message) => setReplyingTo(toReplyTarget(message)),
    onReact: (id, emoji, add) => session.react(id, emoji, add),
    onPin: (id, pinned) => session.pin(id, pinned),
    onOpenThread: (id, cursor) => panels.openThread({ id, cursor }),
    onJumpTo: (id, createdAt) => void jumpTo(id, createdAt),
    onLoadHistory: (id) => session.editHistory(id),
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
            <h1 class="room-title" data-kind={kind() ?? undefined}>
              <RoomMarker kind={kind()} />
              {name() || 'Loading…'}
            </h1>
            <div class="room-actions">
              <Show when={session.readable()}>
                <form
                  class="jump-form"
                  // A time to the second (typed, or pasted) is fine: toJumpTime reads it, whatever the input's step.
                  noValidate
                  onSubmit={(e) => {
                    e.preventDefault();
                    void jumpToDate();
                  }}
                >
                  <label class="visually-hidden" for="jump-to-date">
                    Jump to date
                  </label>
                  <input
                    id="jump-to-date"
                    type="datetime-local"
                    value={jumpValue()}
                    max={new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16)}
                    onInput={(e) => setJumpValue(e.currentTarget.value)}
                  />
                  <button type="submit" class="button button-quiet button-small" disabled={jumpValue() === ''}>
                    Jump
                  </button>
                </form>
                <Show when={state().hasNewer}>
                  <button type="button" class="button button-primary button-small" onClick={() => void jumpToPresent()}>
                    Jump to present
                  </button>
                </Show>
                <button
                  type="button"
                  class="button button-quiet button-small"
                  aria-pressed={panels.open()?.kind === 'pins'}
                  onClick={() => panels.togglePins()}
                >
                  Pinned
                </button>
              </Show>
              <Show when={info() && canInvite(info()!.kind, role(), info()!.myMembership)}>
                <button
                  type="button"
                  class="button button-quiet button-small"
                  aria-expanded={inviting()}
                  onClick={() => setInviting(!inviting())}
                >
                  Invite
                </button>
              </Show>
              {/* Posting joins a public room too; this adds it to the viewer's own list without a word. */}
              <Show when={info()?.kind === 'PUBLIC' && session.readable() && info()?.myMembership !== 'JOINED'}>
                <button
                  type="button"
                  class="button button-quiet button-small"
                  disabled={busy()}
                  onClick={() => void run(() => props.onAccept(props.roomId))}
                >
                  Join
                </button>
              </Show>
              <Show when={isModerator(role()) && session.readable()}>
                <button type="button" class="button button-quiet button-small" aria-pressed={auditLog() !== null} onClick={toggleAuditLog}>
                  Moderation log
                </button>
              </Show>
              {/* The owner cannot leave (the server refuses). */}
              <Show when={info()?.myMembership === 'JOINED' && role() !== 'OWNER'}>
                <Show
                  when={confirmingLeave()}
                  fallback={
                    <button type="button" class="button button-quiet button-small" onClick={() => setConfirmingLeave(true)}>
                      Leave
                    </button>
                  }
                >
                  <span class="confirm-text">
                    {kind() === 'PUBLIC' ? 'Leave this room?' : 'Leave? You will need a new invitation to come back.'}
                  </span>
                  <button
                    type="button"
                    class="button button-danger button-small"
                    disabled={busy()}
                    onClick={() => void run(() => props.onLeave(props.roomId))}
                  >
                    Leave
                  </button>
                  <button type="button" class="button button-quiet button-small" onClick={() => setConfirmingLeave(false)}>
                    Stay
                  </button>
                </Show>
              </Show>
            </div>
            <button
              type="button"
              class="people-toggle"
              aria-expanded={props.peopleOpen}
              aria-controls="room-people"
              onClick={() => props.onTogglePeople()}
            >
              <span class="online-dot" aria-hidden="true" />
              {plural(Math.max(state().onlineCount, state().online.length), 'person', 'people')} here
            </button>
          </header>

          <Show when={inviting()}>
            <InviteBox
              roomName={name()}
              viewerId={props.viewer.id}
              suggestions={people.results()}
              onQuery={(prefix) => people.search(prefix)}
              onInvite={(handle) => actions.invite(handle)}
              onClose={() => setInviting(false)}
            />
          </Show>
          <Show when={actionError()}>
            <div class="room-error" role="alert">
              {actionError()}
            </div>
          </Show>
          {/* A room closed to the viewer says why in its place below; this is for one that closed while open. */}
          <Show when={session.ended() && !unreadable()}>
            <div class="room-error room-ended" role="alert">
              {session.ended()}
            </div>
          </Show>
          <Show when={unreadable() && !invited()}>
            <section class="invitation" aria-label="Closed to you">
              <h2>You cannot read this room</h2>
              <p class="subtle">{session.restriction() ? blocked() : (session.ended() ?? 'Its history is for its members.')}</p>
              <Link href="/" class="button button-quiet">
                See your rooms
              </Link>
            </section>
          </Show>

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

          <Show when={invited()}>
            <section class="invitation" aria-labelledby="invitation-heading">
              <h2 id="invitation-heading">
                You are invited to <RoomMarker kind={kind()} />
                {name()}
              </h2>
              <p class="subtle">Accept to read its history and write in it.</p>
              <div class="action-row">
                <button type="button" class="button button-primary" disabled={busy()} onClick={() => void accept()}>
                  Accept
                </button>
                <button
                  type="button"
                  class="button button-quiet"
                  disabled={busy()}
                  onClick={() => void run(() => props.onDecline(props.roomId))}
                >
                  Decline
                </button>
              </div>
            </section>
          </Show>
          <div class="room-body" classList={{ 'side-open': panels.open() !== null }} hidden={unreadable()}>
            <div class="conversation">
              <Timeline
                ref={(handle) => (timeline = handle)}
                rows={rows()}
                roomName={name()}
                viewerId={props.viewer.id}
                viewerHandle={props.viewer.handle}
                viewerRole={role()}
                roomKind={kind()}
                loaded={state().loaded}
                hasOlder={state().hasOlder}
                loadingOlder={session.loadingOlder()}
                onLoadOlder={() => session.loadOlder()}
                editRequestId={editRequestId()}
                onEditDone={() => setEditRequestId(null)}
                {...messageActions}
                hasNewer={state().hasNewer}
                loadingNewer={session.loadingNewer()}
                onLoadNewer={() => session.loadNewer()}
                onJumpToPresent={() => void jumpToPresent()}
                canPin={canPinHere()}
                highlightId={highlightId()}
                dividerKey={dividerKey()}
                onMeasured={(end) => {
                  atEnd = end;
                  readIfSeen();
                }}
              />
              <TypingIndicator typing={state().typing} />
              <Show when={blocked()}>
                <p class="composer-blocked" role="status">
                  {blocked()}
                </p>
              </Show>
              {/* Open while the room loads: what is written goes to the outbox and is sent in order. */}
              <Composer
                roomName={name()}
                onSend={send}
                onTyping={() => session.typing()}
                onEditLast={() => setEditRequestId(session.lastOwnMessageId())}
                disabled={blocked() !== null || invited()}
                replyingTo={replyingTo()}
                onCancelReply={() => setReplyingTo(null)}
              />
            </div>
            <Show when={threadPanel()}>
              {(thread) => (
                <ThreadPanel
                  {...messageActions}
                  onReply={() => document.getElementById('thread-composer-input')?.focus()}
                  state={thread().state()}
                  loading={thread().loading()}
                  error={thread().error()}
                  pending={state().pending.filter((p) => p.replyTo === thread().state().rootId)}
                  roomName={name()}
                  viewerId={props.viewer.id}
                  viewerHandle={props.viewer.handle}
                  viewerRole={role()}
                  canPin={canPinHere()}
                  composerDisabled={blocked() !== null || invited()}
                  onLoadMore={() => thread().loadMore()}
                  onSend={(body) => session.send(body, thread().state().rootId)}
                  onTyping={() => session.typing()}
                  onClose={() => panels.close()}
                />
              )}
            </Show>
            <Show when={pinsPanel()}>
              {(pins) => (
                <PinsPanel
                  messages={pins().state().messages}
                  loaded={pins().state().loaded}
                  error={pins().error()}
                  canPin={canPinHere()}
                  onJumpTo={(id, createdAt) => void jumpTo(id, createdAt)}
                  onUnpin={(id) => void session.pin(id, false).then((problem) => problem && setActionError(problem))}
                  onClose={() => panels.close()}
                />
              )}
            </Show>
            <aside id="room-people" class="people-panel" aria-label="People in this room">
              <Show when={auditLog()}>
                {(log) => (
                  <AuditLogPanel
                    entries={log().entries()}
                    loading={log().loading()}
                    error={log().error()}
                    hasMore={log().hasMore()}
                    onLoadMore={() => log().loadMore()}
                    onClose={toggleAuditLog}
                  />
                )}
              </Show>
              <Show when={session.members().loaded}>
                <MembersPanel
                  members={session.members().members}
                  count={session.members().count}
                  viewerId={props.viewer.id}
                  viewerRole={role()}
                  hasMore={session.members().hasNextPage}
                  loadingMore={session.loadingMembers()}
                  onLoadMore={() => session.loadMoreMembers()}
                  onMessage={(handle) => props.onOpenDirect([handle])}
                  actions={actions}
                />
              </Show>
              <PeopleList
                people={state().online}
                count={state().onlineCount}
                viewerId={props.viewer.id}
                onMessage={(handle) => props.onOpenDirect([handle])}
              />
            </aside>
          </div>
        </main>
      </Match>
    </Switch>
  );
};
