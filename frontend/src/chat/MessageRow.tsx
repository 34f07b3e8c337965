import { Match, Show, Switch, createEffect, createSignal, on } from 'solid-js';
import type { MessageFieldsFragment, RoomRole } from '../graphql/gql/graphql.js';
import { canRemoveMessage } from '../members/moderation.js';
import { Avatar } from '../ui/Avatar.js';
import { formatDateTime, formatTime } from '../ui/format.js';
import { PersonMenu } from '../ui/PersonMenu.js';
import { plural } from '../ui/format.js';
import type { MessageVersionView } from './editHistory.js';
import { EditHistoryPopover } from './EditHistoryPopover.js';
import { EmojiPicker } from './EmojiPicker.js';
import { ReactionChips } from './ReactionChips.js';
import { toReactionIntent } from './reactions.js';
import { toReplyTarget } from './replies.js';
import { RichText } from './RichText.js';
import { mentions } from './richText.js';
import type { MessageItem, PendingMessage } from './timeline.js';

export interface MessageActions {
  /** Answers an error message, or null when done. */
  onEdit: (messageId: string, body: string) => Promise<string | null>;
  onDelete: (messageId: string) => Promise<string | null>;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  /** A moderator removes someone else's message, with a reason; answers an error message, or null. */
  onRemove: (messageId: string, reason: string | null) => Promise<string | null>;
  /** Opens the direct conversation with a person; answers an error message, or null. */
  onMessageUser: (handle: string) => Promise<string | null>;
  /** The composer quotes this message and the next post answers it. */
  onReply: (message: MessageFieldsFragment) => void;
  /** Adds (`add`) or takes back the viewer's reaction; answers an error message, or null. */
  onReact: (messageId: string, emoji: string, add: boolean) => Promise<string | null>;
  /** Pins or unpins; answers an error message, or null. */
  onPin: (messageId: string, pinned: boolean) => Promise<string | null>;
  /** Opens the thread of this root (its cursor reads it). */
  onOpenThread: (messageId: string, cursor: string) => void;
  /** Shows a message in the timeline (loading the pages around it) and highlights it. */
  onJumpTo: (messageId: string, createdAt: string) => void;
  /** The message's earlier bodies, then its body now; or an error message. */
  onLoadHistory: (messageId: string) => Promise<MessageVersionView[] | string>;
}

/** One message (final or pending): a group header when it starts a run of its author's messages. */
export const MessageRow = (
  props: MessageActions & {
    row: MessageItem | PendingMessage;
    startsGroup: boolean;
    viewerId: string;
    viewerHandle: string;
    viewerRole: RoomRole | null;
    /** Asks this row to open its editor (ArrowUp in an empty composer). */
    editRequested: boolean;
    onEditDone: () => void;
    /** The viewer may pin and unpin here. */
    canPin: boolean;
    /** Shown in a thread panel: no "replying to" line, no link to the thread itself. */
    inThread?: boolean;
    /** Briefly marked: a jump to it just landed. */
    highlighted?: boolean;
  },
) => {
  const [editing, setEditing] = createSignal(false);
  const [confirmingDelete, setConfirmingDelete] = createSignal(false);
  const [removing, setRemoving] = createSignal(false);
  const [removeReason, setRemoveReason] = createSignal('');
  const [draft, setDraft] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const message = () => (props.row.kind === 'message' ? props.row.message : null);
  const pending = () => (props.row.kind === 'pending' ? props.row : null);
  const author = () => (props.row.kind === 'message' ? props.row.message.author : props.row.author);
  const createdAt = () => (props.row.kind === 'message' ? props.row.message.createdAt : props.row.createdAt);
  const body = () => (props.row.kind === 'message' ? props.row.message.body : props.row.body);
  const deleted = () => !!message()?.deletedAt;
  const own = () => author().id === props.viewerId;
  const canChange = () => own() && !!message() && !deleted();
  const canRemove = () => !!message() && !deleted() && canRemoveMessage(props.viewerRole, props.viewerId, author().id);
  const mentionsMe = () => !own() && !deleted() && mentions(body(), props.viewerHandle);
  const item = () => (props.row.kind === 'message' ? props.row : null);
  const replyTarget = () => {
    const root = message()?.replyTo;
    return root && !props.inThread ? toReplyTarget(root) : null;
  };
  const [reacting, setReacting] = createSignal(false);
  const [pickerOpen, setPickerOpen] = createSignal(false);
  const react = async (emoji: string) => {
    const current = message();
    if (!current || reacting()) return;
    const intent = toReactionIntent(current.reactions, emoji);
    setReacting(true);
    setError(null);
    const problem = await props.onReact(current.id, emoji, intent.kind === 'react');
    setReacting(false);
    if (problem) setError(problem);
  };
  const togglePin = async () => {
    const current = message();
    if (!current || busy()) return;
    setBusy(true);
    setError(null);
    const problem = await props.onPin(current.id, current.pinnedAt === null);
    setBusy(false);
    if (problem) setError(problem);
  };

  let editor: HTMLTextAreaElement | undefined;
  const startEdit = () => {
    setDraft(body());
    setError(null);
    setEditing(true);
    queueMicrotask(() => {
      editor?.focus();
      editor?.setSelectionRange(editor.value.length, editor.value.length);
    });
  };
  // The composer asked for this row's editor (ArrowUp in an empty composer).
  createEffect(
    on(
      () => props.editRequested,
      (requested) => {
        if (requested && canChange() && !editing()) startEdit();
      },
    ),
  );

  const finishEdit = () => {
    setEditing(false);
    props.onEditDone();
  };
  const saveEdit = async () => {
    const id = message()?.id;
    const next = draft().trim();
    if (!id || busy()) return;
    if (next === '') return setError('A message cannot be empty; delete it instead.');
    if (next === body()) return finishEdit();
    setBusy(true);
    const problem = await props.onEdit(id, next);
    setBusy(false);
    if (problem) setError(problem);
    else finishEdit();
  };
  const confirmDelete = async () => {
    const id = message()?.id;
    if (!id || busy()) return;
    setBusy(true);
    const problem = await props.onDelete(id);
    setBusy(false);
    setConfirmingDelete(false);
    if (problem) setError(problem);
  };

  const confirmRemove = async () => {
    const id = message()?.id;
    if (!id || busy()) return;
    setBusy(true);
    const problem = await props.onRemove(id, removeReason().trim() || null);
    setBusy(false);
    setRemoving(false);
    setRemoveReason('');
    if (problem) setError(problem);
  };

  return (
    <li
      class="message"
      classList={{
        'group-start': props.startsGroup,
        own: own(),
        pending: !!pending(),
        failed: pending()?.status === 'failed',
        deleted: deleted(),
        mentioned: mentionsMe(),
        editing: editing(),
        pinned: !!message()?.pinnedAt,
        highlighted: !!props.highlighted,
      }}
      data-row={props.row.key}
      data-message-id={message()?.id}
      data-client-id={pending()?.clientId}
      data-status={pending() ? pending()!.status : deleted() ? 'deleted' : 'final'}
      data-author={author().handle}
    >
      <div class="message-gutter">
        <Show
          when={props.startsGroup}
          fallback={
            <time class="gutter-time" dateTime={createdAt()} title={formatDateTime(createdAt())}>
              {formatTime(createdAt())}
            </time>
          }
        >
          <Avatar user={author()} size={36} />
        </Show>
      </div>
      <div class="message-main">
        <Show when={props.startsGroup}>
          <div class="message-meta">
            <PersonMenu user={author()} viewerId={props.viewerId} class="author-name" onMessage={props.onMessageUser} />
            <Show when={author().displayName.toLowerCase() !== author().handle.toLowerCase()}>
              <span class="author-handle">@{author().handle}</span>
            </Show>
            <time dateTime={createdAt()} title={formatDateTime(createdAt())}>
              {formatTime(createdAt())}
            </time>
          </div>
        </Show>
        <Show when={message()?.pinnedAt}>
          {(at) => (
            <span class="pin-marker" title={`Pinned ${formatDateTime(at())}`}>
              <svg viewBox="0 0 24 24" width="12" height="12" aria-hidden="true">
                <path fill="currentColor" d="M16 3v2h-1v6l3 3v2h-5v6h-2v-6H6v-2l3-3V5H8V3h8z" />
              </svg>
              Pinned
            </span>
          )}
        </Show>
        <Show when={replyTarget()}>
          {(target) => (
            <button
              type="button"
              class="reply-line"
              title="Show the message this answers"
              onClick={() => props.onJumpTo(target().id, target().createdAt)}
            >
              <span aria-hidden="true">↪ </span>replying to <strong>{target().authorName}</strong>:{' '}
              <span class="reply-snippet">{target().snippet}</span>
            </button>
          )}
        </Show>

        <Switch>
          <Match when={editing()}>
            <form
              class="edit-form"
              onSubmit={(e) => {
                e.preventDefault();
                void saveEdit();
              }}
            >
              <label class="visually-hidden" for={`edit-${message()?.id}`}>
                Edit message
              </label>
              <textarea
                id={`edit-${message()?.id}`}
                ref={editor}
                rows={2}
                maxLength={4000}
                value={draft()}
                onInput={(e) => setDraft(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') {
                    e.preventDefault();
                    finishEdit();
                  } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                    e.preventDefault();
                    void saveEdit();
                  }
                }}
              />
              <div class="edit-actions">
                <span class="hint">Enter to save · Esc to cancel</span>
                <button type="button" class="button button-quiet button-small" onClick={finishEdit}>
                  Cancel
                </button>
                <button type="submit" class="button button-primary button-small" disabled={busy()}>
                  Save
                </button>
              </div>
            </form>
          </Match>
          <Match when={deleted()}>
            <p class="message-body tombstone">
              {message()?.removedBy ? `message removed by ${message()!.removedBy!.displayName}` : 'message deleted'}
            </p>
          </Match>
          <Match when={true}>
            <p class="message-body">
              <RichText body={body()} viewerHandle={props.viewerHandle} />
              <Show when={message()?.editedAt}>
                {(at) => (
                  <Show
                    when={item()}
                    fallback={
                      <span class="edited" title={`Edited ${formatDateTime(at())}`}>
                        {' '}
                        (edited)
                      </span>
                    }
                  >
                    {(it) => <EditHistoryPopover editedAt={at()} onLoad={() => props.onLoadHistory(it().message.id)} />}
                  </Show>
                )}
              </Show>
            </p>
          </Match>
        </Switch>

        <Show when={message() && !deleted()}>
          <ReactionChips
            reactions={message()!.reactions}
            viewerId={props.viewerId}
            busy={reacting()}
            onToggle={(emoji) => void react(emoji)}
          />
        </Show>
        <Show when={!props.inThread && item() && item()!.message.replyCount > 0}>
          <button type="button" class="thread-link" onClick={() => props.onOpenThread(item()!.message.id, item()!.cursor)}>
            {plural(item()!.message.replyCount, 'reply', 'replies')}
            <Show when={item()!.message.lastReplyAt}>
              {(at) => (
                <span class="thread-last" title={formatDateTime(at())}>
                  {' '}
                  · last {formatTime(at())}
                </span>
              )}
            </Show>
          </button>
        </Show>
        <Show when={pending()}>
          {(p) => (
            <div class="pending-status" role={p().status === 'failed' ? 'alert' : undefined}>
              <Switch>
                <Match when={p().status === 'sending'}>Sending…</Match>
                <Match when={p().status === 'queued'}>{p().error ? 'Not sent yet, retrying…' : 'Waiting for the connection…'}</Match>
                <Match when={p().status === 'failed'}>
                  Not sent: {p().error}{' '}
                  <button type="button" class="link-button" onClick={() => props.onRetry(p().clientId)}>
                    Retry
                  </button>{' '}
                  <button type="button" class="link-button" onClick={() => props.onDiscard(p().clientId)}>
                    Discard
                  </button>
                </Match>
              </Switch>
            </div>
          )}
        </Show>
        <Show when={error() && !pending()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
      </div>

      <Show when={message() && !deleted() && !editing()}>
        <div class="message-actions" classList={{ open: removing() || confirmingDelete() || pickerOpen() }}>
          <Show when={!removing() && !confirmingDelete()}>
            <button
              type="button"
              class="icon-button"
              aria-label="Reply"
              title={props.inThread ? 'Reply in this thread' : 'Reply'}
              onClick={() => props.onReply(message()!)}
            >
              <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                <path fill="currentColor" d="M10 9V5l-7 7 7 7v-4.1c5 0 8.5 1.6 11 5.1-1-5-4-10-11-11z" />
              </svg>
            </button>
            <EmojiPicker label="React" onPick={(emoji) => void react(emoji)} onOpenChange={setPickerOpen} />
            <Show when={props.canPin}>
              <button
                type="button"
                class="icon-button"
                aria-label={message()!.pinnedAt ? 'Unpin message' : 'Pin message'}
                title={message()!.pinnedAt ? 'Unpin' : 'Pin'}
                aria-pressed={!!message()!.pinnedAt}
                disabled={busy()}
                onClick={() => void togglePin()}
              >
                <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                  <path fill="currentColor" d="M16 3v2h-1v6l3 3v2h-5v6h-2v-6H6v-2l3-3V5H8V3h8z" />
                </svg>
              </button>
            </Show>
          </Show>
          <Show when={canRemove() && !confirmingDelete()}>
            <Show
              when={removing()}
              fallback={
                <button
                  type="button"
                  class="icon-button"
                  aria-label="Remove message"
                  title="Remove (moderator)"
                  onClick={() => setRemoving(true)}
                >
                  <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <path
                      fill="currentColor"
                      d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 0 1 6.32 12.9L7.1 5.68A7.96 7.96 0 0 1 12 4zM4 12c0-1.85.63-3.55 1.68-4.9L16.9 18.32A8 8 0 0 1 4 12z"
                    />
                  </svg>
                </button>
              }
            >
              <form
                class="remove-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void confirmRemove();
                }}
              >
                <label class="visually-hidden" for={`remove-reason-${message()?.id}`}>
                  Reason for removing
                </label>
                <input
                  id={`remove-reason-${message()?.id}`}
                  type="text"
                  maxLength={500}
                  placeholder="Reason (optional)"
                  value={removeReason()}
                  onInput={(e) => setRemoveReason(e.currentTarget.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') setRemoving(false);
                  }}
                />
                <button type="submit" class="button button-danger button-small" disabled={busy()}>
                  Remove
                </button>
                <button type="button" class="button button-quiet button-small" onClick={() => setRemoving(false)}>
                  Keep
                </button>
              </form>
            </Show>
          </Show>
          <Show when={canChange() && !removing()}>
            <Show
              when={confirmingDelete()}
              fallback={
                <>
                  <button type="button" class="icon-button" aria-label="Edit message" title="Edit" onClick={startEdit}>
                    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                      <path
                        fill="currentColor"
                        d="M3 17.25V21h3.75L17.8 9.94l-3.75-3.75L3 17.25zm17.7-10.2a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z"
                      />
                    </svg>
                  </button>
                  <button
                    type="button"
                    class="icon-button"
                    aria-label="Delete message"
                    title="Delete"
                    onClick={() => setConfirmingDelete(true)}
                  >
                    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                      <path fill="currentColor" d="M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z" />
                    </svg>
                  </button>
                </>
              }
            >
              <span class="confirm-text">Delete this message?</span>
              <button type="button" class="button button-danger button-small" disabled={busy()} onClick={() => void confirmDelete()}>
                Delete
              </button>
              <button type="button" class="button button-quiet button-small" onClick={() => setConfirmingDelete(false)}>
                Keep
              </button>
            </Show>
          </Show>
        </div>
      </Show>
    </li>
  );
};
