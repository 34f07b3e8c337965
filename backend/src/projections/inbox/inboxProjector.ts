import { type Cursor, type EventStore, type RecordedEvent, compareCursors } from '../../eventstore/eventStore.js';
import { inboxActivityKey, toInboxKey, toJoinedKey, toRosterKey } from '../keys.js';
import { ROSTER_VISIBLE_MAX, toRosterUserId } from '../members.js';
import type { ActivityNote, InboxKind } from './activity.js';

/**
 * The inbox projection: fans the activity feed out into each person's inbox stream, off the
 * post's path (a post in a room of 10,000 writes one note; the projector writes the 10,000).
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
        ? [{ cursor, kind: 'ACTIVITY', roomId: note.roomId, to: 'joined' }]
        : [];
    }
    return [{ cursor, kind: note.kind, roomId: note.roomId, to: note.userId ?? 'listed' }];
  });
};

/** Where the projector keeps its place, and the lease that lets one instance run it. */
export interface InboxProjectorState {
  /** Takes or renews the lease for `ms`; false when another instance holds it. */
  lease(ms: number): Promise<boolean>;
  readCheckpoint(): Promise<Cursor | null>;
  writeCheckpoint(cursor: Cursor): Promise<void>;
}

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
  options: { onError?: (error: unknown) => void /** Tests only: how long activity is coalesced. */; bucketMs?: number } = {},
) => {
  const bucketMs = options.bucketMs ?? BUCKET_MS;
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

  /** Writes the emissions into the inboxes they reach, each inbox's in cursor order. */
  const fanOut = async (emissions: readonly Emission[]) => {
    const byPerson = new Map<string, { cursor: Cursor; type: string; data: unknown }[]>();
    const reached = await Promise.all(emissions.map(recipients));
    emissions.forEach((emission, i) => {
      // One entry object per emission, shared by everyone it reaches (the store sends it once).
      const entry = { cursor: emission.cursor, type: emission.kind, data: { roomId: emission.roomId } };
      for (const userId of reached[i]!) {
        let entries = byPerson.get(userId);
        if (!entries) byPerson.set(userId, (entries = []));
        entries.push(entry);
      }
    });
    await store.writeEntries(
      [...byPerson].map(([userId, entries]) => ({ stream: toInboxKey(userId), entries })),
      INBOX_MAX_ENTRIES,
    );
  };

  /** Whether a person is a joined member of a room now. */
  const isJoinedIn = async (roomId: string, userId: string) =>
    (await store.readSetRange(toJoinedKey(roomId), { min: `[${userId}`, max: `[${userId}`, count: 1 })).length > 0;

  /**
   * A person's own notes (a read on another device, an invitation…) waiting behind open activity
   * go to that person at once, each after the latest waiting activity of each room they are in.
   * Their inbox stays in order, and lossless: when the bucket closes, its fan-out gives them only
   * what is above what they have (the same activity, skipped by its id, or later). Nothing moves
   * the checkpoint: after a restart the same entries are written again, and skipped.
   */
  const sendPersonalNotes = async (waiting: readonly RecordedEvent[], sent: Set<Cursor>) => {
    const activity = new Map<string, Cursor>();
    for (const recorded of waiting) {
      const note = recorded.data as ActivityNote;
      if (note.kind === 'ACTIVITY') {
        activity.set(note.roomId, recorded.cursor);
        continue;
      }
      if (!note.userId || sent.has(recorded.cursor)) continue;
      const rooms = [...activity];
      const joined = await Promise.all(rooms.map(([roomId]) => isJoinedIn(roomId, note.userId!)));
      const entries = rooms
        .filter((_, i) => joined[i])
        .map(([roomId, cursor]) => ({ cursor, type: 'ACTIVITY', data: { roomId } }))
        .sort((a, b) => compareCursors(a.cursor, b.cursor));
      entries.push({ cursor: recorded.cursor, type: note.kind, data: { roomId: note.roomId } });
      await store.writeEntries([{ stream: toInboxKey(note.userId), entries }], INBOX_MAX_ENTRIES);
      sent.add(recorded.cursor);
    }
  };

  const run = async () => {
    let leaseUntil = 0;
    let checkpoint: Cursor | null = null;
    let readTo: Cursor | null = null;
    let buffer: RecordedEvent[] = [];
    /** Personal notes already sent ahead of their turn (see `sendPersonalNotes`). */
    const sentAhead = new Set<Cursor>();
    while (!stopped) {
      try {
        if (performance.now() > leaseUntil - (LEASE_MS - RENEW_MS)) {
          const held = await state.lease(LEASE_MS);
          if (!held) {
            leaseUntil = 0;
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
        const closed = Math.floor((await store.serverTime()) / bucketMs);
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
        // Notes waiting for their bucket to close: come back when it has; none: wait for the next note.
        // A new note wakes it sooner (a person's own goes out at once), at most every WAKE_MS.
        if (buffer.length) {
          const untilClosed = Math.max(5, (bucketOf(buffer[0]!.cursor, bucketMs) + 1) * bucketMs - (await store.serverTime()) + 2);
          await sleep(Math.min(untilClosed, WAKE_MS), false);
          if (untilClosed > WAKE_MS) await sleep(untilClosed - WAKE_MS);
        } else await sleep(RENEW_MS);
      } catch (error) {
        if (stopped) break;
        options.onError?.(error);
        leaseUntil = 0;
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
