import { ValidationError } from '../domain/errors.js';
import type { Member, MemberState } from '../domain/member/member.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { type AuditRecord, ROSTER_VISIBLE_MAX, toRosterUserId, toUserRoomId } from '../projections/members.js';
import { toAuditIndexKey, toJoinedKey, toRosterKey, toUserRoomsKey } from '../projections/keys.js';
import { parseNamePrefix, readUserNames } from '../projections/userNames.js';
import type { RoomState } from '../domain/room/room.js';
import { toPaddedCursor } from '../eventstore/marks.js';
import { toCountersKey } from '../projections/unread.js';
import { isRoomId } from './ids.js';
import { roomSnapshotsKey, toMemberSnapshotsKey } from './keys.js';
import { PAGE_MAX, type RoomView, parseCursor, toRoomView } from './queries.js';

export interface MemberPage {
  edges: { cursor: string; node: Member }[];
  hasNextPage: boolean;
}

export interface AuditPage {
  edges: { cursor: string; node: AuditRecord }[];
  hasNextPage: boolean;
}

/** The reads of rooms' members and of people: all from read models, never the member list for a check. */
export interface MemberQueries {
  /** One person's membership of a room ('none' when they never had one). */
  getMember(roomId: string, userId: string): Promise<MemberState>;
  /** Joined members. */
  countMembers(roomId: string): Promise<number>;
  /** The member list: owner first, then by handle; with `includeRemoved`, the kicked and banned after them. */
  readMembers(roomId: string, options: { first: number; after?: string | null; includeRemoved: boolean }): Promise<MemberPage>;
  /** Moderation, newest first. */
  readAuditLog(roomId: string, options: { first: number; after?: string | null }): Promise<AuditPage>;
  /**
   * The person's rooms (JOINED and INVITED), most recent activity first, each with its cursor.
   * `onPage` is told the ids of the rooms about to make the page (more when some turn out closed)
   * just as their states are read: what a caller reads of them then goes in the same round trip.
   */
  readMyRooms(
    userId: string,
    options: { first: number; after?: string | null; onPage?: (roomIds: readonly string[]) => void },
  ): Promise<{ edges: { cursor: string; node: RoomView }[]; hasNextPage: boolean }>;
  /** One person's membership of each room, in one round trip ('none' where they never had one). */
  getMembers(roomIds: readonly string[], userId: string): Promise<MemberState[]>;
  /** The ids of the person's rooms (JOINED and INVITED), unordered, at most MY_ROOMS_MAX. */
  listMyRoomIds(userId: string): Promise<string[]>;
  /** The user with this handle (case-insensitive), if one signed in. */
  findUserIdByHandle(handle: string): Promise<string | null>;
  /** Users whose handle or display name starts with `prefix`, case-insensitively; each once. */
  findUserIds(prefix: string, first: number): Promise<string[]>;
}

const checkFirst = (first: number) => {
  if (!Number.isInteger(first) || first < 1 || first > PAGE_MAX) throw new ValidationError(`first must be 1–${PAGE_MAX}`, 'first');
};

/** Cursors into a lexicographic set are the entry itself, base64url-encoded; anything else is refused. */
const toEntryCursor = (entry: string) => Buffer.from(entry, 'utf8').toString('base64url');
const parseEntryCursor = (cursor: string, shape: RegExp): string => {
  const entry = Buffer.from(cursor, 'base64url').toString('utf8');
  if (cursor.length > 400 || toEntryCursor(entry) !== cursor || !shape.test(entry)) {
    throw new ValidationError('after is not a valid cursor', 'after');
  }
  return entry;
};
const ROSTER_ENTRY = /^[0-2][a-z0-9_]+ [A-Za-z0-9_-]+$/u;
/** A room's place in a person's list: its last activity's padded cursor, then its id. */
const ACTIVITY_ENTRY = /^\d{16}-\d{16}\|[A-Za-z0-9_-]{12}$/u;
/** A room's place in a person's list: its last activity's cursor as numbers, then its id. */
interface Activity {
  ms: number;
  seq: number;
  roomId: string;
}
/** A room's place with the entry it was read from (`ACTIVITY_ENTRY`), as an `after` cursor names it. */
interface ActivityKey extends Activity {
  entry: string;
}
const toActivityKey = (entry: string): ActivityKey => ({
  entry,
  ms: Number(entry.slice(0, 16)),
  seq: Number(entry.slice(17, 33)),
  roomId: entry.slice(34),
});
/** Most recent activity first, then by room id (descending), as the padded entries compare. */
const byActivityDescending = (a: Activity, b: Activity) =>
  b.ms - a.ms || b.seq - a.seq || (a.roomId < b.roomId ? 1 : a.roomId > b.roomId ? -1 : 0);
/**
 * A room's place from its activity's cursor (`<ms>-<seq>`) as numbers: what its entry would say,
 * without writing the entry (only the page's are written, `toActivityEntry`).
 */
const toActivity = (cursor: string, roomId: string): Activity => {
  const dash = cursor.indexOf('-');
  return { ms: Number(cursor.slice(0, dash)), seq: Number(cursor.slice(dash + 1)), roomId };
};
/** The `ACTIVITY_ENTRY` of a room's place: its padded cursor, then its id. */
const toActivityEntry = ({ ms, seq, roomId }: Activity): string => `${toPaddedCursor(`${ms}-${seq}`)}|${roomId}`;

/** A person's rooms ordered at read time: past this many, the oldest memberships are left out. */
export const MY_ROOMS_MAX = 5_000;
/** Keys per `readFieldAcross` call (the store's own batch): the calls of one read go out together. */
const FIELDS_PER_READ = 250;

export const createMemberQueries = (store: EventStore): MemberQueries => ({
  async getMember(roomId, userId) {
    if (!isRoomId(roomId)) return { status: 'none' };
    const snapshot = await store.readSnapshot<MemberState>({ key: toMemberSnapshotsKey(roomId), field: userId });
    return snapshot?.state ?? { status: 'none' };
  },
  countMembers: (roomId) => store.countSet(toJoinedKey(roomId)),
  async readMembers(roomId, { first, after, includeRemoved }) {
    checkFirst(first);
    const min = after == null ? '-' : `(${parseEntryCursor(after, ROSTER_ENTRY)}`;
    const entries = await store.readSetRange(toRosterKey(roomId), {
      min,
      max: includeRemoved ? '+' : ROSTER_VISIBLE_MAX,
      count: first + 1,
    });
    const page = entries.slice(0, first);
    const ids = page.map(toRosterUserId);
    const states = await store.readSnapshots<MemberState>(toMemberSnapshotsKey(roomId), ids);
    return {
      edges: page.flatMap((entry, i) => {
        const state = states[i]?.state;
        return state?.status === 'member' ? [{ cursor: toEntryCursor(entry), node: state }] : [];
      }),
      hasNextPage: entries.length > first,
    };
  },
  async readAuditLog(roomId, { first, after }) {
    checkFirst(first);
    const before = after == null ? undefined : parseCursor(after, 'after');
    const entries = before === '0-0' ? [] : await store.readIndexBackward(toAuditIndexKey(roomId), { before, count: first + 1 });
    return {
      edges: entries.slice(0, first).map((entry) => ({ cursor: entry.cursor, node: JSON.parse(entry.ref) as AuditRecord })),
      hasNextPage: entries.length > first,
    };
  },
  listMyRoomIds: async (userId) =>
    (await store.readSetRange(toUserRoomsKey(userId), { min: '-', max: '+', count: MY_ROOMS_MAX })).map(toUserRoomId),
  async readMyRooms(userId, { first, after, onPage }) {
    checkFirst(first);
    const from = after == null ? null : toActivityKey(parseEntryCursor(after, ACTIVITY_ENTRY));
    // Every room of theirs, ordered by its last post (or its creation) at read time: activity moves
    // too often to keep a per-person order on the post's path (a room of 10,000 would write 10,000).
    const roomIds = (await store.readSetRange(toUserRoomsKey(userId), { min: '-', max: '+', count: MY_ROOMS_MAX })).map(toUserRoomId);
    // The counters in slices read side by side: one round trip, however many rooms.
    const counters = roomIds.map(toCountersKey);
    const slices: string[][] = [];
    for (let i = 0; i < counters.length; i += FIELDS_PER_READ) slices.push(counters.slice(i, i + FIELDS_PER_READ));
    const lastPosts = (await Promise.all(slices.map((keys) => store.readFieldAcross(keys, 'last')))).flat();
    // Rooms without a post are placed by their creation, from their state; the others' states are
    // read for the page alone.
    const views = new Map<string, RoomView | null>();
    const quiet = roomIds.filter((_, i) => !lastPosts[i]);
    const quietStates = await store.readSnapshots<RoomState>(roomSnapshotsKey, quiet);
    for (const [i, roomId] of quiet.entries()) views.set(roomId, quietStates[i] ? toRoomView(quietStates[i].state) : null);
    // Places as numbers (a thousand rooms: no padded strings but the page's), those after `after` only.
    const entries: Activity[] = [];
    for (const [i, roomId] of roomIds.entries()) {
      const last = lastPosts[i];
      let activity: Activity;
      if (last) activity = toActivity(last, roomId);
      else {
        const view = views.get(roomId);
        if (!view) continue;
        activity = { ms: Date.parse(view.createdAt), seq: 0, roomId };
      }
      if (from === null || byActivityDescending(from, activity) < 0) entries.push(activity);
    }
    entries.sort(byActivityDescending);
    let at = 0;
    // The page: the next rooms that are open, their states read in one go (more when some are not).
    const page: { cursor: string; node: RoomView }[] = [];
    while (page.length <= first && at < entries.length) {
      const candidates = entries.slice(at, at + first + 1 - page.length);
      at += candidates.length;
      const unread = candidates.filter((entry) => !views.has(entry.roomId)).map((entry) => entry.roomId);
      const reading = store.readSnapshots<RoomState>(roomSnapshotsKey, unread);
      // (Not the one past the page, read only to know whether there is more.)
      onPage?.(candidates.slice(0, first - page.length).map((entry) => entry.roomId));
      const states = await reading;
      for (const [i, roomId] of unread.entries()) views.set(roomId, states[i] ? toRoomView(states[i].state) : null);
      for (const entry of candidates) {
        const node = views.get(entry.roomId);
        if (node) page.push({ cursor: toEntryCursor(toActivityEntry(entry)), node });
      }
    }
    return { edges: page.slice(0, first), hasNextPage: page.length > first };
  },
  async getMembers(roomIds, userId) {
    const valid = roomIds.filter(isRoomId);
    const snapshots = await store.readSnapshotsAt<MemberState>(
      valid.map((roomId) => ({ key: toMemberSnapshotsKey(roomId), field: userId })),
    );
    const byRoom = new Map(valid.map((roomId, i) => [roomId, snapshots[i]?.state]));
    return roomIds.map((roomId) => byRoom.get(roomId) ?? { status: 'none' });
  },
  findUserIdByHandle: async (handle) => (await readUserNames(store, { handle, first: 1 }))[0] ?? null,
  async findUserIds(prefix, first) {
    if (!Number.isInteger(first) || first < 1 || first > 50) throw new ValidationError('first must be 1–50', 'first');
    return readUserNames(store, { prefix: parseNamePrefix(prefix), first });
  },
});
