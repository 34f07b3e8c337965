import { Show, createEffect, createSignal, on } from 'solid-js';
import type { ReplyTarget } from './replies.js';

const MAX = 4000;

/**
 * Where messages are written: Enter sends, Shift+Enter makes a new line, ArrowUp (when empty) edits
 * your last message. Answering a message, it quotes it above ("replying to alice: …"); the quote's
 * button or Escape cancels the answer, not the text.
 */
export const Composer = (props: {
  roomName: string;
  onSend: (body: string) => void;
  onTyping: () => void;
  onEditLast: () => void;
  disabled?: boolean;
  /** The message the next post answers, or null. */
  replyingTo?: ReplyTarget | null;
  onCancelReply?: () => void;
  /** A second composer on the page (a thread's) needs its own id and label. */
  id?: string;
  label?: string;
}) => {
  const id = () => props.id ?? 'composer-input';
  const label = () => props.label ?? `Message #${props.roomName}`;
  const [body, setBody] = createSignal('');
  let textarea: HTMLTextAreaElement | undefined;
  // Choosing a message to answer puts the cursor here, ready to write.
  createEffect(
    on(
      () => props.replyingTo?.id,
      (replying) => {
        if (replying) textarea?.focus();
      },
      { defer: true },
    ),
  );

  const resize = () => {
    if (!textarea) return;
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, 200)}px`;
  };
  const send = () => {
    const text = body().trim();
    if (!text || text.length > MAX || props.disabled) return;
    props.onSend(text);
    setBody('');
    if (textarea) textarea.value = '';
    resize();
    textarea?.focus();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <Show when={props.replyingTo}>
        {(target) => (
          <div class="composer-reply" role="status">
            <span class="composer-reply-text">
              replying to <strong>{target().authorName}</strong>: <span class="reply-snippet">{target().snippet}</span>
            </span>
            <button
              type="button"
              class="icon-button"
              aria-label="Cancel reply"
              title="Cancel reply"
              onClick={() => props.onCancelReply?.()}
            >
              <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
                <path
                  fill="currentColor"
                  d="M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z"
                />
              </svg>
            </button>
          </div>
        )}
      </Show>
      <label class="visually-hidden" for={id()}>
        {label()}
      </label>
      <textarea
        id={id()}
        ref={textarea}
        rows={1}
        placeholder={label()}
        autocomplete="off"
        aria-describedby={`${id()}-hint`}
        value={body()}
        disabled={props.disabled}
        onInput={(e) => {
          setBody(e.currentTarget.value);
          resize();
          if (e.currentTarget.value.trim() !== '') props.onTyping();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          } else if (e.key === 'ArrowUp' && body() === '') {
            e.preventDefault();
            props.onEditLast();
          } else if (e.key === 'Escape' && props.replyingTo) {
            e.preventDefault();
            props.onCancelReply?.();
          }
        }}
      />
      <button
        type="submit"
        class="send-button"
        aria-label="Send message"
        disabled={body().trim() === '' || body().length > MAX || props.disabled}
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path fill="currentColor" d="M2.01 21 23 12 2.01 3 2 10l15 2-15 2z" />
        </svg>
      </button>
      <p id={`${id()}-hint`} class="composer-hint">
        <Show when={body().length > MAX - 200} fallback={<>Enter to send · Shift+Enter for a new line</>}>
          <span classList={{ 'over-limit': body().length > MAX }}>
            {body().length} / {MAX}
          </span>
        </Show>
      </p>
    </form>
  );
};
