import { Match, Switch } from 'solid-js';
import type { RoomKind } from '../graphql/gql/graphql.js';

/** What the sidebar and the room header put before a room's name: # public, a lock for private, @ for a direct conversation. */
export const RoomMarker = (props: { kind: RoomKind | null | undefined }) => (
  <span class="room-hash room-marker" data-kind={props.kind ?? 'PUBLIC'} title={KIND_TITLES[props.kind ?? 'PUBLIC']}>
    <Switch fallback={<span aria-hidden="true">#</span>}>
      <Match when={props.kind === 'PRIVATE'}>
        <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
          <path
            fill="currentColor"
            d="M17 9V7A5 5 0 0 0 7 7v2a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-9a2 2 0 0 0-2-2zM9 7a3 3 0 0 1 6 0v2H9V7zm4 9.73V18h-2v-1.27a2 2 0 1 1 2 0z"
          />
        </svg>
        <span class="visually-hidden">Private room: </span>
      </Match>
      <Match when={props.kind === 'DIRECT'}>
        <span aria-hidden="true">@</span>
        <span class="visually-hidden">Direct messages with </span>
      </Match>
    </Switch>
  </span>
);

const KIND_TITLES: Readonly<Record<RoomKind, string>> = {
  PUBLIC: 'Public room',
  PRIVATE: 'Private room: members only',
  DIRECT: 'Direct messages',
};
