import { Show, createEffect, on, onCleanup, onMount } from 'solid-js';

/**
 * The end of a list that has more: asks for more when it comes into view, and again after each
 * page if it is still in view (a tall screen). A page that showed nothing new (every room on it
 * hidden), or a failure, stops that until the button is used, so a filtered view never pages
 * through everything by itself.
 */
export const LoadMore = (props: {
  /** How many items the list shows now. */
  count: number;
  loading: boolean;
  error: string | null;
  label: string;
  onLoadMore: () => void;
}) => {
  let end: HTMLDivElement | undefined;
  let observer: IntersectionObserver | undefined;
  /** The count shown when more was last asked for by scrolling. */
  let askedAt: number | null = null;
  const askIfNew = () => {
    if (props.loading || props.error || props.count === askedAt) return;
    askedAt = props.count;
    props.onLoadMore();
  };
  onMount(() => {
    if (!end) return;
    const target = end;
    observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) askIfNew();
    });
    observer.observe(target);
    onCleanup(() => observer?.disconnect());
    // Observing again reports where the end is now: a page that arrived may have pushed it out of view, or not.
    createEffect(
      on(
        () => [props.count, props.loading],
        () => {
          observer?.unobserve(target);
          observer?.observe(target);
        },
        { defer: true },
      ),
    );
  });
  return (
    <div class="load-more" ref={end}>
      <Show
        when={!props.loading}
        fallback={
          <p class="load-more-note" role="status">
            <span class="spinner" aria-hidden="true" /> Loading…
          </p>
        }
      >
        <Show when={props.error}>
          <p class="form-error" role="alert">
            {props.error}
          </p>
        </Show>
        <button type="button" class="link-button" onClick={() => props.onLoadMore()}>
          {props.error ? 'Try again' : props.label}
        </button>
      </Show>
    </div>
  );
};
