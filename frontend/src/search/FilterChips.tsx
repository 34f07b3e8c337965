import { For, Show } from 'solid-js';
import type { QueryFilter } from './queryFilters.js';

const LABELS = { from: 'from', in: 'in' } as const;

/** The query's `from:` and `in:` filters as chips; removing one edits the query (the caller searches again). */
export const FilterChips = (props: { filters: readonly QueryFilter[]; onRemove: (filter: QueryFilter) => void }) => (
  <Show when={props.filters.length > 0}>
    <ul class="filter-chips" aria-label="Filters">
      <For each={props.filters}>
        {(filter) => (
          <li class="filter-chip" data-kind={filter.kind}>
            <span class="filter-chip-kind">{LABELS[filter.kind]}:</span>
            <span class="filter-chip-value">{filter.kind === 'from' ? `@${filter.value}` : filter.value}</span>
            <button
              type="button"
              class="filter-chip-remove"
              aria-label={`Remove filter ${filter.kind}:${filter.value}`}
              title="Remove this filter and search again"
              onClick={() => props.onRemove(filter)}
            >
              <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
                <path
                  fill="currentColor"
                  d="M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z"
                />
              </svg>
            </button>
          </li>
        )}
      </For>
    </ul>
  </Show>
);
