import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import type { MyRoomsQuery as MyRoomsResult, UserFieldsFragment } from '../graphql/gql/graphql.js';
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
  JoinRoomMutation,
  LeaveRoomMutation,
  MyRoomsQuery,
  OpenDirectMutation,
} from './operations.js';

export interface MyRoomsOptions {
  onSessionEnded?: () => void;
  /** Rooms per page (at most 100); 50 by default. */
  pageSize?: number;
  /** How often the list is read again while the page is visible (invitations from others show up); 20 s by default, 0 never. */
  refreshEveryMs?: number;
  /** Whether the page is visible: nothing is read in the background while it is not. */
  isVisible?: () => boolean;
  /** The viewer's id: a direct conversation's people are the others. */
  viewerId?: string;
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

const toPage = (data: MyRoomsResult): MyRoomsPage => ({
  rooms: data.myRooms.edges.map((e) => e.node),
  hasNextPage: data.myRooms.pageInfo.hasNextPage,
  endCursor: data.myRooms.pageInfo.endCursor,
});

/**
 * The viewer's own rooms for the sidebar: `myRooms` (joined and invited rooms of every kind), read
 * on start, after a reconnect, when the page comes back into view and every little while (an
 * invitation from someone else has no event of its own here), and changed at once by what the
 * viewer does (accept, decline, leave, open a conversation).
 */
export const createMyRooms = (client: GraphQLClient, options: MyRoomsOptions = {}): MyRooms => {
  const pageSize = Math.min(options.pageSize ?? 50, PAGE_MAX);
  const isVisible = options.isVisible ?? (() => true);
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

  const toMessage = (e: Parameters<typeof toErrorInfo>[0], fallback: string) => {
    const info = toErrorInfo(e, fallback);
    if (info.code === 'UNAUTHENTICATED') options.onSessionEnded?.();
    return info.message;
  };

  const load = async () => {
    const run = ++generation;
    // As far as the list was loaded, so a reread shrinks nothing.
    const first = Math.min(PAGE_MAX, Math.max(pageSize, state.rooms.length));
    const result = await client.urql.query(MyRoomsQuery, { first, after: null }).toPromise();
    if (disposed || run !== generation) return;
    setReady(true);
    if (!result.data) return setError(toMessage(result.error, 'Your rooms could not be loaded.'));
    setError(null);
    dispatch({ type: 'FirstPageLoaded', page: toPage(result.data) });
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

  const refreshEveryMs = options.refreshEveryMs ?? 20_000;
  const timer = refreshEveryMs > 0 ? setInterval(() => isVisible() && void load(), refreshEveryMs) : undefined;
  const stopReconnects = client.onReconnected(() => void load());
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
      clearInterval(timer);
      stopReconnects();
    },
  };
};
