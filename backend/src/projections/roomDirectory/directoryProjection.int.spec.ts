import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createChatCommands } from '../../chat/commands.js';
import { createChatLookups } from '../../chat/queries.js';
import { toRoomSearchKey } from '../../domain/room/room.js';
import type { EventStore } from '../../eventstore/eventStore.js';
import { createMemoryEventStore } from '../../eventstore/memoryEventStore.js';
import { createRedisEventStore } from '../../eventstore/redisEventStore.js';
import { useTestRedis } from '../../testing/useTestRedis.js';
import { type AsyncProjection, readCheckpoint, readLag, rebuildAsync, startProjector } from '../asyncProjection.js';
import { createDirectoryProjection } from './directoryProjection.js';
import type { DirectoryStore } from './directoryStore.js';
import { createMemoryDirectoryStore } from './memoryDirectoryStore.js';
import { createRedisDirectoryStore } from './redisDirectoryStore.js';

type Step = { kind: 'create'; name: number } | { kind: 'rename'; room: number; name: number };
const NAMES = ['Café', 'cafe lounge', 'Zürich', 'zebra', 'Ålesund', 'alpha', 'Beta', 'beta test', 'gamma'];
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), name: fc.nat(NAMES.length - 1) }),
  fc.record({ kind: fc.constant('rename' as const), room: fc.nat(20), name: fc.nat(NAMES.length - 1) }),
);

/** Every room the directory lists, in its order, read page by page. */
const listAll = async (directory: DirectoryStore, search = '') => {
  const { serving } = await directory.readGenerations();
  const listed: string[] = [];
  for (let after: string | null = null; ; ) {
    const page = await directory.readPage(serving, { first: 7, after, search });
    listed.push(...page.edges.map((edge) => edge.roomId));
    if (!page.hasNextPage) return listed;
    after = page.edges.at(-1)!.cursor;
  }
};

/** The directory as a fold of what was decided: each room under its last name, in folded-name order, then by id. */
const expected = (rooms: Map<string, string>, search = '') =>
  [...rooms]
    .map(([id, name]) => ({ id, key: toRoomSearchKey(name) }))
    .filter((room) => room.key.includes(toRoomSearchKey(search)))
    .sort((a, b) => (a.key === b.key ? (a.id < b.id ? -1 : 1) : Buffer.compare(Buffer.from(a.key), Buffer.from(b.key))))
    .map((room) => room.id);

const play = async (store: EventStore, steps: readonly Step[]) => {
  const commands = createChatCommands(store, createChatLookups(store));
  await commands.registerUser({ userId: 'owner', profile: { handle: 'owner', displayName: 'owner', avatarUrl: null } });
  const rooms = new Map<string, string>();
  for (const s of steps) {
    try {
      if (s.kind === 'create') {
        const room = await commands.createRoom({ actorId: 'owner', name: `${NAMES[s.name]} ${rooms.size}` });
        rooms.set(room.id, room.name);
      } else if (rooms.size) {
        const id = [...rooms.keys()][s.room % rooms.size]!;
        const room = await commands.renameRoom({ actorId: 'owner', roomId: id, name: `${NAMES[s.name]} r${s.room}` });
        rooms.set(id, room.name);
      }
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'ValidationError') throw error;
    }
  }
  return rooms;
};

const caughtUp = async (store: EventStore, projection: AsyncProjection) =>
  vi.waitFor(async () => expect((await readLag(store, projection)).events).toBe(0), { timeout: 10_000, interval: 10 });

const describeDirectoryProjection = (
  name: string,
  open: () => Promise<{ store: EventStore; directory: DirectoryStore; wipe(): Promise<void> }>,
  runs: number,
) => {
  describe(`room directory projection (${name})`, () => {
    it('two projectors at once build what a fold of the lobby log gives, and a rebuild gives it again', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { minLength: 1, maxLength: 40 }),
          fc.constantFrom('', 'CAFE', 'be', 'zü'),
          async (steps, search) => {
            const { store, directory, wipe } = await open();
            const projection = createDirectoryProjection(directory);
            const projectors = ['a', 'b'].map((consumer) => startProjector(store, projection, { consumer, batch: 3, blockMs: 20 }));
            try {
              const rooms = await play(store, steps);
              await caughtUp(store, projection);
              expect(await listAll(directory)).toEqual(expected(rooms));
              expect(await listAll(directory, search)).toEqual(expected(rooms, search));
              await rebuildAsync(store, projection, 5);
              expect(await listAll(directory)).toEqual(expected(rooms));
              expect((await directory.readGenerations()).serving).toBe(2);
              // Projectors follow the rebuilt generation: what comes next reaches it.
              const more = await play(store, [{ kind: 'create', name: 0 }]);
              for (const [id, roomName] of more) rooms.set(id, roomName);
              await caughtUp(store, projection);
              expect(await listAll(directory)).toEqual(expected(rooms));
            } finally {
              await Promise.all(projectors.map((projector) => projector.stop()));
              await wipe();
            }
          },
        ),
        { numRuns: runs },
      );
    });

    it('says up to where the directory is complete: read before a page, nothing after it is missing', async () => {
      const { store, directory, wipe } = await open();
      const projection = createDirectoryProjection(directory);
      try {
        expect(await readCheckpoint(store, projection)).toBeNull();
        const rooms = await play(store, [
          { kind: 'create', name: 1 },
          { kind: 'create', name: 2 },
        ]);
        // No projector yet: nothing is applied, and the lag says so.
        expect((await readLag(store, projection)).events).toBe(2);
        const projector = startProjector(store, projection, { consumer: 'only', blockMs: 20 });
        await caughtUp(store, projection);
        const lobbyEnd = (await store.streamInfo(projection.stream)).lastCursor;
        expect(await readCheckpoint(store, projection)).toBe(lobbyEnd);
        expect(await listAll(directory)).toEqual(expected(rooms));
        await projector.stop();
      } finally {
        await wipe();
      }
    });
  });
};

describeDirectoryProjection(
  'memory',
  async () => {
    const store = createMemoryEventStore();
    return { store, directory: createMemoryDirectoryStore(), wipe: () => store.close() };
  },
  25,
);

describe('redis', () => {
  const redis = useTestRedis();

  describeDirectoryProjection(
    'redis',
    async () => {
      const store = await createRedisEventStore({ url: redis.url });
      return {
        store,
        directory: createRedisDirectoryStore(redis.client),
        wipe: async () => {
          await store.close();
          await redis.client.flushall();
        },
      };
    },
    10,
  );
});
