import { describe, expect, it } from 'vitest';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';
import { aMessage } from '../testing/messages.js';
import { type PinnedEvent, canPin, evolvePinned, initialPinned } from './pinnedList.js';

const alice: UserFieldsFragment = { id: 'u-alice', handle: 'alice', displayName: 'alice', avatarUrl: null, status: 'AVAILABLE' };
const pinned = (id: string, at: string | null, body = id) => aMessage(id, body, alice, { pinnedAt: at });
const fold = (events: PinnedEvent[]) => events.reduce(evolvePinned, initialPinned);
const ids = (events: PinnedEvent[]) => fold(events).messages.map((m) => m.id);

describe('the pins panel', () => {
  it('lists pinned messages most recently pinned first, and puts a new pin on top', () => {
    expect(
      ids([
        { type: 'PinnedLoaded', messages: [pinned('b', '2'), pinned('a', '1')] },
        { type: 'MessagePinned', message: pinned('c', '3') },
      ]),
    ).toEqual(['c', 'b', 'a']);
  });

  it('takes an unpinned message out, and a message pinned again goes back on top', () => {
    const loaded: PinnedEvent = { type: 'PinnedLoaded', messages: [pinned('b', '2'), pinned('a', '1')] };
    expect(ids([loaded, { type: 'MessageUnpinned', message: pinned('b', null) }])).toEqual(['a']);
    expect(
      ids([loaded, { type: 'MessageUnpinned', message: pinned('a', null) }, { type: 'MessagePinned', message: pinned('a', '5') }]),
    ).toEqual(['a', 'b']);
  });

  it('applies a pin event once, and an unpin of what is not listed changes nothing', () => {
    const state = fold([
      { type: 'MessagePinned', message: pinned('a', '1') },
      { type: 'MessagePinned', message: pinned('a', '1') },
    ]);
    expect(state.messages.map((m) => m.id)).toEqual(['a']);
    expect(evolvePinned(state, { type: 'MessageUnpinned', message: pinned('z', null) })).toBe(state);
  });

  it('updates a listed message in place (an edit, a reaction), and ignores others', () => {
    const loaded: PinnedEvent = { type: 'PinnedLoaded', messages: [pinned('b', '2'), pinned('a', '1')] };
    const state = fold([loaded, { type: 'MessageEdited', message: pinned('a', '1', 'edited') }]);
    expect(state.messages.map((m) => m.body)).toEqual(['b', 'edited']);
    expect(evolvePinned(state, { type: 'MessageEdited', message: pinned('x', null, 'x') })).toBe(state);
    expect(evolvePinned(state, { type: 'MessagePosted', message: pinned('y', null) })).toBe(state);
  });

  it('lets owners and moderators pin, and anyone in a direct conversation', () => {
    expect(canPin('PUBLIC', 'OWNER', true)).toBe(true);
    expect(canPin('PRIVATE', 'MODERATOR', true)).toBe(true);
    expect(canPin('PUBLIC', 'MEMBER', true)).toBe(false);
    expect(canPin('DIRECT', 'MEMBER', true)).toBe(true);
    expect(canPin('DIRECT', null, false)).toBe(false);
  });
});
