import { Match, Show, Switch, createEffect, createMemo, createSignal, onCleanup, onMount } from 'solid-js';
import { FilterChips } from './FilterChips.js';
import { type FilterKind, type QueryFilter, addFilter, hasFilter, removeFilter, toFilters } from './queryFilters.js';
import { SearchResults } from './SearchResults.js';
import type { SearchHit, SearchState } from './searchResults.js';
import { toResultSummary } from './searchResults.js';
import { isSearchShortcut } from './shortcut.js';

/**
 * Message search in the header: a search field (`/` or Ctrl/Cmd+K opens it, Escape closes it) and,
 * below it while open, the filters as chips and the results by room. Enter searches. The search's
 * data is the caller's (`searchSession.ts`); this keeps what is typed, whether the panel is open,
 * and where focus was before, to give it back.
 */
export const SearchBar = (props: {
  state: SearchState;
  /** Searches for the query ("" clears). */
  onSearch: (query: string) => void;
  onLoadMore: () => void;
  /** Opens a result's message in its room. */
  onOpenResult: (hit: SearchHit) => void;
}) => {
  const [text, setText] = createSignal('');
  const [open, setOpen] = createSignal(false);
  let root: HTMLElement | undefined;
  let input: HTMLInputElement | undefined;
  /** Where focus was when the shortcut opened search: Escape goes back there. */
  let returnFocus: HTMLElement | null = null;

  const filters = createMemo(() => toFilters(props.state.query));
  const summary = () => toResultSummary(props.state);

  const openSearch = () => {
    const active = document.activeElement;
    if (!open() && active instanceof HTMLElement && !root?.contains(active)) returnFocus = active;
    setOpen(true);
    input?.focus();
    input?.select();
  };
  const close = (giveFocusBack: boolean) => {
    setOpen(false);
    if (!giveFocusBack) return;
    const back = returnFocus;
    returnFocus = null;
    if (back?.isConnected) back.focus();
    else if (root?.contains(document.activeElement)) (document.activeElement as HTMLElement).blur();
  };
  const search = (query: string) => {
    setText(query);
    setOpen(true);
    props.onSearch(query);
  };
  const removeChip = (filter: QueryFilter) => {
    search(removeFilter(props.state.query, filter));
    input?.focus();
  };
  const addChip = (kind: FilterKind, value: string) => {
    const next = addFilter(props.state.query, kind, value);
    if (next !== props.state.query) search(next);
  };
  const openResult = (hit: SearchHit) => {
    returnFocus = null;
    setOpen(false);
    props.onOpenResult(hit);
  };

  /** The result buttons in the order shown; arrows move between them, ArrowUp from the first goes back to the field. */
  const moveFocus = (event: KeyboardEvent) => {
    if (!root || !input) return;
    const hits = [...root.querySelectorAll<HTMLButtonElement>('.search-hit')];
    if (hits.length === 0) return;
    const active = document.activeElement;
    const item = active instanceof HTMLElement ? active.closest('.search-item') : null;
    const at = item ? hits.findIndex((hit) => item.contains(hit)) : -1;
    let next: HTMLElement | undefined;
    if (event.key === 'ArrowDown') next = at < 0 ? hits[0] : hits[Math.min(at + 1, hits.length - 1)];
    else if (event.key === 'ArrowUp') next = at <= 0 ? input : hits[at - 1];
    else if (event.key === 'Home' && at >= 0) next = hits[0];
    else if (event.key === 'End' && at >= 0) next = hits.at(-1);
    if (!next) return;
    event.preventDefault();
    next.focus();
    next.scrollIntoView({ block: 'nearest' });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && open()) {
      // Also keeps a search field's own Escape (clearing it) and the page's (closing side panels) from happening.
      event.preventDefault();
      event.stopPropagation();
      close(true);
      return;
    }
    if (open() && ['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) {
      // In the field, Home and End move the caret.
      if (event.target === input && (event.key === 'Home' || event.key === 'End')) return;
      moveFocus(event);
    }
  };

  const onShortcut = (event: KeyboardEvent) => {
    if (!isSearchShortcut(event)) return;
    event.preventDefault();
    openSearch();
  };
  window.addEventListener('keydown', onShortcut);
  onCleanup(() => window.removeEventListener('keydown', onShortcut));
  // On the element itself, not delegated: stopping Escape here keeps it from the page's own listener on window.
  // Tabbing out of the search closes it too (a press elsewhere is the pointerdown below).
  const onFocusOut = (event: FocusEvent) => {
    if (open() && event.relatedTarget instanceof Node && root && !root.contains(event.relatedTarget)) close(false);
  };
  onMount(() => {
    root?.addEventListener('keydown', onKeyDown);
    root?.addEventListener('focusout', onFocusOut);
    onCleanup(() => {
      root?.removeEventListener('keydown', onKeyDown);
      root?.removeEventListener('focusout', onFocusOut);
    });
  });

  // A press outside closes the panel (the results stay for when it opens again).
  createEffect(() => {
    if (!open()) return;
    const onPointerDown = (event: PointerEvent) => {
      if (root && event.target instanceof Node && !root.contains(event.target)) close(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    onCleanup(() => document.removeEventListener('pointerdown', onPointerDown));
  });

  return (
    <search class="search-bar" classList={{ open: open() }} ref={root} aria-label="Messages">
      <form
        class="search-form"
        onSubmit={(event) => {
          event.preventDefault();
          search(text());
        }}
      >
        <label class="visually-hidden" for="search-input">
          Search messages
        </label>
        <svg class="search-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
          <path
            fill="currentColor"
            d="M15.5 14h-.79l-.28-.27A6.47 6.47 0 0 0 16 9.5 6.5 6.5 0 1 0 9.5 16c1.61 0 3.09-.59 4.23-1.57l.27.28v.79l5 4.99L20.49 19l-4.99-5zm-6 0C7.01 14 5 11.99 5 9.5S7.01 5 9.5 5 14 7.01 14 9.5 11.99 14 9.5 14z"
          />
        </svg>
        <input
          id="search-input"
          ref={input}
          type="search"
          class="search-input"
          placeholder="Search messages"
          autocomplete="off"
          spellcheck={false}
          enterkeyhint="search"
          aria-keyshortcuts="/ Control+K Meta+K"
          aria-controls="search-panel"
          value={text()}
          onInput={(event) => setText(event.currentTarget.value)}
          onFocus={() => setOpen(true)}
        />
        <Show when={!open()}>
          <kbd class="search-key" title="Press / to search">
            /
          </kbd>
        </Show>
      </form>
      <section id="search-panel" class="search-panel" aria-label="Search results" hidden={!open()}>
        <FilterChips filters={filters()} onRemove={removeChip} />
        <p class="search-summary" role="status" aria-live="polite" aria-busy={props.state.status === 'loading'}>
          <Show when={props.state.status === 'loading'}>
            <span class="spinner" aria-hidden="true" />{' '}
          </Show>
          <Show when={props.state.status !== 'failed'}>{summary()}</Show>
        </p>
        <Switch>
          <Match when={props.state.status === 'idle'}>
            <SearchHelp />
          </Match>
          <Match when={props.state.status === 'failed'}>
            <p class="form-error search-error" role="alert">
              {props.state.error}
            </p>
          </Match>
          <Match when={props.state.status === 'ready' && props.state.hits.length === 0}>
            <p class="empty-note search-empty">Try fewer words, or remove a filter.</p>
          </Match>
          <Match when={props.state.status === 'ready'}>
            <SearchResults
              groups={props.state.groups}
              hasFilter={(kind, value) => hasFilter(props.state.query, kind, value)}
              onOpen={openResult}
              onAddFilter={addChip}
            />
            <Show when={props.state.hasNextPage || props.state.moreError}>
              <div class="search-more">
                <Show when={props.state.moreError}>
                  <p class="form-error" role="alert">
                    {props.state.moreError}
                  </p>
                </Show>
                <Show
                  when={!props.state.loadingMore}
                  fallback={
                    <p class="load-more-note">
                      <span class="spinner" aria-hidden="true" /> Loading…
                    </p>
                  }
                >
                  <button type="button" class="button button-quiet button-small" onClick={() => props.onLoadMore()}>
                    {props.state.moreError ? 'Try again' : 'Load more'}
                  </button>
                </Show>
              </div>
            </Show>
          </Match>
        </Switch>
      </section>
    </search>
  );
};

/** What a query can say, shown before the first search. */
const SearchHelp = () => (
  <dl class="search-help">
    <dt>
      <code>word another</code>
    </dt>
    <dd>messages with every word</dd>
    <dt>
      <code>"exact phrase"</code>
    </dt>
    <dd>those words in that order</dd>
    <dt>
      <code>-word</code>
    </dt>
    <dd>without it</dd>
    <dt>
      <code>from:handle</code> <code>in:room</code>
    </dt>
    <dd>by someone, in a room</dd>
    <dt>
      <code>after:2026-12-01</code> <code>before:…</code>
    </dt>
    <dd>from, or until, a day</dd>
  </dl>
);
