/**
 * Which messages deserve a desktop notification, and what it says, pure: a message from someone
 * else that mentions the viewer, or any in a direct conversation; never the viewer's own.
 */

import { mentions } from '../chat/richText.js';
import type { MessageFieldsFragment, RoomKind } from '../graphql/gql/graphql.js';

export interface NotifyViewer {
  id: string;
  handle: string;
}

export interface NotifyRoom {
  id: string;
  name: string;
  kind: RoomKind;
}

/** The viewer's counts in a room, as the sidebar holds them. */
export interface RoomCounts {
  kind: RoomKind;
  unreadCount: number;
  mentionCount: number;
}

/** The most messages one inbox activity is looked through for. */
export const LOOKBACK_MAX = 20;

export const isNotable = (message: MessageFieldsFragment, room: Pick<NotifyRoom, 'kind'>, viewer: NotifyViewer): boolean =>
  message.author.id !== viewer.id && !message.deletedAt && (room.kind === 'DIRECT' || mentions(message.body, viewer.handle));

/**
 * How many of a room's newest messages an inbox activity may stand for and should be looked
 * through, 0 when none of them can be notable: the unread count grew, and in a room that is not
 * direct, the mention count too. A room the list did not hold yet is looked at for its newest only
 * (its older unread messages were there before this page).
 */
export const toLookback = (before: RoomCounts | null, after: RoomCounts): number => {
  if (!before) return after.unreadCount > 0 && (after.kind === 'DIRECT' || after.mentionCount > 0) ? 1 : 0;
  const added = after.unreadCount - before.unreadCount;
  if (added <= 0) return 0;
  if (after.kind !== 'DIRECT' && after.mentionCount <= before.mentionCount) return 0;
  return Math.min(added, LOOKBACK_MAX);
};

const BODY_MAX = 140;

/** The notification's title and text: who wrote, where, and the start of what they wrote. */
export const toNotificationText = (message: MessageFieldsFragment, room: Pick<NotifyRoom, 'kind' | 'name'>) => {
  const who = message.author.displayName || message.author.handle;
  const title = room.kind === 'DIRECT' ? who : `${who} in ${room.kind === 'PUBLIC' ? '#' : ''}${room.name}`;
  const body = message.body.length > BODY_MAX ? `${message.body.slice(0, BODY_MAX - 1)}…` : message.body;
  return { title, body };
};

/** Where a tab notes that a message was notified about, for every other tab of the origin to see. */
export const CLAIM_PREFIX = 'balloons:notified:';
export const toClaimKey = (messageId: string) => `${CLAIM_PREFIX}${messageId}`;
/** Claims are kept a day: long after any tab could still be told of the message. */
export const CLAIM_TTL_MS = 24 * 60 * 60 * 1000;

/** The claims (key, time written) that are old enough to forget. */
export const expiredClaims = (claims: readonly (readonly [key: string, value: string | null])[], now: number): string[] =>
  claims.filter(([key, value]) => key.startsWith(CLAIM_PREFIX) && !(Number(value) > now - CLAIM_TTL_MS)).map(([key]) => key);
