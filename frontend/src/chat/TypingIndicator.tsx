import type { TypingUser } from './timeline.js';

const describe = (names: string[]) => {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
};

/** "alice is typing…", kept in a fixed-height line so the timeline does not jump. */
export const TypingIndicator = (props: { typing: readonly TypingUser[] }) => (
  <div class="typing-indicator" aria-live="polite">
    {props.typing.length > 0 ? (
      <>
        <span class="typing-dots" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
        <span class="typing-text">{describe(props.typing.map((t) => t.user.displayName))}</span>
      </>
    ) : null}
  </div>
);
