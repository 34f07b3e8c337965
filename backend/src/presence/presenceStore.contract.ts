import { describe, expect, it } from 'vitest';
import type { PresenceStore } from './presenceStore.js';

/** One suite for every PresenceStore: leases, grace, sweeping, typing throttle. */
export const describePresenceStoreContract = (name: string, setup: () => Promise<{ store: PresenceStore; cleanup(): Promise<void> }>) => {
  describe(`presence store contract: ${name}`, () => {
    const withStore = (test: (store: PresenceStore) => Promise<void>) => async () => {
      const { store, cleanup } = await setup();
      try {
        await test(store);
      } finally {
        await cleanup();
      }
    };
    const t0 = Date.now();
    const lease = (userId: string, leaseId: string, roomId = 'room1') => ({ roomId, userId, leaseId });

    it(
      'joins a user on their first lease only',
      withStore(async (store) => {
        expect(await store.enter(lease('alice', 'a1'), t0 + 1000)).toEqual({ joined: true });
        expect(await store.enter(lease('alice', 'a2'), t0 + 1000)).toEqual({ joined: false });
        expect(await store.enter(lease('bob', 'b1'), t0 + 1000)).toEqual({ joined: true });
        expect((await store.listOnline('room1')).sort()).toEqual(['alice', 'bob']);
        expect(await store.listOnline('room2')).toEqual([]);
        expect(await store.countOnline(['room2', 'room1', 'room1'])).toEqual([0, 2, 2]);
        expect(await store.countOnline([])).toEqual([]);
      }),
    );

    it(
      'keeps a user through the grace period after the last release, and a quick return is no join',
      withStore(async (store) => {
        await store.enter(lease('alice', 'a1'), t0 + 1000);
        await store.release(lease('alice', 'a1'), t0 + 200);
        expect(await store.sweep(t0 + 100)).toEqual([]);
        expect(await store.listOnline('room1')).toEqual(['alice']);
        expect(await store.enter(lease('alice', 'a2'), t0 + 1000)).toEqual({ joined: false });
        expect(await store.sweep(t0 + 300)).toEqual([]);
        expect(await store.listOnline('room1')).toEqual(['alice']);
      }),
    );

    it(
      'finds departures when leases expire, each once',
      withStore(async (store) => {
        await store.enter(lease('alice', 'a1'), t0 + 100);
        await store.enter(lease('alice', 'a2'), t0 + 300);
        await store.enter(lease('bob', 'b1'), t0 + 100);
        await store.enter(lease('carol', 'c1', 'room2'), t0 + 100);
        const sweeps = await Promise.all([store.sweep(t0 + 150), store.sweep(t0 + 150), store.sweep(t0 + 150)]);
        const departures = sweeps.flat().sort((a, b) => a.roomId.localeCompare(b.roomId));
        expect(departures).toEqual([
          { roomId: 'room1', userIds: ['bob'] },
          { roomId: 'room2', userIds: ['carol'] },
        ]);
        expect(await store.listOnline('room1')).toEqual(['alice']);
        expect(await store.sweep(t0 + 400)).toEqual([{ roomId: 'room1', userIds: ['alice'] }]);
        expect(await store.listOnline('room1')).toEqual([]);
        expect(await store.enter(lease('alice', 'a3'), t0 + 1000)).toEqual({ joined: true });
      }),
    );

    it(
      'renews live leases and answers the ones that were swept',
      withStore(async (store) => {
        await store.enter(lease('alice', 'a1'), t0 + 100);
        await store.enter(lease('bob', 'b1'), t0 + 100);
        await store.sweep(t0 + 50);
        expect(await store.renew([lease('alice', 'a1')], t0 + 1000)).toEqual([]);
        await store.sweep(t0 + 150);
        expect(await store.listOnline('room1')).toEqual(['alice']);
        expect(await store.renew([lease('alice', 'a1'), lease('bob', 'b1')], t0 + 2000)).toEqual([lease('bob', 'b1')]);
      }),
    );

    it(
      'knows the rooms a user is in',
      withStore(async (store) => {
        await store.enter(lease('alice', 'a1', 'room1'), t0 + 1000);
        await store.enter(lease('alice', 'a2', 'room2'), t0 + 1000);
        await store.enter(lease('bob', 'b1', 'room3'), t0 + 1000);
        expect((await store.roomsOf('alice', t0)).sort()).toEqual(['room1', 'room2']);
        await store.enter(lease('alice', 'a3', 'room4'), t0 + 100);
        await store.sweep(t0 + 200);
        expect((await store.roomsOf('alice', t0 + 200)).sort()).toEqual(['room1', 'room2']);
      }),
    );

    it(
      'throttles typing per user and room',
      withStore(async (store) => {
        expect(await store.claimTyping('room1', 'alice', 60_000)).toBe(true);
        expect(await store.claimTyping('room1', 'alice', 60_000)).toBe(false);
        expect(await store.claimTyping('room1', 'bob', 60_000)).toBe(true);
        expect(await store.claimTyping('room2', 'alice', 60_000)).toBe(true);
      }),
    );
  });
};
