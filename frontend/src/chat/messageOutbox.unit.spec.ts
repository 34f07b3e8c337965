import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { restrictionText } from '../members/restriction.js';
import { toSendResult } from './messageOutbox.js';

const refused = (code: string, message = `refused: ${code}`) => ({
  error: new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions: { code } })] }),
});

describe("what postMessage's answer means for the outbox", () => {
  it('is sent, with the message id, when the server answered with the message', () => {
    expect(toSendResult({ data: { postMessage: { id: 'm1' } } })).toEqual({ kind: 'sent', messageId: 'm1' });
  });

  it('is tried again when no answer came, or the server could not take it now', () => {
    expect(toSendResult({ error: new CombinedError({ networkError: new Error('socket closed') }) }).kind).toBe('retry');
    expect(toSendResult({})).toEqual({ kind: 'retry', error: 'Connection problem' });
    for (const code of ['RATE_LIMITED', 'UNAVAILABLE', 'UNAUTHENTICATED'])
      expect(toSendResult(refused(code))).toEqual({ kind: 'retry', error: `refused: ${code}` });
  });

  it('fails for good, with the reason, when sending the same again would be refused again', () => {
    expect(toSendResult(refused('BAD_USER_INPUT', 'Body is at most 4000 characters'))).toEqual({
      kind: 'failed',
      error: 'Body is at most 4000 characters',
    });
    expect(toSendResult(refused('FORBIDDEN')).kind).toBe('failed');
    expect(toSendResult({ error: new CombinedError({ graphQLErrors: [new GraphQLError('Unexpected error.')] }) }).kind).toBe('failed');
  });

  it("says a ban or a mute in the reader's time", () => {
    const until = '2026-12-05T10:00:00.000Z';
    const result = toSendResult({
      error: new CombinedError({
        graphQLErrors: [
          new GraphQLError(`You are muted in this room until ${until}`, { extensions: { code: 'FORBIDDEN', reason: 'muted', until } }),
        ],
      }),
    });
    expect(result).toEqual({ kind: 'failed', error: restrictionText({ reason: 'muted', until }) });
    expect(result.kind === 'failed' && result.error).not.toContain(until);
  });
});
