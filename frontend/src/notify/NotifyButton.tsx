import { Show } from 'solid-js';
import type { NotifyPermission } from './desktopNotifications.js';

/**
 * Offers desktop notifications while the browser has not been asked yet: the question comes only
 * from this click, never on load. Once answered (either way) it is gone. `compact`: a bell alone,
 * for the narrow room switcher.
 */
export const NotifyButton = (props: { permission: NotifyPermission; onRequest: () => void; compact?: boolean }) => (
  <Show when={props.permission === 'default'}>
    <button
      type="button"
      class={props.compact ? 'icon-button notify-button' : 'button button-quiet button-small notify-button'}
      title="Be told of mentions and direct messages while this tab is in the background"
      aria-label="Turn on notifications"
      onClick={() => props.onRequest()}
    >
      <Show when={props.compact} fallback="Turn on notifications">
        <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z"
          />
        </svg>
      </Show>
    </button>
  </Show>
);
