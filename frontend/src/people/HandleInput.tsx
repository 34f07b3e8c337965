import { For, Show, createSignal } from 'solid-js';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';
import { Avatar } from '../ui/Avatar.js';
import { moveHighlight } from './completion.js';

/**
 * A text box for handles with completion: suggestions below it (ArrowUp/ArrowDown to move, Enter
 * or a click to pick, Escape to close). The parent says what to suggest; this only shows and picks.
 */
export const HandleInput = (props: {
  id: string;
  value: string;
  placeholder: string;
  suggestions: readonly UserFieldsFragment[];
  onInput: (text: string) => void;
  onPick: (user: UserFieldsFragment) => void;
  invalid?: boolean;
}) => {
  const [highlight, setHighlight] = createSignal(-1);
  const [closed, setClosed] = createSignal(false);
  const listId = () => `${props.id}-suggestions`;
  const open = () => !closed() && props.suggestions.length > 0;
  const pick = (user: UserFieldsFragment) => {
    props.onPick(user);
    setHighlight(-1);
  };
  return (
    <div class="handle-input">
      <input
        id={props.id}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open()}
        aria-controls={listId()}
        aria-activedescendant={open() && highlight() >= 0 ? `${listId()}-${highlight()}` : undefined}
        aria-invalid={props.invalid ? 'true' : undefined}
        autocomplete="off"
        spellcheck={false}
        placeholder={props.placeholder}
        value={props.value}
        onInput={(e) => {
          setClosed(false);
          setHighlight(-1);
          props.onInput(e.currentTarget.value);
        }}
        onBlur={() => setClosed(true)}
        onFocus={() => setClosed(false)}
        onKeyDown={(e) => {
          if (!open()) return;
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setHighlight(moveHighlight(highlight(), e.key === 'ArrowDown' ? 1 : -1, props.suggestions.length));
          } else if (e.key === 'Enter' && highlight() >= 0) {
            e.preventDefault();
            const user = props.suggestions[highlight()];
            if (user) pick(user);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            setClosed(true);
          }
        }}
      />
      <Show when={open()}>
        <div class="suggestions" id={listId()} role="listbox">
          <For each={props.suggestions}>
            {(user, i) => (
              <div
                id={`${listId()}-${i()}`}
                role="option"
                tabIndex={-1}
                class="suggestion"
                classList={{ highlighted: i() === highlight() }}
                aria-selected={i() === highlight()}
                data-handle={user.handle}
                // Before the input's blur, so the click lands.
                onPointerDown={(e) => {
                  e.preventDefault();
                  pick(user);
                }}
              >
                <Avatar user={user} size={24} />
                <span class="display-name">{user.displayName}</span>
                <span class="person-status">@{user.handle}</span>
              </div>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
};
