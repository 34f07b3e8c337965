import type { CombinedError, OperationResult } from '@urql/core';
import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient, Network } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import type { PostMessageMutation as PostMessageResult } from '../graphql/gql/graphql.js';
import { restrictionText, toRestriction } from '../members/restriction.js';
import { PostMessageMutation } from './operations.js';
import { type Outbox, type SendResult, createLocalOutboxStorage, createOutbox } from './outbox.js';

/**
 * What postMessage's answer means for an outbox entry: sent; not now (no answer, the server busy or
 * unavailable, the session being renewed), to be sent again with the same clientId; or refused.
 */
export const toSendResult = (result: Pick<OperationResult<PostMessageResult>, 'data' | 'error'>): SendResult => {
  if (result.data) return { kind: 'sent', messageId: result.data.postMessage.id };
  if (!result.error) return { kind: 'retry', error: 'Connection problem' };
  const { code, message } = toErrorInfo(result.error, 'Refused by the server');
  if (code === 'NETWORK' || code === 'RATE_LIMITED' || code === 'UNAVAILABLE' || code === 'UNAUTHENTICATED')
    return { kind: 'retry', error: message };
  // A ban or mute, said in the reader's time rather than the server's ISO string.
  const restriction = toRestriction(result.error);
  return { kind: 'failed', error: restriction ? restrictionText(restriction) : message };
};

export interface MessageOutbox {
  outbox: Outbox;
  /** Entries still to be sent (not those the server refused). */
  unsent: Accessor<number>;
  /** Calls back with every post the server answered with an error (a ban or a mute says so there); returns the unsubscribe function. */
  onRefused(listener: (roomId: string, error: CombinedError) => void): () => void;
  dispose(): void;
}

/**
 * The signed-in page's outbox: kept per user in localStorage, sent with postMessage, and flushed at
 * start, after every reconnect and whenever the network comes back.
 */
export const createMessageOutbox = (client: GraphQLClient, viewerId: string, network: Network): MessageOutbox => {
  const refusedListeners = new Set<(roomId: string, error: CombinedError) => void>();
  const outbox = createOutbox({
    storage: createLocalOutboxStorage(`balloons:outbox:${viewerId}:`),
    send: async (entry) => {
      const result = await client.urql
        .mutation(PostMessageMutation, { roomId: entry.roomId, body: entry.body, clientId: entry.clientId, replyTo: entry.replyTo ?? null })
        .toPromise();
      if (!result.data && result.error) for (const listener of [...refusedListeners]) listener(entry.roomId, result.error);
      return toSendResult(result);
    },
    isOnline: () => network.isOnline(),
  });
  const count = () => outbox.entries().filter((e) => e.status !== 'failed').length;
  const [unsent, setUnsent] = createSignal(count());
  const stopCounting = outbox.subscribe(() => setUnsent(count()));
  const stopReconnects = client.onReconnected(() => void outbox.flush());
  const stopNetwork = network.onChange((online) => {
    if (online) void outbox.flush();
  });
  void outbox.flush();
  return {
    outbox,
    unsent,
    onRefused(listener) {
      refusedListeners.add(listener);
      return () => refusedListeners.delete(listener);
    },
    dispose() {
      stopCounting();
      stopReconnects();
      stopNetwork();
      outbox.dispose();
    },
  };
};
