import { For, Show } from 'solid-js';
import { toDayLabel } from '../chat/grouping.js';
import { Avatar } from '../ui/Avatar.js';
import { formatDateTime, formatTime } from '../ui/format.js';
import { RoomMarker } from '../ui/RoomMarker.js';
import { HighlightedText } from './HighlightedText.js';
import type { FilterKind } from './queryFilters.js';
import type { SearchGroup, SearchHit } from './searchResults.js';

/** "14:05" today, "Yesterday 14:05", else "3 Nov, 14:05" (with the year when it is another). */
const toHitTime = (iso: string, now: number): string => {
  const ms = Date.parse(iso);
  const day = toDayLabel(ms, now);
  if (day === 'Today') return formatTime(iso);
  if (day === 'Yesterday') return `Yesterday ${formatTime(iso)}`;
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  const date = new Date(ms).toLocaleDateString(undefined, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) });
  return `${date}, ${formatTime(iso)}`;
};

/**
 * Search results by room: a heading per room, then its messages (author, time, the body with what
 * matched marked). Each result is a button that opens the message in its room; beside it and the
 * heading, buttons add a `from:` or `in:` filter. A list of buttons: the arrow keys move between
 * results (the search bar handles them).
 */
export const SearchResults = (props: {
  groups: readonly SearchGroup[];
  /** Whether the query has this filter already (its button is then left out). */
  hasFilter: (kind: FilterKind, value: string) => boolean;
  onOpen: (hit: SearchHit) => void;
  onAddFilter: (kind: FilterKind, value: string) => void;
}) => {
  const now = Date.now();
  return (
    <For each={props.groups}>
      {(group) => {
        const headingId = () => `search-group-${group.room.id}`;
        // A direct conversation's name is its people's names, for the viewer: no `in:` can name it.
        const canNarrow = () => group.room.kind !== 'DIRECT' && !group.room.name.includes('"') && !props.hasFilter('in', group.room.name);
        return (
          <section class="search-group" aria-labelledby={headingId()} data-room-id={group.room.id}>
            <div class="search-group-head">
              <h3 id={headingId()} class="search-group-name">
                <RoomMarker kind={group.room.kind} />
                {group.room.name}
              </h3>
              <Show when={canNarrow()}>
                <button
                  type="button"
                  class="search-filter-add"
                  title={`Search only in ${group.room.name}`}
                  aria-label={`Search only in ${group.room.name}`}
                  onClick={() => props.onAddFilter('in', group.room.name)}
                >
                  + in:{group.room.name}
                </button>
              </Show>
            </div>
            <ul class="search-hits">
              <For each={group.hits}>
                {(hit) => (
                  <li class="search-item">
                    <button type="button" class="search-hit" data-message-id={hit.node.id} onClick={() => props.onOpen(hit)}>
                      <Avatar user={hit.node.author} size={28} />
                      <span class="search-hit-main">
                        <span class="search-hit-meta">
                          <span class="author-name">{hit.node.author.displayName}</span>
                          <Show when={hit.node.author.displayName.toLowerCase() !== hit.node.author.handle.toLowerCase()}>
                            <span class="author-handle">@{hit.node.author.handle}</span>
                          </Show>
                          <time dateTime={hit.node.createdAt} title={formatDateTime(hit.node.createdAt)}>
                            {toHitTime(hit.node.createdAt, now)}
                          </time>
                        </span>
                        <span class="search-hit-body">
                          <HighlightedText text={hit.node.body} ranges={hit.highlights} />
                        </span>
                      </span>
                    </button>
                    <Show when={!props.hasFilter('from', hit.node.author.handle)}>
                      <button
                        type="button"
                        class="search-filter-add"
                        title={`Search only messages from @${hit.node.author.handle}`}
                        aria-label={`Search only messages from @${hit.node.author.handle}`}
                        onClick={() => props.onAddFilter('from', hit.node.author.handle)}
                      >
                        + from:{hit.node.author.handle}
                      </button>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </section>
        );
      }}
    </For>
  );
};
