/**
 * Why the viewer may not post in a room right now: banned (until a time, or for good) or muted
 * (until a time). Learnt from a refusal (`FORBIDDEN` with `extensions.reason` and `until`), from
 * the viewer's own member entry, or from a MembershipChanged event about them.
 */

import type { CombinedError } from '@urql/core';
import type { MemberFieldsFragment } from '../graphql/gql/graphql.js';
import { formatUntil } from './membership.js';

export interface Restriction {
  reason: 'banned' | 'muted';
  /** ISO; null for a ban for good. */
  until: string | null;
}

/** The restriction a refused operation names, or null when it was refused for another reason. */
export const toRestriction = (error: CombinedError | null | undefined): Restriction | null => {
  const first = error?.graphQLErrors[0];
  const extensions = first?.extensions as Record<string, unknown> | undefined;
  if (extensions?.code !== 'FORBIDDEN') return null;
  const reason = extensions.reason;
  if (reason !== 'banned' && reason !== 'muted') return null;
  const until = typeof extensions.until === 'string' ? extensions.until : null;
  if (reason === 'muted' && until === null) return null;
  return { reason, until };
};

/** What the viewer's member entry says, at `now`. */
export const toMemberRestriction = (
  member: Pick<MemberFieldsFragment, 'membership' | 'mutedUntil' | 'bannedUntil'>,
  now: number,
): Restriction | null => {
  if (member.membership === 'BANNED') {
    const ban: Restriction = { reason: 'banned', until: member.bannedUntil };
    return isActive(ban, now) ? ban : null;
  }
  if (member.mutedUntil) {
    const mute: Restriction = { reason: 'muted', until: member.mutedUntil };
    return isActive(mute, now) ? mute : null;
  }
  return null;
};

export const isActive = (restriction: Restriction, now: number): boolean =>
  restriction.until === null || Date.parse(restriction.until) > now;

/** Milliseconds until the restriction ends by itself, or null when it never does. */
export const msUntilLifted = (restriction: Restriction, now: number): number | null =>
  restriction.until === null ? null : Math.max(0, Date.parse(restriction.until) - now);

/** "You are muted in this room until 5 Dec, 11:00." */
export const restrictionText = (restriction: Restriction, format: (iso: string) => string = formatUntil): string => {
  if (restriction.reason === 'muted') return `You are muted in this room until ${format(restriction.until ?? '')}.`;
  return restriction.until ? `You are banned from this room until ${format(restriction.until)}.` : 'You are banned from this room.';
};
