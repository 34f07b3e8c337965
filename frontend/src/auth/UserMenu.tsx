import { For } from 'solid-js';
import type { UserStatus } from '../graphql/gql/graphql.js';
import { Avatar } from '../ui/Avatar.js';
import { STATUS_LABELS } from '../ui/format.js';
import { StatusDot } from '../ui/StatusDot.js';
import type { Viewer } from './session.js';

const STATUSES: readonly UserStatus[] = ['AVAILABLE', 'AWAY', 'BUSY'];

/** The signed-in person in the header: avatar, name, status picker, sign out. */
export const UserMenu = (props: { viewer: Viewer; onStatusChange: (status: UserStatus) => void; onSignOut: () => void }) => (
  <div class="user-menu">
    <span class="user-identity">
      <span class="avatar-with-status">
        <Avatar user={props.viewer} size={32} />
        <StatusDot status={props.viewer.status} />
      </span>
      <span class="user-names">
        <span class="display-name">{props.viewer.displayName}</span>
        <span class="handle">@{props.viewer.handle}</span>
      </span>
    </span>
    <label class="visually-hidden" for="status-picker">
      Your status
    </label>
    <select id="status-picker" class="status-picker" onChange={(e) => props.onStatusChange(e.currentTarget.value as UserStatus)}>
      <For each={STATUSES}>
        {(status) => (
          <option value={status} selected={status === props.viewer.status}>
            {STATUS_LABELS[status]}
          </option>
        )}
      </For>
    </select>
    <button type="button" class="button button-quiet" onClick={() => props.onSignOut()}>
      Sign out
    </button>
  </div>
);
