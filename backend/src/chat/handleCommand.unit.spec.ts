import type { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { messageDecider } from '../domain/message/message.js';
import type { AppendRequest, EventStore } from '../eventstore/eventStore.js';
import { createMemoryEventStore } from '../eventstore/memoryEventStore.js';
import { maskError } from '../graphql/errors.js';
import { ContentionError, handleCommand } from './handleCommand.js';

const address = { stream: 'log', snapshot: { key: 'messages', field: 'r.m1' } };
const post = {
  type: 'PostMessage' as const,
  messageId: 'r.m1',
  roomId: 'r',
  actorId: 'ann',
  body: 'hi',
  replyTo: null,
  now: '2026-12-05T10:00:00.000Z',
};
const edit = { type: 'EditMessage' as const, messageId: 'r.m1', actorId: 'ann', body: 'hello', now: '2026-12-05T10:01:00.000Z' };

/** The store, but someone else changes the aggregate before each of the first `losses` appends. */
const contended = (store: EventStore, losses: number) => {
  let attempts = 0;
  return {
    attempts: () => attempts,
    store: {
      ...store,
      append: async (request: AppendRequest) => {
        attempts++;
        if (attempts <= losses) return { status: 'conflict' as const, rev: 99 };
        return store.append(request);
      },
    } satisfies EventStore,
  };
};

describe('handleCommand under contention', () => {
  it('decides again on a conflict and appends once the aggregate holds still', async () => {
    const store = createMemoryEventStore();
    await handleCommand(store, messageDecider, address, post, { meta: {} });
    const racing = contended(store, 4);
    const result = await handleCommand(racing.store, messageDecider, address, edit, { meta: {} });
    expect(result.status).toBe('done');
    expect(racing.attempts()).toBe(5);
  });

  it('gives up with a retryable error (UNAVAILABLE), not a refusal of the request', async () => {
    const store = createMemoryEventStore();
    await handleCommand(store, messageDecider, address, post, { meta: {} });
    const racing = contended(store, Number.POSITIVE_INFINITY);
    const failure = await handleCommand(racing.store, messageDecider, address, edit, { meta: {} }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ContentionError);
    const masked = maskError(failure, 'Unexpected error.') as GraphQLError;
    expect(masked.extensions.code).toBe('UNAVAILABLE');
    expect(masked.message).toMatch(/try again/);
  });
});
