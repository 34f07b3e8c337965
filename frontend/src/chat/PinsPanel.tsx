import { For, Show } from 'solid-js';
import type { MessageFieldsFragment } from '../graphql/gql/graphql.js';
import { formatDateTime, formatTime } from '../ui/format.js';
import { toSnippet } from './replies.js';

/** The room's pinned messages, most recently pinned first: each jumps to its place in the timeline. */
export const PinsPanel = (props: {
  messages: readonly MessageFieldsFragment[];
  loaded: boolean;
  error: string | null;
  canPin: boolean;
  onJumpTo: (messageId: string, createdAt: string) => void;
  onUnpin: (messageId: string) => void;
  onClose: () => void;
}) => (
  <section class="side-panel pins-panel" aria-labelledby="pins-heading">
    <div class="side-panel-head">
      <h2 id="pins-heading">Pinned messages</h2>
      <button type="button" class="button button-quiet button-small" onClick={() => props.onClose()}>
        Close
      </button>
    </div>
    <div class="side-panel-body">
      <Show when={props.error}>
        <p class="form-error" role="alert">
          {props.error}
        </p>
      </Show>
      <Show when={props.loaded && props.messages.length === 0}>
        <p class="empty-note">Nothing is pinned here yet.</p>
      </Show>
      <ol class="pinned-list">
        <For each={props.messages}>
          {(message) => (
            <li class="pinned-item" data-message-id={message.id}>
              <div class="pinned-meta">
                <strong>{message.author.displayName}</strong>
                <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)}>
                  {formatTime(message.createdAt)}
                </time>
              </div>
              <p class="pinned-body">{message.deletedAt ? 'message deleted' : toSnippet(message.body, 200)}</p>
              <div class="pinned-actions">
                <button type="button" class="link-button" onClick={() => props.onJumpTo(message.id, message.createdAt)}>
                  Jump to message
                </button>
                <Show when={props.canPin}>
                  <button type="button" class="link-button" onClick={() => props.onUnpin(message.id)}>
                    Unpin
                  </button>
                </Show>
              </div>
            </li>
          )}
        </For>
      </ol>
    </div>
  </section>
);
