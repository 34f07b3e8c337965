import { type MemberEvent, decodeMemberEvent } from '../domain/member/events.js';
import { type Member, type MemberState, memberDecider } from '../domain/member/member.js';
import { type MessageEvent, decodeMessageEvent } from '../domain/message/events.js';
import type { EventStore, IndexEntry, RecordedEvent } from '../eventstore/eventStore.js';
import { toMemberSnapshotsKey, toRoomStreamKey } from '../chat/keys.js';
import {
  type InlineLocation,
  type InlineModel,
  type InlineProjection,
  type SetChange,
  foldInline,
  readInlineModel,
  toSetMembers,
} from './inline.js';
import type { StoreRedis } from '../redis/client.js';
import { toAuditIndexKey, toJoinedKey, toRebuildKey, toRosterKey, toUserRoomsKey } from './keys.js';
import { scanKeys } from './scanKeys.js';

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

/** What one member change does to the room's roster and joined set. */
export const toRoomMemberSets = (roomId: string, before: MemberState | null, after: MemberState): SetChange[] => {
  const was = before?.status === 'member' ? before : null;
  const is = after.status === 'member' ? after : null;
  const userId = is?.userId ?? was?.userId ?? '';
  return [
    changeOf(toRosterKey(roomId), was && toRosterEntry(was), is && toRosterEntry(is)),
    changeOf(toJoinedKey(roomId), was?.membership === 'JOINED' ? userId : null, is?.membership === 'JOINED' ? userId : null),
  ];
};

/** What one member change does to the person's room list. */
export const toUserRoomSets = (before: MemberState, after: MemberState): SetChange[] => {
  const was = before.status === 'member' ? before : null;
  const is = after.status === 'member' ? after : null;
  const userId = is?.userId ?? was?.userId ?? '';
  return [changeOf(toUserRoomsKey(userId), was && toUserRoomEntry(was), is && toUserRoomEntry(is))];
};

/** Everything one member change does to sets (the command side's half). */
export const toMemberSets = (roomId: string, before: MemberState, after: MemberState): SetChange[] => [
  ...toRoomMemberSets(roomId, before, after),
  ...toUserRoomSets(before, after),
];

const changeOf = (key: string, before: string | null, after: string | null): SetChange => ({
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

/**
 * The members model of one room as an inline projection (rebuilt by `npm run projections:rebuild
 * members`): member states, roster and joined set from MembershipChanged, and the audit index from
 * those and from removals. The people's room lists are outside the room's slot: see `foldUserRooms`.
 */
export const membersProjection: InlineProjection<MemberState, MemberEvent | MessageEvent> = {
  name: 'members',
  events: new Set<string>(['MembershipChanged', 'MessageDeleted'] satisfies (MemberEvent | MessageEvent)['type'][]),
  decode: (event) => (event.type === 'MembershipChanged' ? decodeMemberEvent(event) : decodeMessageEvent(event)),
  fieldOf: (event) => (event.type === 'MembershipChanged' ? event.data.userId : null),
  evolve: (state, event) => memberDecider.evolve(state ?? memberDecider.initialState, event as MemberEvent),
  indexRef: (event) => {
    const record = toAuditRecord(event);
    return record && JSON.stringify(record);
  },
  sets: (before, after) => (after.status === 'member' ? toRoomMemberSets(after.roomId, before, after) : []),
};

export const toMembersLocation = (roomId: string): InlineLocation => ({
  stream: toRoomStreamKey(roomId),
  hash: toMemberSnapshotsKey(roomId),
  index: toAuditIndexKey(roomId),
  sets: [toRosterKey(roomId), toJoinedKey(roomId)],
});

/** Each member's entry for this room in their room list, from the room's member states (empty when not listed). */
export const foldUserRooms = (states: ReadonlyMap<string, { state: MemberState }>): Map<string, string[]> =>
  new Map(
    [...states].map(([userId, { state }]) => [userId, state.status === 'member' ? [toUserRoomEntry(state)].flatMap((e) => e ?? []) : []]),
  );

/** A room's members model as data (what the fold test compares). */
export interface MembersModel {
  states: Map<string, { rev: number; state: MemberState }>;
  roster: string[];
  joined: string[];
  audit: IndexEntry[];
  /** Each member's room list, as far as this room goes: their entry for it. */
  userRooms: Map<string, string[]>;
}

const toMembersModel = (roomId: string, model: InlineModel<MemberState>, userRooms: Map<string, string[]>): MembersModel => {
  const sets = toSetMembers(model);
  return {
    states: model.snapshots,
    roster: sets.get(toRosterKey(roomId)) ?? [],
    joined: sets.get(toJoinedKey(roomId)) ?? [],
    audit: model.index,
    userRooms,
  };
};

/** The model folded from a room's log (pure): what the append script must have written. */
export const foldMembers = (roomId: string, events: readonly RecordedEvent[]): MembersModel => {
  const model = foldInline(membersProjection, events) as InlineModel<MemberState>;
  return toMembersModel(roomId, model, foldUserRooms(model.snapshots));
};

/** The live model as stored. */
export const readMembersModel = async (store: EventStore, roomId: string): Promise<MembersModel> => {
  const model = await readInlineModel<MemberState>(store, toMembersLocation(roomId));
  const all = { min: '-', max: '+', count: Number.MAX_SAFE_INTEGER };
  const userRooms = new Map(
    await Promise.all(
      [...model.snapshots.keys()].map(
        async (userId) =>
          [userId, (await store.readSetRange(toUserRoomsKey(userId), all)).filter((entry) => toUserRoomId(entry) === roomId)] as const,
      ),
    ),
  );
  return toMembersModel(roomId, model, userRooms);
};

/**
 * Rewrites every person's room list from the rooms' member states (after `rebuildInline` of each
 * room's members), and removes the lists of people in no room. Not atomic with appends: a membership that changes while it runs may be
 * listed as it was, until that person's next change in that room. Each person's list and its
 * rebuild key share the person's slot, so the RENAME is single-slot on a Cluster too.
 */
export const rebuildUserRooms = async (redis: StoreRedis, store: EventStore, roomIds: readonly string[]): Promise<void> => {
  const lists = new Map<string, string[]>();
  for (const roomId of roomIds) {
    for (const [userId, entries] of foldUserRooms(await store.readAllSnapshots<MemberState>(toMemberSnapshotsKey(roomId)))) {
      lists.set(userId, [...(lists.get(userId) ?? []), ...entries]);
    }
  }
  for (const [userId, entries] of lists) {
    const key = toUserRoomsKey(userId);
    const rebuilt = toRebuildKey(key);
    await redis.del(rebuilt);
    if (entries.length) {
      await redis.zadd(rebuilt, ...entries.flatMap((entry) => [0, entry]));
      await redis.rename(rebuilt, key);
    } else {
      await redis.del(key);
    }
  }
  // The lists of people with no room at all: none above rewrote them.
  const listed = new Set([...lists.keys()].map(toUserRoomsKey));
  for await (const keys of scanKeys(redis, toUserRoomsKey('*'))) {
    for (const key of keys) if (!listed.has(key)) await redis.del(key);
  }
};
