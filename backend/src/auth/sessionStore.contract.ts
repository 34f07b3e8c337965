import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  SESSION_SLIDE_INTERVAL_MS,
  generateSessionToken,
  toSessionId,
  type SessionStore,
} from './sessionStore.js';

export interface SessionStoreHarness {
  store: SessionStore;
  /**
   * Every key and value the backing storage holds, as text, for backends that can show it. The
   * suite looks for the raw token there; without it, that check is limited to what the API returns.
   */
  readStorage?: () => Promise<string[]>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The behaviour every `SessionStore` must have. `setup` gets the fake clock to inject and returns
 * a store with no sessions in it; the suite closes the store after each test.
 *
 * The clock starts at the real time so that a store which also sets real TTLs from it (Redis)
 * puts them in the future: every expiry the suite sees is decided from stored timestamps.
 */
export const describeSessionStoreContract = (name: string, setup: (now: () => number) => Promise<SessionStoreHarness>): void => {
  describe(`SessionStore contract: ${name}`, () => {
    let time = 0;
    let harness: SessionStoreHarness;
    let store: SessionStore;
    const advance = (ms: number) => {
      time += ms;
    };

    beforeEach(async () => {
      time = Date.now();
      harness = await setup(() => time);
      store = harness.store;
    });

    afterEach(async () => {
      await store.close();
    });

    it('creates a session that its token validates', async () => {
      const start = time;
      const { token, session } = await store.createSession('user-1');

      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(session).toEqual({
        id: toSessionId(token),
        userId: 'user-1',
        createdAt: start,
        expiresAt: start + SESSION_ABSOLUTE_MS,
        idleExpiresAt: start + SESSION_IDLE_MS,
      });
      expect(await store.validateSessionToken(token)).toEqual(session);
    });

    it('answers null for a well-formed token it never issued', async () => {
      await store.createSession('user-1');
      expect(await store.validateSessionToken(generateSessionToken())).toBeNull();
    });

    it('answers null for malformed tokens, including near misses of a real one', async () => {
      const { token } = await store.createSession('user-1');
      const malformed = [
        '',
        'x',
        token.slice(0, -1),
        `${token}A`,
        ` ${token.slice(1)}`,
        `${token.slice(0, -1)}=`,
        `${token.slice(0, -1)}.`,
        toSessionId(token), // the stored id is not a credential
        'a'.repeat(10_000),
      ];
      for (const candidate of malformed) {
        expect(await store.validateSessionToken(candidate), JSON.stringify(candidate.slice(0, 50))).toBeNull();
      }
      expect(await store.validateSessionToken(token)).not.toBeNull();
    });

    it('expires a session unused for the idle period, at the exact millisecond', async () => {
      const { token, session } = await store.createSession('user-1');
      advance(SESSION_IDLE_MS - 1);
      expect(await store.validateSessionToken(token)).not.toBeNull();

      advance(SESSION_IDLE_MS);
      expect(await store.validateSessionToken(token)).toBeNull();
      // Once seen expired it is gone, even if the clock were to go back.
      time -= SESSION_IDLE_MS;
      expect(await store.validateSessionToken(token)).toBeNull();
      if (harness.readStorage) expect((await harness.readStorage()).join('\n')).not.toContain(session.id);
    });

    it('slides the idle deadline with each use', async () => {
      const { token } = await store.createSession('user-1');
      for (let use = 0; use < 3; use++) {
        advance(6 * DAY_MS);
        const session = await store.validateSessionToken(token);
        expect(session?.idleExpiresAt).toBe(time + SESSION_IDLE_MS);
      }
      advance(SESSION_IDLE_MS);
      expect(await store.validateSessionToken(token)).toBeNull();
    });

    it('writes the slid deadline at most about once a minute', async () => {
      const { token, session: created } = await store.createSession('user-1');
      advance(SESSION_SLIDE_INTERVAL_MS / 2);
      expect((await store.validateSessionToken(token))?.idleExpiresAt).toBe(created.idleExpiresAt);

      advance(SESSION_SLIDE_INTERVAL_MS / 2);
      const usedAt = time;
      expect((await store.validateSessionToken(token))?.idleExpiresAt).toBe(usedAt + SESSION_IDLE_MS);

      advance(1000);
      expect((await store.validateSessionToken(token))?.idleExpiresAt).toBe(usedAt + SESSION_IDLE_MS);
    });

    it('ends a session at its absolute deadline even when used every day', async () => {
      const { token, session: created } = await store.createSession('user-1');
      for (let day = 1; day < 30; day++) {
        advance(DAY_MS);
        const session = await store.validateSessionToken(token);
        expect(session, `day ${day}`).not.toBeNull();
        expect(session?.expiresAt).toBe(created.expiresAt);
        expect(session?.idleExpiresAt).toBeLessThanOrEqual(created.expiresAt);
      }
      expect((await store.validateSessionToken(token))?.idleExpiresAt).toBe(created.expiresAt);

      time = created.expiresAt - 1;
      expect(await store.validateSessionToken(token)).not.toBeNull();
      advance(1);
      expect(await store.validateSessionToken(token)).toBeNull();
    });

    it('invalidates one session and leaves the user’s others alone', async () => {
      const first = await store.createSession('user-1');
      const second = await store.createSession('user-1');

      await store.invalidateSession(first.session.id);

      expect(await store.validateSessionToken(first.token)).toBeNull();
      expect(await store.validateSessionToken(second.token)).toEqual(second.session);
    });

    it('ignores invalidation of unknown sessions and users', async () => {
      const { token, session } = await store.createSession('user-1');

      await store.invalidateSession(toSessionId(generateSessionToken()));
      await store.invalidateUserSessions('nobody');

      expect(await store.validateSessionToken(token)).toEqual(session);
    });

    it('invalidates every session of one user and no one else’s', async () => {
      const alice = [await store.createSession('alice'), await store.createSession('alice')];
      const bob = await store.createSession('bob');
      await store.invalidateSession(alice[0]!.session.id);

      await store.invalidateUserSessions('alice');

      for (const { token } of alice) expect(await store.validateSessionToken(token)).toBeNull();
      expect(await store.validateSessionToken(bob.token)).toEqual(bob.session);

      const again = await store.createSession('alice');
      expect(await store.validateSessionToken(again.token)).toEqual(again.session);
      await store.invalidateUserSessions('alice');
      expect(await store.validateSessionToken(again.token)).toBeNull();
    });

    it('issues a fresh token for every session, even for the same user at the same instant', async () => {
      const created = await Promise.all(Array.from({ length: 20 }, () => store.createSession('user-1')));

      expect(new Set(created.map(({ token }) => token)).size).toBe(created.length);
      expect(new Set(created.map(({ session }) => session.id)).size).toBe(created.length);
      for (const { token, session } of created) expect(await store.validateSessionToken(token)).toEqual(session);
    });

    it('never holds the raw token, only its hash', async () => {
      const { token, session } = await store.createSession('user-1');
      advance(DAY_MS); // a slide writes too
      await store.validateSessionToken(token);

      expect(session.id).toBe(toSessionId(token));
      expect(JSON.stringify(session)).not.toContain(token);
      if (!harness.readStorage) return;
      const storage = (await harness.readStorage()).join('\n');
      expect(storage).toContain(session.id); // the dump does see the session
      expect(storage).not.toContain(token);
    });
  });
};
