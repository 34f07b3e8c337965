import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { roomSnapshotsKey, toRoomStreamKey } from '../chat/keys.js';
import { createChatLookups } from '../chat/queries.js';
import { DomainError } from '../domain/errors.js';
import { decodeMessageEvent } from '../domain/message/events.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { readAll } from '../testing/logFixtures.js';
import { onBothStores } from '../testing/bothStores.js';
import { useSearchDatabase } from '../testing/searchDatabase.js';
import { createMemorySearchIndex } from './memorySearchIndex.js';
import { createPostgresSearchIndex } from './postgresSearchIndex.js';
import { createSearchPool } from './postgresPool.js';
import { type Sequence, matchesText, parseSearchQuery } from './query.js';
import { rebuildSearchIndex } from './rebuildSearch.js';
import { type SearchIndex, toPosition } from './searchIndex.js';
import { type SearchRooms, hasIndexed, startSearchProjector } from './searchProjector.js';

/**
 * The search index against a fold of the log: random histories of posts, edits, deletions and
 * removals in public and private rooms, played through the commands while the projector runs;
 * once it has caught up, every query must find exactly what a fold of the rooms' logs says, in
 * the same order, on both engines and both stores; and on PostgreSQL, a rebuild must equal it too.
 */

const PEOPLE = ['ann', 'bob', 'cat'];
const VOCABULARY = ['apple', 'apples', 'banana', 'running', 'runs', '東京', '京都', 'café', 'cafe', 'deploy'];
const QUERIES = [...VOCABULARY, '"apple banana"', 'run -banana', 'runs apple', '東京都', '"deploy cafe"', '京'];

type Step =
  | { kind: 'post'; who: number; room: number; words: number[] }
  | { kind: 'edit'; message: number; words: number[] }
  | { kind: 'delete'; message: number }
  | { kind: 'remove'; message: number; who: number };
const words = fc.array(fc.nat(VOCABULARY.length - 1), { minLength: 1, maxLength: 4 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('post' as const), who: fc.nat(2), room: fc.nat(2), words }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('edit' as const), message: fc.nat(40), words }), weight: 2 },
  fc.record({ kind: fc.constant('delete' as const), message: fc.nat(40) }),
  fc.record({ kind: fc.constant('remove' as const), message: fc.nat(40), who: fc.nat(2) }),
);

const play = async (store: EventStore, steps: readonly Step[]) => {
  const commands = createChatCommands(store, createChatLookups(store));
  for (const handle of PEOPLE) await commands.registerUser({ userId: handle, profile: { handle, displayName: handle, avatarUrl: null } });
  const rooms = [
    await commands.createRoom({ actorId: 'ann', name: `alpha ${Math.random()}` }),
    await commands.createRoom({ actorId: 'bob', name: `beta ${Math.random()}` }),
    await commands.createRoom({ actorId: 'ann', name: `gamma ${Math.random()}`, kind: 'PRIVATE' }),
  ];
  const messages: { id: string; authorId: string }[] = [];
  const pick = (i: number) => messages[i % Math.max(messages.length, 1)];
  const text = (chosen: number[]) => chosen.map((i) => VOCABULARY[i]).join(' ');
  for (const s of steps) {
    try {
      if (s.kind === 'post') {
        const message = await commands.postMessage({ actorId: PEOPLE[s.who]!, roomId: rooms[s.room]!.id, body: text(s.words) });
        messages.push({ id: message.id, authorId: message.authorId });
        continue;
      }
      const m = pick(s.message);
      if (!m) continue;
      if (s.kind === 'edit') await commands.editMessage({ actorId: m.authorId, messageId: m.id, body: text(s.words) });
      else if (s.kind === 'delete') await commands.deleteMessage({ actorId: m.authorId, messageId: m.id });
      else await commands.removeMessage({ actorId: PEOPLE[s.who]!, messageId: m.id, reason: null });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return rooms;
};

/** The messages a fold of the rooms' logs holds: not deleted, with their latest body. */
const foldMessages = async (store: EventStore, rooms: { id: string; kind: string }[]) => {
  const messages = new Map<string, { id: string; roomId: string; authorId: string; body: string; position: string; public: boolean }>();
  for (const room of rooms) {
    for (const recorded of await readAll(store, toRoomStreamKey(room.id))) {
      if (!['MessagePosted', 'MessageEdited', 'MessageDeleted'].includes(recorded.type)) continue;
      const event = decodeMessageEvent(recorded);
      if (event.type === 'MessagePosted') {
        const { messageId, authorId, body } = event.data;
        messages.set(messageId, {
          id: messageId,
          roomId: room.id,
          authorId,
          body,
          position: toPosition(recorded.cursor, messageId),
          public: room.kind === 'PUBLIC',
        });
      } else if (event.type === 'MessageEdited') {
        const before = messages.get(event.data.messageId);
        if (before) before.body = event.data.body;
      } else if (event.type === 'MessageDeleted') messages.delete(event.data.messageId);
    }
  }
  return [...messages.values()].sort((a, b) => (a.position < b.position ? 1 : -1));
};

const roomsOf = (store: EventStore): SearchRooms => {
  const lookups = createChatLookups(store);
  return {
    listRoomIds: async () => [...(await store.readAllSnapshots(roomSnapshotsKey)).keys()],
    isPublic: async (roomId) => (await lookups.getRoom(roomId))?.kind === 'PUBLIC',
  };
};

const expectIndexEqualsFold = async (index: SearchIndex, store: EventStore, rooms: { id: string; kind: string }[]) => {
  const folded = await foldMessages(store, rooms);
  const privateRoom = rooms.find((room) => room.kind === 'PRIVATE')!.id;
  for (const text of QUERIES) {
    const query = parseSearchQuery(text);
    for (const readable of [[], [privateRoom]]) {
      for (const authorId of [null, 'bob']) {
        const expected = folded
          .filter((m) => (m.public || readable.includes(m.roomId)) && (authorId === null || m.authorId === authorId))
          .filter((m) => matchesText(query, m.body))
          .map((m) => m.id);
        const found = await index.search({
          include: query.include as Sequence[],
          exclude: query.exclude,
          readable: { rooms: readable },
          only: null,
          authorId,
          below: null,
          notBelow: null,
          limit: 1_000,
        });
        expect(
          found.map((hit) => hit.id),
          `${text} (readable ${readable.length}, author ${authorId})`,
        ).toEqual(expected);
      }
    }
  }
};

const suite = (
  name: string,
  openStore: () => Promise<{ store: EventStore; wipe(): Promise<void> }>,
  openIndex: () => Promise<{ index: SearchIndex; rebuild?: (store: EventStore) => Promise<void>; wipe(): Promise<void> }>,
  runs: number,
) => {
  it(`${name}: equals a fold of the log on random histories${runs ? '' : ''}`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const { store, wipe } = await openStore();
        const { index, rebuild, wipe: wipeIndex } = await openIndex();
        const projector = startSearchProjector(store, index, roomsOf(store), { pageSize: 7, roomsPerTurn: 2 });
        try {
          const rooms = await play(store, steps);
          // The index has caught up once it holds each room's last message event (other events send no note).
          const ends = await Promise.all(
            rooms.map(
              async (room) =>
                (await readAll(store, toRoomStreamKey(room.id))).findLast((event) => event.type.startsWith('Message'))?.cursor,
            ),
          );
          await vi.waitFor(
            async () => {
              for (const [i, room] of rooms.entries()) if (ends[i]) expect(await hasIndexed(index, room.id, ends[i])).toBe(true);
            },
            { timeout: 10_000, interval: 5 },
          );
          await expectIndexEqualsFold(index, store, rooms);
          if (rebuild) {
            await projector.stop();
            await rebuild(store);
            await expectIndexEqualsFold(index, store, rooms);
          }
        } finally {
          await projector.stop();
          await wipeIndex();
          await wipe();
        }
      }),
      { numRuns: runs },
    );
  });
};

describe('the search index against a fold of the log', { timeout: 240_000 }, () => {
  const database = useSearchDatabase();
  const postgresIndex = async () => {
    await database.empty();
    const pool = createSearchPool(database.url);
    const index = createPostgresSearchIndex({ pool });
    return {
      index,
      rebuild: async (store: EventStore) => {
        await rebuildSearchIndex(store, pool, roomsOf(store));
      },
      wipe: async () => {
        await index.close();
        await pool.end();
      },
    };
  };
  const memoryIndex = async () => ({ index: createMemorySearchIndex(), wipe: async () => {} });

  onBothStores(
    (name, open, runs) => {
      suite(`${name} store, memory index`, open, memoryIndex, runs);
      // PostgreSQL's round trips cost more: a quarter of the histories, each rebuilt too.
      suite(`${name} store, PostgreSQL index (rebuilt too)`, open, postgresIndex, Math.ceil(runs / 4));
    },
    { memory: 60, redis: 16 },
  );
});
