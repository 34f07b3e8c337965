import { assertNever, type Decider } from '../decider.js';
import { ValidationError } from '../errors.js';
import type { ReactionEvent } from './events.js';

export type { ReactionAdded, ReactionEvent, ReactionRemoved } from './events.js';

/** Kinds of reaction (distinct emoji) one message may carry. */
export const REACTION_KINDS_MAX = 20;
/** How many of each kind's people a message's reactions list (the first to react). */
export const REACTION_USERS_KEPT = 20;

/**
 * One person's reactions to one message: the emoji, each with when it was added (which orders
 * the people of that emoji). The aggregate is (message, person): people reacting at once to one
 * message never conflict, and a person's reacting twice with one emoji counts once.
 */
export interface ReactionState {
  emojis: { emoji: string; at: string }[];
}

export type React = { type: 'React'; messageId: string; actorId: string; emoji: string; now: string };
export type Unreact = { type: 'Unreact'; messageId: string; actorId: string; emoji: string; now: string };
export type ReactionCommand = React | Unreact;

// One emoji as Unicode's recommended set has them (RGI): a single code point with emoji
// presentation, a keycap, a flag, a tag sequence, a skin tone or a ZWJ sequence. The `v` flag's
// property of strings, built at run time: TypeScript's target (ES2023) does not know the flag.
// biome-ignore lint/complexity/useRegexLiterals: a literal with the v flag does not compile for ES2023.
const ONE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const EMOJI_MAX_LENGTH = 32;

/**
 * One emoji, else `ValidationError`: text, two emoji, an emoji with anything beside it (a space, a
 * zero-width one, combining marks) and lone surrogates are refused. A symbol that is an emoji
 * only with its presentation selector (❤ for ❤️) is taken with the selector: one spelling each.
 */
export const parseEmoji = (raw: string): string => {
  if (raw.length <= EMOJI_MAX_LENGTH) {
    if (ONE_EMOJI.test(raw)) return raw;
    const presented = `${raw}\ufe0f`;
    if (ONE_EMOJI.test(presented)) return presented;
  }
  throw new ValidationError('emoji must be exactly one emoji', 'emoji');
};

export const reactionDecider: Decider<ReactionCommand, ReactionEvent, ReactionState> = {
  initialState: { emojis: [] },
  decide: (command, state) => {
    const emoji = parseEmoji(command.emoji);
    const has = state.emojis.some((reaction) => reaction.emoji === emoji);
    const data = { messageId: command.messageId, userId: command.actorId, emoji, at: command.now };
    switch (command.type) {
      case 'React':
        return has ? [] : [{ type: 'ReactionAdded', data }];
      case 'Unreact':
        return has ? [{ type: 'ReactionRemoved', data }] : [];
      default:
        return assertNever(command);
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'ReactionAdded':
        return { emojis: [...state.emojis, { emoji: event.data.emoji, at: event.data.at }] };
      case 'ReactionRemoved':
        return { emojis: state.emojis.filter((reaction) => reaction.emoji !== event.data.emoji) };
      default:
        return state;
    }
  },
};
