import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/errors.js';
import { toRoomSearchKey } from '../../domain/room/room.js';
import { compareCursors, type Cursor } from '../../eventstore/eventStore.js';
import { compareByUtf8, toDirectoryCursor, toDirectoryMember } from './directoryEntry.js';
import type { DirectoryChange, DirectoryPage, DirectoryStore } from './directoryStore.js';

export interface DirectoryStoreSubject {
  store: DirectoryStore;
  /** Ends the test: wipes whatever the store wrote. */
  cleanup(): Promise<void>;
}

const listed = (roomId: string, name: string, cursor: Cursor): DirectoryChange => ({ roomId, name, listed: true, cursor });
const unlisted = (roomId: string, cursor: Cursor): DirectoryChange => ({ roomId, name: '', listed: false, cursor });

const idsOf = (page: DirectoryPage) => page.edges.map((edge) => edge.roomId);

/** Every room id a search finds, read in pages of `first`; checks the page flags on the way. */
const readAll = async (store: DirectoryStore, generation: number, { search = '', first = 100 } = {}): Promise<string[]> => {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: DirectoryPage = await store.readPage(generation, { first, after, search });
    expect(page.edges.length).toBeLessThanOrEqual(first);
    ids.push(...idsOf(page));
    if (!page.hasNextPage) return ids;
    expect(page.edges).toHaveLength(first);
    after = page.edges.at(-1)!.cursor;
  }
};

/** What a directory of `rooms` (roomId → name) answers to `search`, worked out independently of any store. */
const expectedIds = (rooms: ReadonlyMap<string, string>, search = ''): string[] => {
  const needle = toRoomSearchKey(search);
  return [...rooms]
    .filter(([, name]) => toRoomSearchKey(name).includes(needle))
    .map(([roomId, name]) => ({ roomId, member: toDirectoryMember(roomId, name) }))
    .sort((a, b) => compareByUtf8(a.member, b.member))
    .map((room) => room.roomId);
};

/** A small deterministic generator (mulberry32): a failing history can be replayed from its seed. */
const seededRandom = (seed: number) => {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const below = (n: number) => Math.floor(next() * n);
  return {
    below,
    pick: <T>(items: readonly T[]): T => items[below(items.length)]!,
    shuffle: <T>(items: readonly T[]): T[] => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = below(i + 1);
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy;
    },
  };
};

/**
 * The behaviour every `DirectoryStore` promises, run against each implementation. `setup` gives a
 * store with nothing in it for one test.
 */
export const describeDirectoryStoreContract = (name: string, setup: () => Promise<DirectoryStoreSubject>) => {
  describe(`DirectoryStore contract: ${name}`, () => {
    let store: DirectoryStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await setup());
    });
    afterEach(async () => {
      await cleanup();
    });

    /**
     * Checks that generation 1 lists exactly `rooms` (roomId → name): all of them in order, and
     * each name and a two-letter piece of it finding what the fold of the log says it should. A
     * search takes another path than the listing (a trigram index in Redis), so both are read.
     */
    const expectListing = async (rooms: Record<string, string>) => {
      const expected = new Map(Object.entries(rooms));
      expect(await readAll(store, 1, { first: 2 })).toEqual(expectedIds(expected));
      for (const roomName of new Set(Object.values(rooms))) {
        for (const search of [roomName, roomName.slice(1, 3)]) {
          expect(await readAll(store, 1, { search, first: 2 }), `search ${JSON.stringify(search)}`).toEqual(expectedIds(expected, search));
        }
      }
    };

    /** Lists every room of `rooms` (roomId → name) in generation 1, one change each. */
    const fill = async (rooms: Record<string, string>, cursor: Cursor = '1-0') => {
      expect(
        await store.apply(
          1,
          Object.entries(rooms).map(([roomId, roomName]) => listed(roomId, roomName, cursor)),
        ),
      ).toBe('applied');
    };

    describe('paging', () => {
      const rooms = {
        'r-b': 'Banana',
        'r-a2': 'apple',
        'r-a1': 'APPLE',
        'r-ap': 'Äpfel',
        'r-z': 'zebra',
        'r-sp': 'apple pie',
        'r-em': '😀 party',
        'r-pu': '\ue000 lounge',
        'r-e': 'Émile',
      };
      // Folded name, then id; a name before every longer name it starts ("apple" < "apple pie");
      // code point order, as UTF-8 bytes compare: U+E000 before U+1F600 (UTF-16 would swap them).
      const inOrder = ['r-ap', 'r-a1', 'r-a2', 'r-sp', 'r-b', 'r-e', 'r-z', 'r-pu', 'r-em'];

      it('is empty before anything is applied', async () => {
        expect(await store.readPage(1, { first: 10, after: null, search: '' })).toEqual({ edges: [], hasNextPage: false });
        expect(await store.readPage(1, { first: 10, after: null, search: 'lounge' })).toEqual({ edges: [], hasNextPage: false });
      });

      it('pages rooms in folded-name order, ties by room id, each page continuing exactly after the last', async () => {
        await fill(rooms);
        for (const first of [1, 2, 4, 9]) expect(await readAll(store, 1, { first })).toEqual(inOrder);

        const all = await store.readPage(1, { first: 100, after: null, search: '' });
        expect(all.hasNextPage).toBe(false);
        expect(idsOf(all)).toEqual(inOrder);
        const third = all.edges[2]!;
        const next = await store.readPage(1, { first: 2, after: third.cursor, search: '' });
        expect(next).toEqual({ edges: all.edges.slice(3, 5), hasNextPage: true });
        expect(await store.readPage(1, { first: 1, after: all.edges.at(-2)!.cursor, search: '' })).toEqual({
          edges: [all.edges.at(-1)],
          hasNextPage: false,
        });
        expect(await store.readPage(1, { first: 5, after: all.edges.at(-1)!.cursor, search: '' })).toEqual({
          edges: [],
          hasNextPage: false,
        });
      });

      it('continues after a cursor whose room has moved since, from where that cursor sorts', async () => {
        await fill(rooms);
        const page = await store.readPage(1, { first: 3, after: null, search: '' });
        expect(idsOf(page)).toEqual(['r-ap', 'r-a1', 'r-a2']);
        await store.apply(1, [listed('r-a2', 'Zulu', '2-0'), unlisted('r-sp', '2-0')]);
        const rest = await store.readPage(1, { first: 100, after: page.edges.at(-1)!.cursor, search: '' });
        expect(idsOf(rest)).toEqual(['r-b', 'r-e', 'r-z', 'r-a2', 'r-pu', 'r-em']);
      });

      it('accepts a well-formed cursor of a room it never listed', async () => {
        await fill(rooms);
        const after = toDirectoryCursor(toDirectoryMember('r-none', 'b'));
        expect(idsOf(await store.readPage(1, { first: 100, after, search: '' }))).toEqual(inOrder.slice(4));
      });

      it('trusts `first` (the caller checks its range)', async () => {
        const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`r-${String(i).padStart(3, '0')}`, 'Same name']));
        await fill(many);
        const hundred = await store.readPage(1, { first: 100, after: null, search: '' });
        expect(hundred.edges).toHaveLength(100);
        expect(hundred.hasNextPage).toBe(true);
        expect(idsOf(hundred)).toEqual(Object.keys(many).slice(0, 100));
        const one = await store.readPage(1, { first: 1, after: hundred.edges.at(-1)!.cursor, search: 'same' });
        expect(idsOf(one)).toEqual(['r-100']);
        expect(one.hasNextPage).toBe(true);
      });
    });

    describe('search', () => {
      const rooms = {
        'r-1': 'Café Central',
        'r-2': 'Cafeteria',
        'r-3': 'Caffè Nero',
        'r-4': 'Central Station',
        'r-5': 'ÅRHUS Jazz',
      };

      it('finds names case- and accent-insensitively', async () => {
        await fill(rooms);
        for (const search of ['CAFE', 'cafe', 'Café', 'afé', 'AFE']) {
          expect(idsOf(await store.readPage(1, { first: 10, after: null, search }))).toEqual(['r-1', 'r-2']);
        }
        expect(idsOf(await store.readPage(1, { first: 10, after: null, search: 'arhus' }))).toEqual(['r-5']);
        expect(idsOf(await store.readPage(1, { first: 10, after: null, search: 'Århus jazz' }))).toEqual(['r-5']);
      });

      it('answers short searches (one or two code points)', async () => {
        await fill(rooms);
        expect(await readAll(store, 1, { search: 'É', first: 1 })).toEqual(['r-1', 'r-2', 'r-3', 'r-4']);
        expect(await readAll(store, 1, { search: 'ne', first: 1 })).toEqual(['r-3']);
        expect(await readAll(store, 1, { search: 'CA', first: 2 })).toEqual(['r-1', 'r-2', 'r-3']);
        expect(await readAll(store, 1, { search: 'z', first: 3 })).toEqual(['r-5']);
      });

      it('answers long searches, spaces folded', async () => {
        await fill(rooms);
        expect(idsOf(await store.readPage(1, { first: 10, after: null, search: 'central station' }))).toEqual(['r-4']);
        expect(idsOf(await store.readPage(1, { first: 10, after: null, search: '  central   STATION ' }))).toEqual(['r-4']);
        expect(idsOf(await store.readPage(1, { first: 10, after: null, search: 'e central' }))).toEqual(['r-1']);
        expect(idsOf(await store.readPage(1, { first: 10, after: null, search: 'central' }))).toEqual(['r-1', 'r-4']);
        expect(idsOf(await store.readPage(1, { first: 10, after: null, search: 'central station two' }))).toEqual([]);
      });

      it('finds nothing for a search no name contains, short or long', async () => {
        await fill(rooms);
        for (const search of ['q', 'xz', 'xyz', 'cafe nero', 'station central']) {
          expect(await store.readPage(1, { first: 10, after: null, search })).toEqual({ edges: [], hasNextPage: false });
        }
      });

      it('treats a search that folds to nothing as no search', async () => {
        await fill(rooms);
        expect(await readAll(store, 1, { search: '   ' })).toEqual(await readAll(store, 1));
        expect(await readAll(store, 1, { search: '\u0301' })).toEqual(await readAll(store, 1));
      });

      it('matches names only, never room ids', async () => {
        await fill({ 'abc-room': 'Plain', 'r-x': 'Sabcd' });
        for (const search of ['abc', 'ab', 'room', 'plain\u0000', 'n\u0000a', '\u0000']) {
          const expected = search === 'abc' || search === 'ab' ? ['r-x'] : [];
          expect(idsOf(await store.readPage(1, { first: 10, after: null, search }))).toEqual(expected);
        }
      });

      it('pages through a search that matches many rooms, in order, after any cursor', async () => {
        const many = new Map<string, string>();
        const variants = ['Lounge', 'LOUNGE', 'Loùnge', 'the lounge', 'Garden', 'Jardín', 'Lounge bar'];
        for (let i = 0; i < 300; i++) many.set(`r-${(i * 7919) % 1000}`, `${variants[i % variants.length]} ${i % 37}`);
        const changes = [...many].map(([roomId, roomName]) => listed(roomId, roomName, '1-0'));
        for (let i = 0; i < changes.length; i += 50) await store.apply(1, changes.slice(i, i + 50));

        for (const [search, first] of [
          ['lounge', 17],
          ['LOUNGE 1', 5],
          ['ou', 23],
          ['n', 100],
          ['rdin', 9],
          ['e b', 40],
        ] as const) {
          const expected = expectedIds(many, search);
          expect(expected.length).toBeGreaterThan(0);
          expect(await readAll(store, 1, { search, first })).toEqual(expected);
        }
        // From the cursor of any room, matching or not, a search goes on with the matches after it.
        const order = expectedIds(many);
        const start = (await store.readPage(1, { first: 100, after: null, search: '' })).edges[61]!;
        expect(start.roomId).toBe(order[61]);
        const fromMiddle = await store.readPage(1, { first: 10, after: start.cursor, search: 'lounge' });
        const matchesAfter = expectedIds(many, 'lounge').filter((roomId) => order.indexOf(roomId) > 61);
        expect(idsOf(fromMiddle)).toEqual(matchesAfter.slice(0, 10));
      });
    });

    describe('changes', () => {
      it('moves a renamed room: the old name is no longer found, the new one is, in its place', async () => {
        await fill({ 'r-1': 'Alpha', 'r-2': 'Bravo', 'r-3': 'Charlie' });
        expect(await store.apply(1, [listed('r-1', 'Delta', '2-0')])).toBe('applied');
        expect(await readAll(store, 1)).toEqual(['r-2', 'r-3', 'r-1']);
        await expectListing({ 'r-1': 'Delta', 'r-2': 'Bravo', 'r-3': 'Charlie' });
        expect(await readAll(store, 1, { search: 'alpha' })).toEqual([]);
        expect(await readAll(store, 1, { search: 'alp' })).toEqual([]);
        expect(await readAll(store, 1, { search: 'delta' })).toEqual(['r-1']);
        expect(await readAll(store, 1, { search: 'ta' })).toEqual(['r-1']);
      });

      it('takes an unlisted room out, and an older change cannot bring it back', async () => {
        await fill({ 'r-1': 'Alpha', 'r-2': 'Bravo' });
        await store.apply(1, [unlisted('r-1', '3-0')]);
        expect(await readAll(store, 1)).toEqual(['r-2']);
        expect(await readAll(store, 1, { search: 'alpha' })).toEqual([]);
        await expectListing({ 'r-2': 'Bravo' });
        await store.apply(1, [listed('r-1', 'Alpha again', '2-5')]);
        expect(await readAll(store, 1, { search: 'again' })).toEqual([]);
        await expectListing({ 'r-2': 'Bravo' });
        await store.apply(1, [listed('r-1', 'Alpha again', '3-1')]);
        expect(await readAll(store, 1)).toEqual(['r-1', 'r-2']);
        await expectListing({ 'r-1': 'Alpha again', 'r-2': 'Bravo' });
      });

      it('changes nothing for the same change twice, or an older change after a newer one', async () => {
        await fill({ 'r-1': 'Alpha', 'r-2': 'Bravo' }, '5-0');
        const before = await readAll(store, 1, { first: 1 });
        for (const change of [
          listed('r-1', 'Alpha', '5-0'),
          listed('r-1', 'Zulu', '5-0'),
          listed('r-1', 'Zulu', '4-9'),
          unlisted('r-2', '1-0'),
        ]) {
          expect(await store.apply(1, [change])).toBe('applied');
          expect(await readAll(store, 1, { first: 1 })).toEqual(before);
          expect(await readAll(store, 1, { search: 'zulu' })).toEqual([]);
          await expectListing({ 'r-1': 'Alpha', 'r-2': 'Bravo' });
        }
      });

      it('compares cursors as numbers, milliseconds then sequence, past 2^53', async () => {
        const cases: [older: Cursor, newer: Cursor][] = [
          ['1-9', '1-10'],
          ['9-99', '10-0'],
          ['1-99', '2-0'],
          ['9007199254740992-0', '9007199254740993-0'],
          ['7-9007199254740992', '7-9007199254740993'],
        ];
        for (const [i, [older, newer]] of cases.entries()) {
          const roomId = `r-${i}`;
          await store.apply(1, [listed(roomId, 'Newer', newer)]);
          await store.apply(1, [listed(roomId, 'Older', older)]);
          await store.apply(1, [listed(`${roomId}-b`, 'Older', older), listed(`${roomId}-b`, 'Newer', newer)]);
        }
        expect(await readAll(store, 1, { search: 'older' })).toEqual([]);
        expect(await readAll(store, 1, { search: 'ol' })).toEqual([]);
        await expectListing(
          Object.fromEntries(
            cases.flatMap((_, i) => [
              [`r-${i}`, 'Newer'],
              [`r-${i}-b`, 'Newer'],
            ]),
          ),
        );
      });

      it('lets the highest cursor win among changes to one room in one call, wherever it stands', async () => {
        await store.apply(1, [listed('r-1', 'Second', '1-2'), listed('r-1', 'Third', '1-3'), listed('r-1', 'First', '1-1')]);
        await store.apply(1, [unlisted('r-2', '1-2'), listed('r-2', 'Listed', '1-1')]);
        await store.apply(1, [listed('r-3', 'Back', '1-3'), unlisted('r-3', '1-2'), listed('r-3', 'Gone', '1-1')]);
        expect(await readAll(store, 1)).toEqual(['r-3', 'r-1']);
        expect(await readAll(store, 1, { search: 'first' })).toEqual([]);
        expect(await readAll(store, 1, { search: 'gone' })).toEqual([]);
        await expectListing({ 'r-1': 'Third', 'r-3': 'Back' });
      });

      it('ends in the same pages whatever the order and batching of the changes (random histories)', async () => {
        const names = ['Café', 'cafe', 'Lounge', 'Loùnge 2', 'garden', 'Garden Café', 'Zebra', 'ÅRHUS', 'a', 'ab', '😀 party', '\ue000 x'];
        const searches = ['', 'a', 'ca', 'caf', 'LOUNGE', 'e', 'party', 'rhu', 'zz', 'garden cafe', 'den', ...names];
        for (let seed = 1; seed <= 25; seed++) {
          const random = seededRandom(seed);
          const [live, rebuilt] = [2 * seed, 2 * seed + 1];
          await store.writeGenerations({ serving: live, building: rebuilt });

          // Distinct cursors per room (one event has one cursor), with multi-digit parts to catch string order.
          const changes: DirectoryChange[] = [];
          const seen = new Set<string>();
          while (changes.length < 30) {
            const roomId = `r-${random.below(6)}`;
            const cursor = `${random.pick([9, 10, 99, 100])}-${random.below(12)}`;
            if (seen.has(`${roomId} ${cursor}`)) continue;
            seen.add(`${roomId} ${cursor}`);
            changes.push(random.below(4) === 0 ? unlisted(roomId, cursor) : listed(roomId, random.pick(names), cursor));
          }

          // Batches of 1–6 in random order, a few at a time concurrently (as several projectors would).
          const batches: DirectoryChange[][] = [];
          for (const shuffled = random.shuffle(changes); shuffled.length > 0; ) batches.push(shuffled.splice(0, 1 + random.below(6)));
          for (let i = 0; i < batches.length; i += 3) {
            const results = await Promise.all(batches.slice(i, i + 3).map((batch) => store.apply(live, batch)));
            expect(results.every((result) => result === 'applied')).toBe(true);
          }

          const latest = new Map<string, DirectoryChange>();
          for (const change of changes) {
            const kept = latest.get(change.roomId);
            if (!kept || compareCursors(change.cursor, kept.cursor) > 0) latest.set(change.roomId, change);
          }
          expect(await store.apply(rebuilt, [...latest.values()])).toBe('applied');
          const expectedRooms = new Map(
            [...latest.values()].filter((change) => change.listed).map((change) => [change.roomId, change.name]),
          );

          for (const search of searches) {
            const first = 1 + random.below(4);
            const context = `seed ${seed}, search ${JSON.stringify(search)}, first ${first}`;
            const expected = expectedIds(expectedRooms, search);
            expect(await readAll(store, live, { search, first }), context).toEqual(expected);
            expect(await readAll(store, rebuilt, { search, first }), context).toEqual(expected);
          }
        }
      });
    });

    describe('generations', () => {
      it('serves generation 1 and builds none until told otherwise', async () => {
        expect(await store.readGenerations()).toEqual({ serving: 1, building: null });
        await store.writeGenerations({ serving: 1, building: 2 });
        expect(await store.readGenerations()).toEqual({ serving: 1, building: 2 });
        await store.writeGenerations({ serving: 2, building: null });
        expect(await store.readGenerations()).toEqual({ serving: 2, building: null });
      });

      it('answers stale, writing nothing, for a generation neither serving nor building', async () => {
        await fill({ 'r-1': 'Alpha' });
        expect(await store.apply(2, [listed('r-2', 'Bravo', '1-0')])).toBe('stale');
        expect(await store.apply(2, [])).toBe('stale');
        expect(await readAll(store, 2)).toEqual([]);

        await store.writeGenerations({ serving: 1, building: 2 });
        expect(await store.apply(2, [listed('r-2', 'Bravo', '1-0')])).toBe('applied');
        expect(await store.apply(1, [listed('r-3', 'Charlie', '1-0')])).toBe('applied');
        expect(await readAll(store, 1)).toEqual(['r-1', 'r-3']);
        expect(await readAll(store, 2)).toEqual(['r-2']);

        // The flip: the old generation takes no more writes, not even of a newer change.
        await store.writeGenerations({ serving: 2, building: null });
        expect(await store.apply(1, [listed('r-1', 'Zulu', '9-0'), listed('r-4', 'Delta', '9-0')])).toBe('stale');
        expect(await readAll(store, 1)).toEqual(['r-1', 'r-3']);
        expect(await readAll(store, 1, { search: 'zulu' })).toEqual([]);
        await expectListing({ 'r-1': 'Alpha', 'r-3': 'Charlie' });
      });

      it('drops every trace of one generation, and only of that one', async () => {
        await store.writeGenerations({ serving: 1, building: 2 });
        await store.apply(1, [listed('r-1', 'Alpha', '5-0')]);
        await store.apply(2, [listed('r-1', 'Alpha', '5-0'), listed('r-2', 'Bravo', '5-0')]);
        await store.dropGeneration(2);
        expect(await readAll(store, 2)).toEqual([]);
        expect(await readAll(store, 2, { search: 'alpha' })).toEqual([]);
        expect(await readAll(store, 1, { search: 'alpha' })).toEqual(['r-1']);
        expect(await store.readGenerations()).toEqual({ serving: 1, building: 2 });
        // Nothing is remembered: an older change lists the room again.
        expect(await store.apply(2, [listed('r-1', 'Alpha', '1-0')])).toBe('applied');
        expect(await readAll(store, 2)).toEqual(['r-1']);
        await store.dropGeneration(7);
      });
    });

    describe('cursors', () => {
      const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
      const bad = [
        ['empty', ''],
        ['not base64url', 'not a cursor!'],
        ['padded', `${encode('cafe\u0000r-1a')}==`],
        ['not UTF-8', Buffer.from([0x63, 0xff, 0x00, 0x72]).toString('base64url')],
        ['no separator', encode('cafe r-1')],
        ['no room id', encode('cafe\u0000')],
        ['two separators', encode('cafe\u0000r\u00001')],
        ['a name not folded', encode('Café\u0000r-1')],
        ['too long', encode(`${'a'.repeat(20_000)}\u0000r-1`)],
      ] as const;

      for (const [what, after] of bad) {
        it(`refuses an after that is not one of its cursors: ${what}`, async () => {
          await fill({ 'r-1': 'Café' });
          const read = store.readPage(1, { first: 10, after, search: '' });
          await expect(read).rejects.toBeInstanceOf(ValidationError);
          await expect(read).rejects.toMatchObject({ field: 'after' });
          await expect(store.readPage(1, { first: 10, after, search: 'cafe' })).rejects.toBeInstanceOf(ValidationError);
        });
      }
    });
  });
};
