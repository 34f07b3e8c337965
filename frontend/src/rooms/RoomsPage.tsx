import { type JSX, Show } from 'solid-js';
import type { RoomKind } from '../graphql/gql/graphql.js';
import { plural } from '../ui/format.js';
import { CreateRoomForm } from './CreateRoomForm.js';
import { RoomFilter } from './RoomFilter.js';
import { RoomList } from './RoomList.js';
import { type RoomSummary, visibleRooms } from './roomList.js';

/** The lobby: the rooms a page at a time with their live counts, the filter, the hide-empty toggle and the create box. */
export const RoomsPage = (props: {
  rooms: readonly RoomSummary[];
  ready: boolean;
  /** A new filter's first page is on its way. */
  loading: boolean;
  error: string | null;
  onRetry: () => void;
  search: string;
  onSearch: (text: string) => void;
  hasMore: boolean;
  loadingMore: boolean;
  moreError: string | null;
  onLoadMore: () => void;
  hideEmpty: boolean;
  onHideEmptyChange: (hide: boolean) => void;
  onCreate: (name: string, kind: RoomKind) => Promise<string | null>;
  /** The viewer's own rooms, invitations and the new-message box, above the public list. */
  children?: JSX.Element;
}) => {
  const shown = () => visibleRooms(props.rooms, props.hideEmpty);
  const count = () => (props.hasMore ? `${props.rooms.length}+ rooms` : plural(props.rooms.length, 'room'));
  const active = () => props.rooms.filter((r) => r.onlineCount > 0).length;
  const empty = () =>
    props.search.trim() !== ''
      ? `No room matches “${props.search.trim()}”.`
      : props.rooms.length === 0
        ? 'No rooms yet. Name one above to start it.'
        : 'Nobody is in any room right now.';
  return (
    <main class="rooms-page" id="main">
      {props.children}
      <section class="panel" aria-labelledby="rooms-heading">
        <div class="panel-head">
          <div>
            <h1 id="rooms-heading">Rooms</h1>
            <p class="subtle">
              {count()}
              <Show when={!props.hasMore}> · {active()} with people in them now</Show>
            </p>
          </div>
          <label class="toggle">
            <input
              type="checkbox"
              class="switch"
              checked={props.hideEmpty}
              onChange={(e) => props.onHideEmptyChange(e.currentTarget.checked)}
            />
            Hide empty rooms
          </label>
        </div>
        <CreateRoomForm onCreate={props.onCreate} />
        <RoomFilter id="room-filter" value={props.search} onInput={(text) => props.onSearch(text)} />
        <Show when={props.error}>
          <p class="form-error" role="alert">
            {props.error}{' '}
            <button type="button" class="link-button" onClick={() => props.onRetry()}>
              Try again
            </button>
          </p>
        </Show>
        <Show when={props.ready} fallback={<p class="empty-note">Loading rooms…</p>}>
          <div class="room-list-wrap" aria-busy={props.loading}>
            <RoomList
              rooms={shown()}
              empty={empty()}
              hasMore={props.hasMore}
              loadingMore={props.loadingMore}
              moreError={props.moreError}
              onLoadMore={() => props.onLoadMore()}
            />
          </div>
        </Show>
      </section>
    </main>
  );
};
