/**
 * Who may do what to whom, as the UI offers it (the server decides; this only hides buttons that
 * would be refused), and the durations a ban or mute can be given.
 */

import type { Membership, RoomKind, RoomRole } from '../graphql/gql/graphql.js';

export const isModerator = (role: RoomRole | null | undefined): boolean => role === 'OWNER' || role === 'MODERATOR';

/** Any member of a private room may invite; owner and moderators of a public one; nobody into a direct conversation. */
export const canInvite = (kind: RoomKind, role: RoomRole | null | undefined, membership: Membership | null | undefined): boolean =>
  membership === 'JOINED' && (kind === 'PRIVATE' || (kind === 'PUBLIC' && isModerator(role)));

/** The owner acts on anyone else; a moderator on members (not on the owner or other moderators). */
export const canModerate = (
  viewerRole: RoomRole | null | undefined,
  viewerId: string,
  target: { userId: string; role: RoomRole },
): boolean => {
  if (target.userId === viewerId) return false;
  if (viewerRole === 'OWNER') return true;
  return viewerRole === 'MODERATOR' && target.role === 'MEMBER';
};

/** Only the owner sets roles. */
export const canSetRole = (viewerRole: RoomRole | null | undefined, viewerId: string, targetId: string): boolean =>
  viewerRole === 'OWNER' && targetId !== viewerId;

/** A moderator may remove someone else's message (their own they delete). */
export const canRemoveMessage = (viewerRole: RoomRole | null | undefined, viewerId: string, authorId: string): boolean =>
  isModerator(viewerRole) && authorId !== viewerId;

export interface Duration {
  id: string;
  label: string;
  /** Milliseconds, or null for good. */
  ms: number | null;
}

const HOUR = 60 * 60 * 1000;
export const BAN_DURATIONS: readonly Duration[] = [
  { id: 'hour', label: '1 hour', ms: HOUR },
  { id: 'day', label: '1 day', ms: 24 * HOUR },
  { id: 'week', label: '1 week', ms: 7 * 24 * HOUR },
  { id: 'forever', label: 'For good', ms: null },
];
/** A mute always ends (the server requires `until`). */
export const MUTE_DURATIONS: readonly Duration[] = BAN_DURATIONS.filter((d) => d.ms !== null);

/** When a ban or mute of this duration, starting now, ends: ISO, or null for good. */
export const toUntil = (duration: Duration, now: number): string | null =>
  duration.ms === null ? null : new Date(now + duration.ms).toISOString();

export const findDuration = (durations: readonly Duration[], id: string): Duration => durations.find((d) => d.id === id) ?? durations[0]!;

export const ROLE_LABELS: Readonly<Record<RoomRole, string>> = { OWNER: 'Owner', MODERATOR: 'Moderator', MEMBER: 'Member' };
