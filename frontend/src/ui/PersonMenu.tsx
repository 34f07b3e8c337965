import { Show, createEffect, createSignal, onCleanup } from 'solid-js';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';
import { Avatar } from './Avatar.js';

/**
 * A person's name that opens a small card: who they are, and a button to message them directly
 * (not for the viewer themself). Escape or a click elsewhere closes it.
 */
export const PersonMenu = (props: {
  user: UserFieldsFragment;
  viewerId: string;
  class?: string;
  onMessage: (handle: string) => Promise<string | null>;
}) => {
  const [open, setOpen] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let root: HTMLSpanElement | undefined;
  const onDocument = (event: Event) => {
    if (event instanceof KeyboardEvent ? event.key === 'Escape' : !root?.contains(event.target as Node)) setOpen(false);
  };
  // Only while open: a timeline has one of these per group of messages.
  createEffect(() => {
    if (!open()) return;
    document.addEventListener('pointerdown', onDocument);
    document.addEventListener('keydown', onDocument);
    onCleanup(() => {
      document.removeEventListener('pointerdown', onDocument);
      document.removeEventListener('keydown', onDocument);
    });
  });
  const message = async () => {
    if (busy()) return;
    setBusy(true);
    setError(null);
    const problem = await props.onMessage(props.user.handle);
    setBusy(false);
    if (problem) setError(problem);
    else setOpen(false);
  };
  return (
    <span class="person-menu" ref={root}>
      <button type="button" class={`person-menu-button ${props.class ?? ''}`} aria-expanded={open()} onClick={() => setOpen(!open())}>
        {props.user.displayName}
      </button>
      <Show when={open()}>
        <span class="person-card">
          <span class="person-card-who">
            <Avatar user={props.user} size={32} />
            <span class="person-names">
              <span class="display-name">{props.user.displayName}</span>
              <span class="person-status">@{props.user.handle}</span>
            </span>
          </span>
          <Show when={props.user.id !== props.viewerId} fallback={<span class="subtle">That's you.</span>}>
            <button type="button" class="button button-primary button-small" disabled={busy()} onClick={() => void message()}>
              Send a direct message
            </button>
          </Show>
          <Show when={error()}>
            <span class="form-error" role="alert">
              {error()}
            </span>
          </Show>
        </span>
      </Show>
    </span>
  );
};
