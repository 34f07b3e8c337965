import { For, Match, Show, Switch, createEffect, createSignal, onCleanup } from 'solid-js';
import { formatDateTime, formatTime } from '../ui/format.js';
import type { MessageVersionView } from './editHistory.js';

/**
 * The "(edited)" label of a message: a button that opens its history (read when first opened):
 * earlier bodies oldest first, with their times, then the body as it is now. Escape or a click
 * elsewhere closes it.
 */
export const EditHistoryPopover = (props: { editedAt: string; onLoad: () => Promise<MessageVersionView[] | string> }) => {
  const [open, setOpen] = createSignal(false);
  const [versions, setVersions] = createSignal<MessageVersionView[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  let root: HTMLSpanElement | undefined;
  let button: HTMLButtonElement | undefined;
  const onDocument = (event: Event) => {
    if (event instanceof KeyboardEvent) {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button?.focus();
    } else if (!root?.contains(event.target as Node)) setOpen(false);
  };
  createEffect(() => {
    if (!open()) return;
    document.addEventListener('pointerdown', onDocument);
    document.addEventListener('keydown', onDocument);
    onCleanup(() => {
      document.removeEventListener('pointerdown', onDocument);
      document.removeEventListener('keydown', onDocument);
    });
  });
  const toggle = async () => {
    if (open()) return setOpen(false);
    setOpen(true);
    setError(null);
    const answer = await props.onLoad();
    if (typeof answer === 'string') setError(answer);
    else setVersions(answer);
  };
  return (
    <span class="edit-history" ref={root}>
      {' '}
      <button
        type="button"
        class="edited link-button"
        ref={button}
        aria-expanded={open()}
        aria-haspopup="dialog"
        title={`Edited ${formatDateTime(props.editedAt)}: show the history`}
        onClick={() => void toggle()}
      >
        (edited)
      </button>
      <Show when={open()}>
        <span class="edit-history-popover" role="dialog" aria-label="Edit history">
          <Switch fallback={<span class="subtle">Loading…</span>}>
            <Match when={error()}>
              <span class="form-error" role="alert">
                {error()}
              </span>
            </Match>
            <Match when={versions()}>
              {(list) => (
                // Spans: the popover sits inside the message's paragraph, where a list element may not.
                // biome-ignore lint/a11y/useSemanticElements: as above, an <ol> cannot be inside a <p>.
                <span class="edit-versions" role="list">
                  <For each={list()}>
                    {(version) => (
                      // biome-ignore lint/a11y/useSemanticElements: an <li> needs a list element around it (above).
                      <span class="edit-version" role="listitem" classList={{ current: version.current }}>
                        <time dateTime={version.at} title={formatDateTime(version.at)}>
                          {version.current ? `Now (${formatTime(version.at)})` : formatTime(version.at)}
                        </time>
                        <span class="edit-version-body">{version.body}</span>
                      </span>
                    )}
                  </For>
                </span>
              )}
            </Match>
          </Switch>
        </span>
      </Show>
    </span>
  );
};
