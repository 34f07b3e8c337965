import type { MemberAction } from '../../domain/member/member.js';
import { inboxActivityKey } from '../keys.js';

/** What changed in someone's room list (the contract's InboxEventKind). */
export const INBOX_KINDS = ['ACTIVITY', 'READ', 'INVITED', 'JOINED', 'LEFT', 'REMOVED', 'UPDATED'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

/**
 * A note in the activity feed: about a room for all its members (ACTIVITY: something was posted,
 * edited or deleted; UPDATED without a user: renamed), or about one person's place in it.
 */
export interface ActivityNote {
  kind: InboxKind;
  roomId: string;
  userId?: string;
  /** Written by the inbox projector's sweep for a room whose own note was lost (see `startInboxProjector`). */
  swept?: true;
}

/** The room events whose appends note ACTIVITY (chat/commands.ts): what the sweep looks for in a room's log. */
export const ROOM_ACTIVITY_EVENTS: ReadonlySet<string> = new Set(['MessagePosted', 'MessageEdited', 'MessageDeleted']);

const note = (data: ActivityNote) => ({ stream: inboxActivityKey, type: data.kind, data });

/** Something was posted, edited or deleted in the room. */
export const toRoomActivityNote = (roomId: string) => note({ kind: 'ACTIVITY', roomId });
/** The room was renamed: everyone in it sees the new name. */
export const toRoomUpdatedNote = (roomId: string) => note({ kind: 'UPDATED', roomId });
/** The sweep's stand-in for a room's lost ACTIVITY note. */
export const toSweptActivityNote = (roomId: string) => note({ kind: 'ACTIVITY', roomId, swept: true });
/** A person's read marker moved. */
export const toReadNote = (roomId: string, userId: string) => note({ kind: 'READ', roomId, userId });

const KIND_OF_ACTION: Record<MemberAction, InboxKind> = {
  INVITE: 'INVITED',
  JOIN: 'JOINED',
  LEAVE: 'LEFT',
  DECLINE: 'LEFT',
  KICK: 'REMOVED',
  BAN: 'REMOVED',
  UNBAN: 'UPDATED',
  MUTE: 'UPDATED',
  UNMUTE: 'UPDATED',
  SET_ROLE: 'UPDATED',
};

/** A person's membership changed. */
export const toMemberNote = (roomId: string, userId: string, action: MemberAction) =>
  note({ kind: KIND_OF_ACTION[action], roomId, userId });
