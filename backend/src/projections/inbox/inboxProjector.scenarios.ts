import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../../chat/commands.js';
import { toRoomStreamKey } from '../../chat/keys.js';
import { createChatLookups } from '../../chat/queries.js';
import { type EventStore, type RecordedEvent, compareCursors } from '../../eventstore/eventStore.js';
import type { OpenStore } from '../../testing/bothStores.js';
import { inboxActivityKey, toInboxKey, toUserRoomsKey } from '../keys.js';
import { foldMembers, readMembersModel } from '../members.js';
import { toRoomActivityNote, toSweptActivityNote } from './activity.js';
import { type InboxProjectorState, LISTEN_MS, startInboxProjector } from './inboxProjector.js';
import { createMemoryInboxState } from './inboxState.js';

/*
 * The inbox projector's scenarios, run on the memory store, one Redis (inboxProjector.int.spec.ts)
 * and a Redis Cluster (projections.cluster.int.spec.ts).
 *
 * A person's own note (a read on another device) does not wait behind activity still being
 * coalesced: with activity coalesced for a whole minute, the read reaches the person's inbox at
 * once, after the activity of their room that came before it; everyone else's inbox waits for the
 * bucket, and gets the activity once it closes, nothing twice.
 */

/**
 * The person's inbox once `done` holds for it (followed live: no polling). Followed first, then
 * read: an entry written between a read and a follow would otherwise be missed.
 */
const inboxUntil = async (store: EventStore, userId: string, done: (entries: RecordedEvent[]) => boolean): Promise<RecordedEvent[]> => {
  const stream = toInboxKey(userId);
  const got = new Map<string, RecordedEvent>();
  const sorted = () => [...got.values()].sort((a, b) => compareCursors(a.cursor, b.cursor));
  let check = () => {};
  const unfollow = await store.tailer.follow(stream, (events) => {
    for (const event of events) got.set(event.cursor, event);
    check();
  });
  try {
    for (const event of await store.readForward(stream, { count: 1_000 })) got.set(event.cursor, event);
    return await new Promise<RecordedEvent[]>((resolve) => {
      check = () => {
        if (done(sorted())) resolve(sorted());
      };
      check();
    });
  } finally {
    unfollow();
  }
};

/** The person's inbox entries once it holds `n` of them. */
const inboxOf = (store: EventStore, userId: string, n: number): Promise<RecordedEvent[]> =>
  inboxUntil(store, userId, (entries) => entries.length >= n);

/** Whether an inbox has the activity feed's last note (or later): what the projector has written so far reached it. */
const reaches = async (store: EventStore) => {
  const [last] = await store.readBackward(inboxActivityKey, { count: 1 });
  return (entries: RecordedEvent[]) => entries.some((e) => e.type === 'ACTIVITY' && compareCursors(e.cursor, last!.cursor) >= 0);
};

export const describeEarlyReads = (name: string, open: OpenStore) => {
  describe(`the inbox projector (${name})`, () => {
    it("sends a person's read at once, after their room's waiting activity, while the others' wait for the bucket", async () => {
      const { store, wipe } = await open();
      const commands = createChatCommands(store, createChatLookups(store));
      for (const id of ['ann', 'bob', 'cat'])
        await commands.registerUser({ userId: id, profile: { handle: id, displayName: id, avatarUrl: null } });
      const room = await commands.createRoom({ actorId: 'ann', name: 'busy' });
      for (const id of ['bob', 'cat']) await commands.joinRoom({ actorId: id, roomId: room.id });
      const minute = startInboxProjector(store, createMemoryInboxState(), { bucketMs: 60_000 });
      try {
        // Each join's entry first (it waits for nothing).
        await Promise.all(['ann', 'bob', 'cat'].map((id) => inboxOf(store, id, 1)));
        const post = await commands.postMessage({ actorId: 'bob', roomId: room.id, body: 'hello' });
        const [posted] = await store.readBackward(toRoomStreamKey(room.id), { count: 1 });
        await commands.markRead({ actorId: 'ann', room, upTo: posted!.cursor });
        const ann = await inboxOf(store, 'ann', 3);
        expect(ann.slice(1).map((entry) => [entry.type, (entry.data as { roomId: string }).roomId])).toEqual([
          ['ACTIVITY', room.id],
          ['READ', room.id],
        ]);
        expect(post.body).toBe('hello');
        // Cat's inbox has no activity yet: its bucket is open for a minute.
        expect((await store.readForward(toInboxKey('cat'), { count: 100 })).map((entry) => entry.type)).not.toContain('ACTIVITY');
      } finally {
        await minute.stop();
      }
      // Run again with short buckets (a restart from the checkpoint), cat listening: the bucket's
      // activity reaches cat, and ann keeps exactly what she had (the same ids are skipped).
      const quickState = createMemoryInboxState();
      await quickState.listen('cat', LISTEN_MS);
      const quick = startInboxProjector(store, quickState, { bucketMs: 1 });
      try {
        const cat = await inboxOf(store, 'cat', 2);
        expect(cat.at(-1)!.type).toBe('ACTIVITY');
        const ann = await store.readForward(toInboxKey('ann'), { count: 100 });
        expect(ann.map((entry) => entry.type)).toEqual(['JOINED', 'ACTIVITY', 'READ']);
      } finally {
        await quick.stop();
        await wipe();
      }
    });
  });
};

export const describeListeners = (name: string, open: OpenStore) => {
  describe(`the inbox projector and who listens (${name})`, () => {
    it("writes a room's activity into listeners' inboxes only, and catches anyone else up before their next entry, in order, nothing twice", async () => {
      const { store, wipe } = await open();
      const commands = createChatCommands(store, createChatLookups(store));
      for (const id of ['ann', 'dan'])
        await commands.registerUser({ userId: id, profile: { handle: id, displayName: id, avatarUrl: null } });
      const one = await commands.createRoom({ actorId: 'ann', name: 'one' });
      const two = await commands.createRoom({ actorId: 'ann', name: 'two' });
      for (const room of [one, two]) await commands.joinRoom({ actorId: 'dan', roomId: room.id });
      const state = createMemoryInboxState();
      await state.listen('ann', LISTEN_MS);
      const projector = startInboxProjector(store, state, { bucketMs: 1 });
      const kinds = (entries: RecordedEvent[]) => entries.map((entry) => [entry.type, (entry.data as { roomId: string }).roomId]);
      try {
        const dansJoins = await inboxOf(store, 'dan', 2);
        for (const roomId of [one.id, two.id, one.id]) await commands.postMessage({ actorId: 'ann', roomId, body: 'news' });
        // Ann listens: her inbox has every post's activity (a bucket of a millisecond each, or a few together).
        const ann = await inboxUntil(store, 'ann', await reaches(store));
        const latest = (entries: RecordedEvent[], roomId: string) =>
          entries.filter((e) => e.type === 'ACTIVITY' && (e.data as { roomId: string }).roomId === roomId).at(-1)!;
        // Dan does not listen: nothing was written for him, until a note of his own comes.
        expect(kinds(await store.readForward(toInboxKey('dan'), { count: 100 }))).toEqual(kinds(dansJoins));
        const [posted] = await store.readBackward(toRoomStreamKey(two.id), { count: 1 });
        await commands.markRead({ actorId: 'dan', room: two, upTo: posted!.cursor });
        const dan = await inboxOf(store, 'dan', 5);
        const missed = [latest(ann, one.id), latest(ann, two.id)].sort((a, b) => compareCursors(a.cursor, b.cursor));
        expect(dan.slice(2).map((e) => e.cursor)).toEqual([...missed.map((e) => e.cursor), dan[4]!.cursor]);
        expect(kinds(dan.slice(2))).toEqual([...kinds(missed), ['READ', two.id]]);

        // More activity while he is away; when he starts listening he gets the room's last, once.
        await commands.postMessage({ actorId: 'ann', roomId: one.id, body: 'more' });
        const annAgain = await inboxUntil(store, 'ann', await reaches(store));
        expect((await store.readForward(toInboxKey('dan'), { count: 100 })).length).toBe(5);
        await state.listen('dan', LISTEN_MS);
        const listening = await inboxOf(store, 'dan', 6);
        expect(listening[5]!.cursor).toBe(latest(annAgain, one.id).cursor);
        expect(kinds(listening.slice(5))).toEqual([['ACTIVITY', one.id]]);
        // From now on he gets each bucket as it is fanned out.
        await commands.postMessage({ actorId: 'ann', roomId: two.id, body: 'and more' });
        const after = await inboxOf(store, 'dan', 7);
        expect(kinds(after.slice(6))).toEqual([['ACTIVITY', two.id]]);
        const cursors = after.map((e) => e.cursor);
        expect([...cursors].sort(compareCursors)).toEqual(cursors);
        expect(new Set(cursors).size).toBe(cursors.length);
      } finally {
        await projector.stop();
        await wipe();
      }
    });
  });
};

/**
 * A room's activity whose note was lost (on a Redis Cluster the note follows the append in
 * another slot: a crash between the two loses it) reaches the inbox through the sweep, once the
 * grace has passed, and once: later sweeps add nothing, and the lost note coming after all is dropped.
 */
export const describeLostNotesWith = (newState: () => InboxProjectorState) => (name: string, open: OpenStore) => {
  describe(`the inbox projector's sweep (${name})`, () => {
    it("fans out a room's activity whose note was lost, after the grace, once", async () => {
      const { store, wipe } = await open();
      const commands = createChatCommands(store, createChatLookups(store));
      // The same commands on a store whose appends lose their notes.
      const lossy: EventStore = { ...store, append: (request) => store.append({ ...request, notify: undefined }) };
      const lossyCommands = createChatCommands(lossy, createChatLookups(lossy));
      for (const id of ['ann', 'bob'])
        await commands.registerUser({ userId: id, profile: { handle: id, displayName: id, avatarUrl: null } });
      const room = await commands.createRoom({ actorId: 'ann', name: 'lossy' });
      await commands.joinRoom({ actorId: 'bob', roomId: room.id });
      // A room with activity from before the sweep existed (an upgraded Redis): the first sweep takes
      // its log as it finds it, and nothing of it is noted again.
      const old = await commands.createRoom({ actorId: 'ann', name: 'from before' });
      await lossyCommands.postMessage({ actorId: 'ann', roomId: old.id, body: 'before the upgrade' });
      const state = newState();
      await state.listen('ann', LISTEN_MS);
      const sweeps: (readonly string[])[] = [];
      let swept = () => {};
      const graceMs = 300;
      const projector = startInboxProjector(store, state, {
        bucketMs: 1,
        sweepEveryMs: 20,
        sweepGraceMs: graceMs,
        onSwept: (roomIds) => {
          sweeps.push(roomIds);
          swept();
        },
      });
      /** Resolves once `n` more sweeps have run. */
      const nextSweeps = (n: number) =>
        new Promise<void>((resolve) => {
          const target = sweeps.length + n;
          swept = () => {
            if (sweeps.length >= target) resolve();
          };
        });
      const activity = (entries: RecordedEvent[]) => entries.filter((entry) => entry.type === 'ACTIVITY');
      try {
        // The first sweep takes the logs as they are.
        await nextSweeps(1);
        const before = await store.readForward(inboxActivityKey, { count: 1_000 });
        await lossyCommands.postMessage({ actorId: 'bob', roomId: room.id, body: 'its note is lost' });
        const [posted] = await store.readBackward(toRoomStreamKey(room.id), { count: 1 });
        expect(posted!.type).toBe('MessagePosted');
        expect(await store.readForward(inboxActivityKey, { count: 1_000 })).toEqual(before);

        const ann = await inboxUntil(store, 'ann', (entries) => activity(entries).length > 0);
        const [noted] = activity(ann);
        expect(noted!.data).toEqual({ roomId: room.id });
        // Not before the grace: the note might have been on its way.
        const ms = (cursor: string) => Number(cursor.split('-')[0]);
        expect(ms(noted!.cursor)).toBeGreaterThanOrEqual(ms(posted!.cursor) + graceMs);
        expect(sweeps.filter((roomIds) => roomIds.includes(room.id))).toHaveLength(1);

        // Later sweeps find nothing more.
        await nextSweeps(3);
        expect(sweeps.filter((roomIds) => roomIds.includes(room.id))).toHaveLength(1);
        // The lost note coming after all (held up past the grace) adds nothing either, nor does a
        // second swept note for it (another instance's, across a lease's handover); ann's read,
        // after them in the feed, shows the projector has been through them.
        for (const { stream, type, data } of [toRoomActivityNote(room.id), toSweptActivityNote(room.id)]) {
          await store.append({ stream, events: [{ type, data, meta: {}, v: 1 }] });
        }
        await commands.markRead({ actorId: 'ann', room, upTo: posted!.cursor });
        const after = await inboxUntil(store, 'ann', (entries) => entries.some((entry) => entry.type === 'READ'));
        expect(after.slice(ann.length - 1).map((entry) => entry.type)).toEqual(['ACTIVITY', 'READ']);

        // A post whose note comes is fanned out as ever.
        await commands.postMessage({ actorId: 'bob', roomId: room.id, body: 'noted' });
        const last = await inboxUntil(store, 'ann', (entries) => activity(entries).length === 2);
        expect(activity(last).map((entry) => entry.data)).toEqual([{ roomId: room.id }, { roomId: room.id }]);
        expect(sweeps.filter((roomIds) => roomIds.includes(old.id))).toEqual([]);
      } finally {
        await projector.stop();
        await wipe();
      }
    });
  });
};

export const describeLostNotes = describeLostNotesWith(createMemoryInboxState);

/**
 * Where the projector sweeps (a Cluster), a membership note sets the person's entry in their room
 * list: an append whose change of that list was lost (written after it, in another slot) is repaired.
 */
export const describeLostRoomLists = (name: string, open: OpenStore) => {
  describe(`the inbox projector and the room lists (${name})`, () => {
    it("sets a person's entry in their room list from their membership when its note comes", async () => {
      const { store, wipe } = await open();
      const commands = createChatCommands(store, createChatLookups(store));
      // The same commands on a store whose appends lose their changes of people's room lists.
      const lossy: EventStore = {
        ...store,
        append: (request) => store.append({ ...request, sets: request.sets?.filter((set) => !set.key.startsWith('chat:{u:')) }),
      };
      const lossyCommands = createChatCommands(lossy, createChatLookups(lossy));
      for (const id of ['ann', 'bob', 'cat'])
        await commands.registerUser({ userId: id, profile: { handle: id, displayName: id, avatarUrl: null } });
      const room = await lossyCommands.createRoom({ actorId: 'ann', name: 'listed', kind: 'PRIVATE' });
      await lossyCommands.invite({ actorId: 'ann', roomId: room.id, handle: 'bob' });
      await lossyCommands.invite({ actorId: 'ann', roomId: room.id, handle: 'cat' });
      await lossyCommands.joinRoom({ actorId: 'bob', roomId: room.id });
      await lossyCommands.declineInvite({ actorId: 'cat', roomId: room.id });
      // Cat's list keeps an entry her decline should have taken out.
      await commands.invite({ actorId: 'ann', roomId: room.id, handle: 'cat' });
      await lossyCommands.declineInvite({ actorId: 'cat', roomId: room.id });
      const all = { min: '-', max: '+', count: 100 };
      expect(await store.readSetRange(toUserRoomsKey('bob'), all)).toEqual([]);
      expect(await store.readSetRange(toUserRoomsKey('cat'), all)).toHaveLength(1);

      const projector = startInboxProjector(store, createMemoryInboxState(), { bucketMs: 1, sweepEveryMs: 60_000 });
      try {
        // The lists are set before the inboxes are written.
        await Promise.all([inboxOf(store, 'bob', 2), inboxOf(store, 'cat', 4), inboxOf(store, 'ann', 1)]);
        const folded = foldMembers(room.id, await store.readForward(toRoomStreamKey(room.id), { count: 1_000 }));
        expect((await readMembersModel(store, room.id)).userRooms).toEqual(folded.userRooms);
        expect(await store.readSetRange(toUserRoomsKey('bob'), all)).toHaveLength(1);
        expect(await store.readSetRange(toUserRoomsKey('cat'), all)).toEqual([]);
      } finally {
        await projector.stop();
        await wipe();
      }
    });
  });
};
