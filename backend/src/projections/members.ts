import { type MemberEvent, decodeMemberEvent } from '../domain/member/events.js';
import { type Member, type MemberState, memberDecider } from '../domain/member/member.js';
import { type MessageEvent, decodeMessageEvent } from '../domain/message/events.js';
import type { AppendRequest, EventStore, IndexEntry, RecordedEvent } from '../eventstore/eventStore.js';
import { toMemberSnapshotsKey } from '../chat/keys.js';
import { toAuditIndexKey, toJoinedKey, toRosterKey, toUserRoomsKey } from './keys.js';

/**
 * A room's members (inline, written by the append script in the room's slot):
 * - each person's member state: the member aggregate's snapshot, one field of the members hash;
 * - the roster, the member list in display order: a lexicographic set of `toRosterEntry`;
 * - the joined set, the ids of joined members (`memberCount` counts it);
 * - the audit log: an index of the moderation events (member changes by owners and moderators,
 *   and messages they removed), each entry's ref the entry itself as JSON.
 * It folds MembershipChanged, and MessageDeleted for the removals.
 */
export const MEMBER_EVENTS: ReadonlySet<string> = new Set<string>(['MembershipChanged'] satisfies MemberEvent['type'][]);

/** Groups of the roster, in display order: the owner, then members and invitees, then those removed. */
const ROSTER_GROUP = { owner: '0', member: '1', removed: '2' } as const;
/** The roster's groups a reader who does not moderate sees (up to, not including, the removed). */
export const ROSTER_VISIBLE_MAX = `(${ROSTER_GROUP.removed}`;

/**
 * Where a member sorts: their group, their handle in lower case (handles are ASCII letters, digits
 * and underscores, all above the space), a space, their id. Null for someone not on the list (LEFT).
 */
export const toRosterEntry = (member: Member): string | null => {
  const sortKey = `${member.handle.toLowerCase()} ${member.userId}`;
  switch (member.membership) {
    case 'JOINED':
      return (member.role === 'OWNER' ? ROSTER_GROUP.owner : ROSTER_GROUP.member) + sortKey;
    case 'INVITED':
      return ROSTER_GROUP.member + sortKey;
    case 'KICKED':
    case 'BANNED':
      return ROSTER_GROUP.removed + sortKey;
    case 'LEFT':
      return null;
  }
};

/** The id of the member a roster entry stands for. */
export const toRosterUserId = (entry: string): string => entry.slice(entry.lastIndexOf(' ') + 1);

/** Later than any instant this code will see, in ms: a person's rooms sort by how long before it they came. */
const LAST_MS = 9_999_999_999_999;

/** A room's entry in a person's room list: newest first, by when the membership took its state. Null when not listed. */
export const toUserRoomEntry = (member: Member): string | null =>
  member.membership === 'JOINED' || member.membership === 'INVITED'
    ? `${String(LAST_MS - Date.parse(member.since)).padStart(13, '0')} ${member.roomId}`
    : null;

/** The room id of an entry of a person's room list. */
export const toUserRoomId = (entry: string): string => entry.slice(entry.indexOf(' ') + 1);

/** What one member change does to the roster, the joined set and the person's room list (the command side's half). */
export const toMemberSets = (roomId: string, before: MemberState, after: MemberState): NonNullable<AppendRequest['sets']> => {
  const was = before.status === 'member' ? before : null;
  const is = after.status === 'member' ? after : null;
  const entries = { before: was && toRosterEntry(was), after: is && toRosterEntry(is) };
  const joined = { before: was?.membership === 'JOINED', after: is?.membership === 'JOINED' };
  const userId = is?.userId ?? was?.userId ?? '';
  return [
    changeOf(toRosterKey(roomId), entries.before, entries.after),
    {
      key: toJoinedKey(roomId),
      remove: joined.before && !joined.after ? [userId] : [],
      add: joined.after && !joined.before ? [userId] : [],
    },
    changeOf(toUserRoomsKey(userId), was && toUserRoomEntry(was), is && toUserRoomEntry(is)),
  ];
};

const changeOf = (key: string, before: string | null, after: string | null) => ({
  key,
  remove: before && before !== after ? [before] : [],
  add: after && after !== before ? [after] : [],
});

export const AUDIT_ACTIONS = ['INVITE', 'KICK', 'BAN', 'UNBAN', 'MUTE', 'UNMUTE', 'SET_ROLE', 'REMOVE_MESSAGE', 'RENAME'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One entry of the audit log, as its index stores it. */
export interface AuditRecord {
  action: AuditAction;
  actorId: string;
  targetId: string | null;
  messageId: string | null;
  reason: string | null;
  at: string;
}

/** The audit record an event makes, if it is a moderation event. */
export const toAuditRecord = (event: MemberEvent | MessageEvent): AuditRecord | null => {
  switch (event.type) {
    case 'MembershipChanged': {
      const { action, by, userId, reason, at } = event.data;
      if (action === 'JOIN' || action === 'LEAVE' || action === 'DECLINE') return null;
      return { action, actorId: by, targetId: userId, messageId: null, reason, at };
    }
    case 'MessageDeleted': {
      const { removedBy, messageId, reason, deletedAt } = event.data;
      return removedBy ? { action: 'REMOVE_MESSAGE', actorId: removedBy, targetId: null, messageId, reason, at: deletedAt } : null;
    }
    default:
      return null;
  }
};

/** The audit index entries an append of these events writes (the command side's half). */
export const toAuditIndexes = (roomId: string, events: readonly (MemberEvent | MessageEvent)[]) =>
  events.flatMap((event, i) => {
    const record = toAuditRecord(event);
    return record ? [{ event: i, key: toAuditIndexKey(roomId), ref: JSON.stringify(record) }] : [];
  });

/** A room's members model as data (what the fold test compares). */
export interface MembersModel {
  states: Map<string, { rev: number; state: MemberState }>;
  roster: string[];
  joined: string[];
  audit: IndexEntry[];
  /** Each member's room list, as far as this room goes: their entry for it. */
  userRooms: Map<string, string[]>;
}

const sortByBytes = (values: Iterable<string>) => [...values].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));

/** The model folded from a room's log (pure): what the append script must have written. */
export const foldMembers = (events: readonly RecordedEvent[]): MembersModel => {
  const states = new Map<string, { rev: number; state: MemberState }>();
  const audit: IndexEntry[] = [];
  for (const recorded of events) {
    if (MEMBER_EVENTS.has(recorded.type)) {
      const event = decodeMemberEvent(recorded);
      const before = states.get(event.data.userId);
      states.set(event.data.userId, {
        rev: (before?.rev ?? 0) + 1,
        state: memberDecider.evolve(before?.state ?? memberDecider.initialState, event),
      });
      const record = toAuditRecord(event);
      if (record) audit.push({ cursor: recorded.cursor, ref: JSON.stringify(record) });
    } else if (recorded.type === 'MessageDeleted') {
      const record = toAuditRecord(decodeMessageEvent(recorded));
      if (record) audit.push({ cursor: recorded.cursor, ref: JSON.stringify(record) });
    }
  }
  const members = [...states.values()].flatMap(({ state }) => (state.status === 'member' ? [state] : []));
  return {
    states,
    roster: sortByBytes(members.flatMap((member) => toRosterEntry(member) ?? [])),
    joined: sortByBytes(members.filter((member) => member.membership === 'JOINED').map((member) => member.userId)),
    audit,
    userRooms: new Map(members.map((member) => [member.userId, [toUserRoomEntry(member)].flatMap((entry) => entry ?? [])])),
  };
};

/** The live model as stored. */
export const readMembersModel = async (store: EventStore, roomId: string): Promise<MembersModel> => {
  const all = { min: '-', max: '+', count: 1_000_000 };
  const audit: IndexEntry[] = [];
  for (;;) {
    const page = await store.readIndexForward(toAuditIndexKey(roomId), { after: audit.at(-1)?.cursor, count: 1_000 });
    audit.push(...page);
    if (page.length < 1_000) break;
  }
  const states = await store.readAllSnapshots<MemberState>(toMemberSnapshotsKey(roomId));
  return {
    states,
    roster: await store.readSetRange(toRosterKey(roomId), all),
    joined: await store.readSetRange(toJoinedKey(roomId), all),
    audit,
    userRooms: new Map(
      await Promise.all(
        [...states.keys()].map(
          async (userId) =>
            [userId, (await store.readSetRange(toUserRoomsKey(userId), all)).filter((entry) => toUserRoomId(entry) === roomId)] as const,
        ),
      ),
    ),
  };
};
