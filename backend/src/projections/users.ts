import { decodeUserEvent } from '../domain/user/events.js';
import { type UserEvent, type UserState, userDecider } from '../domain/user/user.js';
import { toUserSnapshotKey, toUserStreamKey } from '../chat/keys.js';
import type { InlineLocation, InlineProjection } from './inline.js';

const EVENTS = new Set<string>(['UserRegistered', 'ProfileUpdated', 'StatusChanged'] satisfies UserEvent['type'][]);

/** The single snapshot field of a user's state. */
export const USER_STATE_FIELD = 'state';

/** A user's profile and status (inline: the user aggregate's snapshot), folded from the user's log. */
export const usersProjection: InlineProjection<UserState, UserEvent> = {
  name: 'users',
  events: EVENTS,
  decode: decodeUserEvent,
  fieldOf: () => USER_STATE_FIELD,
  evolve: (state, event) => userDecider.evolve(state ?? userDecider.initialState, event),
};

export const toUserLocation = (userId: string): InlineLocation => ({ stream: toUserStreamKey(userId), hash: toUserSnapshotKey(userId) });
