import { For, Show } from 'solid-js';
import type { ReactionFieldsFragment } from '../graphql/gql/graphql.js';
import { EmojiPicker } from './EmojiPicker.js';
import { toChipLabel, toReactorsText } from './reactions.js';

/**
 * A message's reactions: one chip per emoji, in order of first use, highlighted when the viewer is
 * among them; a click adds or takes back the viewer's. The title says who reacted.
 */
export const ReactionChips = (props: {
  reactions: readonly ReactionFieldsFragment[];
  viewerId: string;
  busy: boolean;
  onToggle: (emoji: string) => void;
}) => (
  <Show when={props.reactions.length > 0}>
    <ul class="reactions" aria-label="Reactions">
      <For each={props.reactions}>
        {(reaction) => (
          <li>
            <button
              type="button"
              class="reaction-chip"
              classList={{ mine: reaction.reactedByMe }}
              aria-pressed={reaction.reactedByMe}
              aria-label={toChipLabel(reaction)}
              title={toReactorsText(reaction, props.viewerId)}
              data-emoji={reaction.emoji}
              disabled={props.busy}
              onClick={() => props.onToggle(reaction.emoji)}
            >
              <span class="reaction-emoji" aria-hidden="true">
                {reaction.emoji}
              </span>
              <span class="reaction-count" aria-hidden="true">
                {reaction.count}
              </span>
            </button>
          </li>
        )}
      </For>
      <li>
        <EmojiPicker label="Add reaction" onPick={(emoji) => props.onToggle(emoji)} />
      </li>
    </ul>
  </Show>
);
