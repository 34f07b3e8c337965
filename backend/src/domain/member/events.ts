import { z } from 'zod';
import type { DomainEvent } from '../decider.js';
import { createEventCodec, eventVersions, idSchema, timestampSchema, type UndecodedEvent } from '../eventCodec.js';

/** Where a person stands with a room. LEFT also stands for a declined invitation and a lifted ban. */
export const MEMBERSHIPS = ['INVITED', 'JOINED', 'LEFT', 'KICKED', 'BANNED'] as const;
export type Membership = (typeof MEMBERSHIPS)[number];

/** Roles, highest first: nobody acts on someone of an equal or higher role. */
export const ROOM_ROLES = ['OWNER', 'MODERATOR', 'MEMBER'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

/** What changed a membership. The moderation ones (all but JOIN, LEAVE and DECLINE) go into the audit log. */
export const MEMBER_ACTIONS = ['JOIN', 'LEAVE', 'INVITE', 'DECLINE', 'KICK', 'BAN', 'UNBAN', 'MUTE', 'UNMUTE', 'SET_ROLE'] as const;
export type MemberAction = (typeof MEMBER_ACTIONS)[number];

/**
 * A person's membership of a room after a change, and the change. The event carries the whole
 * resulting member (it is small), so a reader renders it without folding anything.
 * `handle` is the person's handle when it happened: the member list sorts by it.
 */
export type MembershipChanged = DomainEvent<
  'MembershipChanged',
  {
    roomId: string;
    userId: string;
    handle: string;
    action: MemberAction;
    membership: Membership;
    role: RoomRole;
    /** When the membership took its current state (a mute or a role leaves it as it was). */
    since: string;
    mutedUntil: string | null;
    /** Null with BANNED: for good. */
    bannedUntil: string | null;
    /** Who did it; the person themself for a join, a leave or a decline. */
    by: string;
    reason: string | null;
    at: string;
  }
>;
export type MemberEvent = MembershipChanged;

export const membershipChangedV1Schema = z.strictObject({
  roomId: idSchema,
  userId: idSchema,
  handle: z.string().min(1),
  action: z.enum(MEMBER_ACTIONS),
  membership: z.enum(MEMBERSHIPS),
  role: z.enum(ROOM_ROLES),
  since: timestampSchema,
  mutedUntil: timestampSchema.nullable(),
  bannedUntil: timestampSchema.nullable(),
  by: idSchema,
  reason: z.string().nullable(),
  at: timestampSchema,
});

/** Every member event type with its versions. */
export const memberEventCodec = createEventCodec<MemberEvent>({
  MembershipChanged: eventVersions('MembershipChanged', membershipChangedV1Schema),
});

/** A stored member event, validated; throws `EventDecodeError` otherwise. */
export const decodeMemberEvent = (stored: UndecodedEvent): MemberEvent => memberEventCodec.decode(stored);
