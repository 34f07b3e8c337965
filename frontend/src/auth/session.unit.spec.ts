import { describe, expect, it } from 'vitest';
import { toSignInError } from './session.js';

describe('toSignInError', () => {
  it('is null without a signin_error', () => {
    expect(toSignInError('')).toBeNull();
    expect(toSignInError('?returnTo=/r/abc')).toBeNull();
  });

  it('explains each code the X callback sends', () => {
    for (const code of [
      'denied',
      'provider_error',
      'expired',
      'exchange_failed',
      'provider_unreachable',
      'profile_invalid',
      'unavailable',
    ]) {
      expect(toSignInError(`?signin_error=${code}`)).toMatch(/\.$/);
    }
    expect(toSignInError('?signin_error=denied')).toBe('Sign-in was cancelled on X.');
  });

  it('never shows an unknown code as it came', () => {
    expect(toSignInError('?signin_error=%3Cscript%3E')).toBe('Sign-in failed. Please try again.');
  });
});
