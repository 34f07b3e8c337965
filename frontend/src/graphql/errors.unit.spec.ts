import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { NETWORK_ERROR_MESSAGE, toErrorInfo } from './errors.js';

describe('toErrorInfo', () => {
  it("reads the first GraphQL error's code and message", () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('Slow down', { extensions: { code: 'RATE_LIMITED', retryAfterMs: 900 } }),
        new GraphQLError('second', { extensions: { code: 'FORBIDDEN' } }),
      ],
    });
    expect(toErrorInfo(error, 'fallback')).toEqual({ code: 'RATE_LIMITED', message: 'Slow down' });
  });

  it('reads errors that arrived as plain objects (a subscription over the socket)', () => {
    const error = new CombinedError({ graphQLErrors: [{ message: 'Sign in first', extensions: { code: 'UNAUTHENTICATED' } }] as never });
    expect(toErrorInfo(error)).toEqual({ code: 'UNAUTHENTICATED', message: 'Sign in first' });
  });

  it('keeps the message of an error whose code it does not know, or that has none', () => {
    expect(toErrorInfo(new CombinedError({ graphQLErrors: [new GraphQLError('odd', { extensions: { code: 'SOMETHING_NEW' } })] }))).toEqual(
      {
        code: 'UNKNOWN',
        message: 'odd',
      },
    );
    expect(toErrorInfo(new CombinedError({ graphQLErrors: [new GraphQLError('Unexpected error.')] }))).toEqual({
      code: 'UNKNOWN',
      message: 'Unexpected error.',
    });
  });

  it('says NETWORK, with a sentence of its own, when no answer came', () => {
    const error = new CombinedError({ networkError: new TypeError('Failed to fetch') });
    expect(toErrorInfo(error, 'The room could not be created.')).toEqual({ code: 'NETWORK', message: NETWORK_ERROR_MESSAGE });
  });

  it('prefers what the server said over the transport failing around it', () => {
    const error = new CombinedError({
      networkError: new Error('500'),
      graphQLErrors: [new GraphQLError('The event store is unreachable; try again', { extensions: { code: 'UNAVAILABLE' } })],
    });
    expect(toErrorInfo(error).code).toBe('UNAVAILABLE');
  });

  it('falls back when there is no error to read', () => {
    expect(toErrorInfo(undefined, 'This room could not be loaded.')).toEqual({
      code: 'UNKNOWN',
      message: 'This room could not be loaded.',
    });
    expect(toErrorInfo(null).message).toBe('Something went wrong.');
    expect(toErrorInfo(new CombinedError({ graphQLErrors: [new GraphQLError('')] }), 'fallback').message).toBe('fallback');
  });
});
