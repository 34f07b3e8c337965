import { Show, createSignal } from 'solid-js';

/** "Create a room": an existing name (any case) takes you to that room instead. */
export const CreateRoomForm = (props: { onCreate: (name: string) => Promise<string | null>; id?: string }) => {
  const [name, setName] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const inputId = () => props.id ?? 'new-room-name';

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const value = name().trim();
    if (!value || busy()) return;
    setBusy(true);
    setError(null);
    const problem = await props.onCreate(value);
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
          {busy() ? 'Opening…' : 'Go'}
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
