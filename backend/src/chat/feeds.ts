import type { PostedMessage } from '../domain/message/message.js';
import { decodeMemberEvent } from '../domain/member/events.js';
import type { Member } from '../domain/member/member.js';
import { MEMBER_EVENTS } from '../projections/members.js';
import type { InboxKind } from '../projections/inbox/activity.js';
import { toInboxKey } from '../projections/keys.js';
import { type MessageEvent, decodeMessageEvent } from '../domain/message/events.js';
import { type ReactionEvent, decodeReactionEvent } from '../domain/reaction/events.js';
import { REACTION_EVENTS } from '../projections/reactions.js';
import type { RoomState } from '../domain/room/room.js';
import { type RoomEvent, decodeRoomEvent } from '../domain/room/events.js';
import type { Cursor, EventStore, RecordedEvent } from '../eventstore/eventStore.js';
import { lobbyActivityKey, toRoomActivityKey } from '../presence/keys.js';
import { type RoomActivityType, decodeOnlineCountChanged, decodeRoomActivity } from '../presence/activity.js';
import { createMappedTailer } from '../streaming/mappedTailer.js';
import { type MergeHooks, mergeMapped } from '../streaming/mergeMapped.js';
import type { PushableIterator } from '../streaming/push.js';
import { type MappedSource, openStreamSubscription } from '../streaming/subscribeToStream.js';
import { toMessageRoomId } from './ids.js';
import { requirePositionOf } from './positions.js';
import { lobbyStreamKey, roomSnapshotsKey, toMessageSnapshotsKey, toRoomStreamKey } from './keys.js';
import { type ChatQueries, type MessageView, type RoomView, type UserView, parseCursor, toRoomView } from './queries.js';

/**
 * One logged event of a room, as subscribers see it: the message in its current state, with its
 * author, so that rendering it reads nothing more (and can be done without waiting).
 */
export interface RoomLogEntry {
  kind: 'MessagePosted' | 'MessageEdited' | 'MessageDeleted';
  cursor: Cursor;
  at: string;
  message: MessageView & { author: UserView };
}

/** A reaction added or taken back: the message as it is now, who reacted, with what. */
export interface ReactionEntry {
  kind: ReactionEvent['type'];
  cursor: Cursor;
  at: string;
  message: MessageView & { author: UserView };
  user: UserView;
  emoji: string;
}

/** A message pinned or unpinned: the message as it is now, and who did it. */
export interface PinEntry {
  kind: 'MessagePinned' | 'MessageUnpinned';
  cursor: Cursor;
  at: string;
  message: MessageView & { author: UserView };
  by: UserView;
}

/** An event that happened to a person in a room; never logged, never replayed. */
export interface EphemeralEntry {
  kind: RoomActivityType;
  cursor: null;
  at: string;
  user: UserView;
}

/** Several people came or went at once: the lists may be cut short in big rooms, the count is exact. */
export interface PresenceEntry {
  kind: 'PresenceChanged';
  cursor: null;
  at: string;
  joined: UserView[];
  left: UserView[];
  onlineCount: number;
}

/** A membership changed (a join, a kick, a role…): the member as it is after, who did it, and why. */
export interface MemberEntry {
  kind: 'MembershipChanged';
  cursor: Cursor;
  at: string;
  member: Member;
  byId: string;
  reason: string | null;
}

/** What a room's log holds, as subscribers see it. */
export type LoggedEntry = RoomLogEntry | ReactionEntry | PinEntry | MemberEntry;
export type RoomEventEntry = LoggedEntry | EphemeralEntry | PresenceEntry;

/** One change to a person's room list, with the room as it is now. */
export interface InboxEntry {
  kind: InboxKind;
  cursor: Cursor;
  at: string;
  room: RoomView;
}

export type LobbyEntry =
  | { kind: RoomEvent['type']; cursor: Cursor; at: string; room: RoomView }
  | { kind: 'OnlineCountChanged'; cursor: null; at: string; room: RoomView };

export interface ChatFeeds {
  /**
   * Logged events of a room after `after` (default: from now), then live ones (see
   * `openStreamSubscription`), interleaved with live ephemeral ones. `onEnd` runs once when it ends.
   */
  openRoomEvents(
    roomId: string,
    after: string | null,
    /** Called as methods: `onEnd` once when it ends; `stopAfter`'s error ends it right after that entry (a subscriber's own kick or ban). */
    hooks?: MergeHooks<RoomEventEntry>,
  ): Promise<AsyncIterableIterator<RoomEventEntry>>;
  /** The viewer's room list as it changes (their inbox), resumable like room events. */
  openInbox(userId: string, after: string | null): Promise<AsyncIterableIterator<InboxEntry>>;
  /** Rooms created and renamed (resumable like room events), and live online-count changes. */
  openLobbyEvents(after: string | null): Promise<AsyncIterableIterator<LobbyEntry>>;
}

/** A subscriber's entry with the position of the event it came from. */
interface Placed<E> {
  cursor: Cursor;
  entry: E;
}

/** One function for every subscriber: a closure per subscription would be kept as long as it lives. */
const toEntry = <E>(placed: Placed<E>): E => placed.entry;

/** When a message event happened, as its data says (ordering comes from cursors, never from this). */
const timeOfMessageEvent = (event: MessageEvent | ReactionEvent): string => {
  switch (event.type) {
    case 'MessagePosted':
      return event.data.postedAt;
    case 'MessageEdited':
      return event.data.editedAt;
    case 'MessageDeleted':
      return event.data.deletedAt;
    default:
      return event.data.at;
  }
};

/** The person a message event names beside the author: who reacted, who pinned. */
const otherUserOf = (event: MessageEvent | ReactionEvent): string | null => {
  switch (event.type) {
    case 'ReactionAdded':
    case 'ReactionRemoved':
      return event.data.userId;
    case 'MessagePinned':
    case 'MessageUnpinned':
      return event.data.by;
    default:
      return null;
  }
};

const timeOfRoomEvent = (event: RoomEvent): string => (event.type === 'RoomCreated' ? event.data.createdAt : event.data.renamedAt);

/**
 * The application's live side: what a room's and the lobby's subscribers receive, each event
 * mapped once per process (with the message and its author already read) for every subscriber.
 */
export const createChatFeeds = (
  store: EventStore,
  queries: ChatQueries,
  /** Keeps telling the inbox projector that someone's inbox is followed, until the function it answers is called. */
  listenInbox: (userId: string) => Promise<() => void> = async () => () => {},
): ChatFeeds => {
  const { getUsers } = queries;
  // Mappers from events to what subscribers receive: one batch read per batch of events. Each
  // entry is positioned by its event's id (an ephemeral entry shows no cursor, but has one).

  /** A room log's events: messages (read with their authors, in one go) and membership changes, in log order. */
  const toRoomLogEntries = async (recorded: RecordedEvent[]): Promise<Placed<LoggedEntry>[]> => {
    const placed: Placed<LoggedEntry>[] = new Array(recorded.length);
    const messages: RecordedEvent[] = [];
    const at: number[] = [];
    recorded.forEach((event, i) => {
      if (!MEMBER_EVENTS.has(event.type)) {
        messages.push(event);
        at.push(i);
        return;
      }
      const { data } = decodeMemberEvent(event);
      const { action: _, by, reason, at: when, ...member } = data;
      placed[i] = { cursor: event.cursor, entry: { kind: 'MembershipChanged', cursor: event.cursor, at: when, member, byId: by, reason } };
    });
    if (messages.length > 0) {
      for (const [j, entry] of (await toMessageEntries(messages)).entries()) placed[at[j]!] = entry;
    }
    return placed;
  };

  /** Events about messages (posts, edits, deletions, pins, reactions): each message and person read once for the batch. */
  const toMessageEntries = async (recorded: RecordedEvent[]): Promise<Placed<RoomLogEntry | ReactionEntry | PinEntry>[]> => {
    const events = recorded.map((event) => (REACTION_EVENTS.has(event.type) ? decodeReactionEvent(event) : decodeMessageEvent(event)));
    const ids = [...new Set(events.map((event) => event.data.messageId))];
    const roomId = ids[0] === undefined ? null : toMessageRoomId(ids[0]);
    const snapshots = roomId ? await store.readSnapshots<PostedMessage>(toMessageSnapshotsKey(roomId), ids) : [];
    const messages = new Map(
      snapshots.map((snapshot, i) => {
        if (!snapshot) throw new Error(`message ${ids[i]} has no snapshot`);
        return [ids[i]!, snapshot.state] as const;
      }),
    );
    const users = await getUsers([
      ...[...messages.values()].map((message) => message.authorId),
      ...events.flatMap((e) => otherUserOf(e) ?? []),
    ]);
    return events.map((event, i) => {
      const state = messages.get(event.data.messageId)!;
      const message = { ...state, author: users.get(state.authorId)! };
      const { cursor } = recorded[i]!;
      const at = timeOfMessageEvent(event);
      switch (event.type) {
        case 'ReactionAdded':
        case 'ReactionRemoved':
          return { cursor, entry: { kind: event.type, cursor, at, message, user: users.get(event.data.userId)!, emoji: event.data.emoji } };
        case 'MessagePinned':
        case 'MessageUnpinned':
          return { cursor, entry: { kind: event.type, cursor, at, message, by: users.get(event.data.by)! } };
        default:
          return { cursor, entry: { kind: event.type, cursor, at, message } };
      }
    });
  };

  const toEphemeralEntries = async (recorded: RecordedEvent[]): Promise<Placed<EphemeralEntry | PresenceEntry>[]> => {
    const activities = recorded.map(decodeRoomActivity);
    const users = await getUsers(
      activities.flatMap((activity) => (activity.type === 'PresenceChanged' ? [...activity.joined, ...activity.left] : [activity.userId])),
    );
    const toUsers = (ids: string[]) => ids.map((id) => users.get(id)!);
    return activities.map((activity, i) => ({
      cursor: recorded[i]!.cursor,
      entry:
        activity.type === 'PresenceChanged'
          ? {
              kind: activity.type,
              cursor: null,
              at: activity.at,
              joined: toUsers(activity.joined),
              left: toUsers(activity.left),
              onlineCount: activity.onlineCount,
            }
          : { kind: activity.type, cursor: null, at: activity.at, user: users.get(activity.userId)! },
    }));
  };

  /** Null for what only public rooms show there: private and direct rooms are in nobody's lobby. */
  const toLobbyEntries = async (recorded: RecordedEvent[]): Promise<Placed<LobbyEntry | null>[]> => {
    // The lobby's log and its activity stream share this mapper: logged room events, and online counts.
    const events = recorded.map((event) =>
      event.type === 'OnlineCountChanged' ? decodeOnlineCountChanged(event) : decodeRoomEvent(event),
    );
    const roomIds = events.map((event) => (event.type === 'OnlineCountChanged' ? event.roomId : event.data.roomId));
    const snapshots = await store.readSnapshots<RoomState>(roomSnapshotsKey, roomIds);
    return events.map((event, i) => {
      const room = snapshots[i] && toRoomView(snapshots[i].state);
      if (!room) throw new Error(`room ${roomIds[i]} has no snapshot`);
      const { cursor } = recorded[i]!;
      if (room.kind !== 'PUBLIC') return { cursor, entry: null };
      const entry: LobbyEntry =
        event.type === 'OnlineCountChanged'
          ? { kind: 'OnlineCountChanged', cursor: null, at: event.at, room }
          : { kind: event.type, cursor, at: timeOfRoomEvent(event), room };
      return { cursor, entry };
    });
  };

  const toInboxEntries = async (recorded: RecordedEvent[]): Promise<Placed<InboxEntry>[]> => {
    const roomIds = recorded.map((event) => (event.data as { roomId: string }).roomId);
    const snapshots = await store.readSnapshots<RoomState>(roomSnapshotsKey, roomIds);
    return recorded.map((event, i) => {
      const room = snapshots[i] && toRoomView(snapshots[i].state);
      if (!room) throw new Error(`room ${roomIds[i]} has no snapshot`);
      const at = new Date(Number(event.cursor.slice(0, event.cursor.indexOf('-')))).toISOString();
      return { cursor: event.cursor, entry: { kind: event.type as InboxKind, cursor: event.cursor, at, room } };
    });
  };

  /** One follow per stream in this process, each event mapped once for every subscriber. */
  const sourceOf = <E>(map: (events: RecordedEvent[]) => Promise<Placed<E>[]>): MappedSource<Placed<E>> => ({
    tailer: createMappedTailer(store.tailer, map),
    map,
  });
  const sources = {
    roomLog: sourceOf(toRoomLogEntries),
    roomActivity: sourceOf(toEphemeralEntries),
    lobby: sourceOf(toLobbyEntries),
    inbox: sourceOf(toInboxEntries),
  };

  /** A log from `after`, merged with the live ephemeral stream beside it; the entries, shared by all subscribers. */
  const openMerged = async <E>(
    log: { stream: string; source: MappedSource<Placed<E | null>>; what: string },
    activity: { stream: string; source: MappedSource<Placed<E | null>> },
    after: string | null,
    hooks?: MergeHooks<E>,
  ): Promise<AsyncIterableIterator<E>> => {
    const from = after === null ? null : await requirePositionOf(store, log.stream, parseCursor(after, 'after'), 'after', log.what);
    const logged = await openStreamSubscription(store, log.stream, { after: from }, log.source);
    let live: PushableIterator<Placed<E | null>>;
    try {
      live = await openStreamSubscription(store, activity.stream, { after: null }, activity.source);
    } catch (error) {
      await logged.return?.();
      throw error;
    }
    return mergeMapped<Placed<E | null>, E>([logged, live], toEntry, hooks);
  };

  return {
    openRoomEvents: (roomId, after, hooks) =>
      openMerged<RoomEventEntry>(
        { stream: toRoomStreamKey(roomId), source: sources.roomLog, what: 'this room' },
        { stream: toRoomActivityKey(roomId), source: sources.roomActivity },
        after,
        hooks,
      ),
    openInbox: async (userId, after) => {
      const stream = toInboxKey(userId);
      const from = after === null ? null : await requirePositionOf(store, stream, parseCursor(after, 'after'), 'after', 'your inbox');
      // Listening first: room activity reaches the inboxes of listeners (the others catch up later).
      const stopListening = await listenInbox(userId);
      let inbox: PushableIterator<Placed<InboxEntry>>;
      try {
        inbox = await openStreamSubscription(store, stream, { after: from }, sources.inbox);
      } catch (error) {
        stopListening();
        throw error;
      }
      return mergeMapped([inbox], toEntry, { onEnd: stopListening });
    },
    openLobbyEvents: (after) =>
      openMerged(
        { stream: lobbyStreamKey, source: sources.lobby, what: 'the lobby' },
        { stream: lobbyActivityKey, source: sources.lobby },
        after,
      ),
  };
};
