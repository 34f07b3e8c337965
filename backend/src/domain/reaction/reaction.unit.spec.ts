import { describe, expect, it } from 'vitest';
import { specFor } from '../../testing/deciderSpec.js';
import { ValidationError } from '../errors.js';
import { parseEmoji, reactionDecider, type ReactionAdded } from './reaction.js';

const spec = specFor(reactionDecider);
const now = '2026-12-05T10:00:00.000Z';
const later = '2026-12-05T10:01:00.000Z';
const react = (emoji: string) => ({ type: 'React' as const, messageId: 'r.m1', actorId: 'ann', emoji, now });
const unreact = (emoji: string) => ({ type: 'Unreact' as const, messageId: 'r.m1', actorId: 'ann', emoji, now: later });
const added = (emoji: string): ReactionAdded => ({ type: 'ReactionAdded', data: { messageId: 'r.m1', userId: 'ann', emoji, at: now } });

describe('reaction decider', () => {
  it('adds a reaction once: the same emoji again changes nothing', () => {
    spec
      .given([])
      .when(react('👍'))
      .then([added('👍')]);
    spec
      .given([added('👍')])
      .when(react('👍'))
      .then([]);
    spec
      .given([added('👍')])
      .when(react('🎉'))
      .then([added('🎉')]);
  });

  it('takes back only a reaction the person has', () => {
    spec.given([]).when(unreact('👍')).then([]);
    spec
      .given([added('👍')])
      .when(unreact('👍'))
      .then([{ type: 'ReactionRemoved', data: { messageId: 'r.m1', userId: 'ann', emoji: '👍', at: later } }]);
  });

  it.each([
    ['a plain emoji', '👍'],
    ['a skin tone', '👍🏽'],
    ['a ZWJ family', '👩‍👩‍👧'],
    ['a ZWJ profession with a skin tone', '🧑🏿‍🚒'],
    ['a flag', '🇫🇷'],
    ['a keycap', '1️⃣'],
    ['a tag sequence', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['a symbol with its presentation selector', '❤️'],
  ])('takes %s', (_, emoji) => {
    expect(parseEmoji(emoji)).toBe(emoji);
  });

  it('spells a symbol that needs its presentation selector with it', () => {
    expect(parseEmoji('❤')).toBe('❤️');
  });

  it.each([
    ['text', 'ok'],
    ['a digit', '1'],
    ['two emoji', '👍👍'],
    ['an emoji and a zero-width space', '👍\u200b'],
    ['an emoji and a space', '👍 '],
    ['100 combining marks', `👍${'\u0301'.repeat(100)}`],
    ['a lone surrogate', '\ud83d'],
    ['nothing', ''],
    ['a selector alone', '\ufe0f'],
    ['a skin tone alone with text', 'a🏽'],
  ])('refuses %s', (_, emoji) => {
    expect(() => parseEmoji(emoji)).toThrow(ValidationError);
    spec.given([]).when(react(emoji)).thenThrows(ValidationError);
  });
});
