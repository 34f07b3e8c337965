import { Show, createSignal } from 'solid-js';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';
import { parseHandles, toSuggestions } from '../people/completion.js';
import { HandleInput } from '../people/HandleInput.js';

/** Invites one person by handle (with completion) into the room. */
export const InviteBox = (props: {
  roomName: string;
  viewerId: string;
  suggestions: readonly UserFieldsFragment[];
  onQuery: (prefix: string) => void;
  /** Answers an error message, or null. */
  onInvite: (handle: string) => Promise<string | null>;
  onClose: () => void;
}) => {
  const [text, setText] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const input = (value: string) => {
    setText(value);
    setError(null);
    props.onQuery(parseHandles(value).prefix);
  };
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const handle = parseHandles(text()).prefix || parseHandles(text()).chosen[0];
    if (!handle || busy()) return;
    setBusy(true);
    setDone(null);
    const problem = await props.onInvite(handle);
    setBusy(false);
    if (problem) return setError(problem);
    setDone(`Invited @${handle}.`);
    input('');
  };
  return (
    <form
      class="invite-box"
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) props.onClose();
      }}
    >
      <label for="invite-handle">Invite someone to {props.roomName}</label>
      <div class="input-row">
        <HandleInput
          id="invite-handle"
          value={text()}
          placeholder="@handle"
          suggestions={toSuggestions(props.suggestions, '', props.viewerId)}
          invalid={!!error()}
          onInput={input}
          onPick={(user) => input(user.handle)}
        />
        <button type="submit" class="button button-primary" disabled={busy() || text().trim() === ''}>
          Invite
        </button>
        <button type="button" class="button button-quiet" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={done()}>
        <p class="form-ok" role="status">
          {done()}
        </p>
      </Show>
    </form>
  );
};
