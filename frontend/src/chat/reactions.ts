/**
 * Reaction chips: what a click means, what a chip's title says, and what the picker offers. Pure;
 * the counts themselves are the server's (each ReactionAdded/ReactionRemoved carries the message's
 * reactions as they are now).
 */

import type { LiveMessageFieldsFragment, MessageFieldsFragment, ReactionFieldsFragment } from '../graphql/gql/graphql.js';

/** The server keeps at most this many different emoji on one message. */
export const MAX_REACTION_KINDS = 20;

export type ReactionIntent = { kind: 'react' | 'unreact'; emoji: string };

/** A click on a chip or a pick in the picker: takes the viewer's reaction back if they have it, else adds it. */
export const toReactionIntent = (reactions: readonly ReactionFieldsFragment[], emoji: string): ReactionIntent => {
  const mine = reactions.some((r) => r.emoji === emoji && r.reactedByMe);
  return { kind: mine ? 'unreact' : 'react', emoji };
};

/** Whether adding this emoji would make a kind past the limit (the server would refuse it). */
export const isOverKindLimit = (reactions: readonly ReactionFieldsFragment[], emoji: string): boolean =>
  !reactions.some((r) => r.emoji === emoji) && reactions.length >= MAX_REACTION_KINDS;

const listNames = (names: readonly string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/**
 * Who reacted, for the chip's title: "You, alice and 3 others reacted with 👍". The server names the
 * first few; the count says how many more.
 */
export const toReactorsText = (reaction: ReactionFieldsFragment, viewerId: string): string => {
  const others = reaction.users.filter((u) => u.id !== viewerId).map((u) => u.displayName);
  const named = reaction.reactedByMe ? ['You', ...others] : others;
  const rest = reaction.count - named.length;
  const names = rest > 0 ? [...named, rest === 1 ? '1 other' : `${rest} others`] : named;
  return `${listNames(names) || `${reaction.count} ${reaction.count === 1 ? 'person' : 'people'}`} reacted with ${reaction.emoji}`;
};

/** The chip's accessible name: "👍 3 reactions, including yours". */
export const toChipLabel = (reaction: ReactionFieldsFragment): string =>
  `${reaction.emoji} ${reaction.count} ${reaction.count === 1 ? 'reaction' : 'reactions'}${reaction.reactedByMe ? ', including yours' : ''}`;

/** The picker's emoji, with names for screen readers. */
export const PICKER_EMOJI: readonly { emoji: string; name: string }[] = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '👎', name: 'thumbs down' },
  { emoji: '❤️', name: 'red heart' },
  { emoji: '😂', name: 'face with tears of joy' },
  { emoji: '😮', name: 'face with open mouth' },
  { emoji: '😢', name: 'crying face' },
  { emoji: '😡', name: 'enraged face' },
  { emoji: '🎉', name: 'party popper' },
  { emoji: '🙏', name: 'folded hands' },
  { emoji: '👀', name: 'eyes' },
  { emoji: '🔥', name: 'fire' },
  { emoji: '✅', name: 'check mark' },
  { emoji: '🚀', name: 'rocket' },
  { emoji: '💯', name: 'hundred points' },
  { emoji: '😄', name: 'grinning face' },
  { emoji: '😍', name: 'smiling face with heart-eyes' },
  { emoji: '🤔', name: 'thinking face' },
  { emoji: '🙌', name: 'raising hands' },
  { emoji: '👏', name: 'clapping hands' },
  { emoji: '😅', name: 'grinning face with sweat' },
  { emoji: '🎈', name: 'balloon' },
  { emoji: '☕', name: 'hot beverage' },
  { emoji: '👋', name: 'waving hand' },
  { emoji: '🤝', name: 'handshake' },
];

/** Columns of the picker's grid. */
export const PICKER_COLUMNS = 6;

/**
 * Where focus goes in the picker's grid of `count` cells, `columns` wide, for a key: arrows move
 * (left and right wrap to the previous and next row; up and down stop at the edges), Home and End
 * go to the first and last. Null for any other key.
 */
export const movePickerFocus = (index: number, key: string, count: number, columns = PICKER_COLUMNS): number | null => {
  if (count <= 0) return null;
  const last = count - 1;
  switch (key) {
    case 'ArrowRight':
      return Math.min(last, index + 1);
    case 'ArrowLeft':
      return Math.max(0, index - 1);
    case 'ArrowDown':
      return index + columns <= last ? index + columns : index;
    case 'ArrowUp':
      return index - columns >= 0 ? index - columns : index;
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
};

/** The viewer's own reaction an event stands for (a ReactionAdded or ReactionRemoved by them). */
export type OwnReaction = { emoji: string; added: boolean } | null;

/**
 * A live event's message with `reactedByMe` put back. The live document leaves it out (it depends
 * on who asks, so it would make the server render every event once for each subscriber); the
 * viewer's own reactions are known here: from the message as it was shown before, changed by the
 * event when it is the viewer's own reaction.
 */
export const withOwnReactions = (
  live: LiveMessageFieldsFragment,
  before: Pick<MessageFieldsFragment, 'reactions'> | undefined,
  own: OwnReaction,
): MessageFieldsFragment => ({
  ...live,
  reactions: live.reactions.map((reaction) => ({
    ...reaction,
    reactedByMe:
      own && own.emoji === reaction.emoji ? own.added : (before?.reactions.find((r) => r.emoji === reaction.emoji)?.reactedByMe ?? false),
  })),
});
