import type { ChatCommands } from '../chat/commands.js';
import type { ChatFeeds } from '../chat/feeds.js';
import type { Cursor } from '../eventstore/eventStore.js';
import type { ChatQueries, RoomHead, RoomView, UserView } from '../chat/queries.js';
import type { Access } from '../chat/policy.js';
import type { MemberState } from '../domain/member/member.js';
import type { UnreadCounts } from '../projections/unread.js';
import type { ThreadInfo } from '../projections/threads.js';
import type { TallyGroup } from '../eventstore/tallies.js';
import type { Presence } from '../presence/presence.js';
import type { MessageSearch } from '../chat/search.js';
import { UnauthenticatedError } from './errors.js';

/** Who is calling: the signed-in user and the session that proves it. */
export interface Viewer {
  userId: string;
  sessionId: string;
}

export interface GraphQLContext {
  viewer: Viewer | null;
  /**
   * Set by a subscription's resolver whose events render differently for each viewer whatever the
   * document selects (a direct room's name): its renders are then not shared with other viewers.
   */
  renderPerViewer?: boolean;
  commands: ChatCommands;
  queries: ChatQueries;
  feeds: ChatFeeds;
  presence: Presence;
  search: MessageSearch;
  /** Users by id, each read once per operation. */
  loadUser(userId: string): Promise<UserView | null>;
  /** The lobby log's cursor, read once per operation, at the first call. */
  loadLobbyCursor(): Promise<Cursor | null>;
  /** The room directory's checkpoint (see `readRoomDirectoryCursor`), read once per operation, at the first call. */
  loadDirectoryCursor(): Promise<Cursor | null>;
  /** A room's online count; the calls of one moment (a page of rooms) share one round trip. */
  loadOnlineCount(roomId: string): Promise<number>;
  /** What the policy decides from: the room and the viewer's own member state in it, read once per operation. */
  loadAccess(room: RoomView): Promise<Access>;
  /** A room's last message, read once per moment (lastMessage and lastActivityAt share it). */
  loadLastMessage(room: RoomView): ReturnType<ChatQueries['readLastMessage']>;
  /** The viewer's inbox position, read once per operation, at the first call (null: nothing yet). */
  loadInboxCursor(): Promise<Cursor | null>;
  /** The viewer's unread counts in a room (null when signed out); the calls of one moment share one round trip. */
  loadUnread(room: RoomView): Promise<UnreadCounts | null>;
  /**
   * Reads at once, for a page of rooms being read (myRooms' `onPage`), what their fields will load: the
   * viewer's member state in each, and as asked their counts and last messages: one script per
   * room (`readRoomHeads`), all in one round trip, rather than the three reads per room and the
   * several round trips that resolving field by field takes (a member state before the counts,
   * the viewer's handle before the counts). `loadAccess`, `loadUnread` and `loadLastMessage`
   * answer these rooms from it for the rest of the operation: a query's resolvers only (a
   * subscription's context outlives its events). Signed out: nothing.
   */
  primeRooms(roomIds: readonly string[], what: { counts: boolean; lastMessage: boolean }): void;
  /** A message's thread; the calls of one moment share one round trip per room. */
  loadThread(message: { id: string; roomId: string }): Promise<ThreadInfo>;
  /** A message's reactions by emoji; the calls of one moment share one round trip per room. */
  loadReactionGroups(message: { id: string; roomId: string }): Promise<TallyGroup[]>;
  /** The emoji the viewer reacted with to a message (none when signed out); shared like the others. */
  loadOwnReactions(message: { id: string; roomId: string }): Promise<Set<string>>;
}

/** What `primeRooms` read for one room of a page (each promise as its loader would answer). */
interface PrimedRoom {
  member: Promise<MemberState>;
  unread?: Promise<RoomHead['unread']>;
  lastMessage?: ReturnType<ChatQueries['readLastMessage']>;
}

/**
 * A read made ahead of the resolvers that may never ask for it (a counts field of a room the
 * viewer is only invited to): its failure reaches whoever awaits it, and is no unhandled rejection
 * when nobody does.
 */
const settled = <T>(promise: Promise<T>): Promise<T> => {
  promise.catch(() => {});
  return promise;
};

/**
 * Loads for messages asked in one moment (the resolvers of a page run in one go), one batch per
 * room: the batch leaves once they all asked, and each gets its own answer.
 */
const byRoomPerMoment = <V>(load: (roomId: string, messageIds: string[]) => Promise<V[]>) => {
  let batch: Map<string, { ids: string[]; at: Map<string, number>; values: Promise<V[]> }> | null = null;
  return (message: { id: string; roomId: string }): Promise<V> => {
    if (!batch) {
      batch = new Map();
      const current = batch;
      queueMicrotask(() => {
        if (batch === current) batch = null;
      });
    }
    let room = batch.get(message.roomId);
    if (!room) {
      const ids: string[] = [];
      room = { ids, at: new Map(), values: Promise.resolve().then(() => load(message.roomId, ids)) };
      batch.set(message.roomId, room);
    }
    // Asked again for the same message (replyCount and lastReplyAt both ask): read once.
    let at = room.at.get(message.id);
    if (at === undefined) room.at.set(message.id, (at = room.ids.push(message.id) - 1));
    const index = at;
    return room.values.then((values) => values[index]!);
  };
};

type Loaders =
  | 'loadUser'
  | 'loadLobbyCursor'
  | 'loadDirectoryCursor'
  | 'loadOnlineCount'
  | 'loadAccess'
  | 'loadUnread'
  | 'primeRooms'
  | 'loadInboxCursor'
  | 'loadLastMessage'
  | 'loadThread'
  | 'loadReactionGroups'
  | 'loadOwnReactions';

export const createContext = (base: Omit<GraphQLContext, Loaders>): GraphQLContext => {
  // Made at the first load: most operations (a post, a subscription's start) load no user.
  let users: Map<string, Promise<UserView | null>> | undefined;
  let lobbyCursor: Promise<Cursor | null> | undefined;
  let directoryCursor: Promise<Cursor | null> | undefined;
  let onlineBatch: { roomIds: string[]; counts: Promise<number[]> } | null = null;
  let members: Map<string, Promise<MemberState>> | undefined;
  let unreadBatch: { rooms: RoomView[]; counts: Promise<UnreadCounts[]> } | null = null;
  let inboxCursor: Promise<Cursor | null> | undefined;
  let lastMessages: Map<string, ReturnType<ChatQueries['readLastMessage']>> | undefined;
  let memberBatch: { roomIds: string[]; states: Promise<MemberState[]> } | null = null;
  /**
   * What `primeRooms` read, by room id, for the rest of the operation (a query's: one read of the
   * page): unlike the per-moment caches, their resolvers find it however late they run.
   */
  let primed: Map<string, PrimedRoom> | undefined;
  /** The viewer's member states asked in one moment (a page of rooms): one round trip. */
  const loadMember = (roomId: string, viewerId: string): Promise<MemberState> => {
    if (!memberBatch) {
      const roomIds: string[] = [];
      const states = Promise.resolve().then(() => {
        memberBatch = null;
        return roomIds.length === 1
          ? Promise.all([base.queries.getMember(roomIds[0]!, viewerId)])
          : base.queries.getMembers(roomIds, viewerId);
      });
      memberBatch = { roomIds, states };
    }
    const at = memberBatch.roomIds.push(roomId) - 1;
    return memberBatch.states.then((states) => states[at]!);
  };
  const context: GraphQLContext = {
    ...base,
    loadThread: byRoomPerMoment((roomId, ids) => base.queries.readThreads(roomId, ids)),
    loadReactionGroups: byRoomPerMoment((roomId, ids) => base.queries.readReactionGroups(roomId, ids)),
    loadOwnReactions: byRoomPerMoment(async (roomId, ids) =>
      base.viewer ? base.queries.readOwnReactions(roomId, base.viewer.userId, ids) : ids.map(() => new Set<string>()),
    ),
    loadLastMessage: (room) => {
      const early = primed?.get(room.id)?.lastMessage;
      if (early) return early;
      const roomId = room.id;
      if (!lastMessages) {
        // One moment only, like member states: a subscription's next event must see the next message.
        lastMessages = new Map();
        setImmediate(() => {
          lastMessages = undefined;
        });
      }
      let message = lastMessages.get(roomId);
      if (!message) lastMessages.set(roomId, (message = base.queries.readLastMessage(roomId)));
      return message;
    },
    loadInboxCursor: () => (inboxCursor ??= base.viewer ? base.queries.readInboxCursor(base.viewer.userId) : Promise.resolve(null)),
    loadUnread: (room) => {
      const viewer = base.viewer;
      if (!viewer) return Promise.resolve(null);
      const early = primed?.get(room.id)?.unread;
      if (early) return early.then((unread) => unread(room.kind));
      if (!unreadBatch) {
        const rooms: RoomView[] = [];
        // Resolvers of one list run in one go: the batch leaves once they all asked.
        const counts = Promise.resolve().then(async () => {
          unreadBatch = null;
          const user = await context.loadUser(viewer.userId);
          return base.queries.readUnread({ userId: viewer.userId, handle: user?.handle ?? '' }, rooms);
        });
        unreadBatch = { rooms, counts };
      }
      const at = unreadBatch.rooms.push(room) - 1;
      return unreadBatch.counts.then((counts) => counts[at]!);
    },
    loadAccess: async (room) => {
      const viewerId = base.viewer?.userId ?? null;
      if (!members) {
        // Shared by the resolvers of one moment only: a subscription's renders reuse a context for a
        // while, and a membership (a kick, a read) must show in the very next event's answers.
        members = new Map();
        setImmediate(() => {
          members = undefined;
        });
      }
      let member = primed?.get(room.id)?.member ?? members.get(room.id);
      if (!member) {
        member = viewerId ? loadMember(room.id, viewerId) : Promise.resolve({ status: 'none' } as const);
        members.set(room.id, member);
      }
      return { room, viewerId, member: await member, now: new Date().toISOString() };
    },
    primeRooms: (roomIds, what) => {
      const viewer = base.viewer;
      if (!viewer || roomIds.length === 0) return;
      // One script per room in one round trip; the handle (for mentions) was read beside the rooms.
      const heads = (what.counts ? context.loadUser(viewer.userId) : Promise.resolve(null)).then((user) =>
        base.queries.readRoomHeads({ userId: viewer.userId, handle: what.counts ? (user?.handle ?? '') : null }, roomIds, what),
      );
      primed ??= new Map();
      for (const [i, roomId] of roomIds.entries()) {
        const head = heads.then((all) => all[i]!);
        const entry: PrimedRoom = { member: settled(head.then((h) => h.member)) };
        if (what.counts) entry.unread = settled(head.then((h) => h.unread));
        if (what.lastMessage) entry.lastMessage = settled(head.then((h) => h.lastMessage));
        primed.set(roomId, entry);
      }
    },
    loadLobbyCursor: () => (lobbyCursor ??= base.queries.readLobbyCursor()),
    loadDirectoryCursor: () => (directoryCursor ??= base.queries.readRoomDirectoryCursor()),
    loadOnlineCount: (roomId) => {
      if (!onlineBatch) {
        const roomIds: string[] = [];
        // Resolvers of one list run in one go: the batch leaves once they all asked.
        const counts = Promise.resolve().then(() => {
          onlineBatch = null;
          return base.presence.countOnline(roomIds);
        });
        onlineBatch = { roomIds, counts };
      }
      const at = onlineBatch.roomIds.push(roomId) - 1;
      return onlineBatch.counts.then((counts) => counts[at]!);
    },
    loadUser: (userId) => {
      users ??= new Map();
      let user = users.get(userId);
      if (!user) users.set(userId, (user = base.queries.getUser(userId)));
      return user;
    },
  };
  return context;
};

export const requireViewer = (context: GraphQLContext): Viewer => {
  if (!context.viewer) throw new UnauthenticatedError();
  return context.viewer;
};
