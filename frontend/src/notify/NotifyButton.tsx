import { Show } from 'solid-js';
import type { NotifyPermission } from './desktopNotifications.js';

/**
 * Offers desktop notifications while the browser has not been asked yet: the question comes only
 * from this click, never on load. Once answered (either way) it is gone.
 */
export const NotifyButton = (props: { permission: NotifyPermission; onRequest: () => void }) => (
  <Show when={props.permission === 'default'}>
    <button
      type="button"
      class="button button-quiet button-small notify-button"
      title="Be told of mentions and direct messages while this tab is in the background"
      onClick={() => props.onRequest()}
    >
      Turn on notifications
    </button>
  </Show>
);
