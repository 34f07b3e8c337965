import { Show } from 'solid-js';
import { plural } from '../ui/format.js';
import { CreateRoomForm } from './CreateRoomForm.js';
import { RoomList } from './RoomList.js';
import { type RoomSummary, visibleRooms } from './roomList.js';

/** The lobby: every room with its live count, the hide-empty toggle and the create box. */
export const RoomsPage = (props: {
  rooms: readonly RoomSummary[];
  ready: boolean;
  error: string | null;
  hideEmpty: boolean;
  onHideEmptyChange: (hide: boolean) => void;
  onCreate: (name: string) => Promise<string | null>;
}) => {
  const shown = () => visibleRooms(props.rooms, props.hideEmpty);
  const active = () => props.rooms.filter((r) => r.onlineCount > 0).length;
  return (
    <main class="rooms-page" id="main">
      <section class="panel" aria-labelledby="rooms-heading">
        <div class="panel-head">
          <div>
            <h1 id="rooms-heading">Rooms</h1>
            <p class="subtle">
              {plural(props.rooms.length, 'room')} · {active()} with people in them now
            </p>
          </div>
          <label class="toggle">
            <input type="checkbox" class="switch" checked={props.hideEmpty} onChange={(e) => props.onHideEmptyChange(e.currentTarget.checked)} />
            Hide empty rooms
          </label>
        </div>
        <CreateRoomForm onCreate={props.onCreate} />
        <Show when={props.error}>
          <p class="form-error" role="alert">
            {props.error}
          </p>
        </Show>
        <Show when={props.ready} fallback={<p class="empty-note">Loading rooms…</p>}>
          <RoomList
            rooms={shown()}
            empty={props.rooms.length === 0 ? 'No rooms yet. Name one above to start it.' : 'Nobody is in any room right now.'}
          />
        </Show>
      </section>
    </main>
  );
};
