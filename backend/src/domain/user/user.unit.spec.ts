import { describe, expect, it } from 'vitest';
import { specFor } from '../../testing/deciderSpec.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type Profile, userDecider, type UserRegistered } from './user.js';

const spec = specFor(userDecider);
const now = '2026-11-26T10:00:00.000Z';
const profile: Profile = { handle: 'alice', displayName: 'Alice', avatarUrl: null };
const registered: UserRegistered = { type: 'UserRegistered', data: { userId: 'dev:alice', registeredAt: now, ...profile } };
const register = (p = profile) => ({ type: 'RegisterUser' as const, userId: 'dev:alice', profile: p, now });

describe('user decider', () => {
  it('registers a new user', () => {
    spec.given([]).when(register()).then([registered]);
  });

  it('logs nothing when the same profile signs in again', () => {
    spec.given([registered]).when(register()).then([]);
  });

  it('updates a changed profile', () => {
    const changed = { ...profile, displayName: 'Alice A.', avatarUrl: 'https://example.com/a.png' };
    spec
      .given([registered])
      .when(register(changed))
      .then([{ type: 'ProfileUpdated', data: { userId: 'dev:alice', updatedAt: now, ...changed } }]);
  });

  it('refuses a handle that is not Twitter-shaped', () => {
    spec
      .given([])
      .when(register({ ...profile, handle: 'a-b' }))
      .thenThrows(ValidationError);
    spec
      .given([])
      .when(register({ ...profile, handle: 'x'.repeat(16) }))
      .thenThrows(ValidationError);
  });

  it('falls back to the handle for an empty display name', () => {
    spec
      .given([])
      .when(register({ ...profile, displayName: '  ' }))
      .then([{ ...registered, data: { ...registered.data, displayName: 'alice' } }]);
  });

  it('changes status, and logs nothing when it is the same', () => {
    spec
      .given([registered])
      .when({ type: 'SetStatus', userId: 'dev:alice', status: 'AWAY', now })
      .then([{ type: 'StatusChanged', data: { userId: 'dev:alice', status: 'AWAY', changedAt: now } }]);
    spec.given([registered]).when({ type: 'SetStatus', userId: 'dev:alice', status: 'AVAILABLE', now }).then([]);
  });

  it('refuses a status for an unknown user', () => {
    spec.given([]).when({ type: 'SetStatus', userId: 'dev:alice', status: 'AWAY', now }).thenThrows(NotFoundError);
  });

  it('starts available and folds status changes', () => {
    const state = userDecider.evolve(userDecider.evolve(userDecider.initialState, registered), {
      type: 'StatusChanged',
      data: { userId: 'dev:alice', status: 'BUSY', changedAt: now },
    });
    expect(state).toMatchObject({ status: 'registered', presence: 'BUSY', handle: 'alice' });
  });
});
