import { assertNever, type Decider } from '../decider.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { cleanName } from '../names/nameText.js';
import type { Profile, UserEvent, UserStatus } from './events.js';

// The event types moved to events.ts with their schemas (statuses and profiles are part of the
// events' data); code outside the domain still imports them from here.
export { USER_STATUSES } from './events.js';
export type { Profile, ProfileUpdated, StatusChanged, UserEvent, UserRegistered, UserStatus } from './events.js';

export type UserState = { status: 'none' } | ({ status: 'registered'; id: string; presence: UserStatus; registeredAt: string } & Profile);

/** Signing in: registers a new user, or updates the profile when the provider's copy changed. */
export type RegisterUser = { type: 'RegisterUser'; userId: string; profile: Profile; now: string };
export type SetStatus = { type: 'SetStatus'; userId: string; status: UserStatus; now: string };
export type UserCommand = RegisterUser | SetStatus;

const HANDLE = /^[A-Za-z0-9_]{1,15}$/u;
/** Code points; a longer display name is cut at a grapheme boundary. */
const DISPLAY_NAME_MAX = 50;

/**
 * The profile as stored. The display name comes from the identity provider, so it is cleaned
 * rather than refused (see `cleanName`: no controls, bidi controls or invisible characters, NFC,
 * whitespace collapsed, cut to 50 code points); the handle stands in when nothing visible is left.
 */
const parseProfile = (profile: Profile): Profile => {
  if (!HANDLE.test(profile.handle)) throw new ValidationError('Handle must be 1–15 letters, digits or underscores', 'handle');
  const displayName = cleanName(profile.displayName, DISPLAY_NAME_MAX) || profile.handle;
  return { handle: profile.handle, displayName, avatarUrl: profile.avatarUrl };
};

const sameProfile = (a: Profile, b: Profile) => a.handle === b.handle && a.displayName === b.displayName && a.avatarUrl === b.avatarUrl;

const registerUser = (command: RegisterUser, state: UserState): UserEvent[] => {
  const profile = parseProfile(command.profile);
  if (state.status === 'none') {
    return [{ type: 'UserRegistered', data: { userId: command.userId, registeredAt: command.now, ...profile } }];
  }
  if (sameProfile(state, profile)) return [];
  return [{ type: 'ProfileUpdated', data: { userId: command.userId, updatedAt: command.now, ...profile } }];
};

const setStatus = (command: SetStatus, state: UserState): UserEvent[] => {
  if (state.status === 'none') throw new NotFoundError('User not found');
  if (state.presence === command.status) return [];
  return [{ type: 'StatusChanged', data: { userId: command.userId, status: command.status, changedAt: command.now } }];
};

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: { status: 'none' },
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterUser':
        return registerUser(command, state);
      case 'SetStatus':
        return setStatus(command, state);
      default:
        return assertNever(command);
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'UserRegistered': {
        const { userId, registeredAt, handle, displayName, avatarUrl } = event.data;
        return { status: 'registered', id: userId, presence: 'AVAILABLE', registeredAt, handle, displayName, avatarUrl };
      }
      case 'ProfileUpdated': {
        if (state.status === 'none') return state;
        const { handle, displayName, avatarUrl } = event.data;
        return { ...state, handle, displayName, avatarUrl };
      }
      case 'StatusChanged':
        return state.status === 'none' ? state : { ...state, presence: event.data.status };
      default:
        return state;
    }
  },
};
