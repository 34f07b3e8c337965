import type { CombinedError } from '@urql/core';
import { type Accessor, createSignal } from 'solid-js';
import type { Viewer } from '../auth/session.js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import type {
  LiveMessageFieldsFragment,
  MemberFieldsFragment,
  MessageFieldsFragment,
  MessagePageFieldsFragment,
  MyRoomFieldsFragment,
  RoomEventsSubscription as RoomEventsResult,
  RoomInfoFieldsFragment,
} from '../graphql/gql/graphql.js';
import { type MemberListState, evolveMemberList, findMember, initialMemberList } from '../members/memberList.js';
import { describeMembershipChange } from '../members/membership.js';
import { isModerator } from '../members/moderation.js';
import { MEMBERS_PAGE_SIZE, MembersPageQuery } from '../members/operations.js';
import { type Restriction, isActive, msUntilLifted, toMemberRestriction, toRestriction } from '../members/restriction.js';
import { toVersions, type MessageVersionView } from './editHistory.js';
import {
  CursorAtQuery,
  DeleteMessageMutation,
  EditHistoryQuery,
  EditMessageMutation,
  MarkReadMutation,
  NewerMessagesQuery,
  OlderMessagesQuery,
  PAGE_SIZE,
  PinMessageMutation,
  ReactMutation,
  RoomEventsSubscription,
  RoomInfoQuery,
  RoomOnlineQuery,
  RoomPageQuery,
  TypingMutation,
  UnpinMessageMutation,
  UnreactMutation,
} from './operations.js';
import { type Outbox, type OutboxEntry, newClientId } from './outbox.js';
import { compareCursors, toNextCursor } from '../graphql/cursors.js';
import { type OpenedMarker, isPastMarker } from './readMarker.js';
import { mentions } from './richText.js';
import {
  type MessageEventType,
  type TimelineEvent,
  type TimelineState,
  evolveTimeline,
  findMessage,
  initialTimeline,
  needsOnlineList,
} from './timeline.js';
import { withOwnReactions } from './reactions.js';

type RoomEvent = RoomEventsResult['roomEvents'];

/**
 * A subscription event as the timeline folds it; null for kinds it does not show. `full` puts back
 * what the live document leaves out of a message (the viewer's own reactions).
 */
const toTimelineEvent = (
  event: RoomEvent,
  now: number,
  full: (message: LiveMessageFieldsFragment, reaction: { userId: string; emoji: string; added: boolean } | null) => MessageFieldsFragment,
): TimelineEvent | null => {
  switch (event.__typename) {
    case 'MessagePosted':
    case 'MessageEdited':
    case 'MessageDeleted':
    case 'MessagePinned':
    case 'MessageUnpinned':
      return { type: event.__typename, cursor: event.cursor, message: full(event.message, null) };
    case 'ReactionAdded':
    case 'ReactionRemoved':
      return {
        type: event.__typename,
        cursor: event.cursor,
        message: full(event.message, { userId: event.user.id, emoji: event.emoji, added: event.__typename === 'ReactionAdded' }),
      };
    case 'UserTyping':
      return { type: 'UserTyping', user: event.user, now };
    case 'UserJoined':
    case 'UserLeft':
    case 'UserStatusChanged':
      return { type: event.__typename, user: event.user, at: event.at };
    case 'PresenceChanged':
      return { type: 'PresenceChanged', joined: event.joined, left: event.left, onlineCount: event.onlineCount, at: event.at };
    default:
      return null;
  }
};

/**
 * A message as it is now, for the panels beside the timeline (a thread, the pins): from a room event
 * (with its cursor), or from the answer to the viewer's own change (`MessageChanged`, no cursor).
 */
export type MessageChange =
  | { type: MessageEventType; cursor: string; message: MessageFieldsFragment }
  | { type: 'MessageChanged'; message: MessageFieldsFragment };

/** How many messages a jump to a message loads on each side of it. */
const AROUND = 25;

/** The room as the viewer stands in it: name, kind, membership, role, member count. */
export type RoomInfo = RoomInfoFieldsFragment;

/** A refused post of this page's outbox: the room it was for and the server's error. */
export type RefusalListener = (roomId: string, error: CombinedError) => void;

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
  /** Listens to the outbox's refused posts (a ban or mute says so there); returns the unsubscribe function. */
  watchRefusals?: (listener: RefusalListener) => () => void;
  /** The viewer's own membership or role changed (an event about them, or an answer to their action). */
  onViewerMembershipChanged?: (member: MemberFieldsFragment) => void;
  /** `markRead` answered: the room with the viewer's counts after it. */
  onRead?: (room: MyRoomFieldsFragment) => void;
  /**
   * A message from someone else came while the page was hidden that mentions the viewer, or any in a
   * direct conversation: worth a desktop notification.
   */
  onNotable?: (message: MessageFieldsFragment, room: RoomInfo) => void;
}

export interface RoomSession {
  /**
   * The room: undefined until the first load answers, null when there is no such room (or none
   * the viewer may see: a private room looks exactly like a missing one).
   */
  room: Accessor<RoomInfo | null | undefined>;
  /** The room's history can be shown (false for an invitation not accepted yet, or a room that refused the viewer). */
  readable: Accessor<boolean>;
  /** Members (owner first, then by handle), kept current by the room's events. */
  members: Accessor<MemberListState>;
  loadingMembers: Accessor<boolean>;
  /** Loads the next page of members. */
  loadMoreMembers(): void;
  /** Why the viewer may not post now (banned, muted); null when they may. */
  restriction: Accessor<Restriction | null>;
  /** Why the room's live events ended for good (the viewer was removed); null while they may flow. */
  ended: Accessor<string | null>;
  /** A member as a moderation mutation answered them (their event follows). */
  applyMember(member: MemberFieldsFragment): void;
  /** A message as a moderator's removal answered it (its event follows). */
  applyMessage(message: MessageFieldsFragment): void;
  timeline: Accessor<TimelineState>;
  /** Why the room could not be loaded; null when it was. */
  loadError: Accessor<string | null>;
  /** Why live updates stopped; null while they flow. */
  liveError: Accessor<string | null>;
  loadingOlder: Accessor<boolean>;
  /** The viewer's read marker and unread count when the room was first loaded (the divider's place); null until then. */
  opened: Accessor<OpenedMarker | null>;
  /** Moves the viewer's read marker to `cursor` (members only; never back; one request at a time, the newest wins). */
  markRead(cursor: string): void;
  /** Messages from others that arrived while the page was hidden, since `markSeen`. */
  unseen: Accessor<number>;
  markSeen(): void;
  /** Loads the newest page again and follows the room from there. */
  reload(): void;
  /** Loads the page before the oldest message shown, if there is one and none is loading. */
  loadOlder(): void;
  /** Queues a message in the outbox, which sends it (and retries it, with the same clientId); `replyTo` answers a message. */
  send(body: string, replyTo?: string | null): void;
  /** Adds the viewer's reaction, or takes it back; answers an error message (the server's: not an emoji, too many kinds), or null. */
  react(messageId: string, emoji: string, add: boolean): Promise<string | null>;
  /** Pins or unpins (owner and moderators; anyone in a direct conversation); answers an error message, or null. */
  pin(messageId: string, pinned: boolean): Promise<string | null>;
  /** The message's earlier bodies, then its body now; or an error message. */
  editHistory(messageId: string): Promise<MessageVersionView[] | string>;
  /** Calls back with every message change the room's events or the viewer's own mutations bring; returns the unsubscribe function. */
  watchMessages(listener: (change: MessageChange) => void): () => void;
  /**
   * Leaves the present for the moment `time` (ISO): the timeline shows the messages from then on,
   * a forward page at a time; older ones load as the reader scrolls up. Answers an error message, or null.
   */
  jumpToTime(time: string): Promise<string | null>;
  /**
   * Shows the message: where it is when it is loaded, else the pages around its time. Answers
   * whether it is now in the timeline (or an error message).
   */
  jumpToMessage(messageId: string, createdAt: string): Promise<boolean | string>;
  /** Back to the newest page, followed live (resolves once it is shown). */
  jumpToPresent(): Promise<void>;
  /** After a jump: loads the next forward page (and follows live once a page reaches the present). */
  loadNewer(): void;
  loadingNewer: Accessor<boolean>;
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
  const [room, setRoom] = createSignal<RoomInfo | null | undefined>(undefined);
  const [readable, setReadable] = createSignal(false);
  let memberState = initialMemberList();
  /**
   * Members as the room's log last said (the first page, then events): what a MembershipChanged is
   * read against. Not the list itself, which a mutation's answer updates before its event comes.
   */
  let logMembers = new Map<string, MemberFieldsFragment>();
  const [members, setMembers] = createSignal(memberState);
  const [loadingMembers, setLoadingMembers] = createSignal(false);
  const [restriction, setRestrictionSignal] = createSignal<Restriction | null>(null);
  const [ended, setEnded] = createSignal<string | null>(null);
  let liftTimer: ReturnType<typeof setTimeout> | undefined;
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [liveError, setLiveError] = createSignal<string | null>(null);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  const [loadingNewer, setLoadingNewer] = createSignal(false);
  const messageListeners = new Set<(change: MessageChange) => void>();
  const emitMessage = (change: MessageChange) => {
    for (const listener of [...messageListeners]) listener(change);
  };
  /** A mutation's answer: the timeline and the panels show it (its event follows, and changes nothing more). */
  const applyAnswer = (message: MessageFieldsFragment) => {
    dispatch({ type: 'MessageChanged', message });
    emitMessage({ type: 'MessageChanged', message });
  };
  const [unseen, setUnseen] = createSignal(0);
  const [opened, setOpened] = createSignal<OpenedMarker | null>(null);
  /** The marker as far as this page moved it (or found it); a request is sent only past it. */
  let marked: string | null = null;
  let marking = false;
  let markNext: string | null = null;
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

  /** A ban or mute shows until it ends, then goes by itself. */
  const setRestriction = (next: Restriction | null) => {
    clearTimeout(liftTimer);
    const active = next && isActive(next, Date.now()) ? next : null;
    setRestrictionSignal(active);
    const wait = active ? msUntilLifted(active, Date.now()) : null;
    // Timers past ~24.8 days fire at once; such a restriction is re-read on the next visit anyway.
    if (wait !== null && wait < 2 ** 31 - 1) liftTimer = setTimeout(() => setRestrictionSignal(null), wait + 250);
  };

  /** What the page knows of a member now: the list, and for the viewer, their membership, role and restriction. */
  const applyMember = (member: MemberFieldsFragment) => {
    memberState = evolveMemberList(memberState, { type: 'MemberChanged', member });
    setMembers(memberState);
    if (member.user.id !== viewerId) return;
    const current = room();
    if (current) {
      const updated = { ...current, myMembership: member.membership, myRole: member.role };
      setRoom(updated);
      memberState = evolveMemberList(memberState, { type: 'ModeratorViewChanged', showsRemoved: isModerator(member.role) });
      setMembers(memberState);
    }
    setRestriction(toMemberRestriction(member, Date.now()));
    options.onViewerMembershipChanged?.(member);
  };

  const onMembershipChanged = (event: Extract<RoomEvent, { __typename: 'MembershipChanged' }>) => {
    // Seen already (at the seam): nothing to describe again.
    if (state.latestCursor !== null && compareCursors(event.cursor, state.latestCursor) <= 0) return;
    const previous = logMembers.get(event.member.user.id) ?? null;
    logMembers.set(event.member.user.id, event.member);
    const change = describeMembershipChange(previous, { member: event.member, by: event.by ?? null, reason: event.reason ?? null });
    dispatch({ type: 'MembershipChanged', cursor: event.cursor, at: event.at, change });
    applyMember(event.member);
  };

  const pendingFromOutbox = (entry: OutboxEntry): TimelineEvent => ({
    type: 'PendingAdded',
    clientId: entry.clientId,
    body: entry.body,
    createdAt: entry.createdAt,
    author: { ...options.viewer() },
    status: entry.status,
    replyTo: entry.replyTo ?? null,
  });

  const follow = (after: string) => {
    subscription = urql.subscription(RoomEventsSubscription, { roomId, after }).subscribe((result) => {
      if (result.error) {
        const { code, message } = toErrorInfo(result.error, 'Live updates stopped.');
        // The log no longer holds our cursor: start over from the newest page.
        if (code === 'CURSOR_EXPIRED') void load();
        else if (code === 'UNAUTHENTICATED') options.onSessionEnded();
        else if (code === 'FORBIDDEN' || code === 'NOT_FOUND') {
          // Removed from the room: the server will not take us back, so no resubscribing. What we are
          // now (banned until when?) is asked once, in case the event about it did not come first.
          subscription = null;
          setEnded(message);
          const banned = toRestriction(result.error);
          if (banned) setRestriction(banned);
          void refreshInfo();
        } else setLiveError(message);
        return;
      }
      const event = result.data?.roomEvents;
      if (!event) return;
      setLiveError(null);
      if (event.__typename === 'MembershipChanged') return onMembershipChanged(event);
      const timelineEvent = toTimelineEvent(event, Date.now(), (message, reaction) =>
        withOwnReactions(
          message,
          findMessage(state, message.id),
          reaction?.userId === viewerId ? { emoji: reaction.emoji, added: reaction.added } : null,
        ),
      );
      if (!timelineEvent) return;
      if ('message' in timelineEvent && 'cursor' in timelineEvent) emitMessage(timelineEvent as MessageChange);
      const before = state;
      dispatch(timelineEvent);
      if (timelineEvent.type === 'PresenceChanged' && needsOnlineList(state)) void refreshOnline();
      const added = state.items !== before.items;
      if (added && timelineEvent.type === 'MessagePosted' && timelineEvent.message.author.id !== viewerId && options.isHidden()) {
        setUnseen((n) => n + 1);
        const current = room();
        if (current && (current.kind === 'DIRECT' || mentions(timelineEvent.message.body, options.viewer().handle)))
          options.onNotable?.(timelineEvent.message, current);
      }
    });
  };

  const load = async () => {
    const run = ++loads;
    subscription?.unsubscribe();
    subscription = null;
    const result = await urql.query(RoomPageQuery, { id: roomId, last: PAGE_SIZE, members: MEMBERS_PAGE_SIZE }).toPromise();
    if (disposed || run !== loads) return;
    const data = result.data?.room;
    if (!data) {
      const { code, message } = toErrorInfo(result.error, 'This room could not be loaded.');
      if (code === 'UNAUTHENTICATED') return options.onSessionEnded();
      if (code === 'NETWORK' || code === 'UNAVAILABLE' || code === 'RATE_LIMITED') return setLoadError(message);
      // No history for the viewer: a missing room, an invitation not accepted yet, a ban. Ask what they may see.
      return loadInfo(run, result.error ? message : null, result.error);
    }
    setLoadError(null);
    setLiveError(null);
    setEnded(null);
    setReadable(true);
    // The divider stays where the marker was when the room was opened, however often it reloads.
    if (opened() === null) {
      setOpened({ marker: data.readMarker, unreadCount: data.unreadCount });
      if (marked === null || (data.readMarker !== null && isPastMarker(data.readMarker, marked))) marked = data.readMarker;
    }
    setRoom({
      id: data.id,
      name: data.name,
      kind: data.kind,
      myMembership: data.myMembership,
      myRole: data.myRole,
      memberCount: data.memberCount,
    });
    logMembers = new Map(data.members.edges.map((e) => [e.node.user.id, e.node]));
    memberState = evolveMemberList(initialMemberList(isModerator(data.myRole)), {
      type: 'MembersLoaded',
      page: data.members,
      memberCount: data.memberCount,
      first: true,
    });
    setMembers(memberState);
    const me = findMember(memberState, viewerId);
    setRestriction(me ? toMemberRestriction(me, Date.now()) : data.myMembership === 'BANNED' ? { reason: 'banned', until: null } : null);
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

  /** The room without its history: an invitation, a refusal, or nothing at all. */
  const loadInfo = async (run: number, refusal: string | null, error: CombinedError | undefined) => {
    const result = await urql.query(RoomInfoQuery, { id: roomId }).toPromise();
    if (disposed || run !== loads) return;
    if (result.error && !result.data) return setLoadError(toErrorInfo(result.error, 'This room could not be loaded.').message);
    const info = result.data?.room ?? null;
    setReadable(false);
    setRoom(info);
    if (!info) return;
    setLoadError(null);
    const banned = toRestriction(error ?? null) ?? toRestriction(result.error);
    if (banned) setRestriction(banned);
    // Not an invitation, yet no history: say why (a ban, most likely).
    if (info.myMembership !== 'INVITED' && refusal) setEnded(refusal);
  };

  /** After live events were refused: the room as the viewer stands in it now, and why they may not post. */
  const refreshInfo = async () => {
    const run = loads;
    const result = await urql.query(RoomInfoQuery, { id: roomId }).toPromise();
    if (disposed || run !== loads) return;
    const info = result.data?.room;
    if (!info) return;
    const current = room();
    if (current) setRoom({ ...current, myMembership: info.myMembership, myRole: info.myRole, memberCount: info.memberCount });
    const refused = toRestriction(result.error);
    if (refused) setRestriction(refused);
  };

  const loadMoreMembers = async () => {
    const current = memberState;
    if (loadingMembers() || !current.hasNextPage || current.endCursor === null) return;
    setLoadingMembers(true);
    const result = await urql.query(MembersPageQuery, { id: roomId, first: MEMBERS_PAGE_SIZE, after: current.endCursor }).toPromise();
    setLoadingMembers(false);
    const data = result.data?.room;
    if (disposed || !data) return;
    for (const edge of data.members.edges) if (!logMembers.has(edge.node.user.id)) logMembers.set(edge.node.user.id, edge.node);
    memberState = evolveMemberList(memberState, { type: 'MembersLoaded', page: data.members, memberCount: data.memberCount, first: false });
    setMembers(memberState);
  };

  /** Leaves the present: no live events until a forward page reaches it again. */
  const leavePresent = (cursor: string | null) => {
    loads++;
    subscription?.unsubscribe();
    subscription = null;
    setLoadingOlder(false);
    setLoadingNewer(false);
    dispatch({ type: 'Jumped', cursor });
  };

  /** Applies a forward page; one that reaches the present hands over to live events after the last cursor seen. */
  const applyNewer = (after: string, page: { edges: MessagePageFieldsFragment['edges']; pageInfo: { hasNextPage: boolean } }) => {
    dispatch({ type: 'NewerLoaded', after, edges: page.edges, hasNextPage: page.pageInfo.hasNextPage });
    if (!state.hasNewer && subscription === null) follow(state.latestCursor ?? '0-0');
  };

  const readCursorAt = async (time: string): Promise<{ cursor: string | null } | string> => {
    const result = await urql.query(CursorAtQuery, { id: roomId, time }).toPromise();
    const found = result.data?.room;
    if (!found) return toErrorInfo(result.error, 'That moment could not be found.').message;
    return { cursor: found.cursorAt };
  };

  const jumpToTime = async (time: string): Promise<string | null> => {
    const at = await readCursorAt(time);
    if (disposed) return null;
    if (typeof at === 'string') return at;
    leavePresent(at.cursor);
    const run = loads;
    const after = at.cursor ?? '0-0';
    setLoadingNewer(true);
    const result = await urql.query(NewerMessagesQuery, { id: roomId, first: PAGE_SIZE, after }).toPromise();
    if (disposed || run !== loads) return null;
    setLoadingNewer(false);
    const page = result.data?.room?.messages;
    if (!page) return toErrorInfo(result.error, 'The messages of that moment could not be loaded.').message;
    applyNewer(after, page);
    return null;
  };

  const isShown = (messageId: string) => state.items.some((i) => i.kind === 'message' && i.message.id === messageId);

  const jumpToMessage = async (messageId: string, createdAt: string): Promise<boolean | string> => {
    if (isShown(messageId)) return true;
    const at = await readCursorAt(createdAt);
    if (disposed) return false;
    if (typeof at === 'string') return at;
    leavePresent(at.cursor);
    const run = loads;
    const after = at.cursor ?? '0-0';
    setLoadingNewer(true);
    // Both sides at once: the message is the first after its time's cursor, or (clocks apart) just before it.
    const [newer, older] = await Promise.all([
      urql.query(NewerMessagesQuery, { id: roomId, first: AROUND, after }).toPromise(),
      at.cursor === null
        ? Promise.resolve(null)
        : urql.query(OlderMessagesQuery, { id: roomId, last: AROUND, before: toNextCursor(at.cursor) }).toPromise(),
    ]);
    if (disposed || run !== loads) return false;
    setLoadingNewer(false);
    const olderPage = older?.data?.room?.messages;
    if (olderPage) dispatch({ type: 'HistoryLoaded', edges: olderPage.edges, hasPreviousPage: olderPage.pageInfo.hasPreviousPage });
    const page = newer.data?.room?.messages;
    if (!page) return toErrorInfo(newer.error, 'The message could not be found.').message;
    applyNewer(after, page);
    return isShown(messageId);
  };

  const loadNewer = async () => {
    if (loadingNewer() || !state.hasNewer || state.latestCursor === null) return;
    const run = loads;
    const after = state.latestCursor;
    setLoadingNewer(true);
    const result = await urql.query(NewerMessagesQuery, { id: roomId, first: PAGE_SIZE, after }).toPromise();
    if (disposed || run !== loads) return;
    setLoadingNewer(false);
    const page = result.data?.room?.messages;
    if (page) applyNewer(after, page);
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

  // Presence is not replayed: after a reconnect, ask who is here now. One question at a time.
  let askingOnline = false;
  const refreshOnline = async () => {
    if (askingOnline) return;
    askingOnline = true;
    try {
      const result = await urql.query(RoomOnlineQuery, { id: roomId }, { requestPolicy: 'network-only' }).toPromise();
      const users = result.data?.room?.online;
      if (users && !disposed) dispatch({ type: 'OnlineLoaded', users });
    } finally {
      askingOnline = false;
    }
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

  const sendMarkRead = async (cursor: string) => {
    marking = true;
    const result = await urql.mutation(MarkReadMutation, { roomId, upTo: cursor }).toPromise();
    marking = false;
    if (disposed) return;
    if (result.data) {
      if (isPastMarker(cursor, marked)) marked = cursor;
      options.onRead?.(result.data.markRead);
    } else if (toErrorInfo(result.error).code === 'UNAUTHENTICATED') return options.onSessionEnded();
    const next = markNext;
    markNext = null;
    if (next !== null && isPastMarker(next, marked)) void sendMarkRead(next);
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
  const stopRefusals = options.watchRefusals?.((refusedRoomId, error) => {
    if (refusedRoomId !== roomId) return;
    const refused = toRestriction(error);
    if (refused) setRestriction(refused);
  });
  void load();

  return {
    room,
    readable,
    members,
    loadingMembers,
    loadMoreMembers: () => void loadMoreMembers(),
    restriction,
    ended,
    applyMember,
    applyMessage: applyAnswer,
    timeline,
    loadError,
    liveError,
    loadingOlder,
    unseen,
    markSeen: () => setUnseen(0),
    opened,
    markRead(cursor) {
      if (room()?.myMembership !== 'JOINED' || !isPastMarker(cursor, marked)) return;
      if (marking) {
        if (markNext === null || isPastMarker(cursor, markNext)) markNext = cursor;
        return;
      }
      void sendMarkRead(cursor);
    },
    reload: () => void load(),
    loadOlder: () => void loadOlder(),
    send(body, replyTo = null) {
      stopTyping();
      outbox.add({ clientId: newClientId(), roomId, body, createdAt: new Date().toISOString(), replyTo });
    },
    async react(messageId, emoji, add) {
      const result = add
        ? await urql.mutation(ReactMutation, { messageId, emoji }).toPromise()
        : await urql.mutation(UnreactMutation, { messageId, emoji }).toPromise();
      const message = result.data && ('react' in result.data ? result.data.react : result.data.unreact);
      if (!message) return toErrorInfo(result.error, 'The reaction could not be saved.').message;
      // Followed live, the reaction's event brings it in log order (an answer could overtake a newer
      // event from someone else); away from the present no events come, so the answer shows it.
      if (state.hasNewer) applyAnswer(message);
      return null;
    },
    async pin(messageId, pinned) {
      const result = pinned
        ? await urql.mutation(PinMessageMutation, { id: messageId }).toPromise()
        : await urql.mutation(UnpinMessageMutation, { id: messageId }).toPromise();
      const message = result.data && ('pinMessage' in result.data ? result.data.pinMessage : result.data.unpinMessage);
      if (!message)
        return toErrorInfo(result.error, pinned ? 'The message could not be pinned.' : 'The message could not be unpinned.').message;
      applyAnswer(message);
      return null;
    },
    async editHistory(messageId) {
      const result = await urql.query(EditHistoryQuery, { id: messageId }).toPromise();
      const node = result.data?.message;
      if (!node) return toErrorInfo(result.error, 'The history of this message could not be read.').message;
      return toVersions(node.editHistory, { body: node.body, editedAt: node.editedAt, createdAt: node.createdAt });
    },
    watchMessages(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    jumpToTime,
    jumpToMessage,
    async jumpToPresent() {
      await load();
    },
    loadNewer: () => void loadNewer(),
    loadingNewer,
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
      applyAnswer(result.data.editMessage);
      return null;
    },
    async remove(id) {
      const result = await urql.mutation(DeleteMessageMutation, { id }).toPromise();
      if (!result.data) return toErrorInfo(result.error, 'The message could not be deleted.').message;
      applyAnswer(result.data.deleteMessage);
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
      stopRefusals?.();
      stopTyping();
      clearInterval(ticker);
      clearTimeout(liftTimer);
    },
  };
};
