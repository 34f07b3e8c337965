import { For, type JSX } from 'solid-js';
import { LINK_REL, type Segment, toSegments } from './richText.js';

/**
 * A message body as elements: text nodes, http(s) links, highlighted @mentions and emoji. Never
 * innerHTML: every piece of user text ends up in a text node.
 */
export const RichText = (props: { body: string; viewerHandle?: string | null }) => {
  const isMe = (handle: string) => !!props.viewerHandle && handle.toLowerCase() === props.viewerHandle.toLowerCase();
  const render = (segment: Segment): JSX.Element => {
    switch (segment.kind) {
      case 'text':
        return segment.text;
      case 'link':
        return (
          <a href={segment.href} target="_blank" rel={LINK_REL}>
            {segment.text}
          </a>
        );
      case 'mention':
        return (
          <span class="mention" classList={{ 'mention-me': isMe(segment.handle) }}>
            {segment.text}
          </span>
        );
      case 'emoji':
        return (
          <span class="emoji" role="img" aria-label={segment.label} title={segment.text}>
            {segment.emoji}
          </span>
        );
    }
  };
  return <For each={toSegments(props.body)}>{render}</For>;
};
