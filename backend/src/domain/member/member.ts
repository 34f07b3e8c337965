import { assertNever, type Decider } from '../decider.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { RoomKind } from '../room/events.js';
import { codePointLength, hasBidiControls, hasControlCharactersOtherThanNewlineAndTab, hasLoneSurrogates } from '../text.js';
import type { MemberAction, MemberEvent, Membership, MembershipChanged, RoomRole } from './events.js';

export type { MemberAction, MemberEvent, Membership, MembershipChanged, RoomRole } from './events.js';
export { MEMBER_ACTIONS, MEMBERSHIPS, ROOM_ROLES } from './events.js';

export const REASON_MAX = 500;
/** The furthest a ban or a mute may end; longer than that, ban for good. */
export const UNTIL_MAX_MS = 366 * 24 * 60 * 60 * 1000;

/** One person's membership of one room (an aggregate: its snapshot is a field of the room's members hash). */
export type Member = Omit<MembershipChanged['data'], 'action' | 'by' | 'reason' | 'at'>;
export type MemberState = { status: 'none' } | ({ status: 'member' } & Member);

/** What the decider needs to know of the room: facts from the room aggregate. */
export interface RoomFacts {
  id: string;
  kind: RoomKind;
  createdBy: string;
  directMembers?: readonly string[];
}

/** The person acting, with their own membership of the room (the same as the target's when they act on themself). */
export interface Actor {
  userId: string;
  state: MemberState;
}

/**
 * A change to `target`'s membership, by `actor`. `handle` is the target's handle now. `until` is
 * an ISO instant (ban: null for good); `reason` as typed.
 */
export type ChangeMembership = {
  type: 'ChangeMembership';
  action: MemberAction;
  room: RoomFacts;
  actor: Actor;
  target: { userId: string; handle: string };
  role?: RoomRole;
  until?: string | null;
  reason?: string | null;
  now: string;
};
export type MemberCommand = ChangeMembership;

const RANK: Record<RoomRole, number> = { OWNER: 3, MODERATOR: 2, MEMBER: 1 };

/** The membership as it stands at `now`: a ban that ran out is a membership that ended (LEFT). */
export const toEffectiveMembership = (state: MemberState, now: string): Membership | null => {
  if (state.status === 'none') return null;
  if (state.membership === 'BANNED' && state.bannedUntil !== null && state.bannedUntil <= now) return 'LEFT';
  return state.membership;
};

/** Until when the member may not post (a mute that has not run out), else null. */
export const toMutedUntil = (state: MemberState, now: string): string | null =>
  state.status === 'member' && state.mutedUntil !== null && state.mutedUntil > now ? state.mutedUntil : null;

export const isJoined = (state: MemberState, now: string): boolean => toEffectiveMembership(state, now) === 'JOINED';

/** The role someone acts with: a joined member's; nobody else acts with one. */
export const toActingRole = (state: MemberState, now: string): RoomRole | null =>
  state.status === 'member' && isJoined(state, now) ? state.role : null;

/** A moderation reason as stored: trimmed, at most 500 characters, no control characters but newlines; empty is none. */
export const parseReason = (raw: string | null | undefined): string | null => {
  if (raw == null) return null;
  const reason = raw.replace(/\r\n?/gu, '\n').trim();
  if (reason === '') return null;
  if (codePointLength(reason) > REASON_MAX) throw new ValidationError(`reason must be at most ${REASON_MAX} characters`, 'reason');
  if (hasLoneSurrogates(reason)) throw new ValidationError('reason must be valid Unicode text (a lone surrogate)', 'reason');
  if (hasControlCharactersOtherThanNewlineAndTab(reason) || hasBidiControls(reason)) {
    throw new ValidationError('reason must not contain control characters', 'reason');
  }
  return reason;
};

/** An end for a ban or a mute: after `now`, and at most a year ahead. */
const parseUntil = (until: string, now: string): string => {
  const at = Date.parse(until);
  if (!Number.isFinite(at)) throw new ValidationError('until is not a valid time', 'until');
  if (at <= Date.parse(now)) throw new ValidationError('until must be in the future', 'until');
  if (at - Date.parse(now) > UNTIL_MAX_MS) throw new ValidationError('until must be within a year (ban for good instead)', 'until');
  return new Date(at).toISOString();
};

/** The role a person gets on joining: the creator of a room owns it (DIRECT rooms have no owner). */
const roleOnJoining = (room: RoomFacts, userId: string): RoomRole =>
  room.kind !== 'DIRECT' && room.createdBy === userId ? 'OWNER' : 'MEMBER';

const change = (
  command: ChangeMembership,
  state: MemberState,
  next: { membership: Membership; role?: RoomRole; mutedUntil?: string | null; bannedUntil?: string | null },
  reason: string | null = null,
): MemberEvent[] => {
  const before = state.status === 'member' ? state : null;
  const membership = next.membership;
  const since = before && toEffectiveMembership(state, command.now) === membership ? before.since : command.now;
  return [
    {
      type: 'MembershipChanged',
      data: {
        roomId: command.room.id,
        userId: command.target.userId,
        handle: command.target.handle,
        action: command.action,
        membership,
        role: next.role ?? before?.role ?? 'MEMBER',
        since,
        mutedUntil: next.mutedUntil !== undefined ? next.mutedUntil : (before?.mutedUntil ?? null),
        bannedUntil: next.bannedUntil !== undefined ? next.bannedUntil : null,
        by: command.actor.userId,
        reason,
        at: command.now,
      },
    },
  ];
};

const assertSelf = (command: ChangeMembership) => {
  if (command.actor.userId !== command.target.userId) throw new Error(`${command.action} is something one does oneself`);
};

const assertNotSelf = (command: ChangeMembership) => {
  if (command.actor.userId === command.target.userId) {
    throw new ValidationError(`You cannot ${command.action.toLowerCase().replace('_', ' ')} yourself`, 'userId');
  }
};

/** Owner or moderator, acting on someone of a lower role (a newcomer counts as a member). */
const assertMayModerate = (command: ChangeMembership, state: MemberState) => {
  assertNotSelf(command);
  if (command.room.kind === 'DIRECT') throw new ForbiddenError('Nobody moderates a direct conversation');
  const role = toActingRole(command.actor.state, command.now);
  if (role !== 'OWNER' && role !== 'MODERATOR') throw new ForbiddenError('Only the owner and moderators may do that');
  const targetRole = state.status === 'member' && state.membership !== 'LEFT' ? state.role : 'MEMBER';
  if (RANK[targetRole] >= RANK[role]) throw new ForbiddenError('You cannot act on someone of an equal or higher role');
};

const join = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  // Whoever opens a direct conversation brings its people in; anywhere else one joins oneself.
  if (command.room.kind !== 'DIRECT') assertSelf(command);
  const { room, now } = command;
  const membership = toEffectiveMembership(state, now);
  if (membership === 'JOINED') return [];
  if (membership === 'BANNED') throw new ForbiddenError('You are banned from this room');
  switch (room.kind) {
    case 'PUBLIC':
      break;
    case 'PRIVATE':
      // Its creator comes in as its owner when making it; everyone else by invitation.
      if (membership !== 'INVITED' && !(state.status === 'none' && room.createdBy === command.target.userId)) {
        throw new NotFoundError('Room not found');
      }
      break;
    case 'DIRECT':
      if (!room.directMembers?.includes(command.target.userId)) throw new NotFoundError('Room not found');
      break;
    default:
      assertNever(room.kind);
  }
  const role = state.status === 'member' && state.role !== 'MEMBER' ? state.role : roleOnJoining(room, command.target.userId);
  return change(command, state, { membership: 'JOINED', role });
};

const leave = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  assertSelf(command);
  const membership = toEffectiveMembership(state, command.now);
  if (membership === 'INVITED') return change({ ...command, action: 'DECLINE' }, state, { membership: 'LEFT' });
  if (membership !== 'JOINED') return [];
  if (state.status === 'member' && state.role === 'OWNER') {
    throw new ValidationError('The owner cannot leave the room (make someone else owner first)', 'roomId');
  }
  return change(command, state, { membership: 'LEFT' });
};

const decline = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  assertSelf(command);
  if (toEffectiveMembership(state, command.now) !== 'INVITED') return [];
  return change(command, state, { membership: 'LEFT', role: 'MEMBER' });
};

const invite = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  assertNotSelf(command);
  const { room, now } = command;
  if (room.kind === 'DIRECT') throw new ValidationError('Nobody is invited to a direct conversation: open one with them', 'roomId');
  const role = toActingRole(command.actor.state, now);
  if (room.kind === 'PRIVATE' ? role === null : role !== 'OWNER' && role !== 'MODERATOR') {
    throw new ForbiddenError(room.kind === 'PRIVATE' ? 'Only members may invite' : 'Only the owner and moderators may invite');
  }
  const membership = toEffectiveMembership(state, now);
  if (membership === 'JOINED' || membership === 'INVITED') return [];
  if (membership === 'BANNED') throw new ForbiddenError('That person is banned from this room');
  return change(command, state, { membership: 'INVITED', role: 'MEMBER' });
};

const kick = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  assertMayModerate(command, state);
  const membership = toEffectiveMembership(state, command.now);
  if (membership !== 'JOINED' && membership !== 'INVITED') throw new ValidationError('That person is not a member', 'userId');
  return change(command, state, { membership: 'KICKED', role: 'MEMBER', mutedUntil: null }, parseReason(command.reason));
};

const ban = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  assertMayModerate(command, state);
  const bannedUntil = command.until == null ? null : parseUntil(command.until, command.now);
  return change(command, state, { membership: 'BANNED', role: 'MEMBER', mutedUntil: null, bannedUntil }, parseReason(command.reason));
};

const unban = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  assertMayModerate(command, state);
  if (toEffectiveMembership(state, command.now) !== 'BANNED') return [];
  return change(command, state, { membership: 'LEFT' });
};

const mute = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  assertMayModerate(command, state);
  if (command.until == null) throw new ValidationError('A mute needs an end (until)', 'until');
  const mutedUntil = parseUntil(command.until, command.now);
  const membership = toEffectiveMembership(state, command.now);
  if (membership !== 'JOINED') throw new ValidationError('Only a member can be muted', 'userId');
  return change(command, state, { membership, mutedUntil }, parseReason(command.reason));
};

const unmute = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  assertMayModerate(command, state);
  const membership = toEffectiveMembership(state, command.now);
  if (membership === null || toMutedUntil(state, command.now) === null) return [];
  return change(command, state, { membership, mutedUntil: null });
};

const setRole = (command: ChangeMembership, state: MemberState): MemberEvent[] => {
  assertNotSelf(command);
  const { role } = command;
  if (role !== 'MODERATOR' && role !== 'MEMBER') throw new ValidationError('role must be MODERATOR or MEMBER', 'role');
  if (command.room.kind === 'DIRECT') throw new ForbiddenError('Nobody has a role in a direct conversation');
  if (toActingRole(command.actor.state, command.now) !== 'OWNER') throw new ForbiddenError('Only the owner may set roles');
  if (state.status !== 'member' || toEffectiveMembership(state, command.now) !== 'JOINED') {
    throw new ValidationError('Only a member can be given a role', 'userId');
  }
  if (state.role === role) return [];
  return change(command, state, { membership: 'JOINED', role });
};

export const memberDecider: Decider<MemberCommand, MemberEvent, MemberState> = {
  initialState: { status: 'none' },
  decide: (command, state) => {
    switch (command.action) {
      case 'JOIN':
        return join(command, state);
      case 'LEAVE':
        return leave(command, state);
      case 'DECLINE':
        return decline(command, state);
      case 'INVITE':
        return invite(command, state);
      case 'KICK':
        return kick(command, state);
      case 'BAN':
        return ban(command, state);
      case 'UNBAN':
        return unban(command, state);
      case 'MUTE':
        return mute(command, state);
      case 'UNMUTE':
        return unmute(command, state);
      case 'SET_ROLE':
        return setRole(command, state);
      default:
        return assertNever(command.action);
    }
  },
  evolve: (_state, event) => {
    const { action: _action, by: _by, reason: _reason, at: _at, ...member } = event.data;
    return { status: 'member', ...member };
  },
};

/** Whether a change about `userId` takes away their reading of the room (their subscriptions end at it). */
export const endsReading = (kind: RoomKind, event: Pick<Member, 'membership'>): boolean =>
  event.membership === 'KICKED' || event.membership === 'BANNED' || (kind === 'PRIVATE' && event.membership === 'LEFT');
