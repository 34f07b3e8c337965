import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../../chat/commands.js';
import { toRoomStreamKey } from '../../chat/keys.js';
import { createChatLookups } from '../../chat/queries.js';
import type { EventStore, RecordedEvent } from '../../eventstore/eventStore.js';
import { type OpenStore, onBothStores } from '../../testing/bothStores.js';
import { toInboxKey } from '../keys.js';
import { startInboxProjector } from './inboxProjector.js';
import { createMemoryInboxState } from './inboxState.js';

/**
 * A person's own note (a read on another device) does not wait behind activity still being
 * coalesced: with activity coalesced for a whole minute, the read reaches the person's inbox at
 * once, after the activity of their room that came before it; everyone else's inbox waits for the
 * bucket, and gets the activity once it closes, nothing twice.
 */

/** The person's inbox entries once it holds `n` of them (followed live: no polling). */
const inboxOf = async (store: EventStore, userId: string, n: number): Promise<RecordedEvent[]> => {
  const stream = toInboxKey(userId);
  const entries = await store.readForward(stream, { count: 100 });
  if (entries.length >= n) return entries;
  return new Promise((resolve) => {
    const got = [...entries];
    const unfollow = store.tailer.follow(stream, (events) => {
      got.push(...events.filter((event) => !got.some((had) => had.cursor === event.cursor)));
      if (got.length >= n) {
        void unfollow.then((stop) => stop());
        resolve(got);
      }
    });
  });
};

const describeEarlyReads = (name: string, open: OpenStore) => {
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
      // Run again with short buckets (a restart from the checkpoint): the bucket's activity reaches
      // cat, and ann keeps exactly what she had (the same ids are skipped).
      const quick = startInboxProjector(store, createMemoryInboxState(), { bucketMs: 1 });
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

onBothStores(describeEarlyReads, { memory: 1, redis: 1 });
