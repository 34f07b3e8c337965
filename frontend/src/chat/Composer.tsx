import { Show, createSignal } from 'solid-js';

const MAX = 4000;

/** Where messages are written: Enter sends, Shift+Enter makes a new line, ArrowUp (when empty) edits your last message. */
export const Composer = (props: {
  roomName: string;
  onSend: (body: string) => void;
  onTyping: () => void;
  onEditLast: () => void;
  disabled?: boolean;
}) => {
  const [body, setBody] = createSignal('');
  let textarea: HTMLTextAreaElement | undefined;

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
      <label class="visually-hidden" for="composer-input">
        Message #{props.roomName}
      </label>
      <textarea
        id="composer-input"
        ref={textarea}
        rows={1}
        placeholder={`Message #${props.roomName}`}
        autocomplete="off"
        aria-describedby="composer-hint"
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
      <p id="composer-hint" class="composer-hint">
        <Show when={body().length > MAX - 200} fallback={<>Enter to send · Shift+Enter for a new line</>}>
          <span classList={{ 'over-limit': body().length > MAX }}>
            {body().length} / {MAX}
          </span>
        </Show>
      </p>
    </form>
  );
};
