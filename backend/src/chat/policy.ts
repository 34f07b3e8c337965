import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { REACTION_KINDS_MAX } from '../domain/reaction/reaction.js';
import type { RefusalReason } from '../eventstore/eventStore.js';
import { type MemberState, toActingRole, toEffectiveMembership, toMutedUntil } from '../domain/member/member.js';
import type { RoomView } from './queries.js';

/**
 * Who may see and do what in a room: the one module that decides, from the room and the viewer's
 * own member state (never the member list); resolvers, subscriptions and commands ask it and
 * never decide themselves. Signing in is checked before (graphql/context.ts `requireViewer`).
 *
 * - PUBLIC rooms are seen by everyone and read by anyone signed in who is not banned.
 * - PRIVATE rooms exist only for their members (JOINED) and invitees (who see the room but not
 *   its history); DIRECT rooms only for their people. To anyone else every check answers exactly
 *   as for an unknown id: NOT_FOUND, so their existence does not leak.
 */
export interface Access {
  room: RoomView | null;
  /** The viewer's id, null when signed out. */
  viewerId: string | null;
  /** The viewer's own member state in the room (status 'none' when they have none, or are signed out). */
  member: MemberState;
  now: string;
}

const notFound = () => new NotFoundError('Room not found');

/** Whether the viewer is one of a direct room's people. */
const isDirectMember = (room: RoomView, viewerId: string | null) => viewerId !== null && room.directMembers?.includes(viewerId) === true;

/** Whether the room exists for the viewer at all (its id, name and kind). */
export const maySeeRoom = (access: Access): boolean => {
  const { room, viewerId, member, now } = access;
  if (!room) return false;
  switch (room.kind) {
    case 'PUBLIC':
      return true;
    case 'PRIVATE': {
      const membership = toEffectiveMembership(member, now);
      return membership === 'JOINED' || membership === 'INVITED';
    }
    case 'DIRECT':
      return isDirectMember(room, viewerId);
  }
};

/** The room, if it exists for the viewer; NOT_FOUND otherwise. */
export const assertMaySeeRoom = (access: Access): RoomView => {
  if (!maySeeRoom(access)) throw notFound();
  return access.room as RoomView;
};

/** A ban in force, as the refusal says it. */
const bannedError = (member: MemberState) =>
  new ForbiddenError(
    member.status === 'member' && member.bannedUntil
      ? `You are banned from this room until ${member.bannedUntil}`
      : 'You are banned from this room',
    { reason: 'banned', until: member.status === 'member' ? member.bannedUntil : null },
  );

/**
 * Reading the room's history, events, members and who is online. Invitees see the room but not
 * what is said in it (FORBIDDEN); banned people read no public room (FORBIDDEN).
 */
export const assertMayReadRoom = (access: Access): RoomView => {
  const room = assertMaySeeRoom(access);
  const membership = toEffectiveMembership(access.member, access.now);
  if (membership === 'BANNED') throw bannedError(access.member);
  if (room.kind === 'PRIVATE' && membership !== 'JOINED') throw new ForbiddenError('Accept the invitation to read this room');
  return room;
};

/** Whether the viewer may read the room now (as `assertMayReadRoom`, without saying why not): search keeps only such rooms' messages. */
export const mayReadRoom = (access: Access): boolean => {
  const membership = toEffectiveMembership(access.member, access.now);
  if (!maySeeRoom(access) || membership === 'BANNED') return false;
  return access.room!.kind !== 'PRIVATE' || membership === 'JOINED';
};

/** Following a room's events: reading it, signed in. */
export const assertMayFollowRoom = assertMayReadRoom;

/**
 * Posting and typing, as far as can be told before the append (whose guard has the last word):
 * readers who may join by posting (PUBLIC rooms, a direct room's people) and members, unless muted.
 */
export const assertMayPostIn = (access: Access): RoomView => {
  const room = assertMayReadRoom(access);
  const mutedUntil = toMutedUntil(access.member, access.now);
  if (mutedUntil) throw new ForbiddenError(`You are muted in this room until ${mutedUntil}`, { reason: 'muted', until: mutedUntil });
  return room;
};

/**
 * Why a guarded post was refused, as the poster is told: a room they cannot see is NOT_FOUND; a
 * ban or a mute is FORBIDDEN with until when; an invitee must accept first.
 */
export const toRefusal = (access: Access, refusal: { reason: RefusalReason; until: string | null }): Error => {
  if (!maySeeRoom(access)) return notFound();
  switch (refusal.reason) {
    case 'full':
      return new ValidationError(`A message has at most ${REACTION_KINDS_MAX} kinds of reaction`, 'emoji');
    case 'banned':
      return new ForbiddenError(refusal.until ? `You are banned from this room until ${refusal.until}` : 'You are banned from this room', {
        reason: 'banned',
        until: refusal.until,
      });
    case 'muted':
      return new ForbiddenError(`You are muted in this room until ${refusal.until}`, { reason: 'muted', until: refusal.until });
    case 'not-member':
      return new ForbiddenError('Join the room to post in it');
  }
};

/** Whether posting makes the poster a member by itself: in PUBLIC rooms, and for a direct room's people. */
export const joinsByPosting = (access: Access): boolean =>
  access.room !== null &&
  (access.room.kind === 'PUBLIC' || (access.room.kind === 'DIRECT' && isDirectMember(access.room, access.viewerId)));

/** The owner's and moderators' view of the room: the audit log, the removed members (FORBIDDEN otherwise). */
export const assertMayModerate = (access: Access): RoomView => {
  const room = assertMayReadRoom(access);
  if (!mayModerate(access)) throw new ForbiddenError('Only the owner and moderators may see this');
  return room;
};

export const mayModerate = (access: Access): boolean => {
  const role = toActingRole(access.member, access.now);
  return access.room?.kind !== 'DIRECT' && (role === 'OWNER' || role === 'MODERATOR');
};

/** Pinning a message: owner and moderators; in a direct room, any of its people. */
export const assertMayPin = (access: Access): RoomView => {
  const room = assertMayReadRoom(access);
  if (room.kind === 'DIRECT' ? !isDirectMember(room, access.viewerId) : !mayModerate(access)) {
    throw new ForbiddenError('Only the owner and moderators may pin messages');
  }
  return room;
};
