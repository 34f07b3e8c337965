import { describe, expect, it } from 'vitest';
import type { ReactionFieldsFragment } from '../graphql/gql/graphql.js';
import {
  MAX_REACTION_KINDS,
  PICKER_COLUMNS,
  PICKER_EMOJI,
  isOverKindLimit,
  movePickerFocus,
  toChipLabel,
  toReactionIntent,
  toReactorsText,
  withOwnReactions,
} from './reactions.js';
import { aMessage } from '../testing/messages.js';

const person = (name: string) => ({ id: `u-${name}`, displayName: name });
const reaction = (emoji: string, names: string[], over: Partial<ReactionFieldsFragment> = {}): ReactionFieldsFragment => ({
  emoji,
  count: names.length,
  reactedByMe: false,
  users: names.map(person),
  ...over,
});

describe('reaction chips', () => {
  it('toggle: a click takes back the viewer’s own reaction, and adds any other', () => {
    const reactions = [reaction('👍', ['alice', 'me'], { reactedByMe: true }), reaction('🎉', ['bob'])];
    expect(toReactionIntent(reactions, '👍')).toEqual({ kind: 'unreact', emoji: '👍' });
    expect(toReactionIntent(reactions, '🎉')).toEqual({ kind: 'react', emoji: '🎉' });
    expect(toReactionIntent(reactions, '🔥')).toEqual({ kind: 'react', emoji: '🔥' });
    expect(toReactionIntent([], '🔥')).toEqual({ kind: 'react', emoji: '🔥' });
  });

  it('know the limit of kinds: a new emoji past 20 would be refused, one already there never', () => {
    const full = Array.from({ length: MAX_REACTION_KINDS }, (_, i) => reaction(String.fromCodePoint(0x1f600 + i), ['bob']));
    expect(isOverKindLimit(full, '🔥')).toBe(true);
    expect(isOverKindLimit(full, full[3]!.emoji)).toBe(false);
    expect(isOverKindLimit(full.slice(1), '🔥')).toBe(false);
  });

  it('name who reacted in the title, the viewer first as "You", then how many more', () => {
    expect(toReactorsText(reaction('👍', ['alice']), 'u-me')).toBe('alice reacted with 👍');
    expect(toReactorsText(reaction('👍', ['alice', 'bob']), 'u-me')).toBe('alice and bob reacted with 👍');
    expect(toReactorsText(reaction('👍', ['alice', 'me'], { reactedByMe: true }), 'u-me')).toBe('You and alice reacted with 👍');
    expect(toReactorsText(reaction('👍', ['alice', 'bob'], { count: 5 }), 'u-me')).toBe('alice, bob and 3 others reacted with 👍');
    expect(toReactorsText(reaction('👍', ['alice'], { count: 2 }), 'u-me')).toBe('alice and 1 other reacted with 👍');
    expect(toReactorsText(reaction('👍', [], { count: 3 }), 'u-me')).toBe('3 others reacted with 👍');
  });

  it('label a chip for screen readers with its count and whether it is the viewer’s', () => {
    expect(toChipLabel(reaction('👍', ['alice']))).toBe('👍 1 reaction');
    expect(toChipLabel(reaction('👍', ['alice', 'me'], { reactedByMe: true }))).toBe('👍 2 reactions, including yours');
  });
});

describe('the emoji picker’s keyboard', () => {
  const count = PICKER_EMOJI.length;

  it('offers 24 distinct emoji, each with a name', () => {
    expect(count).toBe(24);
    expect(new Set(PICKER_EMOJI.map((e) => e.emoji)).size).toBe(24);
    for (const e of PICKER_EMOJI) expect(e.name).not.toBe('');
  });

  it('moves left and right through the grid, wrapping rows but not past the ends', () => {
    expect(movePickerFocus(0, 'ArrowRight', count)).toBe(1);
    expect(movePickerFocus(PICKER_COLUMNS - 1, 'ArrowRight', count)).toBe(PICKER_COLUMNS);
    expect(movePickerFocus(PICKER_COLUMNS, 'ArrowLeft', count)).toBe(PICKER_COLUMNS - 1);
    expect(movePickerFocus(0, 'ArrowLeft', count)).toBe(0);
    expect(movePickerFocus(count - 1, 'ArrowRight', count)).toBe(count - 1);
  });

  it('moves up and down by a row, staying put at the top and bottom', () => {
    expect(movePickerFocus(1, 'ArrowDown', count)).toBe(1 + PICKER_COLUMNS);
    expect(movePickerFocus(1 + PICKER_COLUMNS, 'ArrowUp', count)).toBe(1);
    expect(movePickerFocus(1, 'ArrowUp', count)).toBe(1);
    expect(movePickerFocus(count - 1, 'ArrowDown', count)).toBe(count - 1);
    // A last row that is short: down from above a gap stays.
    expect(movePickerFocus(4, 'ArrowDown', 8, 6)).toBe(4);
    expect(movePickerFocus(1, 'ArrowDown', 8, 6)).toBe(7);
  });

  it('goes to the ends with Home and End, and ignores other keys', () => {
    expect(movePickerFocus(9, 'Home', count)).toBe(0);
    expect(movePickerFocus(9, 'End', count)).toBe(count - 1);
    expect(movePickerFocus(9, 'Enter', count)).toBeNull();
    expect(movePickerFocus(9, 'a', count)).toBeNull();
    expect(movePickerFocus(0, 'ArrowRight', 0)).toBeNull();
  });
});

describe('withOwnReactions (a live event, which leaves reactedByMe out)', () => {
  const live = (reactions: { emoji: string; count: number }[]) => ({
    ...aMessage('m1', 'hi', { id: 'u1', handle: 'ann', displayName: 'Ann', avatarUrl: null, status: 'AVAILABLE' } as never),
    reactions: reactions.map((r) => ({ ...r, users: [] })),
  });
  const shown = { reactions: [{ emoji: '👍', count: 2, reactedByMe: true, users: [] }] };

  it('keeps what the viewer had reacted with, from the message as it was shown', () => {
    const message = withOwnReactions(
      live([
        { emoji: '👍', count: 3 },
        { emoji: '🎉', count: 1 },
      ]),
      shown,
      null,
    );
    expect(message.reactions.map((r) => [r.emoji, r.reactedByMe])).toEqual([
      ['👍', true],
      ['🎉', false],
    ]);
  });

  it("takes the viewer's own reaction from the event", () => {
    expect(withOwnReactions(live([{ emoji: '👍', count: 1 }]), shown, { emoji: '👍', added: false }).reactions[0]!.reactedByMe).toBe(false);
    expect(withOwnReactions(live([{ emoji: '🎉', count: 1 }]), undefined, { emoji: '🎉', added: true }).reactions[0]!.reactedByMe).toBe(
      true,
    );
  });
});
