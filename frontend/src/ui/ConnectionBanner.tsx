import { Match, Switch } from 'solid-js';
import type { ConnectionState } from '../graphql/client.js';

/** Says so when the live connection is down; nothing while all is well. */
export const ConnectionBanner = (props: { state: ConnectionState; queued: number }) => (
  <div class="connection-banner-slot" role="status" aria-live="polite">
    <Switch>
      <Match when={props.state === 'offline'}>
        <div class="connection-banner offline">
          <strong>You are offline.</strong>{' '}
          {props.queued > 0
            ? `${props.queued} unsent message${props.queued === 1 ? '' : 's'} will go out when you are back.`
            : 'Messages you write will be sent when you are back.'}
        </div>
      </Match>
      <Match when={props.state === 'reconnecting'}>
        <div class="connection-banner reconnecting">
          <span class="spinner" aria-hidden="true" /> <strong>Connection lost.</strong> Reconnecting…
        </div>
      </Match>
    </Switch>
  </div>
);
