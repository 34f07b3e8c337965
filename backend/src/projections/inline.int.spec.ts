import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { createChatLookups } from '../chat/queries.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';
import { type OpenStore, onBothStores } from '../testing/bothStores.js';
import { type InlineLocation, type InlineModel, type InlineProjection, foldInline, readInlineModel, rebuildInline } from './inline.js';
import { messageHistoryProjection, toMessageHistoryLocation } from './messageHistory.js';
import { roomsLocation, roomsProjection } from './rooms.js';
import { toUserLocation, usersProjection } from './users.js';

/** What a random history does, through the real commands. */
type Step =
  | { kind: 'createRoom'; actor: number; name: number }
  | { kind: 'renameRoom'; actor: number; room: number; name: number }
  | { kind: 'post'; actor: number; room: number; body: string }
  | { kind: 'edit'; message: number; body: string }
  | { kind: 'delete'; message: number }
  | { kind: 'status'; actor: number; status: 'AVAILABLE' | 'AWAY' | 'BUSY' };

const ACTORS = 3;
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('createRoom' as const), actor: fc.nat(ACTORS - 1), name: fc.nat(5) }),
  fc.record({ kind: fc.constant('renameRoom' as const), actor: fc.nat(ACTORS - 1), room: fc.nat(9), name: fc.nat(5) }),
  {
    arbitrary: fc.record({
      kind: fc.constant('post' as const),
      actor: fc.nat(ACTORS - 1),
      room: fc.nat(9),
      body: fc.string({ minLength: 1, maxLength: 20 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('edit' as const), message: fc.nat(99), body: fc.string({ minLength: 1, maxLength: 20 }) }),
    weight: 2,
  },
  fc.record({ kind: fc.constant('delete' as const), message: fc.nat(99) }),
  fc.record({
    kind: fc.constant('status' as const),
    actor: fc.nat(ACTORS - 1),
    status: fc.constantFrom('AVAILABLE' as const, 'AWAY' as const, 'BUSY' as const),
  }),
);

/** Runs the steps; refusals (a rename by someone else, a blank body, …) are part of a history too. */
const play = async (store: EventStore, steps: readonly Step[]) => {
  const queries = createChatLookups(store);
  const commands = createChatCommands(store, queries);
  const users = Array.from({ length: ACTORS }, (_, i) => `user${i}`);
  for (const userId of users) await commands.registerUser({ userId, profile: { handle: userId, displayName: userId, avatarUrl: null } });
  const rooms: string[] = [];
  const messages: { id: string; authorId: string }[] = [];
  for (const s of steps) {
    try {
      switch (s.kind) {
        case 'createRoom':
          rooms.push((await commands.createRoom({ actorId: users[s.actor]!, name: `room ${s.name}` })).id);
          break;
        case 'renameRoom':
          if (rooms.length)
            await commands.renameRoom({ actorId: users[s.actor]!, roomId: rooms[s.room % rooms.length]!, name: `room ${s.name}` });
          break;
        case 'post':
          if (rooms.length) {
            const message = await commands.postMessage({ actorId: users[s.actor]!, roomId: rooms[s.room % rooms.length]!, body: s.body });
            messages.push({ id: message.id, authorId: message.authorId });
          }
          break;
        case 'edit':
          if (messages.length) {
            const m = messages[s.message % messages.length]!;
            await commands.editMessage({ actorId: m.authorId, messageId: m.id, body: s.body });
          }
          break;
        case 'delete':
          if (messages.length) {
            const m = messages[s.message % messages.length]!;
            await commands.deleteMessage({ actorId: m.authorId, messageId: m.id });
          }
          break;
        case 'status':
          await commands.setStatus({ actorId: users[s.actor]!, status: s.status });
          break;
      }
    } catch (error) {
      if (!(error instanceof Error) || !/DomainError|ValidationError|ForbiddenError|ConflictError|NotFoundError/.test(error.name))
        throw error;
    }
  }
  return { users, rooms: [...new Set(rooms)] };
};

const readAll = async (store: EventStore, stream: string) => {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readForward(stream, { after: events.at(-1)?.cursor, count: 500 });
    events.push(...page);
    if (page.length < 500) return events;
  }
};

/** A model as plain sorted data, to compare. */
const plain = <S>(model: InlineModel<S>) => ({ index: model.index, snapshots: [...model.snapshots].sort(([a], [b]) => (a < b ? -1 : 1)) });

/** Every inline model a history touched: its projection and where it lives. */
const modelsOf = (played: { users: string[]; rooms: string[] }): [InlineProjection<unknown, never>, InlineLocation][] => [
  [roomsProjection as InlineProjection<unknown, never>, roomsLocation],
  ...played.rooms.map((id): [InlineProjection<unknown, never>, InlineLocation] => [
    messageHistoryProjection as InlineProjection<unknown, never>,
    toMessageHistoryLocation(id),
  ]),
  ...played.users.map((id): [InlineProjection<unknown, never>, InlineLocation] => [
    usersProjection as InlineProjection<unknown, never>,
    toUserLocation(id),
  ]),
];

const describeInlineProjections = (name: string, open: OpenStore, runs: number) => {
  describe(`inline projections (${name})`, () => {
    it('the live model equals a fold of the log from scratch, and a rebuild from empty equals the live one', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
          const { store, wipe } = await open();
          try {
            const played = await play(store, steps);
            for (const [projection, location] of modelsOf(played)) {
              const live = plain(await readInlineModel(store, location));
              expect(live).toEqual(plain(foldInline(projection, await readAll(store, location.stream))));
              await store.deleteKeys([location.hash, ...(location.index ? [location.index] : [])]);
              await rebuildInline(store, projection, location);
              expect(plain(await readInlineModel(store, location))).toEqual(live);
            }
          } finally {
            await wipe();
          }
        }),
        { numRuns: runs },
      );
    });

    it('a rebuild while posts go on swaps in a model that misses none of them', async () => {
      const { store, wipe } = await open();
      try {
        const queries = createChatLookups(store);
        const commands = createChatCommands(store, queries);
        await commands.registerUser({ userId: 'u', profile: { handle: 'u', displayName: 'u', avatarUrl: null } });
        const room = await commands.createRoom({ actorId: 'u', name: 'busy' });
        for (let i = 0; i < 2_500; i++) await commands.postMessage({ actorId: 'u', roomId: room.id, body: `before ${i}` });
        const location = toMessageHistoryLocation(room.id);
        let posting = true;
        const writer = (async () => {
          let i = 0;
          while (posting) await commands.postMessage({ actorId: 'u', roomId: room.id, body: `during ${i++}` });
          return i;
        })();
        const folded = await rebuildInline(store, messageHistoryProjection, location);
        posting = false;
        const during = await writer;
        expect(folded).toBeGreaterThanOrEqual(2_500);
        const live = plain(await readInlineModel(store, location));
        expect(live.index).toHaveLength(2_500 + during);
        expect(live).toEqual(plain(foldInline(messageHistoryProjection, await readAll(store, location.stream))));
      } finally {
        await wipe();
      }
    });
  });
};

onBothStores(describeInlineProjections, { memory: 40, redis: 15 });
