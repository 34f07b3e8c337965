import type { MessageFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';

/** What a message has of threads, reactions and pins when it has none of them: for specs' message factories. */
export const PLAIN_MESSAGE = {
  replyTo: null,
  replyCount: 0,
  lastReplyAt: null,
  pinnedAt: null,
  reactions: [],
} as const satisfies Partial<MessageFieldsFragment>;

/** A message as the timeline keeps it, for specs: plain unless `over` says otherwise. */
export const aMessage = (
  id: string,
  body: string,
  author: UserFieldsFragment,
  over: Partial<MessageFieldsFragment> = {},
): MessageFieldsFragment => ({
  id,
  body,
  createdAt: '2026-11-26T10:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  author,
  removedBy: null,
  ...PLAIN_MESSAGE,
  ...over,
  reactions: over.reactions ?? [],
});
