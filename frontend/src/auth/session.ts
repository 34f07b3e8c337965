import type { Client } from '@urql/core';
import { toErrorInfo } from '../graphql/errors.js';
import type { UserFieldsFragment, UserStatus } from '../graphql/gql/graphql.js';
import { MeQuery, SetStatusMutation } from './operations.js';

/** The signed-in user, as every view shows a person. */
export type Viewer = UserFieldsFragment;

/** Which sign-ins the server offers (GET /auth/providers). */
export interface Providers {
  twitter: boolean;
  dev: boolean;
}

/** Before the server answers /auth/providers (older servers: 404), only the development sign-in is assumed. */
export const DEFAULT_PROVIDERS: Providers = { twitter: false, dev: true };

export const toProviders = (value: unknown): Providers => {
  if (!value || typeof value !== 'object') return DEFAULT_PROVIDERS;
  const v = value as Record<string, unknown>;
  return { twitter: v.twitter === true, dev: v.dev === true };
};

export const fetchProviders = async (): Promise<Providers> => {
  try {
    const response = await fetch('/auth/providers', { headers: { accept: 'application/json' } });
    if (!response.ok) return DEFAULT_PROVIDERS;
    return toProviders(await response.json());
  } catch {
    return DEFAULT_PROVIDERS;
  }
};

/** The signed-in user, or null; throws when the server cannot be asked. */
export const fetchViewer = async (client: Client): Promise<Viewer | null> => {
  const result = await client.query(MeQuery, {}).toPromise();
  if (result.error) throw new Error(toErrorInfo(result.error).message);
  return result.data?.me ?? null;
};

/** Development sign-in: sets the session cookie. Answers an error message, or null on success. */
export const signInWithHandle = async (handle: string): Promise<string | null> => {
  try {
    const response = await fetch('/auth/dev', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ handle }),
    });
    if (response.ok) return null;
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    if (response.status === 404) return 'The development sign-in is turned off on this server.';
    return body?.error?.message ?? `Sign-in failed (${response.status}).`;
  } catch {
    return 'The server cannot be reached.';
  }
};

export const signOut = async (): Promise<void> => {
  await fetch('/auth/logout', { method: 'POST', headers: { accept: 'application/json' } }).catch(() => undefined);
};

/** Handles as the development sign-in (and X) accept them. */
export const HANDLE_PATTERN = '[A-Za-z0-9_]{1,15}';

const SIGN_IN_ERRORS: Record<string, string> = {
  denied: 'Sign-in was cancelled on X.',
  provider_error: 'X refused the sign-in. Please try again.',
  expired: 'That sign-in link expired or was already used. Please start again.',
  exchange_failed: 'X did not confirm the sign-in. Please try again.',
  provider_unreachable: 'X is not answering right now. Please try again in a moment.',
  profile_invalid: 'X sent a profile we cannot use.',
  unavailable: 'The chat server is having trouble. Please try again in a moment.',
};

/**
 * The readable message for the `signin_error` code the server's X callback redirects with, or
 * null when the URL carries none. Unknown codes get a generic message, never the raw value.
 */
export const toSignInError = (search: string): string | null => {
  const code = new URLSearchParams(search).get('signin_error');
  if (code === null) return null;
  return SIGN_IN_ERRORS[code] ?? 'Sign-in failed. Please try again.';
};

/** Sets the viewer's status: answers the viewer as the server now has them, or an error message. */
export const setViewerStatus = async (client: Client, status: UserStatus): Promise<Viewer | string> => {
  const result = await client.mutation(SetStatusMutation, { status }).toPromise();
  return result.data?.setStatus ?? toErrorInfo(result.error, 'Your status could not be changed.').message;
};
