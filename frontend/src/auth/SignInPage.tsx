import { Show, createSignal } from 'solid-js';
import { HANDLE_PATTERN, type Providers } from './session.js';

/** The signed-out page: "Sign in with X" when the server offers it, and the development sign-in. */
export const SignInPage = (props: {
  providers: Providers;
  /** Where to come back to after X's sign-in (the page that asked). */
  returnTo: string;
  /** Development sign-in; answers an error message, or null. */
  onSignIn: (handle: string) => Promise<string | null>;
  /** Why the last sign-in with X failed, if it did. */
  initialError?: string | null;
}) => {
  const [handle, setHandle] = createSignal('');
  const [error, setError] = createSignal<string | null>(props.initialError ?? null);
  const [busy, setBusy] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    setBusy(true);
    setError(null);
    const problem = await props.onSignIn(handle().trim().replace(/^@/, ''));
    setBusy(false);
    if (problem) setError(problem);
  };

  return (
    <main class="sign-in" id="main">
      <div class="sign-in-card">
        <div class="brand brand-large" aria-hidden="true">
          <BalloonMark />
        </div>
        <h1>Balloons</h1>
        <p class="tagline">Rooms full of people, talking in real time.</p>

        <Show when={props.providers.twitter}>
          <a class="button button-x" href={`/auth/twitter?returnTo=${encodeURIComponent(props.returnTo)}`}>
            <XMark /> Sign in with X
          </a>
        </Show>

        <Show when={props.providers.twitter && props.providers.dev}>
          {/* biome-ignore lint/a11y/useSemanticElements: a separator with a label; an <hr> holds no text. */}
          <div class="divider" role="separator">
            <span>or, for development</span>
          </div>
        </Show>

        <Show when={props.providers.dev}>
          <form class="dev-sign-in" onSubmit={submit} aria-describedby="dev-hint">
            <label for="handle">Your handle</label>
            <div class="input-row">
              <span class="input-prefix" aria-hidden="true">
                @
              </span>
              <input
                id="handle"
                name="handle"
                type="text"
                autocomplete="username"
                autocapitalize="off"
                spellcheck={false}
                required
                maxLength={16}
                pattern={`@?${HANDLE_PATTERN}`}
                title="1–15 letters, digits or underscores"
                placeholder="alice"
                value={handle()}
                onInput={(e) => setHandle(e.currentTarget.value)}
                aria-invalid={error() ? 'true' : undefined}
                aria-errormessage={error() ? 'sign-in-error' : undefined}
              />
              <button type="submit" class="button button-primary" disabled={busy()}>
                {busy() ? 'Signing in…' : 'Sign in'}
              </button>
            </div>
            <p id="dev-hint" class="hint">
              Development sign-in: any handle of 1–15 letters, digits or underscores.
            </p>
          </form>
        </Show>

        <Show when={!props.providers.twitter && !props.providers.dev}>
          <p class="hint">This server offers no way to sign in right now.</p>
        </Show>

        <Show when={error()}>
          <p id="sign-in-error" class="form-error" role="alert">
            {error()}
          </p>
        </Show>
      </div>
    </main>
  );
};

/** The balloon mark (inline SVG, no user data). */
export const BalloonMark = () => (
  <svg viewBox="0 0 64 64" width="40" height="40" aria-hidden="true" class="balloon-mark">
    <path d="M22 8c-9 0-16 7.5-16 17 0 10 8 18 16 21-1 2-2 3-3 4h7c-1-1-2-2-3-4 8-3 16-11 16-21C39 15.5 31 8 22 8z" fill="var(--brand-2)" />
    <path d="M40 4c-9 0-16 7.5-16 17 0 10 8 18 16 21-1 2-2 3-3 4h7c-1-1-2-2-3-4 8-3 16-11 16-21C57 11.5 49 4 40 4z" fill="var(--brand)" />
    <path d="M40 46c0 6-4 8-4 14M22 50c0 4 3 6 3 10" stroke="var(--muted)" stroke-width="1.5" fill="none" stroke-linecap="round" />
    <ellipse cx="34" cy="14" rx="4" ry="6" fill="#fff" opacity=".35" transform="rotate(-25 34 14)" />
  </svg>
);

const XMark = () => (
  <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
    <path
      fill="currentColor"
      d="M18.24 2.25h3.31l-7.23 8.26 8.5 11.24h-6.66l-5.21-6.82-5.97 6.82H1.67l7.73-8.84L1.25 2.25h6.83l4.71 6.23 5.45-6.23zm-1.16 17.52h1.83L7.08 4.13H5.12l11.96 15.64z"
    />
  </svg>
);
