import { For, Show, createMemo } from 'solid-js';
import type { RoomRole } from '../graphql/gql/graphql.js';
import { plural } from '../ui/format.js';
import { LoadMore } from '../ui/LoadMore.js';
import { Composer } from './Composer.js';
import { layoutRows } from './grouping.js';
import { type MessageActions, MessageRow } from './MessageRow.js';
import type { ThreadState } from './thread.js';
import type { MessageItem, PendingMessage } from './timeline.js';

/**
 * A thread beside the timeline: its root, its replies oldest first (more as the reader scrolls), the
 * viewer's replies on their way, and a composer that answers the root.
 */
export const ThreadPanel = (
  props: MessageActions & {
    state: ThreadState;
    loading: boolean;
    error: string | null;
    /** The viewer's replies to this root not confirmed yet. */
    pending: readonly PendingMessage[];
    roomName: string;
    viewerId: string;
    viewerHandle: string;
    viewerRole: RoomRole | null;
    canPin: boolean;
    composerDisabled: boolean;
    onLoadMore: () => void;
    onSend: (body: string) => void;
    onTyping: () => void;
    onClose: () => void;
  },
) => {
  const rows = createMemo(() => [...props.state.replies, ...props.pending]);
  const layout = createMemo(() => layoutRows(rows(), Date.now()));
  const row = (r: MessageItem | PendingMessage) => (
    <MessageRow
      row={r}
      startsGroup={layout().get(r.key)?.startsGroup ?? true}
      viewerId={props.viewerId}
      viewerHandle={props.viewerHandle}
      viewerRole={props.viewerRole}
      editRequested={false}
      onEditDone={() => {}}
      canPin={props.canPin}
      inThread={true}
      onEdit={props.onEdit}
      onDelete={props.onDelete}
      onRetry={props.onRetry}
      onDiscard={props.onDiscard}
      onRemove={props.onRemove}
      onMessageUser={props.onMessageUser}
      onReply={props.onReply}
      onReact={props.onReact}
      onPin={props.onPin}
      onOpenThread={props.onOpenThread}
      onJumpTo={props.onJumpTo}
      onLoadHistory={props.onLoadHistory}
    />
  );
  return (
    <section class="side-panel thread-panel" aria-labelledby="thread-heading">
      <div class="side-panel-head">
        <h2 id="thread-heading">Thread</h2>
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
        <Show when={props.state.root} fallback={!props.error && <p class="timeline-note">Loading…</p>}>
          {(root) => (
            <>
              <ol class="thread-list thread-root">{row(root())}</ol>
              <div class="thread-meta">
                <span>{plural(root().message.replyCount, 'reply', 'replies')}</span>
                <button type="button" class="link-button" onClick={() => props.onJumpTo(root().message.id, root().message.createdAt)}>
                  Show in the room
                </button>
              </div>
            </>
          )}
        </Show>
        <ol class="thread-list thread-replies" aria-label="Replies">
          <For each={rows()}>{(r) => row(r)}</For>
        </ol>
        <Show when={props.state.hasMore || (props.loading && props.state.loaded)}>
          <LoadMore
            count={props.state.replies.length}
            loading={props.loading}
            error={null}
            label="Show more replies"
            onLoadMore={() => props.onLoadMore()}
          />
        </Show>
      </div>
      <Composer
        id="thread-composer-input"
        label="Reply in thread"
        roomName={props.roomName}
        onSend={(body) => props.onSend(body)}
        onTyping={() => props.onTyping()}
        onEditLast={() => {}}
        disabled={props.composerDisabled}
      />
    </section>
  );
};
