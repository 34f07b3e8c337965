import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import { CreateRoomMutation, LobbyEventsSubscription, RoomsQuery } from './operations.js';
import { type RoomListEvent, type RoomSummary, evolveRoomList } from './roomList.js';

export interface RoomDirectory {
  rooms: Accessor<readonly RoomSummary[]>;
  /** The first read finished (or failed). */
  ready: Accessor<boolean>;
  error: Accessor<string | null>;
  /** Creates a room, or finds the one of that name; answers it, or an error message. */
  createRoom(name: string): Promise<RoomSummary | string>;
  dispose(): void;
}

/**
 * The live room list of the signed-in page: `rooms` with the lobby cursor it was read at, then
 * `lobbyEvents` after that cursor (nothing created meanwhile is missed, and nothing older is
 * replayed; the client then keeps its cursor for reconnects). Online counts are not logged, so they
 * are read again after a reconnect.
 */
export const createRoomDirectory = (client: GraphQLClient, options: { onSessionEnded?: () => void } = {}): RoomDirectory => {
  const [rooms, setRooms] = createSignal<readonly RoomSummary[]>([]);
  const [ready, setReady] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const dispatch = (event: RoomListEvent) => setRooms((current) => evolveRoomList(current, event));

  let subscription: { unsubscribe(): void } | null = null;
  let disposed = false;
  /** From the cursor the list was read at; from the log's start when the first read failed. */
  const follow = (after: string) => {
    subscription = client.urql.subscription(LobbyEventsSubscription, { after }).subscribe((result) => {
      const event = result.data?.lobbyEvents;
      if (event) dispatch({ type: event.kind, room: event.room });
      else if (!result.error) return;
      else if (toErrorInfo(result.error).code === 'UNAUTHENTICATED') options.onSessionEnded?.();
      else setError(toErrorInfo(result.error, 'Live updates stopped.').message);
    });
  };

  const load = async () => {
    const result = await client.urql.query(RoomsQuery, {}).toPromise();
    if (result.data) {
      dispatch({ type: 'RoomsLoaded', rooms: result.data.rooms });
      setError(null);
    } else if (result.error) {
      setError(toErrorInfo(result.error, 'The rooms could not be loaded.').message);
    }
    setReady(true);
    if (!subscription && !disposed) follow(result.data?.lobbyCursor ?? '0-0');
  };

  const stopReconnects = client.onReconnected(() => void load());
  void load();

  return {
    rooms,
    ready,
    error,
    async createRoom(name) {
      const result = await client.urql.mutation(CreateRoomMutation, { name }).toPromise();
      if (result.data) {
        dispatch({ type: 'ROOM_CREATED', room: result.data.createRoom });
        return result.data.createRoom;
      }
      return toErrorInfo(result.error, 'The room could not be created.').message;
    },
    dispose() {
      disposed = true;
      subscription?.unsubscribe();
      stopReconnects();
    },
  };
};
