import { roomSnapshotsKey, toMemberSnapshotsKey, toRoomStreamKey } from '../../chat/keys.js';
import type { MemberState } from '../../domain/member/member.js';
import { type Cursor, type EventStore, type RecordedEvent, compareCursors } from '../../eventstore/eventStore.js';
import { inboxActivityKey, toInboxKey, toJoinedKey, toRosterKey, toUserRoomsKey } from '../keys.js';
import { ROSTER_VISIBLE_MAX, toRosterUserId, toUserRoomEntry, toUserRoomId } from '../members.js';
import { type ActivityNote, type InboxKind, ROOM_ACTIVITY_EVENTS, toSweptActivityNote } from './activity.js';

/**
 * The inbox projection: fans the activity feed out into each person's inbox stream, off the
 * post's path (a post in a room of 10,000 writes one note; the projector writes the rest).
 *
 * Lossless and exactly once, whichever instance runs it and however often it restarts:
 * - One instance runs it at a time (a lease), in the feed's order, from a checkpoint.
 * - Each inbox entry takes the id of the note it comes from, and a stream takes only ids above its
 *   last (`EventStore.writeEntries`): whatever runs again after a crash writes nothing twice.
 * - Activity is coalesced per room and time bucket (`BUCKET_MS`): only the bucket's last note of
 *   a room is fanned out, once the store's clock has passed the bucket (no note can land in it
 *   any more), so which notes stand for a bucket does not depend on how the feed was read. Other
 *   notes (a read, a membership) go out at once; one person's note behind activity still waiting
 *   goes to that person at once all the same (see `sendPersonalNotes`).
 * A person's inbox keeps about `INBOX_MAX_ENTRIES`; resuming from before that is CURSOR_EXPIRED.
 *
 * A room's activity (and a rename) is written only into the inboxes of people listening (an inbox
 * subscription open on some instance, see `InboxProjectorState.listen`), and once per room into
 * the room records (its last ACTIVITY and UPDATED ids): a busy room of 10,000 members costs
 * Redis a write per listening member per bucket, not one per member. Anyone else catches up when
 * their inbox is next written (they start listening, or a note of their own comes): first, for
 * each of their rooms, the room's last activity and rename above their inbox's last entry, with
 * those notes' ids. So an inbox holds, above any of its entries, at least the last activity of
 * each of the person's rooms since then, in id order, whoever was listening when: nothing lost
 * on resume, and nothing twice (ids only go up). Who listens is kept in this process only; an
 * instance that takes the lease over starts with nobody and catches each listener up once.
 *
 * Lost notes (a Redis Cluster, where an append's note follows it in another slot: a crash or an
 * outage between the two loses it) delay a room's activity, never lose it: each room's record
 * also says how far its log was when its activity was last fanned out (`c:<roomId>`), and a
 * sweep (every `sweepEveryMs`, once the projector has read the whole feed) compares that with
 * each room's log. A room whose log holds a post, edit or deletion above it, older than
 * `sweepGraceMs` (its note would have come by then) and with no note waiting, gets a note of the
 * sweep's (`swept`) in the feed, fanned out as any other. Should the lost note come after all
 * (held up for longer than the grace), it is dropped if the room's log has not moved since the
 * swept note went out (`s:<roomId>`), as is a second swept note for the same loss: nothing twice. The first sweep on a Redis takes every
 * room's log as it finds it (the notes of what came before were not lost, or are too old to
 * matter); a room created after it is swept from its log's start. Personal notes (a read, a
 * membership) and renames are not swept: a lost one is missing from that person's inbox until
 * a rebuild or their next note of that kind. The delay is at most about `sweepEveryMs + sweepGraceMs`.
 * Where it sweeps, a membership note also sets the person's entry for that room in their room list
 * from the member's state: on a Cluster the append writes that list after its notes, in another
 * slot, so a crash between the two loses the list's change; the note repairs it.
 */
export const BUCKET_MS = 250;
export const INBOX_MAX_ENTRIES = 1_000;
const READ_PAGE = 1_000;
/** The most members a room's activity reaches (its joined set is read whole). */
const FAN_OUT_MAX = 100_000;

/** One entry for some people's inboxes: the note's id, what changed, which room. */
export interface Emission {
  cursor: Cursor;
  kind: InboxKind;
  roomId: string;
  /** A room's members (`joined`), everyone on its list (`listed`: JOINED and INVITED), or one person. */
  to: 'joined' | 'listed' | string;
  /** A room's ACTIVITY from the sweep, standing for a lost note. */
  swept?: true;
}

const bucketOf = (cursor: Cursor, bucketMs = BUCKET_MS) => Math.floor(Number(cursor.slice(0, cursor.indexOf('-'))) / bucketMs);

/**
 * The entries some notes make (pure): in the notes' order, a room's ACTIVITY only as the last of
 * its bucket. Their ACTIVITY notes must make whole buckets.
 */
export const toEmissions = (notes: readonly RecordedEvent[], bucketMs = BUCKET_MS): Emission[] => {
  const lastActivity = new Map<string, Cursor>();
  for (const recorded of notes) {
    const note = recorded.data as ActivityNote;
    if (note.kind === 'ACTIVITY') lastActivity.set(`${bucketOf(recorded.cursor, bucketMs)}:${note.roomId}`, recorded.cursor);
  }
  return notes.flatMap((recorded): Emission[] => {
    const note = recorded.data as ActivityNote;
    const { cursor } = recorded;
    if (note.kind === 'ACTIVITY') {
      return lastActivity.get(`${bucketOf(cursor, bucketMs)}:${note.roomId}`) === cursor
        ? [{ cursor, kind: 'ACTIVITY', roomId: note.roomId, to: 'joined', ...(note.swept ? { swept: true as const } : {}) }]
        : [];
    }
    return [{ cursor, kind: note.kind, roomId: note.roomId, to: note.userId ?? 'listed' }];
  });
};

/** Where the projector keeps its place, the lease that lets one instance run it, who listens, and the room records. */
export interface InboxProjectorState {
  /** Takes or renews the lease for `ms`; false when another instance holds it. */
  lease(ms: number): Promise<boolean>;
  readCheckpoint(): Promise<Cursor | null>;
  writeCheckpoint(cursor: Cursor): Promise<void>;
  /** Says the person has an inbox subscription open for the next `ms` (the store's clock); any instance calls it. */
  listen(userId: string, ms: number): Promise<void>;
  /** Everyone who said so, with until when (the store's clock, ms). */
  readListening(): Promise<Map<string, number>>;
  /** Moves on whenever someone starts listening (not when someone renews). */
  readListeningVersion(): Promise<number>;
  forgetListening(userIds: readonly string[]): Promise<void>;
  /**
   * The ids of rooms' last fanned-out ACTIVITY (`a:<roomId>`) and UPDATED (`u:<roomId>`), and the
   * sweep's records (`c:<roomId>`, `s:<roomId>`: cursors of the room's log; `swept`), null where none.
   */
  readRoomRecords(fields: readonly string[]): Promise<(Cursor | null)[]>;
  writeRoomRecords(records: ReadonlyMap<string, Cursor>): Promise<void>;
  /** Every room's id, for the sweep, when the state can read them cheaply. */
  listRoomIds?(): Promise<string[]>;
  /** True on a Redis Cluster, where an append's note follows it in another slot and can be lost: the projector then sweeps. */
  notesMayBeLost?: boolean;
}

/** How long an inbox subscription's word that it listens lasts; it says so again every third of it. */
export const LISTEN_MS = 60_000;
/** How often the projector reads who listens when nobody started (to drop who stopped). */
const LISTENERS_EVERY_MS = 5_000;
/** The least time between two reads of who listens. */
const LISTENERS_MIN_MS = 50;
/** How often an idle projector looks for new listeners (each is caught up then; until then, their rooms' activity is recorded). */
const IDLE_POLL_MS = 100;
/** The most rooms a catch-up looks at (a person's rooms, like myRooms). */
const CATCH_UP_ROOMS_MAX = 5_000;

/**
 * Keeps saying that `userId` listens until the returned function is called: an inbox
 * subscription's part (see `InboxProjectorState.listen`). A failed renewal is retried at the next.
 */
export const keepListening = (state: Pick<InboxProjectorState, 'listen'>, userId: string): Promise<() => void> => {
  const renew = () => state.listen(userId, LISTEN_MS).catch(() => {});
  const timer = setInterval(renew, LISTEN_MS / 3);
  timer.unref?.();
  return renew().then(() => () => clearInterval(timer));
};

type InboxWrite = { cursor: Cursor; type: string; data: unknown };
const recordField = (kind: 'joined' | 'listed', roomId: string) => `${kind === 'joined' ? 'a' : 'u'}:${roomId}`;

/** How often the sweep looks for rooms whose note was lost, and how old their activity must be by then. */
const SWEEP_EVERY_MS = 10_000;
const SWEEP_GRACE_MS = 5_000;
/** Rooms whose logs a sweep reads side by side. */
const SWEEP_CHUNK = 500;
/** Events read backward per page while a sweep looks for a room's last activity. */
const SWEEP_PAGE = 100;
/** The record that says a sweep ran on this Redis (its value means nothing). */
const SWEPT_FIELD = 'swept';

const msOf = (cursor: Cursor) => Number(cursor.slice(0, cursor.indexOf('-')));

const LEASE_MS = 3_000;
/** How often notes may wake a projector waiting for a bucket to close. */
const WAKE_MS = 10;
const RENEW_MS = 1_000;

/**
 * Runs the inbox projection in this process whenever it holds the lease; `stop()` ends it. Errors
 * (the store unreachable) are logged, and it tries again a moment later from its checkpoint.
 */
export const startInboxProjector = (
  store: EventStore,
  state: InboxProjectorState,
  options: {
    onError?: (error: unknown) => void;
    /** Tests only: how long activity is coalesced. */
    bucketMs?: number;
    /**
     * How often to sweep for lost notes (null: never), and how old a room's activity must be to
     * count as lost (default 5 s). Default: every 10 s when the state says notes may be lost
     * (`InboxProjectorState.notesMayBeLost`: a Redis Cluster), else never (one Redis writes each
     * note with its append, and a sweep reads every room's log end).
     */
    sweepEveryMs?: number | null;
    sweepGraceMs?: number;
    /** Every room's id, for the sweep (default: the state's `listRoomIds`, else the rooms' snapshots, read whole). */
    listRoomIds?: () => Promise<string[]>;
    /** Tests only: told after each sweep which rooms it noted. */
    onSwept?: (roomIds: readonly string[]) => void;
  } = {},
) => {
  const bucketMs = options.bucketMs ?? BUCKET_MS;
  const sweepEveryMs = options.sweepEveryMs !== undefined ? options.sweepEveryMs : state.notesMayBeLost ? SWEEP_EVERY_MS : null;
  const sweepGraceMs = options.sweepGraceMs ?? SWEEP_GRACE_MS;
  const listRoomIds =
    options.listRoomIds ?? state.listRoomIds ?? (async () => [...(await store.readAllSnapshots(roomSnapshotsKey)).keys()]);
  let stopped = false;
  let wake: (() => void) | null = null;
  // A note that comes while the loop is busy (reading, fanning out) is not slept through.
  let nudged = false;
  const nudge = () => {
    nudged = true;
    wake?.();
    wake = null;
  };
  /** Waits `ms`; a note (a nudge, even one that came while the loop was busy) ends an interruptible wait at once. */
  const sleep = (ms: number, interruptible = true) =>
    new Promise<void>((resolve) => {
      if (!interruptible) {
        setTimeout(resolve, ms);
        return;
      }
      if (nudged) {
        nudged = false;
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        nudged = false;
        resolve();
      };
    });
  const unfollow = store.tailer.follow(inboxActivityKey, nudge);

  /** Who an emission reaches. */
  const recipients = async (emission: Emission): Promise<string[]> => {
    if (emission.to === 'joined') return store.readSetRange(toJoinedKey(emission.roomId), { min: '-', max: '+', count: FAN_OUT_MAX });
    if (emission.to === 'listed') {
      const roster = await store.readSetRange(toRosterKey(emission.roomId), { min: '-', max: ROSTER_VISIBLE_MAX, count: FAN_OUT_MAX });
      return roster.map(toRosterUserId);
    }
    return [emission.to];
  };

  /** Who listens now (the store's clock); null until read, and again after a lease is lost. */
  let active: Set<string> | null = null;
  let listenersReadAt = Number.NEGATIVE_INFINITY;

  /**
   * What a person who was not listening lacks below `below` (exclusive): for each of their rooms,
   * its last recorded ACTIVITY (rooms they are joined in) and UPDATED (rooms they are listed in)
   * above their inbox's last entry; `overlay` holds records not written yet (this batch's).
   */
  const catchUp = async (userId: string, below: Cursor | null, overlay: ReadonlyMap<string, Cursor>): Promise<InboxWrite[]> => {
    const [{ lastCursor }, entries] = await Promise.all([
      store.streamInfo(toInboxKey(userId)),
      store.readSetRange(toUserRoomsKey(userId), { min: '-', max: '+', count: CATCH_UP_ROOMS_MAX }),
    ]);
    const roomIds = entries.map(toUserRoomId);
    const fields = roomIds.flatMap((roomId) => [recordField('joined', roomId), recordField('listed', roomId)]);
    const stored = await state.readRoomRecords(fields);
    const wanted = (cursor: Cursor | null | undefined): cursor is Cursor =>
      !!cursor && (lastCursor === null || compareCursors(cursor, lastCursor) > 0) && (below === null || compareCursors(cursor, below) < 0);
    const found: { cursor: Cursor; kind: InboxKind; roomId: string }[] = [];
    fields.forEach((field, i) => {
      const cursor = overlay.get(field) ?? stored[i];
      if (wanted(cursor)) found.push({ cursor, kind: field.startsWith('a:') ? 'ACTIVITY' : 'UPDATED', roomId: roomIds[i >> 1]! });
    });
    // A room's activity reaches its joined members only (an invitation lists the room, its messages stay closed).
    const joined = await Promise.all(found.map((item) => item.kind !== 'ACTIVITY' || isJoinedIn(item.roomId, userId)));
    return found
      .filter((_, i) => joined[i])
      .sort((a, b) => compareCursors(a.cursor, b.cursor))
      .map((item) => ({ cursor: item.cursor, type: item.kind, data: { roomId: item.roomId } }));
  };

  /**
   * Reads who listens when someone started (or every LISTENERS_EVERY_MS, to drop who stopped),
   * and catches up those who started: what was recorded lies below every note not fanned out yet.
   */
  let listenersVersion = -1;
  const admitListeners = async (now: number) => {
    const version = await state.readListeningVersion();
    const since = now - listenersReadAt;
    // While people keep arriving (a thousand subscribing at once), one read per LISTENERS_MIN_MS.
    if (active && (since < LISTENERS_MIN_MS || (version === listenersVersion && since < LISTENERS_EVERY_MS))) return;
    listenersVersion = version;
    listenersReadAt = now;
    const listening = await state.readListening();
    const current = new Set<string>();
    const gone: string[] = [];
    for (const [userId, until] of listening) {
      if (until > now) current.add(userId);
      else if (until < now - LISTEN_MS) gone.push(userId);
    }
    const started = [...current].filter((userId) => !active?.has(userId));
    const none = new Map<string, Cursor>();
    const missed = await Promise.all(started.map((userId) => catchUp(userId, null, none)));
    await store.writeEntries(
      started.flatMap((userId, i) => (missed[i]!.length ? [{ stream: toInboxKey(userId), entries: missed[i]! }] : [])),
      INBOX_MAX_ENTRIES,
    );
    active = current;
    if (gone.length) await state.forgetListening(gone);
  };

  /**
   * Where each room's log ends now, and whether its ACTIVITY comes late: the room's log has not
   * moved since a swept note went out for it, so this is the lost note come after all, or another
   * swept note for the same loss (two instances sweeping across a lease's handover).
   */
  const checkActivity = async (items: readonly { roomId: string }[]) => {
    const [ends, sweptAt] = await Promise.all([
      Promise.all(items.map(async ({ roomId }) => (await store.streamInfo(toRoomStreamKey(roomId))).lastCursor)),
      state.readRoomRecords(items.map(({ roomId }) => `s:${roomId}`)),
    ]);
    return items.map((_, i) => ({ end: ends[i] ?? null, isLate: ends[i] != null && sweptAt[i] === ends[i] }));
  };

  /** Writes the emissions into the inboxes they reach, each inbox's in cursor order; see the module's comment. */
  /**
   * Sets each person's entry for a room in their room list from their member state (see the
   * module's comment). Reads the state after the note's append, so the entry is at least as new
   * as the note's; a later change of the same membership brings a later note, which sets it again.
   */
  const repairRoomLists = async (pairs: readonly { roomId: string; userId: string }[]) => {
    const unique = [...new Map(pairs.map((pair) => [`${pair.roomId} ${pair.userId}`, pair])).values()];
    if (unique.length === 0) return;
    const [states, lists] = await Promise.all([
      store.readSnapshotsAt<MemberState>(unique.map(({ roomId, userId }) => ({ key: toMemberSnapshotsKey(roomId), field: userId }))),
      Promise.all(
        unique.map(({ userId }) => store.readSetRange(toUserRoomsKey(userId), { min: '-', max: '+', count: CATCH_UP_ROOMS_MAX })),
      ),
    ]);
    const sets = unique.flatMap(({ roomId, userId }, i) => {
      const state = states[i]?.state;
      const wanted = state?.status === 'member' ? toUserRoomEntry(state) : null;
      const had = lists[i]!.filter((entry) => toUserRoomId(entry) === roomId);
      const remove = had.filter((entry) => entry !== wanted);
      const add = wanted && !had.includes(wanted) ? [wanted] : [];
      return remove.length || add.length ? [{ key: toUserRoomsKey(userId), add, remove }] : [];
    });
    if (sets.length) await store.writeRebuilt({ sets });
  };

  const fanOut = async (all: readonly Emission[]) => {
    // First the room lists (a catch-up below reads them).
    if (sweepEveryMs !== null) {
      await repairRoomLists(
        all.flatMap((emission) =>
          emission.to !== 'joined' && emission.to !== 'listed' && emission.kind !== 'READ'
            ? [{ roomId: emission.roomId, userId: emission.to }]
            : [],
        ),
      );
    }
    // Where each room's log is as its activity goes out (the sweep's mark), and the lost notes
    // that came after all, covered by a swept note since (see the module's comment).
    const activity = all.filter((emission) => emission.to === 'joined');
    // Without a sweep nothing is late, and nothing needs marking (a later first sweep takes the logs as it finds them).
    const checked = sweepEveryMs === null ? activity.map(() => ({ end: null, isLate: false })) : await checkActivity(activity);
    const marks = new Map<string, Cursor>();
    const late = new Set<Emission>();
    activity.forEach((emission, i) => {
      const { end, isLate } = checked[i]!;
      if (!end) return;
      if (isLate) late.add(emission);
      marks.set(`c:${emission.roomId}`, end);
      if (emission.swept) marks.set(`s:${emission.roomId}`, end);
    });
    const emissions = late.size ? all.filter((emission) => !late.has(emission)) : all;
    const byPerson = new Map<string, InboxWrite[]>();
    const push = (userId: string, entry: InboxWrite) => {
      let entries = byPerson.get(userId);
      if (!entries) byPerson.set(userId, (entries = []));
      entries.push(entry);
    };
    const listening = active ?? new Set<string>();
    // People not listening who get a note of their own in this batch: caught up before it, and
    // from then on given the batch's room activity like a listener.
    const caughtUp = new Set<string>();
    const overlay = new Map<string, Cursor>();
    const isRoomWide = (emission: Emission) => emission.to === 'joined' || emission.to === 'listed';
    // Nobody listening and nobody caught up here: a room's members are not even read.
    const anyone = listening.size > 0 || emissions.some((emission) => !isRoomWide(emission));
    const reached = await Promise.all(emissions.map((emission) => (anyone && isRoomWide(emission) ? recipients(emission) : [])));
    for (const [i, emission] of emissions.entries()) {
      // One entry object per emission, shared by everyone it reaches (the store sends it once).
      const entry = { cursor: emission.cursor, type: emission.kind, data: { roomId: emission.roomId } };
      if (emission.to === 'joined' || emission.to === 'listed') {
        for (const userId of reached[i]!) if (listening.has(userId) || caughtUp.has(userId)) push(userId, entry);
        overlay.set(recordField(emission.to, emission.roomId), emission.cursor);
        continue;
      }
      const userId = emission.to;
      if (!listening.has(userId) && !caughtUp.has(userId)) {
        for (const missed of await catchUp(userId, emission.cursor, overlay)) push(userId, missed);
        caughtUp.add(userId);
      }
      push(userId, entry);
    }
    await store.writeEntries(
      [...byPerson].map(([userId, entries]) => ({ stream: toInboxKey(userId), entries })),
      INBOX_MAX_ENTRIES,
    );
    // After the inboxes: a run again after a crash between the two finds the same records as before.
    for (const [field, cursor] of marks) overlay.set(field, cursor);
    await state.writeRoomRecords(overlay);
  };

  /** Whether a person is a joined member of a room now. */
  const isJoinedIn = async (roomId: string, userId: string) =>
    (await store.readSetRange(toJoinedKey(roomId), { min: `[${userId}`, max: `[${userId}`, count: 1 })).length > 0;

  /**
   * A person's own notes (a read on another device, an invitation…) waiting behind open activity
   * go to that person at once, each after the latest waiting activity of each room they are in
   * (and, for someone not listening, after what they missed: see `catchUp`).
   * Their inbox stays in order, and lossless: when the bucket closes, its fan-out gives them only
   * what is above what they have (the same activity, skipped by its id, or later). Nothing moves
   * the checkpoint: after a restart the same entries are written again, and skipped.
   */
  const sendPersonalNotes = async (waiting: readonly RecordedEvent[], sent: Set<Cursor>) => {
    const activity = new Map<string, Cursor>();
    // Rooms whose waiting activity is a lost note come after all (see `checkActivity`): not sent.
    let late: Set<string> | null = null;
    for (const recorded of waiting) {
      const note = recorded.data as ActivityNote;
      if (note.kind === 'ACTIVITY') {
        activity.set(note.roomId, recorded.cursor);
        continue;
      }
      if (!note.userId || sent.has(recorded.cursor)) continue;
      if (!late && sweepEveryMs === null) late = new Set();
      if (!late) {
        // Each room's last waiting note.
        const rooms = [
          ...new Map(
            waiting.flatMap((r) => (r.type === 'ACTIVITY' ? [[(r.data as ActivityNote).roomId, r.data as ActivityNote] as const] : [])),
          ).values(),
        ];
        const checked = await checkActivity(rooms);
        late = new Set(rooms.filter((_, i) => checked[i]!.isLate).map((n) => n.roomId));
      }
      for (const roomId of late) activity.delete(roomId);
      const rooms = [...activity];
      const joined = await Promise.all(rooms.map(([roomId]) => isJoinedIn(roomId, note.userId!)));
      // Everything recorded lies below the waiting notes.
      const missed = active?.has(note.userId) ? [] : await catchUp(note.userId, waiting[0]!.cursor, new Map());
      const entries = [
        ...missed,
        ...rooms
          .filter((_, i) => joined[i])
          .map(([roomId, cursor]) => ({ cursor, type: 'ACTIVITY', data: { roomId } }))
          .sort((a, b) => compareCursors(a.cursor, b.cursor)),
      ];
      entries.push({ cursor: recorded.cursor, type: note.kind, data: { roomId: note.roomId } });
      await store.writeEntries([{ stream: toInboxKey(note.userId), entries }], INBOX_MAX_ENTRIES);
      sent.add(recorded.cursor);
    }
  };

  /** The cursor of the last post, edit or deletion in a room's log above `from` (exclusive; null: the log's start), if any. */
  const lastActivityAbove = async (roomId: string, from: Cursor | null): Promise<Cursor | null> => {
    const stream = toRoomStreamKey(roomId);
    let before: Cursor | undefined;
    for (;;) {
      const page = await store.readBackward(stream, { before, count: SWEEP_PAGE });
      for (const event of page) {
        if (from !== null && compareCursors(event.cursor, from) <= 0) return null;
        if (ROOM_ACTIVITY_EVENTS.has(event.type)) return event.cursor;
      }
      if (page.length < SWEEP_PAGE) return null;
      before = page.at(-1)!.cursor;
    }
  };

  /**
   * Notes the activity of rooms whose own note was lost (see the module's comment). `waiting`:
   * rooms with an ACTIVITY note read and not fanned out yet. Run once the whole feed is read.
   */
  const sweep = async (waiting: ReadonlySet<string>) => {
    const now = await store.serverTime();
    const roomIds = await listRoomIds();
    const [sweptBefore] = await state.readRoomRecords([SWEPT_FIELD]);
    const marks = new Map<string, Cursor>();
    const lost: string[] = [];
    for (let i = 0; i < roomIds.length; i += SWEEP_CHUNK) {
      const chunk = roomIds.slice(i, i + SWEEP_CHUNK);
      const [covered, ends] = await Promise.all([
        state.readRoomRecords(chunk.map((roomId) => `c:${roomId}`)),
        Promise.all(chunk.map(async (roomId) => (await store.streamInfo(toRoomStreamKey(roomId))).lastCursor)),
      ]);
      await Promise.all(
        chunk.map(async (roomId, k) => {
          const end = ends[k];
          const from = covered[k] ?? null;
          if (!end || waiting.has(roomId) || (from !== null && compareCursors(end, from) <= 0)) return;
          // The first sweep on this Redis takes the room's log as it is.
          // The first sweep on this Redis takes each room's log as it finds it.
          const last = from === null && !sweptBefore ? null : await lastActivityAbove(roomId, from);
          // Nothing the inbox shows (a membership, a pin): nothing to note.
          if (last === null) marks.set(`c:${roomId}`, end);
          // Unless too recent: its note may still be on its way.
          else if (msOf(last) <= now - sweepGraceMs) lost.push(roomId);
        }),
      );
    }
    // In the feed, as the lost notes would have been: fanned out (and marked) in their turn.
    for (const roomId of lost) {
      const { stream, type, data } = toSweptActivityNote(roomId);
      await store.append({ stream, events: [{ type, data, meta: {}, v: 1 }] });
    }
    marks.set(SWEPT_FIELD, '0-1');
    await state.writeRoomRecords(marks);
    options.onSwept?.(lost);
  };

  const run = async () => {
    let leaseUntil = 0;
    let checkpoint: Cursor | null = null;
    let readTo: Cursor | null = null;
    let buffer: RecordedEvent[] = [];
    /** Personal notes already sent ahead of their turn (see `sendPersonalNotes`). */
    const sentAhead = new Set<Cursor>();
    let sweptAt = Number.NEGATIVE_INFINITY;
    while (!stopped) {
      try {
        if (performance.now() > leaseUntil - (LEASE_MS - RENEW_MS)) {
          const held = await state.lease(LEASE_MS);
          if (!held) {
            leaseUntil = 0;
            active = null;
            buffer = [];
            sentAhead.clear();
            readTo = null;
            await sleep(RENEW_MS);
            continue;
          }
          if (leaseUntil === 0) {
            checkpoint = await state.readCheckpoint();
            readTo = checkpoint;
          }
          leaseUntil = performance.now() + LEASE_MS;
        }
        const page = await store.readForward(inboxActivityKey, { after: readTo ?? undefined, count: READ_PAGE });
        if (page.length) {
          buffer.push(...page);
          readTo = page.at(-1)!.cursor;
        }
        // Activity in whole buckets only (those the store's clock has passed, so no note can still
        // land in them); anything else at once, unless it comes after activity still waiting.
        const now = await store.serverTime();
        const closed = Math.floor(now / bucketMs);
        if (performance.now() < leaseUntil) await admitListeners(now);
        let ready = 0;
        while (ready < buffer.length && (buffer[ready]!.type !== 'ACTIVITY' || bucketOf(buffer[ready]!.cursor, bucketMs) < closed)) ready++;
        if (ready > 0 && performance.now() < leaseUntil) {
          const notes = buffer.slice(0, ready);
          await fanOut(toEmissions(notes, bucketMs));
          checkpoint = notes.at(-1)!.cursor;
          await state.writeCheckpoint(checkpoint);
          await store.trim(inboxActivityKey, checkpoint);
          for (const note of notes) sentAhead.delete(note.cursor);
          buffer = buffer.slice(ready);
        }
        if (buffer.length && performance.now() < leaseUntil) await sendPersonalNotes(buffer, sentAhead);
        if (page.length === READ_PAGE) continue;
        // The whole feed is read: a note still to come for a room's activity older than the grace was lost.
        if (sweepEveryMs !== null && performance.now() - sweptAt >= sweepEveryMs && performance.now() < leaseUntil) {
          sweptAt = performance.now();
          const waiting = new Set(buffer.flatMap((note) => (note.type === 'ACTIVITY' ? [(note.data as ActivityNote).roomId] : [])));
          await sweep(waiting);
        }
        // Notes waiting for their bucket to close: come back when it has; none: wait for the next note.
        // A new note wakes it sooner (a person's own goes out at once), at most every WAKE_MS.
        if (buffer.length) {
          const untilClosed = Math.max(5, (bucketOf(buffer[0]!.cursor, bucketMs) + 1) * bucketMs - (await store.serverTime()) + 2);
          await sleep(Math.min(untilClosed, WAKE_MS), false);
          if (untilClosed > WAKE_MS) await sleep(untilClosed - WAKE_MS);
        } else await sleep(IDLE_POLL_MS);
      } catch (error) {
        if (stopped) break;
        options.onError?.(error);
        leaseUntil = 0;
        active = null;
        buffer = [];
        sentAhead.clear();
        await sleep(RENEW_MS);
      }
    }
  };
  const running = run();

  return {
    async stop() {
      stopped = true;
      nudge();
      await running;
      (await unfollow.catch(() => () => {}))();
    },
  };
};
