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

  it.each([
    ['bidi controls', 'Alice \u202eecilA\u202c', 'Alice ecilA'],
    ['zero-width and filler characters', 'Al\u200bi\u3164ce\u2800', 'Alice'],
    ['controls and line breaks', 'Alice\n\tSmith\u2028Jr\u0007', 'Alice Smith Jr'],
    ['a lone VS16 and tags, keeping emoji sequences', '\ufe0fAlice\u{e0041} 👩\u200d💻', 'Alice 👩\u200d💻'],
    ['stacked marks', 'Ali\u0301\u0300\u0302\u0303\u0304ce', 'Ali\u0301\u0300\u0302ce'.normalize('NFC')],
    ['runs of whitespace', '  Alice   \u3000  Smith ', 'Alice Smith'],
  ])('cleans %s out of a display name', (_, displayName, clean) => {
    spec
      .given([])
      .when(register({ ...profile, displayName }))
      .then([{ ...registered, data: { ...registered.data, displayName: clean } }]);
  });

  it.each([
    ['only a Hangul filler', '\u3164'],
    ['only braille blanks and zero-width spaces', '\u2800\u200b\u2800'],
    ['only bidi controls', '\u202e\u2066'],
    ['only marks', '\u0301\u0300'],
  ])('falls back to the handle for a display name of %s', (_, displayName) => {
    spec
      .given([])
      .when(register({ ...profile, displayName }))
      .then([{ ...registered, data: { ...registered.data, displayName: 'alice' } }]);
  });

  it('cuts a long display name to 50 code points, never half a surrogate pair', () => {
    spec
      .given([])
      .when(register({ ...profile, displayName: `${'a'.repeat(49)}😀😀` }))
      .then([{ ...registered, data: { ...registered.data, displayName: `${'a'.repeat(49)}😀` } }]);
    spec
      .given([])
      .when(register({ ...profile, displayName: '😀'.repeat(60) }))
      .then([{ ...registered, data: { ...registered.data, displayName: '😀'.repeat(50) } }]);
  });

  it('updates a stored display name that the cleaning now changes, and only once', () => {
    const dirty: UserRegistered = { ...registered, data: { ...registered.data, displayName: 'Alice\u200b' } };
    spec
      .given([dirty])
      .when(register({ ...profile, displayName: 'Alice\u200b' }))
      .then([{ type: 'ProfileUpdated', data: { userId: 'dev:alice', updatedAt: now, ...profile } }]);
    spec
      .given([dirty, { type: 'ProfileUpdated', data: { userId: 'dev:alice', updatedAt: now, ...profile } }])
      .when(register({ ...profile, displayName: 'Alice\u200b' }))
      .then([]);
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
