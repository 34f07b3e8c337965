/**
 * What a MembershipChanged event means, for a line in the timeline ("alice was kicked by bob:
 * spam"). The event carries the member as they are after it; what changed is read against what the
 * page knew of them before (the members panel), or, for someone it did not know, from the event
 * alone.
 */

import type { MemberFieldsFragment, RoomRole, UserFieldsFragment } from '../graphql/gql/graphql.js';

export type MembershipChangeKind =
  | 'joined'
  | 'accepted'
  | 'left'
  | 'invited'
  | 'declined'
  | 'kicked'
  | 'banned'
  | 'unbanned'
  | 'muted'
  | 'unmuted'
  | 'role';

export interface MembershipChange {
  kind: MembershipChangeKind;
  user: UserFieldsFragment;
  by: UserFieldsFragment | null;
  reason: string | null;
  /** Until when a ban or mute lasts (null: a ban for good). */
  until: string | null;
  role: RoomRole;
}

/** The event's own words: the member after it, who did it, why. */
export interface MembershipEvent {
  member: MemberFieldsFragment;
  by: UserFieldsFragment | null;
  reason: string | null;
}

/** Did someone other than the member do it? */
const byOther = (event: MembershipEvent) => event.by !== null && event.by.id !== event.member.user.id;

/** The kind of change from `previous` (null when the page did not know the member) to the event's member; null when nothing shown changed. */
export const toMembershipChangeKind = (previous: MemberFieldsFragment | null, event: MembershipEvent): MembershipChangeKind | null => {
  const next = event.member;
  switch (next.membership) {
    case 'KICKED':
      return previous?.membership === 'KICKED' ? null : 'kicked';
    case 'BANNED':
      return previous?.membership === 'BANNED' && previous.bannedUntil === next.bannedUntil ? null : 'banned';
    case 'INVITED':
      return previous?.membership === 'INVITED' ? null : 'invited';
    case 'LEFT':
      if (previous?.membership === 'LEFT') return null;
      if (previous?.membership === 'BANNED' || previous?.membership === 'KICKED') return 'unbanned';
      if (previous?.membership === 'INVITED') return 'declined';
      // Not known before: someone else taking a person out of BANNED is an unban; leaving is one's own.
      return previous === null && byOther(event) ? 'unbanned' : 'left';
    case 'JOINED': {
      if (previous === null) {
        if (!byOther(event)) return 'joined';
        if (next.mutedUntil) return 'muted';
        return next.role !== 'MEMBER' ? 'role' : 'unmuted';
      }
      if (previous.membership === 'INVITED') return 'accepted';
      if (previous.membership !== 'JOINED') return 'joined';
      if (previous.role !== next.role) return 'role';
      if (next.mutedUntil && next.mutedUntil !== previous.mutedUntil) return 'muted';
      if (!next.mutedUntil && previous.mutedUntil) return 'unmuted';
      return null;
    }
    default: {
      const unknown: never = next.membership;
      return unknown;
    }
  }
};

export const describeMembershipChange = (previous: MemberFieldsFragment | null, event: MembershipEvent): MembershipChange | null => {
  const kind = toMembershipChangeKind(previous, event);
  if (kind === null) return null;
  const until = kind === 'banned' ? event.member.bannedUntil : kind === 'muted' ? event.member.mutedUntil : null;
  return { kind, user: event.member.user, by: event.by, reason: event.reason, until, role: event.member.role };
};

/** "5 Dec, 11:00" in the reader's locale: when a ban or mute ends. */
export const formatUntil = (iso: string): string =>
  new Date(iso).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

const ROLE_NAMES: Readonly<Record<RoomRole, string>> = { OWNER: 'the owner', MODERATOR: 'a moderator', MEMBER: 'a member' };

/** The timeline's line for a change: "alice was kicked by bob: spam". */
export const membershipChangeText = (change: MembershipChange, format: (iso: string) => string = formatUntil): string => {
  const who = change.user.displayName;
  const by = change.by && change.by.id !== change.user.id ? ` by ${change.by.displayName}` : '';
  const why = change.reason ? `: ${change.reason}` : '';
  switch (change.kind) {
    case 'joined':
      // Not "joined": that is what the timeline says when someone comes online.
      return `${who} became a member`;
    case 'accepted':
      return `${who} accepted the invitation`;
    case 'left':
      return `${who} left`;
    case 'invited':
      return change.by ? `${change.by.displayName} invited ${who}` : `${who} was invited`;
    case 'declined':
      return `${who} declined the invitation`;
    case 'kicked':
      return `${who} was kicked${by}${why}`;
    case 'banned':
      return `${who} was banned${by} ${change.until ? `until ${format(change.until)}` : 'for good'}${why}`;
    case 'unbanned':
      return `${who} was unbanned${by}`;
    case 'muted':
      return `${who} was muted${by}${change.until ? ` until ${format(change.until)}` : ''}${why}`;
    case 'unmuted':
      return `${who} was unmuted${by}`;
    case 'role':
      return change.by ? `${change.by.displayName} made ${who} ${ROLE_NAMES[change.role]}` : `${who} is now ${ROLE_NAMES[change.role]}`;
    default: {
      const unknown: never = change.kind;
      return unknown;
    }
  }
};
