import { Show, createSignal } from 'solid-js';
import type { RoomKind } from '../graphql/gql/graphql.js';

/**
 * "Create a room": public (an existing name, any case, takes you to that room instead) or private
 * (always a new room, seen only by the people invited to it).
 */
export const CreateRoomForm = (props: { onCreate: (name: string, kind: RoomKind) => Promise<string | null>; id?: string }) => {
  const [name, setName] = createSignal('');
  const [kind, setKind] = createSignal<RoomKind>('PUBLIC');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const inputId = () => props.id ?? 'new-room-name';

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const value = name().trim();
    if (!value || busy()) return;
    setBusy(true);
    setError(null);
    const problem = await props.onCreate(value, kind());
    setBusy(false);
    if (problem) setError(problem);
    else setName('');
  };

  return (
    <form class="create-room" onSubmit={submit}>
      <label for={inputId()}>Create or join a room</label>
      <div class="input-row">
        <input
          id={inputId()}
          type="text"
          required
          maxLength={100}
          placeholder="Room name"
          autocomplete="off"
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
          aria-invalid={error() ? 'true' : undefined}
        />
        <button type="submit" class="button button-primary" disabled={busy() || name().trim() === ''}>
          {busy() ? 'Opening…' : kind() === 'PRIVATE' ? 'Create' : 'Go'}
        </button>
      </div>
      <fieldset class="kind-choice">
        <legend class="visually-hidden">Who can see it</legend>
        <label class="kind-option">
          <input type="radio" name={`${inputId()}-kind`} value="PUBLIC" checked={kind() === 'PUBLIC'} onChange={() => setKind('PUBLIC')} />
          Public <span class="hint">anyone can find and join it</span>
        </label>
        <label class="kind-option">
          <input
            type="radio"
            name={`${inputId()}-kind`}
            value="PRIVATE"
            checked={kind() === 'PRIVATE'}
            onChange={() => setKind('PRIVATE')}
          />
          Private <span class="hint">only people you invite</span>
        </label>
      </fieldset>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
    </form>
  );
};
