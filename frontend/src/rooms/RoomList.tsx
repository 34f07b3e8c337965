import { For, Show } from 'solid-js';
import { LoadMore } from '../ui/LoadMore.js';
import { Link, roomPath } from '../ui/router.js';
import type { RoomSummary } from './roomList.js';

/** Rooms with their live online counts, the current one marked; the next page loads as its end comes into view. */
export const RoomList = (props: {
  rooms: readonly RoomSummary[];
  currentId?: string | null;
  /** What to say when the list is empty. */
  empty: string;
  onNavigate?: () => void;
  /** More rooms exist after these. */
  hasMore: boolean;
  loadingMore: boolean;
  /** Why the last page failed, if it did. */
  moreError: string | null;
  onLoadMore: () => void;
}) => (
  <>
    <Show
      when={props.rooms.length > 0}
      fallback={
        <Show when={!props.hasMore}>
          <p class="empty-note">{props.empty}</p>
        </Show>
      }
    >
      <ul class="room-list">
        <For each={props.rooms}>
          {(room) => (
            <li>
              <Link
                href={roomPath(room.id)}
                class="room-link"
                classList={{ current: room.id === props.currentId }}
                aria-current={room.id === props.currentId ? 'page' : undefined}
                onClick={() => props.onNavigate?.()}
                data-room-name={room.name}
              >
                <span class="room-hash" aria-hidden="true">
                  #
                </span>
                <span class="room-name">{room.name}</span>
                <span class="online-count" classList={{ active: room.onlineCount > 0 }} title={`${room.onlineCount} online`}>
                  <span class="online-dot" aria-hidden="true" />
                  {room.onlineCount}
                  <span class="visually-hidden"> online</span>
                </span>
              </Link>
            </li>
          )}
        </For>
      </ul>
    </Show>
    <Show when={props.hasMore}>
      <LoadMore
        count={props.rooms.length}
        loading={props.loadingMore}
        error={props.moreError}
        label="Show more rooms"
        onLoadMore={() => props.onLoadMore()}
      />
    </Show>
  </>
);
