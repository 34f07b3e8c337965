/** The "replying to" quote: who and the start of what they said. Pure. */

import type { ReplyRootFieldsFragment } from '../graphql/gql/graphql.js';

/** The message being answered, as the composer and a reply's line quote it. */
export interface ReplyTarget {
  id: string;
  authorName: string;
  snippet: string;
  createdAt: string;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The first line of a body, cut at `max` characters (graphemes, so an emoji with its skin tone is never split). */
export const toSnippet = (body: string, max = 80): string => {
  const line = body.trim().split('\n')[0]?.trim() ?? '';
  const chars = [...graphemes.segment(line)].map((g) => g.segment);
  const more = chars.length > max || body.trim().includes('\n');
  return chars.length > max ? `${chars.slice(0, max).join('').trimEnd()}…` : more ? `${line}…` : line;
};

/** What a reply's line or the composer quotes of a message (a deleted one says so). */
export const toReplyTarget = (
  message: Pick<ReplyRootFieldsFragment, 'id' | 'body' | 'createdAt' | 'deletedAt' | 'author'>,
): ReplyTarget => ({
  id: message.id,
  authorName: message.author.displayName,
  snippet: message.deletedAt ? 'message deleted' : toSnippet(message.body),
  createdAt: message.createdAt,
});
