import { For, Show } from 'solid-js';
import { Link, roomPath } from '../ui/router.js';
import type { RoomSummary } from './roomList.js';

/** Rooms with their live online counts; the current one marked. */
export const RoomList = (props: {
  rooms: readonly RoomSummary[];
  currentId?: string | null;
  /** What to say when the list is empty. */
  empty: string;
  onNavigate?: () => void;
}) => (
  <Show when={props.rooms.length > 0} fallback={<p class="empty-note">{props.empty}</p>}>
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
              <span
                class="online-count"
                classList={{ active: room.onlineCount > 0 }}
                aria-label={`${room.onlineCount} online`}
                title={`${room.onlineCount} online`}
              >
                <span class="online-dot" aria-hidden="true" />
                {room.onlineCount}
              </span>
            </Link>
          </li>
        )}
      </For>
    </ul>
  </Show>
);
