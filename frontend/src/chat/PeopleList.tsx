import { For, Show } from 'solid-js';
import { Avatar } from '../ui/Avatar.js';
import { STATUS_LABELS } from '../ui/format.js';
import { StatusDot } from '../ui/StatusDot.js';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';

/** Who is in the room now, with their status. */
export const PeopleList = (props: {
  people: readonly UserFieldsFragment[];
  /** How many are here: more than `people` in a big room, whose presence comes as counts. */
  count?: number;
  viewerId: string;
  /** Opens a direct conversation with the person; answers an error message, or null. */
  onMessage?: (handle: string) => Promise<string | null>;
}) => (
  <section class="people" aria-labelledby="people-heading">
    <h2 id="people-heading">
      In this room <span class="count">{Math.max(props.count ?? 0, props.people.length)}</span>
    </h2>
    <Show when={props.people.length > 0} fallback={<p class="empty-note">Nobody else is here yet.</p>}>
      <ul class="people-list">
        <For each={props.people}>
          {(person) => (
            <li class="person" data-handle={person.handle} data-status={person.status}>
              <span class="avatar-with-status">
                <Avatar user={person} size={28} />
                <StatusDot status={person.status} />
              </span>
              <span class="person-names">
                <span class="display-name">
                  {person.displayName}
                  <Show when={person.id === props.viewerId}>
                    <span class="you"> (you)</span>
                  </Show>
                </span>
                <span class="person-status">{STATUS_LABELS[person.status]}</span>
              </span>
              <Show when={props.onMessage && person.id !== props.viewerId}>
                <button
                  type="button"
                  class="icon-button"
                  aria-label={`Message ${person.displayName}`}
                  title="Send a direct message"
                  onClick={() => void props.onMessage?.(person.handle)}
                >
                  <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <path fill="currentColor" d="M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z" />
                  </svg>
                </button>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <Show when={(props.count ?? 0) > props.people.length}>
        <p class="more-people">and {(props.count ?? 0) - props.people.length} more</p>
      </Show>
    </Show>
  </section>
);
