import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  compareCursors,
  isCursor,
  NoGroupError,
  type AppendRequest,
  type AppendResult,
  type Cursor,
  type EventStore,
  type RecordedEvent,
} from './eventStore.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { randomUUID } from 'node:crypto';
import { appended, appendMany, cursorsOf, event, pastTheEnd, readAll } from '../testing/logFixtures.js';

export interface ContractSubject {
  store: EventStore;
  cleanup(): Promise<void>;
}

const expectIncreasing = (cursors: readonly Cursor[]) => {
  for (const cursor of cursors) expect(isCursor(cursor)).toBe(true);
  for (let i = 1; i < cursors.length; i++) expect(compareCursors(cursors[i - 1]!, cursors[i]!)).toBe(-1);
};

/**
 * The behaviour every `EventStore` promises, run against each implementation. `setup` gives a
 * store for one test; `cleanup` closes it (and may wipe its data).
 */
/**
 * The keys of one test share a hash tag (one slot, as a room's keys do), so that an append naming
 * several of them runs on a Redis Cluster too.
 */
let tag = randomUUID();
const uniqueName = (kind: string) => `test:{t:${tag}}:${randomUUID().slice(0, 8)}:${kind}`;

export const describeEventStoreContract = (name: string, setup: () => Promise<ContractSubject>) => {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    let stream: string;

    beforeEach(async () => {
      ({ store, cleanup } = await setup());
      tag = randomUUID();
      stream = uniqueName('log');
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('append and read', () => {
      it('reads appended events back in order, forward and backward', async () => {
        const [first] = appended(await store.append({ stream, events: [event('A', { n: 1 })] }));
        const rest = appended(await store.append({ stream, events: [event('B'), event('C'), event('D')] }));
        expect(rest).toHaveLength(3);

        const forward = await store.readForward(stream, { count: 10 });
        expect(forward.map((recorded) => recorded.type)).toEqual(['A', 'B', 'C', 'D']);
        expect(cursorsOf(forward)).toEqual([first, ...rest]);
        expect(forward[0]).toEqual({ stream, cursor: first, type: 'A', data: { n: 1 }, meta: { actorId: 'u1' }, v: 1 });
        expectIncreasing(cursorsOf(forward));

        const backward = await store.readBackward(stream, { count: 10 });
        expect(backward).toEqual([...forward].reverse());
      });

      it('pages forward and backward with exclusive bounds', async () => {
        const cursors = await appendMany(store, stream, 23);

        const forwardPages: Cursor[][] = [];
        for (let after: Cursor | undefined; ; ) {
          const page = await store.readForward(stream, { after, count: 5 });
          if (page.length === 0) break;
          forwardPages.push(cursorsOf(page));
          after = page.at(-1)!.cursor;
        }
        expect(forwardPages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
        expect(forwardPages.flat()).toEqual(cursors);

        const backwardPages: Cursor[][] = [];
        for (let before: Cursor | undefined; ; ) {
          const page = await store.readBackward(stream, { before, count: 5 });
          if (page.length === 0) break;
          backwardPages.push(cursorsOf(page));
          before = page.at(-1)!.cursor;
        }
        expect(backwardPages.flat()).toEqual([...cursors].reverse());

        expect(cursorsOf(await store.readForward(stream, { after: cursors[3]!, count: 2 }))).toEqual(cursors.slice(4, 6));
        expect(cursorsOf(await store.readBackward(stream, { before: cursors[10]!, count: 2 }))).toEqual([cursors[9], cursors[8]]);
        expect(await store.readForward(stream, { after: cursors.at(-1)!, count: 5 })).toEqual([]);
        expect(await store.readBackward(stream, { before: cursors[0]!, count: 5 })).toEqual([]);
      });

      it('orders cursors numerically, also past a sequence of 9', async () => {
        const cursors = appended(await store.append({ stream, events: Array.from({ length: 15 }, (_, i) => event('E', { i })) }));
        expectIncreasing(cursors);
        const sorted = [...cursors].sort(compareCursors);
        expect(sorted).toEqual(cursors);
        expect(cursorsOf(await store.readForward(stream, { after: cursors[9]!, count: 3 }))).toEqual(cursors.slice(10, 13));
        expect(cursorsOf(await store.readBackward(stream, { before: cursors[11]!, count: 2 }))).toEqual([cursors[10], cursors[9]]);
      });

      it('reads a stream that never existed as empty', async () => {
        expect(await store.readForward(stream, { count: 5 })).toEqual([]);
        expect(await store.readBackward(stream, { count: 5 })).toEqual([]);
        expect(await store.streamInfo(stream)).toEqual({
          length: 0,
          firstCursor: null,
          lastCursor: null,
          maxDeletedCursor: null,
        });
      });

      it('refuses an append without events or snapshot as a bug, not an outage', async () => {
        const refusal = store.append({ stream, events: [] }).catch((error: unknown) => error);
        expect(await refusal).toBeInstanceOf(Error);
        expect(await refusal).not.toBeInstanceOf(StoreUnavailableError);
        expect(await store.readForward(stream, { count: 1 })).toEqual([]);
      });

      it('finds the last cursor before a moment, leaving out the events of that very millisecond', async () => {
        const msOf = (cursor: Cursor) => Number(cursor.split('-')[0]);
        // Appends until the log spans at least three milliseconds (an append takes far less than one).
        const cursors: Cursor[] = [];
        for (let i = 0; i < 100_000 && new Set(cursors.map(msOf)).size < 3; i++) {
          cursors.push(...appended(await store.append({ stream, events: [event('E', { i }), event('F', { i })] })));
        }
        const moments = [...new Set(cursors.map(msOf))];
        expect(moments.length).toBeGreaterThanOrEqual(3);
        for (const ms of moments) {
          const before = cursors.filter((cursor) => msOf(cursor) < ms).at(-1) ?? null;
          expect(await store.readCursorBefore(stream, ms)).toBe(before);
          expect(await store.readCursorBefore(stream, ms + 1)).toBe(cursors.filter((cursor) => msOf(cursor) <= ms).at(-1));
        }
        expect(await store.readCursorBefore(stream, moments[0]!)).toBeNull();
        expect(await store.readCursorBefore(stream, Number.MAX_SAFE_INTEGER)).toBe(cursors.at(-1));
        expect(await store.readCursorBefore(stream, 0)).toBeNull();
        expect(await store.readCursorBefore(stream, -1)).toBeNull();
        expect(await store.readCursorBefore(uniqueName('never'), Date.now())).toBeNull();
        await expect(store.readCursorBefore(stream, 1.5)).rejects.not.toBeInstanceOf(StoreUnavailableError);
      });

      it('answers ping while available', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('snapshots', () => {
      const counter = (n: number) => ({ count: n });

      it('creates a snapshot with expectedRev null, then advances it by compare-and-set', async () => {
        const ref = { key: uniqueName('state'), field: 'agg-1' };
        expect(await store.readSnapshot(ref)).toBeNull();
        appended(await store.append({ stream, events: [event('A')], snapshot: { ref, expectedRev: null, state: counter(1) } }));
        expect(await store.readSnapshot(ref)).toEqual({ rev: 1, state: counter(1) });
        appended(await store.append({ stream, events: [event('B')], snapshot: { ref, expectedRev: 1, state: counter(2) } }));
        expect(await store.readSnapshot(ref)).toEqual({ rev: 2, state: counter(2) });
      });

      it('refuses a stale revision with the stored one and appends nothing', async () => {
        const ref = { key: uniqueName('state'), field: 'agg-1' };
        const missing = { key: ref.key, field: 'agg-2' };
        await store.append({ stream, events: [event('A')], snapshot: { ref, expectedRev: null, state: counter(1) } });
        await store.append({ stream, events: [event('B')], snapshot: { ref, expectedRev: 1, state: counter(2) } });

        const stale = { stream, events: [event('X')], snapshot: { ref, expectedRev: 1, state: counter(99) } };
        expect(await store.append(stale)).toEqual({ status: 'conflict', rev: 2 });
        const asNew = { stream, events: [event('X')], snapshot: { ref, expectedRev: null, state: counter(99) } };
        expect(await store.append(asNew)).toEqual({ status: 'conflict', rev: 2 });
        const ahead = { stream, events: [event('X')], snapshot: { ref: missing, expectedRev: 3, state: counter(99) } };
        expect(await store.append(ahead)).toEqual({ status: 'conflict', rev: null });

        expect((await store.readForward(stream, { count: 10 })).map((recorded) => recorded.type)).toEqual(['A', 'B']);
        expect(await store.readSnapshot(ref)).toEqual({ rev: 2, state: counter(2) });
        expect(await store.readSnapshot(missing)).toBeNull();
      });

      it('changes a snapshot without logging an event', async () => {
        const ref = { key: uniqueName('state'), field: 'agg-1' };
        appended(await store.append({ stream, events: [], snapshot: { ref, expectedRev: null, state: { quiet: true } } }));
        expect(await store.readSnapshot(ref)).toEqual({ rev: 1, state: { quiet: true } });
        expect((await store.streamInfo(stream)).length).toBe(0);
      });

      it('reads several snapshots in the order asked, and all of a hash', async () => {
        const key = uniqueName('state');
        for (const field of ['a', 'b']) {
          const snapshot = { ref: { key, field }, expectedRev: null, state: { field } };
          await store.append({ stream, events: [event('Created')], snapshot });
        }
        expect(await store.readSnapshots(key, ['b', 'missing', 'a'])).toEqual([
          { rev: 1, state: { field: 'b' } },
          null,
          { rev: 1, state: { field: 'a' } },
        ]);
        expect(await store.readSnapshots(key, [])).toEqual([]);
        const all = await store.readAllSnapshots(key);
        expect([...all.entries()].sort(([a], [b]) => a.localeCompare(b))).toEqual([
          ['a', { rev: 1, state: { field: 'a' } }],
          ['b', { rev: 1, state: { field: 'b' } }],
        ]);
        expect((await store.readAllSnapshots(uniqueName('state'))).size).toBe(0);
      });
    });

    describe('idempotency', () => {
      it('answers a repeated key with the first result and appends nothing', async () => {
        const idempotency = { key: uniqueName('idem'), ttlSeconds: 60, result: 'first' };
        appended(await store.append({ stream, events: [event('A')], idempotency }));
        const again = await store.append({ stream, events: [event('B')], idempotency: { ...idempotency, result: 'second' } });
        expect(again).toEqual({ status: 'duplicate', result: 'first' });
        expect((await store.readForward(stream, { count: 10 })).map((recorded) => recorded.type)).toEqual(['A']);
        expect(await store.readIdempotent(idempotency.key)).toBe('first');
        expect(await store.readIdempotent(uniqueName('idem'))).toBeNull();
      });

      it('checks the idempotency key before the snapshot revision', async () => {
        const ref = { key: uniqueName('state'), field: 'agg' };
        const request = {
          stream,
          events: [event('A')],
          snapshot: { ref, expectedRev: null, state: {} },
          idempotency: { key: uniqueName('idem'), ttlSeconds: 60, result: 'done' },
        };
        appended(await store.append(request));
        // A retry after a lost reply carries the revision it was decided on, now stale.
        expect(await store.append(request)).toEqual({ status: 'duplicate', result: 'done' });
      });
    });

    describe('claims', () => {
      it('refuses a field owned by another owner, naming the owner', async () => {
        const key = uniqueName('names');
        appended(await store.append({ stream, events: [event('A')], claim: { key, field: 'general', owner: 'room-1' } }));
        const taken = await store.append({ stream, events: [event('B')], claim: { key, field: 'general', owner: 'room-2' } });
        expect(taken).toEqual({ status: 'claimed', owner: 'room-1' });
        expect(await store.readClaim(key, 'general')).toBe('room-1');
        expect(await store.readClaim(key, 'other')).toBeNull();
        expect((await store.readForward(stream, { count: 10 })).map((recorded) => recorded.type)).toEqual(['A']);
      });

      it('lets the owner claim again and release a field it held', async () => {
        const key = uniqueName('names');
        await store.append({ stream, events: [event('A')], claim: { key, field: 'old', owner: 'room-1' } });
        appended(await store.append({ stream, events: [event('B')], claim: { key, field: 'old', owner: 'room-1' } }));
        const renamed = { key, field: 'new', owner: 'room-1', release: 'old' };
        appended(await store.append({ stream, events: [event('Renamed')], claim: renamed }));
        expect(await store.readClaim(key, 'old')).toBeNull();
        expect(await store.readClaim(key, 'new')).toBe('room-1');
        appended(await store.append({ stream, events: [event('C')], claim: { key, field: 'old', owner: 'room-2' } }));
        expect(await store.readClaim(key, 'old')).toBe('room-2');
      });

      it('releases only a field the owner holds', async () => {
        const key = uniqueName('names');
        await store.append({ stream, events: [event('A')], claim: { key, field: 'theirs', owner: 'room-2' } });
        appended(await store.append({ stream, events: [event('B')], claim: { key, field: 'mine', owner: 'room-1', release: 'theirs' } }));
        expect(await store.readClaim(key, 'theirs')).toBe('room-2');
      });
    });

    it('writes nothing at all when an append is refused', async () => {
      const ref = { key: uniqueName('state'), field: 'agg' };
      const claims = uniqueName('names');
      const usedKey = uniqueName('idem');
      await store.append({
        stream,
        events: [event('Setup')],
        snapshot: { ref, expectedRev: null, state: { n: 1 } },
        idempotency: { key: usedKey, ttlSeconds: 60, result: 'setup' },
      });
      await store.append({ stream, events: [event('Setup')], claim: { key: claims, field: 'taken', owner: 'other' } });

      const valid: AppendRequest = {
        stream,
        events: [event('Attempt'), event('Attempt')],
        snapshot: { ref, expectedRev: 1, state: { n: 2 } },
        idempotency: { key: uniqueName('idem'), ttlSeconds: 60, result: 'attempt' },
        claim: { key: claims, field: 'free', owner: 'me' },
      };
      const refusals: [AppendRequest, AppendResult['status']][] = [
        [{ ...valid, idempotency: { ...valid.idempotency!, key: usedKey } }, 'duplicate'],
        [{ ...valid, snapshot: { ...valid.snapshot!, expectedRev: 5 } }, 'conflict'],
        [{ ...valid, claim: { ...valid.claim!, field: 'taken' } }, 'claimed'],
        // Checked in this order: duplicate, then conflict, then claimed.
        [{ ...valid, snapshot: { ...valid.snapshot!, expectedRev: 5 }, claim: { ...valid.claim!, field: 'taken' } }, 'conflict'],
      ];
      for (const [request, status] of refusals) expect((await store.append(request)).status).toBe(status);

      expect((await store.streamInfo(stream)).length).toBe(2);
      expect(await store.readSnapshot(ref)).toEqual({ rev: 1, state: { n: 1 } });
      expect(await store.readClaim(claims, 'free')).toBeNull();
      expect(await store.readClaim(claims, 'taken')).toBe('other');
      // The refused attempts did not take the valid request's idempotency key.
      expect(appended(await store.append(valid))).toHaveLength(2);
      expect(await store.append(valid)).toEqual({ status: 'duplicate', result: 'attempt' });
    });

    describe('indexes', () => {
      /** A key beside the test's stream, in its hash slot. */
      const beside = (kind: string) => stream.replace(/:log$/, `:${kind}`);

      it('gives index entries the cursors of their events, in the same append', async () => {
        const index = beside('index');
        const cursors = appended(
          await store.append({
            stream,
            events: [event('Posted'), event('Edited'), event('Posted')],
            indexes: [
              { event: 0, key: index, ref: 'm1' },
              { event: 2, key: index, ref: 'm2' },
            ],
          }),
        );
        expect(await store.readIndexForward(index, { count: 10 })).toEqual([
          { cursor: cursors[0], ref: 'm1' },
          { cursor: cursors[2], ref: 'm2' },
        ]);
        expect(await store.readIndexForward(index, { after: cursors[0], count: 10 })).toEqual([{ cursor: cursors[2], ref: 'm2' }]);
        expect(await store.readIndexBackward(index, { count: 1 })).toEqual([{ cursor: cursors[2], ref: 'm2' }]);
        expect(await store.readIndexBackward(index, { before: cursors[2], count: 5 })).toEqual([{ cursor: cursors[0], ref: 'm1' }]);
        expect(await store.readIndexBackward(beside('none'), { count: 5 })).toEqual([]);
      });

      it('reads each entry with the snapshot it names, in one step', async () => {
        const index = beside('index');
        const hash = beside('state');
        const [first] = appended(
          await store.append({
            stream,
            events: [event('Posted')],
            snapshot: { ref: { key: hash, field: 'm1' }, expectedRev: null, state: { body: 'one' } },
            indexes: [{ event: 0, key: index, ref: 'm1' }],
          }),
        );
        const [second] = appended(
          await store.append({ stream, events: [event('Posted')], indexes: [{ event: 0, key: index, ref: 'm2' }] }),
        );
        expect(await store.readIndexBackward(index, { count: 5, join: hash })).toEqual([
          { cursor: second, ref: 'm2', snapshot: null },
          { cursor: first, ref: 'm1', snapshot: { rev: 1, state: { body: 'one' } } },
        ]);
        expect(await store.readIndexForward(index, { count: 5, join: hash })).toEqual([
          { cursor: first, ref: 'm1', snapshot: { rev: 1, state: { body: 'one' } } },
          { cursor: second, ref: 'm2', snapshot: null },
        ]);
        expect(await store.readIndexForward(index, { after: first, count: 5, join: hash })).toEqual([
          { cursor: second, ref: 'm2', snapshot: null },
        ]);
        // Any cursor will do as `after`, also one no entry has.
        expect(await store.readIndexForward(index, { after: '0-0', count: 1, join: hash })).toEqual([
          { cursor: first, ref: 'm1', snapshot: { rev: 1, state: { body: 'one' } } },
        ]);
        expect(await store.readIndexForward(index, { after: pastTheEnd(second!), count: 5, join: hash })).toEqual([]);
        expect(await store.readIndexForward(beside('none'), { count: 5, join: hash })).toEqual([]);
        expect(
          await store.readSnapshotsAt([
            { key: hash, field: 'm2' },
            { key: hash, field: 'm1' },
          ]),
        ).toEqual([null, { rev: 1, state: { body: 'one' } }]);
      });

      it('writes no index entry when the append is refused, and trims an index like a stream', async () => {
        const index = beside('index');
        const ref = { key: beside('state'), field: 'a' };
        appended(
          await store.append({
            stream,
            events: [event('A')],
            snapshot: { ref, expectedRev: null, state: 1 },
            indexes: [{ event: 0, key: index, ref: 'a' }],
          }),
        );
        const refused = await store.append({
          stream,
          events: [event('B')],
          snapshot: { ref, expectedRev: null, state: 2 },
          indexes: [{ event: 0, key: index, ref: 'b' }],
        });
        expect(refused.status).toBe('conflict');
        const [later] = appended(await store.append({ stream, events: [event('C')], indexes: [{ event: 0, key: index, ref: 'c' }] }));
        expect((await store.readIndexForward(index, { count: 10 })).map((entry) => entry.ref)).toEqual(['a', 'c']);
        await store.trim(index, later!);
        expect((await store.readIndexForward(index, { count: 10 })).map((entry) => entry.ref)).toEqual(['c']);
      });
    });

    describe('guards', () => {
      const now = '2026-12-05T10:00:00.000Z';
      const member = (state: object) => ({ key: uniqueName('members'), field: 'u1', state });
      /** Stores a member document, then tries a guarded append against it. */
      const tryAppend = async (document: object | null) => {
        const ref = member(document ?? {});
        if (document)
          await store.append({ stream: uniqueName('other'), events: [], snapshot: { ref, expectedRev: null, state: document } });
        return store.append({ stream, events: [event('Posted')], guard: { key: ref.key, field: ref.field, now } });
      };

      it('lets a joined member through, and refuses anyone else, saying why and until when', async () => {
        expect((await tryAppend({ membership: 'JOINED', mutedUntil: null, bannedUntil: null })).status).toBe('appended');
        expect(await tryAppend(null)).toEqual({ status: 'refused', reason: 'not-member', until: null });
        for (const membership of ['INVITED', 'LEFT', 'KICKED']) {
          expect(await tryAppend({ membership, mutedUntil: null, bannedUntil: null })).toEqual({
            status: 'refused',
            reason: 'not-member',
            until: null,
          });
        }
        expect(await tryAppend({ membership: 'BANNED', mutedUntil: null, bannedUntil: null })).toEqual({
          status: 'refused',
          reason: 'banned',
          until: null,
        });
        const later = '2026-12-05T11:00:00.000Z';
        expect(await tryAppend({ membership: 'BANNED', mutedUntil: null, bannedUntil: later })).toEqual({
          status: 'refused',
          reason: 'banned',
          until: later,
        });
        expect(await tryAppend({ membership: 'JOINED', mutedUntil: later, bannedUntil: null })).toEqual({
          status: 'refused',
          reason: 'muted',
          until: later,
        });
        expect(await store.readForward(stream, { count: 10 })).toHaveLength(1);
      });

      it('lets a ban or a mute that ran out pass as what it left behind', async () => {
        const earlier = '2026-12-05T09:00:00.000Z';
        expect((await tryAppend({ membership: 'JOINED', mutedUntil: earlier, bannedUntil: null })).status).toBe('appended');
        expect((await tryAppend({ membership: 'JOINED', mutedUntil: now, bannedUntil: null })).status).toBe('appended');
        expect(await tryAppend({ membership: 'BANNED', mutedUntil: null, bannedUntil: earlier })).toEqual({
          status: 'refused',
          reason: 'not-member',
          until: null,
        });
      });

      it('answers a retried append as a duplicate before its guard', async () => {
        const ref = member({});
        const request: AppendRequest = {
          stream,
          events: [event('Posted')],
          guard: { key: ref.key, field: ref.field, now },
          idempotency: { key: uniqueName('idem'), ttlSeconds: 60, result: 'first' },
        };
        await store.append({
          stream: uniqueName('other'),
          events: [],
          snapshot: { ref, expectedRev: null, state: { membership: 'JOINED' } },
        });
        expect((await store.append(request)).status).toBe('appended');
        await store.append({ stream: uniqueName('other'), events: [], snapshot: { ref, expectedRev: 1, state: { membership: 'BANNED' } } });
        expect(await store.append(request)).toEqual({ status: 'duplicate', result: 'first' });
      });
    });

    describe('lexicographic sets', () => {
      it('adds and removes members in the append, and reads them in byte order between bounds', async () => {
        const key = uniqueName('set');
        appended(await store.append({ stream, events: [event('A')], sets: [{ key, add: ['b', 'a\u0000z', 'c', 'é', '😀', 'B'] }] }));
        expect(await store.countSet(key)).toBe(6);
        expect(await store.readSetRange(key, { min: '-', max: '+', count: 10 })).toEqual(['B', 'a\u0000z', 'b', 'c', 'é', '😀']);
        expect(await store.readSetRange(key, { min: '(b', max: '+', count: 2 })).toEqual(['c', 'é']);
        expect(await store.readSetRange(key, { min: '[b', max: '(é', count: 10 })).toEqual(['b', 'c']);
        expect(await store.readSetRange(key, { min: '[a', max: '[a\uffff', count: 10 })).toEqual(['a\u0000z']);
        appended(await store.append({ stream, events: [event('B')], sets: [{ key, remove: ['b', 'nothing'], add: ['b2', 'c'] }] }));
        expect(await store.readSetRange(key, { min: '-', max: '+', count: 10 })).toEqual(['B', 'a\u0000z', 'b2', 'c', 'é', '😀']);
        expect(await store.countSet(uniqueName('none'))).toBe(0);
        expect(await store.readSetRange(uniqueName('none'), { min: '-', max: '+', count: 10 })).toEqual([]);
      });

      it('writes nothing to a set when the append is refused', async () => {
        const key = uniqueName('set');
        const ref = { key: uniqueName('state'), field: 'x' };
        await store.append({ stream, events: [event('A')], snapshot: { ref, expectedRev: null, state: {} } });
        expect(
          (
            await store.append({
              stream,
              events: [event('B')],
              snapshot: { ref, expectedRev: null, state: {} },
              sets: [{ key, add: ['a'] }],
            })
          ).status,
        ).toBe('conflict');
        expect(await store.countSet(key)).toBe(0);
      });
    });

    describe('numbered logs and marks', () => {
      const keys = () => ({
        counters: uniqueName('counters'),
        positions: uniqueName('positions'),
        refs: uniqueName('refs'),
        marks: uniqueName('marks'),
        above: uniqueName('above'),
      });
      /** Appends an unnumbered event, then a numbered one (the second of the append), n times. */
      const post = async (k: ReturnType<typeof keys>, id: string, author: string, scored?: AppendRequest['scored']) =>
        appended(
          await store.append({
            stream,
            events: [event('Other'), event('Posted', { id })],
            sequence: {
              event: 1,
              counters: k.counters,
              positions: k.positions,
              refs: [{ key: k.refs, field: id }],
              marks: [{ key: k.marks, field: author }],
            },
            scored,
          }),
        )[1]!;

      it("numbers an append's event, remembers its number and position, and marks it read for its poster", async () => {
        const k = keys();
        const first = await post(k, 'm1', 'alice', [{ key: k.above, score: 'sequence', add: ['m1'] }]);
        const second = await post(k, 'm2', 'bob', [{ key: k.above, score: 'sequence', add: ['m2'] }]);
        expect(await store.readFields(k.counters, ['seq', 'last'])).toEqual(['2', second]);
        expect(await store.readFields(k.refs, ['m1', 'm2', 'm3'])).toEqual(['1', '2', null]);
        const [alice, bob, carol] = await store.readMarks(
          ['alice', 'bob', 'carol'].map((field) => ({
            counters: k.counters,
            marks: k.marks,
            positions: k.positions,
            field,
            above: [k.above],
          })),
        );
        expect(alice).toEqual({ last: 2, lastCursor: second, mark: { n: 1, cursor: first }, above: [1] });
        expect(bob).toEqual({ last: 2, lastCursor: second, mark: { n: 2, cursor: second }, above: [0] });
        expect(carol).toEqual({ last: 2, lastCursor: second, mark: null, above: [2] });
        expect(await store.readMarks([])).toEqual([]);
      });

      it("reads snapshots and an index's newest entry, joined, in the step that reads a mark", async () => {
        const k = keys();
        const members = uniqueName('members');
        const index = uniqueName('history');
        const messages = uniqueName('messages');
        const request = {
          counters: k.counters,
          marks: k.marks,
          positions: k.positions,
          field: 'bob',
          above: [k.above],
          also: {
            snapshots: [
              { key: members, field: 'bob' },
              { key: members, field: 'nobody' },
            ],
            newest: { index, join: messages },
          },
        };
        expect(await store.readMarks([request])).toEqual([
          { last: 0, lastCursor: null, mark: null, above: [0], snapshots: [null, null], newest: null },
        ]);
        await store.append({
          stream,
          events: [event('Joined')],
          snapshot: { ref: { key: members, field: 'bob' }, expectedRev: null, state: { joined: true } },
        });
        const first = await post(k, 'm1', 'alice', [{ key: k.above, score: 'sequence', add: ['m1'] }]);
        const [indexed] = appended(
          await store.append({
            stream,
            events: [event('Posted')],
            snapshot: { ref: { key: messages, field: 'm2' }, expectedRev: null, state: { body: 'two' } },
            indexes: [{ event: 0, key: index, ref: 'm2' }],
          }),
        );
        const [bob, onlySnapshots, plain] = await store.readMarks([
          request,
          { ...request, also: { snapshots: [{ key: members, field: 'bob' }] } },
          { ...request, also: undefined },
        ]);
        expect(bob).toEqual({
          last: 1,
          lastCursor: first,
          mark: null,
          above: [1],
          snapshots: [{ rev: 1, state: { joined: true } }, null],
          newest: { cursor: indexed, ref: 'm2', snapshot: { rev: 1, state: { body: 'two' } } },
        });
        expect(onlySnapshots).toEqual({
          last: 1,
          lastCursor: first,
          mark: null,
          above: [1],
          snapshots: [{ rev: 1, state: { joined: true } }],
        });
        expect(plain).toEqual({ last: 1, lastCursor: first, mark: null, above: [1] });
      });

      it('reads one field of many hashes in the order asked, null where absent', async () => {
        const k = keys();
        const other = keys();
        const first = await post(k, 'm1', 'alice');
        const many = [k.counters, uniqueName('none'), other.counters, ...Array.from({ length: 300 }, () => k.counters)];
        const values = await store.readFieldAcross(many, 'last');
        expect(values.slice(0, 3)).toEqual([first, null, null]);
        expect(values).toHaveLength(303);
        expect(new Set(values.slice(3))).toEqual(new Set([first]));
        expect(await store.readFieldAcross([], 'last')).toEqual([]);
      });

      it('moves a mark forward to any cursor, numbered by the last numbered event at or before it, and never back', async () => {
        const k = keys();
        const first = await post(k, 'm1', 'alice');
        const [between] = appended(await store.append({ stream, events: [event('Edited')] }));
        const second = await post(k, 'm2', 'alice');
        expect(await store.advanceMark(k.marks, 'carol', k.positions, between!)).toEqual({ n: 1, cursor: between });
        expect(await store.advanceMark(k.marks, 'carol', k.positions, first)).toEqual({ n: 1, cursor: between });
        expect(await store.advanceMark(k.marks, 'carol', k.positions, second)).toEqual({ n: 2, cursor: second });
        expect(await store.advanceMark(k.marks, 'dave', k.positions, '1-0')).toEqual({ n: 0, cursor: '1-0' });
        const [carol] = await store.readMarks([
          { counters: k.counters, marks: k.marks, positions: k.positions, field: 'carol', above: [] },
        ]);
        expect(carol!.mark).toEqual({ n: 2, cursor: second });
      });

      it('scores sets by a number or by the sequence, takes members out, and counts those above a mark', async () => {
        const k = keys();
        const seven = uniqueName('seven');
        await post(k, 'm1', 'alice', [{ key: k.above, score: 'sequence', add: ['m1'] }]);
        await post(k, 'm2', 'alice', [{ key: k.above, score: 'sequence', add: ['m2'] }]);
        await store.append({
          stream,
          events: [event('Deleted')],
          scored: [
            { key: k.above, score: 0, remove: ['m2'] },
            { key: seven, score: 7, add: ['x'] },
          ],
        });
        const [bob] = await store.readMarks([
          { counters: k.counters, marks: k.marks, positions: k.positions, field: 'bob', above: [k.above, seven, uniqueName('none')] },
        ]);
        expect(bob!.above).toEqual([1, 1, 0]);
      });
    });

    describe('counters, values and grouped tallies', () => {
      it('moves counters (dropping one that reaches 0) and sets values in the same step', async () => {
        const hash = uniqueName('threads');
        await store.append({
          stream,
          events: [event('Posted')],
          counts: [
            { key: hash, field: 'a', by: 1 },
            { key: hash, field: 'b', by: 2 },
          ],
          values: [{ key: hash, field: 'a:at', value: 'then' }],
        });
        await store.append({ stream, events: [event('Posted')], counts: [{ key: hash, field: 'a', by: 1 }] });
        await store.append({ stream, events: [event('Deleted')], counts: [{ key: hash, field: 'b', by: -2 }] });
        expect(await store.readFields(hash, ['a', 'b', 'a:at'])).toEqual(['2', null, 'then']);
      });

      const tally = (key: string, members: string, op: 'add' | 'remove', group: string, member: string, order: string) => ({
        key,
        field: 'm1',
        members,
        group,
        member,
        order,
        op,
        keep: 2,
        maxGroups: 2,
      });
      const groupsOf = async (key: string) => {
        const [raw] = await store.readFields(key, ['m1']);
        return raw ? JSON.parse(raw) : null;
      };

      it('counts members by group in order of first use, keeps the first few, and refills them when one goes', async () => {
        const key = uniqueName('reactions');
        const members = uniqueName('reactors');
        const change = async (op: 'add' | 'remove', group: string, member: string, order: string) =>
          appended(await store.append({ stream, events: [event('Reacted')], tallies: [tally(key, members, op, group, member, order)] }));
        await change('add', '👍', 'ann', '01');
        await change('add', '🎉', 'bob', '02');
        await change('add', '👍', 'bob', '03');
        await change('add', '👍', 'cat', '04');
        await change('add', '👍', 'cat', '04');
        expect(await groupsOf(key)).toEqual([
          { g: '👍', n: 3, m: ['ann', 'bob'] },
          { g: '🎉', n: 1, m: ['bob'] },
        ]);
        await change('remove', '👍', 'ann', '01');
        await change('remove', '👍', 'ann', '01');
        expect(await groupsOf(key)).toEqual([
          { g: '👍', n: 2, m: ['bob', 'cat'] },
          { g: '🎉', n: 1, m: ['bob'] },
        ]);
        await change('remove', '🎉', 'bob', '02');
        await change('remove', '👍', 'bob', '03');
        await change('remove', '👍', 'cat', '04');
        expect(await groupsOf(key)).toBeNull();
        expect(await store.countSet(members)).toBe(0);
      });

      it('writes rebuilt plain hash fields, and takes fields out', async () => {
        const hash = uniqueName('rebuilt');
        await store.writeRebuilt({
          fields: [
            {
              key: hash,
              values: [
                ['a', '1'],
                ['b', '2'],
              ],
            },
          ],
        });
        await store.writeRebuilt({ fields: [{ key: hash, values: [['c', '3']], remove: ['a'] }] });
        expect(await store.readFields(hash, ['a', 'b', 'c'])).toEqual([null, '2', '3']);
      });

      it('refuses, writing nothing, an add that would start a group past the limit', async () => {
        const key = uniqueName('reactions');
        const members = uniqueName('reactors');
        for (const [group, member] of [
          ['a', 'ann'],
          ['b', 'ann'],
        ] as const) {
          await store.append({ stream, events: [event('Reacted')], tallies: [tally(key, members, 'add', group, member, '1')] });
        }
        const before = await readAll(store, stream);
        const refused = await store.append({ stream, events: [event('Reacted')], tallies: [tally(key, members, 'add', 'c', 'bob', '2')] });
        expect(refused).toEqual({ status: 'refused', reason: 'full', until: null });
        expect(await readAll(store, stream)).toEqual(before);
        // A group that exists takes more members.
        appended(await store.append({ stream, events: [event('Reacted')], tallies: [tally(key, members, 'add', 'a', 'bob', '2')] }));
        expect((await groupsOf(key)).map((g: { g: string; n: number }) => [g.g, g.n])).toEqual([
          ['a', 2],
          ['b', 1],
        ]);
      });
    });

    describe('notes and projected entries', () => {
      it('appends notes to other streams in the same step, and none when the append is refused', async () => {
        const feed = uniqueName('feed');
        const ref = { key: uniqueName('state'), field: 'x' };
        const [cursor] = appended(
          await store.append({
            stream,
            events: [event('Posted')],
            snapshot: { ref, expectedRev: null, state: {} },
            notify: [{ stream: feed, type: 'Activity', data: { roomId: 'r1' } }],
          }),
        );
        const refused = await store.append({
          stream,
          events: [event('Posted')],
          snapshot: { ref, expectedRev: null, state: {} },
          notify: [{ stream: feed, type: 'Activity', data: { roomId: 'r2' } }],
        });
        expect(refused.status).toBe('conflict');
        const notes = await store.readForward(feed, { count: 10 });
        expect(notes.map((note) => [note.type, note.data])).toEqual([['Activity', { roomId: 'r1' }]]);
        expect(compareCursors(notes[0]!.cursor, cursor!)).toBeGreaterThanOrEqual(0);
      });

      it('notes a mark that moved, and nothing when it did not', async () => {
        const feed = uniqueName('feed');
        const [cursor] = appended(await store.append({ stream, events: [event('Posted')] }));
        const marks = uniqueName('marks');
        const note = { stream: feed, type: 'Read', data: { userId: 'u' } };
        await store.advanceMark(marks, 'u', uniqueName('positions'), cursor!, note);
        await store.advanceMark(marks, 'u', uniqueName('positions'), cursor!, note);
        expect((await store.readForward(feed, { count: 10 })).map((n) => n.type)).toEqual(['Read']);
      });

      it('writes entries with given ids in order, skips what is not above the last, keeps about maxLen', async () => {
        const out = uniqueName('projected');
        const entries = ['5-0', '7-1', '7-2'].map((cursor) => ({ cursor, type: 'T', data: { cursor } }));
        expect(await store.writeEntries([{ stream: out, entries }], 1000)).toBe(3);
        expect(await store.writeEntries([{ stream: out, entries: [...entries, { cursor: '9-0', type: 'T', data: {} }] }], 1000)).toBe(1);
        expect(cursorsOf(await store.readForward(out, { count: 10 }))).toEqual(['5-0', '7-1', '7-2', '9-0']);
        const many = Array.from({ length: 300 }, (_, i) => ({ cursor: `${100 + i}-0`, type: 'T', data: {} }));
        await store.writeEntries([{ stream: out, entries: many }], 100);
        const info = await store.streamInfo(out);
        expect(info.length).toBeGreaterThanOrEqual(100);
        expect(info.length).toBeLessThan(304);
        expect(info.lastCursor).toBe('399-0');
        expect(info.maxDeletedCursor).not.toBeNull();
      });

      it('writes into many streams in one call, each its own entries in order, sharing entries between them', async () => {
        const shared = { cursor: '20-0', type: 'A', data: { n: 1 } };
        const streams = Array.from({ length: 600 }, (_, i) => uniqueName(`many${i}`));
        const writes = streams.map((stream, i) => ({
          stream,
          entries: i % 2 ? [shared] : [{ cursor: '10-0', type: 'B', data: {} }, shared],
        }));
        expect(await store.writeEntries(writes, 1000)).toBe(900);
        expect(await store.writeEntries(writes, 1000)).toBe(0);
        expect(cursorsOf(await store.readForward(streams[0]!, { count: 10 }))).toEqual(['10-0', '20-0']);
        expect((await store.readForward(streams[599]!, { count: 10 })).map((e) => [e.cursor, e.type, e.data])).toEqual([
          ['20-0', 'A', { n: 1 }],
        ]);
        expect(await store.writeEntries([], 1000)).toBe(0);
      });

      it("tells the store's time, below which no new cursor falls", async () => {
        const before = await store.serverTime();
        const [cursor] = appended(await store.append({ stream, events: [event('A')] }));
        expect(Number(cursor!.split('-')[0])).toBeGreaterThanOrEqual(before);
      });
    });

    describe('rebuilding a read model beside the live one', () => {
      const beside = (kind: string) => stream.replace(/:log$/, `:${kind}`);

      it('swaps rebuilt keys in while the stream has not moved, and empties what was not rebuilt', async () => {
        const [a, b] = await appendMany(store, stream, 2);
        const [live, rebuilt, liveHash, rebuiltHash] = [beside('index'), beside('index-rebuild'), beside('state'), beside('state-rebuild')];
        await store.writeRebuilt({ index: { key: live, entries: [{ cursor: a!, ref: 'stale' }] } });
        await store.writeRebuilt({ snapshots: { key: liveHash, values: [['stale', { rev: 9, state: 'x' }]] } });
        await store.writeRebuilt({ index: { key: rebuilt, entries: [{ cursor: a!, ref: 'a' }] } });
        await store.writeRebuilt({ index: { key: rebuilt, entries: [{ cursor: b!, ref: 'b' }] } });
        await expect(store.writeRebuilt({ index: { key: rebuilt, entries: [{ cursor: a!, ref: 'again' }] } })).rejects.toThrow();

        const moves = [
          { from: rebuilt, to: live },
          { from: rebuiltHash, to: liveHash },
        ];
        expect(await store.swapRebuilt(stream, a!, moves)).toBe(false);
        expect((await store.readIndexForward(live, { count: 10 })).map((entry) => entry.ref)).toEqual(['stale']);
        expect(await store.swapRebuilt(stream, b!, moves)).toBe(true);
        expect(await store.readIndexForward(live, { count: 10 })).toEqual([
          { cursor: a, ref: 'a' },
          { cursor: b, ref: 'b' },
        ]);
        expect(await store.readIndexForward(rebuilt, { count: 10 })).toEqual([]);
        expect((await store.readAllSnapshots(liveHash)).size).toBe(0);
        expect(await store.swapRebuilt(uniqueName('log'), null, [])).toBe(true);
      });

      it('holds appends while a rebuild swaps, then lets them through onto the swapped model', async () => {
        const [a] = await appendMany(store, stream, 1);
        const [live, rebuilt] = [beside('index'), beside('index-rebuild')];
        await store.writeRebuilt({ index: { key: rebuilt, entries: [{ cursor: a!, ref: 'a' }] } });
        expect(await store.holdAppends(stream, 5_000)).toBe(a);
        const held = store.append({ stream, events: [event('Held')], indexes: [{ event: 0, key: live, ref: 'held' }] });
        // Had the append not waited, the stream would have moved and the swap would refuse.
        expect(await store.swapRebuilt(stream, a!, [{ from: rebuilt, to: live }])).toBe(true);
        const [heldCursor] = appended(await held);
        expect(await store.readIndexForward(live, { count: 10 })).toEqual([
          { cursor: a, ref: 'a' },
          { cursor: heldCursor, ref: 'held' },
        ]);
      });

      it('lets appends through once a hold runs out, and then refuses the late swap', async () => {
        const [a] = await appendMany(store, stream, 1);
        expect(await store.holdAppends(stream, 1)).toBe(a);
        const [b] = appended(await store.append({ stream, events: [event('AfterHold')] }));
        expect(await store.swapRebuilt(stream, a!, [])).toBe(false);
        expect(await store.holdAppends(uniqueName('log'), 1)).toBeNull();
        expect(b).toBeDefined();
      });

      it('deletes leftover keys', async () => {
        const key = beside('state-rebuild');
        await store.writeRebuilt({ snapshots: { key, values: [['f', { rev: 1, state: { n: 1 } }]] } });
        expect(await store.readSnapshot({ key, field: 'f' })).toEqual({ rev: 1, state: { n: 1 } });
        await store.deleteKeys([key]);
        expect(await store.readSnapshot({ key, field: 'f' })).toBeNull();
      });
    });

    describe('consumer groups', () => {
      const group = 'projection:1';

      it('hands each entry to one consumer once, keeps it pending until acknowledged, and says where the group stands', async () => {
        const cursors = await appendMany(store, stream, 5);
        await store.groups.create(stream, group, '0-0');
        await store.groups.create(stream, group, cursors[4]!);
        const first = await store.groups.read(stream, group, 'a', { count: 3, blockMs: 0 });
        const second = await store.groups.read(stream, group, 'b', { count: 10, blockMs: 0 });
        expect(cursorsOf(first)).toEqual(cursors.slice(0, 3));
        expect(cursorsOf(second)).toEqual(cursors.slice(3));
        expect(first[0]).toMatchObject({ type: 'E', data: { i: 0 }, stream });
        expect(await store.groups.read(stream, group, 'a', { count: 10, blockMs: 0 })).toEqual([]);
        await store.groups.ack(stream, group, cursorsOf(first));
        expect(await store.groups.position(stream, group)).toEqual({
          lastDelivered: cursors[4],
          oldestPending: cursors[3],
          pending: 2,
          undelivered: 0,
          oldestUndelivered: null,
        });
        await store.groups.ack(stream, group, cursorsOf(second));
        const [later] = await appendMany(store, stream, 1);
        expect(await store.groups.position(stream, group)).toEqual({
          lastDelivered: cursors[4],
          oldestPending: null,
          pending: 0,
          undelivered: 1,
          oldestUndelivered: later,
        });
        expect(await store.groups.position(stream, 'none')).toBeNull();
      });

      it('starts a group after a cursor, wakes a blocked read with the next append, and ends with the group', async () => {
        const cursors = await appendMany(store, stream, 3);
        await store.groups.create(stream, group, cursors[1]!);
        expect(cursorsOf(await store.groups.read(stream, group, 'a', { count: 10, blockMs: 0 }))).toEqual([cursors[2]]);
        const waiting = store.groups.read(stream, group, 'a', { count: 10, blockMs: 5_000 });
        const [next] = await appendMany(store, stream, 1);
        expect(cursorsOf(await waiting)).toEqual([next]);
        await store.groups.destroy(stream, group);
        await expect(store.groups.read(stream, group, 'a', { count: 1, blockMs: 0 })).rejects.toBeInstanceOf(NoGroupError);
        expect(await store.groups.position(stream, group)).toBeNull();
      });

      it("lets another consumer claim a dead consumer's pending entries", async () => {
        const cursors = await appendMany(store, stream, 3);
        await store.groups.create(stream, group, '0-0');
        await store.groups.read(stream, group, 'dead', { count: 2, blockMs: 0 });
        expect(await store.groups.claimStale(stream, group, 'alive', { minIdleMs: 60_000, count: 10 })).toEqual([]);
        const claimed = await store.groups.claimStale(stream, group, 'alive', { minIdleMs: 0, count: 10 });
        expect(cursorsOf(claimed)).toEqual(cursors.slice(0, 2));
        await store.groups.ack(stream, group, cursorsOf(claimed));
        expect((await store.groups.position(stream, group))?.pending).toBe(0);
      });
    });

    it('reports stream info and trims below a cursor', async () => {
      const cursors = await appendMany(store, stream, 10);
      expect(await store.streamInfo(stream)).toEqual({
        length: 10,
        firstCursor: cursors[0],
        lastCursor: cursors[9],
        maxDeletedCursor: null,
      });

      await store.trim(stream, cursors[3]!);
      expect(await store.streamInfo(stream)).toEqual({
        length: 7,
        firstCursor: cursors[3],
        lastCursor: cursors[9],
        maxDeletedCursor: cursors[2],
      });
      expect(cursorsOf(await readAll(store, stream))).toEqual(cursors.slice(3));

      await store.trim(stream, cursors[3]!);
      expect((await store.streamInfo(stream)).length).toBe(7);
      await store.trim(uniqueName('log'), cursors[3]!);

      await store.trim(stream, pastTheEnd(cursors[9]!));
      expect(await store.streamInfo(stream)).toEqual({
        length: 0,
        firstCursor: null,
        lastCursor: null,
        maxDeletedCursor: cursors[9],
      });
    });

    describe('tailer', () => {
      it('delivers live events in order to several listeners, and nothing after unfollow', async () => {
        const early = await appendMany(store, stream, 2, 'Before');
        const first: RecordedEvent[] = [];
        const second: RecordedEvent[] = [];
        const unfollowFirst = await store.tailer.follow(stream, (events) => first.push(...events));
        const unfollowSecond = await store.tailer.follow(stream, (events) => second.push(...events));

        const live = await appendMany(store, stream, 5, 'Live');
        live.push(...appended(await store.append({ stream, events: [event('Batch'), event('Batch')] })));
        await vi.waitFor(() => expect(cursorsOf(second)).toEqual(live));
        expect(cursorsOf(first)).toEqual(live);
        expect(cursorsOf(first)).not.toContain(early[1]);

        unfollowFirst();
        const later = await appendMany(store, stream, 3, 'Later');
        await vi.waitFor(() => expect(cursorsOf(second)).toEqual([...live, ...later]));
        expect(cursorsOf(first)).toEqual(live);
        unfollowSecond();
      });

      it('starts a newly followed stream promptly while following another', async () => {
        const quiet = uniqueName('log');
        const unfollowQuiet = await store.tailer.follow(quiet, () => {});
        const received: RecordedEvent[] = [];
        const unfollow = await store.tailer.follow(stream, (events) => received.push(...events));
        const cursors = await appendMany(store, stream, 1);
        await vi.waitFor(() => expect(cursorsOf(received)).toEqual(cursors), { timeout: 1_000 });
        unfollow();
        unfollowQuiet();
      });

      it('gives a stream followed again only what comes after the new follow', async () => {
        const first: RecordedEvent[] = [];
        const unfollowFirst = await store.tailer.follow(stream, (events) => first.push(...events));
        const one = await appendMany(store, stream, 1);
        await vi.waitFor(() => expect(cursorsOf(first)).toEqual(one));
        unfollowFirst();
        await appendMany(store, stream, 1, 'Unfollowed');

        const again: RecordedEvent[] = [];
        const unfollowAgain = await store.tailer.follow(stream, (events) => again.push(...events));
        const three = await appendMany(store, stream, 1);
        await vi.waitFor(() => expect(cursorsOf(again)).toEqual(three));
        expect(cursorsOf(first)).toEqual(one);
        unfollowAgain();
      });

      it('keeps delivering when a listener throws', async () => {
        const report = vi.spyOn(console, 'error').mockImplementation(() => {});
        try {
          const received: RecordedEvent[] = [];
          const unfollowThrowing = await store.tailer.follow(stream, () => {
            throw new Error('listener failed');
          });
          const unfollow = await store.tailer.follow(stream, (events) => received.push(...events));
          const cursors = await appendMany(store, stream, 3);
          await vi.waitFor(() => expect(cursorsOf(received)).toEqual(cursors));
          unfollowThrowing();
          unfollow();
        } finally {
          report.mockRestore();
        }
      });
    });

    describe('under concurrency', () => {
      it('keeps every event of 20 concurrent writers, each in its own order', async () => {
        const writers = Array.from({ length: 20 }, (_, writer) =>
          (async () => {
            for (let i = 0; i < 50; i++) await store.append({ stream, events: [event('Written', { writer, i })] });
          })(),
        );
        await Promise.all(writers);

        const log = await readAll(store, stream);
        expect(log).toHaveLength(1_000);
        expectIncreasing(cursorsOf(log));
        for (let writer = 0; writer < 20; writer++) {
          const own = log.filter((recorded) => (recorded.data as { writer: number }).writer === writer);
          expect(own.map((recorded) => (recorded.data as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        }
      });

      it('serialises compare-and-set increments from 10 writers retrying on conflict', async () => {
        const ref = { key: uniqueName('state'), field: 'counter' };
        const increment = async () => {
          for (;;) {
            const current = await store.readSnapshot<{ count: number }>(ref);
            const count = (current?.state.count ?? 0) + 1;
            const result = await store.append({
              stream,
              events: [event('Incremented', { count })],
              snapshot: { ref, expectedRev: current?.rev ?? null, state: { count } },
            });
            if (result.status === 'appended') return;
            expect(result.status).toBe('conflict');
          }
        };
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            for (let i = 0; i < 10; i++) await increment();
          }),
        );

        expect(await store.readSnapshot(ref)).toEqual({ rev: 100, state: { count: 100 } });
        const log = await readAll(store, stream);
        expect(log.map((recorded) => (recorded.data as { count: number }).count)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      });
    });
  });
};
