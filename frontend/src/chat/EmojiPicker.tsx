import { For, Show, createEffect, createSignal, onCleanup } from 'solid-js';
import { PICKER_COLUMNS, PICKER_EMOJI, movePickerFocus } from './reactions.js';

/**
 * A button that opens a small grid of common emoji. Keyboard: Enter or Space on the button opens it
 * with the first emoji focused, arrows move, Enter picks, Escape closes and gives focus back to the
 * button; a click elsewhere closes it too.
 */
export const EmojiPicker = (props: { label: string; onPick: (emoji: string) => void; onOpenChange?: (open: boolean) => void }) => {
  const [open, setOpenSignal] = createSignal(false);
  const [focused, setFocused] = createSignal(0);
  let root: HTMLSpanElement | undefined;
  let trigger: HTMLButtonElement | undefined;
  const cells: HTMLButtonElement[] = [];
  const setOpen = (next: boolean) => {
    setOpenSignal(next);
    props.onOpenChange?.(next);
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) trigger?.focus();
  };
  const onDocument = (event: PointerEvent) => {
    if (!root?.contains(event.target as Node)) close(false);
  };
  createEffect(() => {
    if (!open()) return;
    document.addEventListener('pointerdown', onDocument);
    onCleanup(() => document.removeEventListener('pointerdown', onDocument));
  });
  const openGrid = () => {
    setFocused(0);
    setOpen(true);
    queueMicrotask(() => cells[0]?.focus());
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      return close(true);
    }
    if (event.key === 'Tab') return close(false);
    const next = movePickerFocus(focused(), event.key, PICKER_EMOJI.length, PICKER_COLUMNS);
    if (next === null) return;
    event.preventDefault();
    setFocused(next);
    cells[next]?.focus();
  };
  return (
    <span class="emoji-picker" ref={root}>
      <button
        type="button"
        class="icon-button"
        ref={trigger}
        aria-label={props.label}
        title={props.label}
        aria-haspopup="dialog"
        aria-expanded={open()}
        onClick={() => (open() ? close(false) : openGrid())}
      >
        <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
          <path
            fill="currentColor"
            d="M12 2a10 10 0 1 0 10 10h-2a8 8 0 1 1-8-8V2zm-3.5 7a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm7 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zM7 14a5 5 0 0 0 10 0H7zm12-12v3h3v2h-3v3h-2V7h-3V5h3V2h2z"
          />
        </svg>
      </button>
      <Show when={open()}>
        <div
          class="emoji-grid"
          role="dialog"
          aria-label="Pick a reaction"
          onKeyDown={onKeyDown}
          style={{ '--columns': String(PICKER_COLUMNS) }}
        >
          <For each={PICKER_EMOJI}>
            {(entry, i) => (
              <button
                type="button"
                class="emoji-cell"
                ref={(el) => {
                  cells[i()] = el;
                }}
                tabIndex={focused() === i() ? 0 : -1}
                aria-label={entry.name}
                title={entry.name}
                onFocus={() => setFocused(i())}
                onClick={() => {
                  props.onPick(entry.emoji);
                  close(true);
                }}
              >
                {entry.emoji}
              </button>
            )}
          </For>
        </div>
      </Show>
    </span>
  );
};
