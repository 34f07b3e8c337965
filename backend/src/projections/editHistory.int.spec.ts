import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { createChatLookups } from '../chat/queries.js';
import { toRoomStreamKey } from '../chat/keys.js';
import type { PostedMessage } from '../domain/message/message.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { readAll } from '../testing/logFixtures.js';
import { type OpenStore, onBothStores } from '../testing/bothStores.js';
import { type MessageVersion, foldEditHistory, readEditHistory, readEditHistoryIndexes, rebuildEditHistory } from './editHistory.js';
import { toEditHistoryKey } from './keys.js';

/** What a random history of one room does, through the real commands; the owner (user 0) may remove others' messages. */
type Step =
  | { kind: 'post'; actor: number; body: string }
  | { kind: 'edit'; message: number; body: string }
  | { kind: 'delete'; message: number }
  | { kind: 'remove'; message: number };

const ACTORS = 3;
/** Few bodies, so that an edit to the body a message has (which logs nothing) comes up too. */
const body = fc.constantFrom('a', 'b', 'c', 'hello', 'hello again', ' spaced ', 'ünïcode ✨');
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('post' as const), actor: fc.nat(ACTORS - 1), body }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('edit' as const), message: fc.nat(99), body }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), message: fc.nat(99) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), message: fc.nat(99) }), weight: 1 },
);

/**
 * Runs the steps; a refusal (editing a deleted message, removing the owner's own message as a
 * moderation) is part of a history too. Answers the room and, as an oracle independent of the read
 * model, what each message's history must show, from the commands' own answers.
 */
const play = async (store: EventStore, steps: readonly Step[]) => {
  const commands = createChatCommands(store, createChatLookups(store));
  const users = Array.from({ length: ACTORS }, (_, i) => `user${i}`);
  for (const userId of users) await commands.registerUser({ userId, profile: { handle: userId, displayName: userId, avatarUrl: null } });
  const room = await commands.createRoom({ actorId: users[0]!, name: 'edits' });
  const messages: { current: PostedMessage; versions: MessageVersion[] }[] = [];
  const changed = (at: number, next: PostedMessage) => {
    const message = messages[at]!;
    if (next.deletedAt !== null) message.versions = [];
    // An edit to the body it has logs nothing (two edits may share a millisecond: editedAt cannot tell).
    else if (next.body !== message.current.body) {
      message.versions.push({ body: message.current.body, at: message.current.editedAt ?? message.current.createdAt });
    }
    message.current = next;
  };
  for (const s of steps) {
    const at = messages.length === 0 ? -1 : (s as { message?: number }).message! % messages.length;
    try {
      switch (s.kind) {
        case 'post':
          messages.push({ current: await commands.postMessage({ actorId: users[s.actor]!, roomId: room.id, body: s.body }), versions: [] });
          break;
        case 'edit':
          if (at >= 0) {
            const { current } = messages[at]!;
            changed(at, await commands.editMessage({ actorId: current.authorId, messageId: current.id, body: s.body }));
          }
          break;
        case 'delete':
          if (at >= 0) {
            const { current } = messages[at]!;
            changed(at, await commands.deleteMessage({ actorId: current.authorId, messageId: current.id }));
          }
          break;
        case 'remove':
          if (at >= 0) changed(at, await commands.removeMessage({ actorId: users[0]!, messageId: messages[at]!.current.id, reason: null }));
          break;
      }
    } catch (error) {
      if (!(error instanceof Error) || !/ValidationError|ForbiddenError|ConflictError|NotFoundError/.test(error.name)) throw error;
    }
  }
  return { roomId: room.id, messages };
};

const describeEditHistory = (name: string, open: OpenStore, runs: number) => {
  describe(`edit history (${name})`, () => {
    it('shows every earlier body with its time, none once deleted; the live model equals a fold of the log and a rebuild', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 50 }), async (steps) => {
          const { store, wipe } = await open();
          try {
            const { roomId, messages } = await play(store, steps);
            const ids = messages.map((message) => message.current.id);
            for (const message of messages) {
              const stored = (await createChatLookups(store).getMessage(message.current.id))!;
              expect(await readEditHistory(store, stored)).toEqual(message.versions);
            }

            const live = await readEditHistoryIndexes(store, roomId, ids);
            const folded = foldEditHistory(await readAll(store, toRoomStreamKey(roomId)));
            expect(live).toEqual(folded.indexes);

            await store.deleteKeys(ids.map((id) => toEditHistoryKey(roomId, id)));
            await rebuildEditHistory(store, roomId);
            expect(await readEditHistoryIndexes(store, roomId, ids)).toEqual(live);
          } finally {
            await wipe();
          }
        }),
        { numRuns: runs },
      );
    });

    it('a rebuild while edits go on swaps in histories that miss none of them', async () => {
      const { store, wipe } = await open();
      try {
        const commands = createChatCommands(store, createChatLookups(store));
        await commands.registerUser({ userId: 'u', profile: { handle: 'u', displayName: 'u', avatarUrl: null } });
        const room = await commands.createRoom({ actorId: 'u', name: 'busy' });
        const ids: string[] = [];
        for (let i = 0; i < 50; i++) ids.push((await commands.postMessage({ actorId: 'u', roomId: room.id, body: `m${i}` })).id);
        for (let i = 0; i < 1_500; i++) await commands.editMessage({ actorId: 'u', messageId: ids[i % ids.length]!, body: `before ${i}` });
        let editing = true;
        const writer = (async () => {
          let i = 0;
          while (editing) await commands.editMessage({ actorId: 'u', messageId: ids[i % ids.length]!, body: `during ${i++}` });
          return i;
        })();
        const folded = await rebuildEditHistory(store, room.id);
        editing = false;
        const during = await writer;
        expect(folded).toBeGreaterThanOrEqual(1_550);
        const live = await readEditHistoryIndexes(store, room.id, ids);
        expect([...live.values()].reduce((sum, entries) => sum + entries.length, 0)).toBe(1_500 + during);
        expect(live).toEqual(foldEditHistory(await readAll(store, toRoomStreamKey(room.id))).indexes);
      } finally {
        await wipe();
      }
    });
  });
};

onBothStores(describeEditHistory, { memory: 40, redis: 15 });
