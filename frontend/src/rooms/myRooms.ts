import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import type {
  MyRoomsQuery as MyRoomsResult,
  MyRoomsWithInboxQuery as MyRoomsWithInboxResult,
  UserFieldsFragment,
} from '../graphql/gql/graphql.js';
import {
  type MyRoom,
  type MyRoomsEvent,
  type MyRoomsPage,
  evolveMyRooms,
  findRoom,
  initialMyRooms,
  invitations,
  joinedRooms,
  totalUnread,
} from './myRoomList.js';
import {
  DeclineInviteMutation,
  DirectPeopleQuery,
  InboxSubscription,
  JoinRoomMutation,
  LeaveRoomMutation,
  MyRoomsQuery,
  MyRoomsWithInboxQuery,
  OpenDirectMutation,
} from './operations.js';

export interface MyRoomsOptions {
  onSessionEnded?: () => void;
  /** Rooms per page (at most 100); 50 by default. */
  pageSize?: number;
  /** The viewer's id: a direct conversation's people are the others. */
  viewerId?: string;
  /** Something was posted in one of the viewer's rooms: the room as the list had it (null: not listed), and as it is now. */
  onActivity?: (before: MyRoom | null, after: MyRoom) => void;
}

export interface MyRooms {
  /** Rooms the viewer is in, most recent activity first. */
  joined: Accessor<readonly MyRoom[]>;
  /** Invitations waiting for an answer. */
  invitations: Accessor<readonly MyRoom[]>;
  /** The first read answered (or failed). */
  ready: Accessor<boolean>;
  error: Accessor<string | null>;
  hasMore: Accessor<boolean>;
  loadingMore: Accessor<boolean>;
  loadMore(): void;
  /** Reads the list again (as far as it was loaded). */
  refresh(): void;
  /** The room as the list has it, or null. */
  find(roomId: string): MyRoom | null;
  /** Unread messages in all the viewer's rooms. */
  totalUnread: Accessor<number>;
  /** The other people of a direct conversation (for its avatar), once read; undefined until then. */
  peopleOf(roomId: string): readonly UserFieldsFragment[] | undefined;
  /** A room the viewer made, opened or read: shown at once, as the mutation answered it. */
  add(room: MyRoom): void;
  /** The viewer's direct conversation with these people; answers the room, or an error message. */
  openDirect(handles: string[]): Promise<MyRoom | string>;
  /** Accepts an invitation (or joins a public room); answers an error message, or null. */
  join(roomId: string): Promise<string | null>;
  decline(roomId: string): Promise<string | null>;
  leave(roomId: string): Promise<string | null>;
  dispose(): void;
}

const PAGE_MAX = 100;

const toPage = (data: MyRoomsResult | MyRoomsWithInboxResult): MyRoomsPage => ({
  rooms: data.myRooms.edges.map((e) => e.node),
  hasNextPage: data.myRooms.pageInfo.hasNextPage,
  endCursor: data.myRooms.pageInfo.endCursor,
});

/**
 * The viewer's own rooms for the sidebar, live: `myRooms` (joined and invited rooms of every kind,
 * with counts) and `inboxCursor` in one query, then `inbox` after that cursor (activity, reads on
 * any device, invitations, joins, removals, renames; each event's room as it stands when sent, so
 * it simply replaces what the list had). The client resumes the subscription from its newest cursor
 * after a reconnect; a cursor the server no longer keeps (CURSOR_EXPIRED) means reading the list
 * again and following from its new cursor. What the viewer does (accept, decline, leave, open a
 * conversation, read) shows at once, before its inbox event.
 */
export const createMyRooms = (client: GraphQLClient, options: MyRoomsOptions = {}): MyRooms => {
  const pageSize = Math.min(options.pageSize ?? 50, PAGE_MAX);
  let state = initialMyRooms;
  const [list, setList] = createSignal(state);
  const [people, setPeople] = createSignal<ReadonlyMap<string, readonly UserFieldsFragment[]>>(new Map());
  const askedPeople = new Set<string>();
  /** A direct conversation's people, read once per room (never inside the list: see DirectPeopleQuery). */
  const readPeople = async (roomId: string) => {
    askedPeople.add(roomId);
    const result = await client.urql.query(DirectPeopleQuery, { id: roomId }).toPromise();
    const members = result.data?.room?.members.edges;
    if (disposed) return;
    if (!members) return void askedPeople.delete(roomId); // asked again with the next change of the list
    const others = members.map((e) => e.node.user).filter((u) => u.id !== options.viewerId);
    setPeople((map) => new Map(map).set(roomId, others));
  };
  const dispatch = (event: MyRoomsEvent) => {
    state = evolveMyRooms(state, event);
    setList(state);
    for (const room of state.rooms)
      if (room.kind === 'DIRECT' && room.myMembership === 'JOINED' && !askedPeople.has(room.id)) void readPeople(room.id);
  };
  const [ready, setReady] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  let disposed = false;
  let generation = 0;
  let subscription: { unsubscribe(): void } | null = null;

  const toMessage = (e: Parameters<typeof toErrorInfo>[0], fallback: string) => {
    const info = toErrorInfo(e, fallback);
    if (info.code === 'UNAUTHENTICATED') options.onSessionEnded?.();
    return info.message;
  };

  const follow = (after: string) => {
    subscription = client.urql.subscription(InboxSubscription, { after }).subscribe((result) => {
      const event = result.data?.inbox;
      if (event) {
        const before = findRoom(state, event.room.id);
        dispatch({ type: 'InboxEventReceived', kind: event.kind, room: event.room });
        if (event.kind === 'ACTIVITY') options.onActivity?.(before, event.room);
        return;
      }
      if (!result.error) return;
      subscription = null;
      // The inbox no longer holds our cursor: read the list again, and follow from its cursor.
      if (toErrorInfo(result.error).code === 'CURSOR_EXPIRED') void load();
      else setError(toMessage(result.error, 'Live updates of your rooms stopped.'));
    });
  };

  /** Reads the list (as far as it was loaded) with the inbox's cursor, and follows the inbox from there. */
  const load = async () => {
    const run = ++generation;
    subscription?.unsubscribe();
    subscription = null;
    // As far as the list was loaded, so a reread shrinks nothing.
    const first = Math.min(PAGE_MAX, Math.max(pageSize, state.rooms.length));
    const result = await client.urql.query(MyRoomsWithInboxQuery, { first }).toPromise();
    if (disposed || run !== generation) return;
    setReady(true);
    if (!result.data) return setError(toMessage(result.error, 'Your rooms could not be loaded.'));
    setError(null);
    dispatch({ type: 'FirstPageLoaded', page: toPage(result.data) });
    // Only an inbox that never had anything starts at "0-0".
    follow(result.data.inboxCursor ?? '0-0');
  };

  const loadMore = async () => {
    if (loadingMore() || !state.hasNextPage || state.endCursor === null) return;
    const run = generation;
    setLoadingMore(true);
    const result = await client.urql.query(MyRoomsQuery, { first: pageSize, after: state.endCursor }).toPromise();
    setLoadingMore(false);
    if (disposed || run !== generation) return;
    if (!result.data) return setError(toMessage(result.error, 'More of your rooms could not be loaded.'));
    dispatch({ type: 'NextPageLoaded', page: toPage(result.data) });
  };

  void load();

  return {
    joined: () => joinedRooms(list()),
    invitations: () => invitations(list()),
    ready,
    error,
    hasMore: () => list().hasNextPage && list().endCursor !== null,
    loadingMore,
    loadMore: () => void loadMore(),
    refresh: () => void load(),
    find: (roomId) => findRoom(list(), roomId),
    totalUnread: () => totalUnread(list()),
    peopleOf: (roomId) => people().get(roomId),
    add: (room) => dispatch({ type: 'RoomChanged', room }),
    async openDirect(handles) {
      const result = await client.urql.mutation(OpenDirectMutation, { handles }).toPromise();
      if (!result.data) return toMessage(result.error, 'The conversation could not be opened.');
      dispatch({ type: 'RoomChanged', room: result.data.openDirect });
      return result.data.openDirect;
    },
    async join(roomId) {
      const result = await client.urql.mutation(JoinRoomMutation, { roomId }).toPromise();
      if (!result.data) return toMessage(result.error, 'The room could not be joined.');
      dispatch({ type: 'RoomChanged', room: result.data.joinRoom });
      return null;
    },
    async decline(roomId) {
      const result = await client.urql.mutation(DeclineInviteMutation, { roomId }).toPromise();
      if (!result.data) return toMessage(result.error, 'The invitation could not be declined.');
      dispatch({ type: 'RoomRemoved', roomId });
      return null;
    },
    async leave(roomId) {
      const result = await client.urql.mutation(LeaveRoomMutation, { roomId }).toPromise();
      if (!result.data) return toMessage(result.error, 'The room could not be left.');
      dispatch({ type: 'RoomRemoved', roomId });
      return null;
    },
    dispose() {
      disposed = true;
      subscription?.unsubscribe();
    },
  };
};
