import { For, Show, createSignal } from 'solid-js';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';
import { Avatar } from '../ui/Avatar.js';
import { plural } from '../ui/format.js';
import { RoomMarker } from '../ui/RoomMarker.js';
import { Link, roomPath } from '../ui/router.js';
import type { MyRoom } from './myRoomList.js';

/**
 * A room's unread messages and mentions. In a direct conversation every unread message counts as a
 * mention, so it shows the one (mention) badge; elsewhere the mentions come as their own badge.
 */
const UnreadBadges = (props: { room: MyRoom }) => (
  <>
    <Show when={props.room.mentionCount > 0}>
      <span class="mention-badge" title={plural(props.room.mentionCount, 'unread mention')}>
        <span aria-hidden="true">@</span>
        {props.room.mentionCount}
        <span class="visually-hidden"> {props.room.mentionCount === 1 ? 'mention' : 'mentions'}</span>
      </span>
    </Show>
    <Show when={props.room.unreadCount > 0 && props.room.kind !== 'DIRECT'}>
      <span class="unread-badge" title={plural(props.room.unreadCount, 'unread message')}>
        {props.room.unreadCount}
        <span class="visually-hidden"> unread</span>
      </span>
    </Show>
  </>
);

/**
 * The viewer's own rooms: invitations first (accept or decline in place), then the rooms they are
 * in, most recent activity first, each marked public (#), private (a lock) or direct (the other
 * person's avatar, @ until it is known), with its unread and mention badges.
 */
export const MyRoomList = (props: {
  invitations: readonly MyRoom[];
  joined: readonly MyRoom[];
  currentId?: string | null;
  onNavigate?: () => void;
  /** Each answers an error message, or null. */
  onAccept: (roomId: string) => Promise<string | null>;
  onDecline: (roomId: string) => Promise<string | null>;
  /** The other people of a direct conversation, once known. */
  peopleOf?: (roomId: string) => readonly UserFieldsFragment[] | undefined;
  empty: string;
}) => {
  const [busyId, setBusyId] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const answer = async (roomId: string, action: (id: string) => Promise<string | null>) => {
    if (busyId()) return;
    setBusyId(roomId);
    setError(null);
    const problem = await action(roomId);
    setBusyId(null);
    if (problem) setError(problem);
  };
  return (
    <div class="my-rooms">
      <Show when={props.invitations.length > 0}>
        <h3 class="list-label">Invitations</h3>
        <ul class="invitation-list">
          <For each={props.invitations}>
            {(room) => (
              <li class="invitation-item" data-room-id={room.id} data-room-name={room.name}>
                <Link href={roomPath(room.id)} class="room-link invitation-link" onClick={() => props.onNavigate?.()}>
                  <RoomMarker kind={room.kind} />
                  <span class="room-name">{room.name}</span>
                </Link>
                <span class="invitation-actions">
                  <button
                    type="button"
                    class="button button-primary button-small"
                    disabled={busyId() === room.id}
                    aria-label={`Accept the invitation to ${room.name}`}
                    onClick={() => void answer(room.id, props.onAccept)}
                  >
                    Accept
                  </button>
                  <button
                    type="button"
                    class="button button-quiet button-small"
                    disabled={busyId() === room.id}
                    aria-label={`Decline the invitation to ${room.name}`}
                    onClick={() => void answer(room.id, props.onDecline)}
                  >
                    Decline
                  </button>
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={props.joined.length > 0} fallback={<p class="empty-note small-note">{props.empty}</p>}>
        <ul class="my-room-list">
          <For each={props.joined}>
            {(room) => (
              <li>
                <Link
                  href={roomPath(room.id)}
                  class="room-link"
                  classList={{ current: room.id === props.currentId, unread: room.unreadCount > 0 }}
                  aria-current={room.id === props.currentId ? 'page' : undefined}
                  onClick={() => props.onNavigate?.()}
                  data-room-name={room.name}
                  data-kind={room.kind}
                  data-unread={room.unreadCount}
                  data-mentions={room.mentionCount}
                >
                  <Show when={room.kind === 'DIRECT' && props.peopleOf?.(room.id)?.[0]} fallback={<RoomMarker kind={room.kind} />}>
                    {(person) => (
                      <>
                        <Avatar user={person()} size={22} />
                        <span class="visually-hidden">Direct messages with </span>
                      </>
                    )}
                  </Show>
                  <span class="room-name">{room.name}</span>
                  <UnreadBadges room={room} />
                </Link>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
};
