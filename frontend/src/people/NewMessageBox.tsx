import { Show, createSignal } from 'solid-js';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';
import { allHandles, completeHandle, parseHandles, toSuggestions } from './completion.js';
import { HandleInput } from './HandleInput.js';

/** "New message": one or more handles (with completion), then the direct conversation with them opens. */
export const NewMessageBox = (props: {
  id: string;
  viewerId: string;
  /** People for the handle being typed. */
  suggestions: readonly UserFieldsFragment[];
  /** The handle being typed changed: ask for suggestions. */
  onQuery: (prefix: string) => void;
  /** Opens the conversation; answers an error message, or null. */
  onOpen: (handles: string[]) => Promise<string | null>;
}) => {
  const [text, setText] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const input = (value: string) => {
    setText(value);
    setError(null);
    props.onQuery(parseHandles(value).prefix);
  };
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const handles = allHandles(text());
    if (handles.length === 0 || busy()) return;
    if (handles.length > 8) return setError('A conversation has at most 8 other people.');
    setBusy(true);
    const problem = await props.onOpen(handles);
    setBusy(false);
    if (problem) setError(problem);
    else input('');
  };
  return (
    <form class="new-message" onSubmit={submit}>
      <label for={props.id}>New message</label>
      <div class="input-row">
        <HandleInput
          id={props.id}
          value={text()}
          placeholder="@handle, @another"
          suggestions={toSuggestions(props.suggestions, text(), props.viewerId)}
          invalid={!!error()}
          onInput={input}
          onPick={(user) => input(completeHandle(text(), user.handle, true))}
        />
        <button type="submit" class="button button-primary" disabled={busy() || allHandles(text()).length === 0}>
          {busy() ? 'Opening…' : 'Open'}
        </button>
      </div>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
    </form>
  );
};
