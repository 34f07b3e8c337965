import { For, Show } from 'solid-js';
import { type TextRange, toExcerpt } from './highlight.js';

/**
 * A message body with the parts that matched in `<mark>`, cut around the first match when long.
 * Every piece is a text node Solid makes: never innerHTML.
 */
export const HighlightedText = (props: { text: string; ranges: readonly TextRange[]; max?: number }) => {
  const excerpt = () => toExcerpt(props.text, props.ranges, props.max);
  return (
    <>
      <Show when={excerpt().clippedStart}>…</Show>
      <For each={excerpt().segments}>{(segment) => (segment.marked ? <mark>{segment.text}</mark> : segment.text)}</For>
      <Show when={excerpt().clippedEnd}>…</Show>
    </>
  );
};
