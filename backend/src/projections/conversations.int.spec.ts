import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { toReactionSnapshotsKey, toRoomStreamKey } from '../chat/keys.js';
import { createChatLookups } from '../chat/queries.js';
import { DomainError } from '../domain/errors.js';
import type { ReactionState } from '../domain/reaction/reaction.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { parseTally } from '../eventstore/tallies.js';
import { readAll } from '../testing/logFixtures.js';
import { type OpenStore, onBothStores } from '../testing/bothStores.js';
import { foldInline, readInlineModel, toSetMembers } from './inline.js';
import { compareByUtf8 } from '../eventstore/utf8Order.js';
import { toPinnedKey, toReactionGroupsKey, toReactorsKey, toThreadIndexKey, toThreadsKey } from './keys.js';
import { messageHistoryProjection, toMessageHistoryLocation } from './messageHistory.js';
import { toPinEntry } from './pins.js';
import { foldReactions, rebuildReactions } from './reactions.js';
import { foldThreads, rebuildThreads } from './threads.js';

/**
 * Threads, reactions and pins against a fold of the log: random histories of posts, replies (to
 * roots and to replies), deletions, removals, reactions (valid or not, repeated, taken back) and
 * pins by people of every role, played through the commands; then the live read models must equal
 * what folding the room's log from scratch gives.
 */

const PEOPLE = ['ann', 'bob', 'cat'];
const EMOJI = ['👍', '🎉', '❤', '👍🏽', 'no', '🇫🇷'];
type Step =
  | { kind: 'post'; who: number }
  | { kind: 'reply'; who: number; to: number }
  | { kind: 'delete' | 'remove' | 'pin' | 'unpin'; message: number; who: number }
  | { kind: 'react' | 'unreact'; who: number; message: number; emoji: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('post' as const), who: fc.nat(2) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('reply' as const), who: fc.nat(2), to: fc.nat(30) }), weight: 4 },
  fc.record({ kind: fc.constantFrom('delete' as const, 'remove' as const), who: fc.nat(2), message: fc.nat(30) }),
  { arbitrary: fc.record({ kind: fc.constantFrom('pin' as const, 'unpin' as const), who: fc.nat(2), message: fc.nat(30) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('react' as const, 'unreact' as const),
      who: fc.nat(2),
      message: fc.nat(30),
      emoji: fc.nat(5),
    }),
    weight: 6,
  },
);

const play = async (store: EventStore, steps: readonly Step[]) => {
  const commands = createChatCommands(store, createChatLookups(store));
  for (const handle of PEOPLE) {
    await commands.registerUser({ userId: handle, profile: { handle, displayName: handle, avatarUrl: null } });
  }
  const room = await commands.createRoom({ actorId: 'ann', name: 'threads' });
  const messages: { id: string; authorId: string }[] = [];
  const pick = (i: number) => messages[i % Math.max(messages.length, 1)];
  for (const s of steps) {
    try {
      switch (s.kind) {
        case 'post':
        case 'reply': {
          const replyTo = s.kind === 'reply' ? pick(s.to)?.id : undefined;
          const message = await commands.postMessage({ actorId: PEOPLE[s.who]!, roomId: room.id, body: `#${messages.length}`, replyTo });
          messages.push({ id: message.id, authorId: message.authorId });
          break;
        }
        case 'delete': {
          const m = pick(s.message);
          if (m) await commands.deleteMessage({ actorId: m.authorId, messageId: m.id });
          break;
        }
        case 'remove':
        case 'pin':
        case 'unpin': {
          const m = pick(s.message);
          if (!m) break;
          const actorId = PEOPLE[s.who]!;
          if (s.kind === 'remove') await commands.removeMessage({ actorId, messageId: m.id, reason: null });
          else if (s.kind === 'pin') await commands.pinMessage({ actorId, messageId: m.id });
          else await commands.unpinMessage({ actorId, messageId: m.id });
          break;
        }
        case 'react':
        case 'unreact': {
          const m = pick(s.message);
          if (!m) break;
          const input = { actorId: PEOPLE[s.who]!, messageId: m.id, emoji: EMOJI[s.emoji]! };
          await (s.kind === 'react' ? commands.react(input) : commands.unreact(input));
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { roomId: room.id, messages };
};

const describeConversations = (name: string, open: OpenStore, runs: number) => {
  describe(`threads, reactions and pins (${name})`, () => {
    it('equal a fold of the log on random histories, and a rebuild from the log equals them', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 50 }), async (steps) => {
          const { store, wipe } = await open();
          try {
            const { roomId, messages } = await play(store, steps);
            const log = await readAll(store, toRoomStreamKey(roomId));
            const ids = messages.map((m) => m.id);

            const check = async () => {
              // Threads: each root's replies in log order, the counters (replies not deleted, the last one's time).
              const threads = foldThreads(log, roomId);
              const counterFields = ids.flatMap((id) => [id, `${id}:at`]);
              const counters = await store.readFields(toThreadsKey(roomId), counterFields);
              expect(counters).toEqual(counterFields.map((field) => threads.counters.get(field) ?? null));
              for (const id of ids) {
                const entries = await store.readIndexForward(toThreadIndexKey(roomId, id), { count: 1_000 });
                expect(
                  entries.map((entry) => entry.ref),
                  `replies to ${id}`,
                ).toEqual(threads.replies.get(id) ?? []);
              }

              // Reactions: each message's groups, every entry of the set, each person's own state.
              const reactions = foldReactions(log, roomId);
              const groups = await store.readFields(toReactionGroupsKey(roomId), ids);
              expect(groups.map(parseTally)).toEqual(ids.map((id) => reactions.groups.get(id) ?? []));
              expect(await store.readSetRange(toReactorsKey(roomId), { min: '-', max: '+', count: 100_000 })).toEqual(reactions.entries());
              const states = await store.readAllSnapshots<ReactionState>(toReactionSnapshotsKey(roomId));
              expect(states).toEqual(reactions.states);
            };
            await check();
            // Rebuilt from nothing but the log, the same.
            await store.deleteKeys([
              toThreadsKey(roomId),
              ...ids.map((id) => toThreadIndexKey(roomId, id)),
              toReactionGroupsKey(roomId),
              toReactorsKey(roomId),
              toReactionSnapshotsKey(roomId),
            ]);
            await rebuildThreads(store, roomId);
            await rebuildReactions(store, roomId);
            await check();

            // Pins: the messages whose folded state is pinned, most recently pinned first; the messages model as a whole, too.
            const folded = foldInline(messageHistoryProjection, log);
            const pinned = [...folded.snapshots.values()]
              .flatMap(({ state }) => (state.pinnedAt ? [toPinEntry(state.pinnedAt, state.id)] : []))
              .sort(compareByUtf8);
            expect(await store.readSetRange(toPinnedKey(roomId), { min: '-', max: '+', count: 1_000 })).toEqual(pinned);
            const live = await readInlineModel(store, toMessageHistoryLocation(roomId));
            expect(toSetMembers(live)).toEqual(toSetMembers(folded));
            expect(live.snapshots).toEqual(folded.snapshots);
          } finally {
            await wipe();
          }
        }),
        { numRuns: runs },
      );
    });
  });
};

onBothStores(describeConversations, { memory: 100, redis: 30 });
