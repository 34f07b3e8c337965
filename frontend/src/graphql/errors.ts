import type { CombinedError } from '@urql/core';

/** The `extensions.code` values the server sends (README, "Limits and errors"). */
const SERVER_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'CURSOR_EXPIRED',
  'UNAVAILABLE',
  'SUBSCRIBER_TOO_SLOW',
  'TOO_MANY_SUBSCRIPTIONS',
  'QUERY_TOO_COMPLEX',
] as const;

/**
 * What went wrong: a server code, `NETWORK` when no answer came (offline, server down, socket
 * closed), or `UNKNOWN` (an error without a code we know, or no error at all).
 */
export type ErrorCode = (typeof SERVER_CODES)[number] | 'NETWORK' | 'UNKNOWN';

export interface ErrorInfo {
  code: ErrorCode;
  /** A sentence for the person: the server's message, or one about the network, or the caller's fallback. */
  message: string;
}

export const NETWORK_ERROR_MESSAGE = 'The server cannot be reached; try again in a moment.';

const isServerCode = (value: unknown): value is (typeof SERVER_CODES)[number] => SERVER_CODES.includes(value as never);

/**
 * The one reader of a failed operation's error: the first GraphQL error's `extensions.code` and
 * message, else a network error, else `fallback`. Takes urql's error as results carry it (possibly
 * undefined: an operation without data and without an error still failed).
 */
export const toErrorInfo = (error: CombinedError | null | undefined, fallback = 'Something went wrong.'): ErrorInfo => {
  const first = error?.graphQLErrors[0];
  if (first) {
    const code = first.extensions?.code;
    return { code: isServerCode(code) ? code : 'UNKNOWN', message: first.message || fallback };
  }
  if (error?.networkError) return { code: 'NETWORK', message: NETWORK_ERROR_MESSAGE };
  return { code: 'UNKNOWN', message: fallback };
};
