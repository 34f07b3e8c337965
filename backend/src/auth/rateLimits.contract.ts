import { describe, expect, it } from 'vitest';
import { type ChatCommands, createChatCommands } from '../chat/commands.js';
import { lobbyStreamKey, toRoomStreamKey, toUserStreamKey } from '../chat/keys.js';
import { createChatQueries } from '../chat/queries.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { createMemoryDirectoryStore } from '../projections/roomDirectory/memoryDirectoryStore.js';
import { createDirectoryProjection } from '../projections/roomDirectory/directoryProjection.js';
import type { StoreRedis } from '../redis/client.js';
import type { OpenStore } from '../testing/bothStores.js';
import { RateLimitedError } from './limitErrors.js';
import { type LimitedAction, RATE_LIMIT_RULES, createRateLimits, withRateLimits } from './rateLimits.js';

/**
 * A flood per write: each mutation, called as fast as it can be with inputs that would all
 * succeed, lets exactly its limit's burst through, refuses the rest with RateLimitedError (and a
 * wait), and appends nothing for what it refuses. Run on the in-memory limiter with the in-memory
 * store, and on Redis's (shared by every instance) with the Redis store (rateLimits.int.spec.ts).
 *
 * And the limiter alone (`describeRateLimitsContract`), on every backend including a Cluster
 * (stateStores.cluster.int.spec.ts): each action's burst, then refusals, for keys of every slot.
 */

const burstOf = (action: LimitedAction) => {
  const rule = RATE_LIMIT_RULES[action];
  return rule.points + (rule.burst?.points ?? 0);
};

interface Setup {
  /** Unlimited, for preparing what the flood acts on. */
  plain: ChatCommands;
  roomId: string;
  /** By `other`, more than any burst. */
  othersMessages: string[];
  /** By `actor`, more than any burst. */
  ownMessages: string[];
  people: string[];
  /** The room log's cursors, oldest first. */
  cursors: string[];
  room: Awaited<ReturnType<ChatCommands['createRoom']>>;
}

const FLOOD: { action: LimitedAction; call: (limited: ChatCommands, setup: Setup, i: number) => Promise<unknown> }[] = [
  { action: 'postMessage', call: (c, s, i) => c.postMessage({ actorId: 'actor', roomId: s.roomId, body: `post ${i}` }) },
  { action: 'editMessage', call: (c, s, i) => c.editMessage({ actorId: 'actor', messageId: s.ownMessages[0]!, body: `edit ${i}` }) },
  { action: 'deleteMessage', call: (c, s, i) => c.deleteMessage({ actorId: 'actor', messageId: s.ownMessages[i]! }) },
  { action: 'removeMessage', call: (c, s, i) => c.removeMessage({ actorId: 'actor', messageId: s.othersMessages[i]!, reason: null }) },
  { action: 'renameRoom', call: (c, s, i) => c.renameRoom({ actorId: 'actor', roomId: s.roomId, name: `renamed ${i}` }) },
  { action: 'setStatus', call: (c, _, i) => c.setStatus({ actorId: 'actor', status: i % 2 ? 'AWAY' : 'BUSY' }) },
  {
    action: 'react',
    call: (c, s, i) => (i % 2 ? c.unreact : c.react)({ actorId: 'actor', messageId: s.othersMessages[i >> 1]!, emoji: '👍' }),
  },
  { action: 'pin', call: (c, s, i) => (i % 2 ? c.unpinMessage : c.pinMessage)({ actorId: 'actor', messageId: s.othersMessages[0]! }) },
  { action: 'markRead', call: (c, s, i) => c.markRead({ actorId: 'actor', room: s.room, upTo: s.cursors[i]! }) },
  { action: 'invite', call: (c, s, i) => c.invite({ actorId: 'actor', roomId: s.roomId, handle: s.people[i]! }) },
  { action: 'membership', call: (c, s, i) => (i % 2 ? c.leaveRoom : c.joinRoom)({ actorId: 'actor', roomId: s.roomId }) },
  { action: 'openDirect', call: (c, s, i) => c.openDirect({ actorId: 'actor', handles: [s.people[i]!] }) },
  {
    action: 'moderate',
    call: (c, s, i) =>
      c.moderate({
        actorId: 'actor',
        roomId: s.roomId,
        userId: 'other',
        action: i % 2 ? 'UNMUTE' : 'MUTE',
        until: new Date(Date.now() + 60_000).toISOString(),
      }),
  },
];

const MORE_THAN_ANY_BURST = Math.max(...FLOOD.map(({ action }) => burstOf(action))) + 3;

const setUp = async (store: EventStore, action: LimitedAction): Promise<Setup> => {
  const directory = createMemoryDirectoryStore();
  const queries = createChatQueries(store, { store: directory, projection: createDirectoryProjection(directory) });
  const plain = createChatCommands(store, queries);
  const people = Array.from({ length: MORE_THAN_ANY_BURST }, (_, i) => `person${i}`);
  for (const userId of ['actor', 'other', ...people]) {
    await plain.registerUser({ userId, profile: { handle: userId, displayName: userId, avatarUrl: null } });
  }
  // The actor owns the room (and so moderates it), except where the flood is joining and leaving it.
  const owner = action === 'membership' ? 'other' : 'actor';
  const room = await plain.createRoom({ actorId: owner, name: `flood ${action} ${Math.random()}` });
  const ownMessages: string[] = [];
  const othersMessages: string[] = [];
  for (let i = 0; i < MORE_THAN_ANY_BURST; i++) {
    ownMessages.push((await plain.postMessage({ actorId: 'actor', roomId: room.id, body: `mine ${i}` })).id);
    othersMessages.push((await plain.postMessage({ actorId: 'other', roomId: room.id, body: `theirs ${i}` })).id);
  }
  if (action === 'membership') await plain.leaveRoom({ actorId: 'actor', roomId: room.id });
  const cursors = (await store.readForward(toRoomStreamKey(room.id), { count: 1_000 })).map((event) => event.cursor);
  return { plain, roomId: room.id, room, ownMessages, othersMessages, people, cursors };
};

/** The floods on `open`'s event store, limited by `redisOf()`'s limiter (null: in memory). */
export const describeRateLimitFloods = (name: string, open: OpenStore, redisOf: () => StoreRedis | null) => {
  describe(`a flood of each write is cut at its limit (${name})`, () => {
    it.each(FLOOD)('$action', async ({ action, call }) => {
      const { store, wipe } = await open();
      try {
        const setup = await setUp(store, action);
        const limited = withRateLimits(
          setup.plain,
          createRateLimits({ redis: redisOf() }),
          createChatQueries(store, {
            store: createMemoryDirectoryStore(),
            projection: createDirectoryProjection(createMemoryDirectoryStore()),
          }),
        );
        const burst = burstOf(action);
        for (let i = 0; i < burst; i++) await call(limited, setup, i);
        const logs = [lobbyStreamKey, toRoomStreamKey(setup.roomId), toUserStreamKey('actor')];
        const lengths = async () => Promise.all(logs.map(async (log) => (await store.streamInfo(log)).length));
        const before = await lengths();
        for (let i = burst; i < burst + 3; i++) {
          const refused = await call(limited, setup, i).then(
            () => null,
            (error: unknown) => error,
          );
          expect(refused, `call ${i + 1} of ${action}`).toBeInstanceOf(RateLimitedError);
          expect((refused as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
        }
        expect(await lengths()).toEqual(before);
      } finally {
        await wipe();
      }
    });
  });
};

/**
 * The limits themselves, without the commands: for each action, a key gets exactly its burst, a
 * simultaneous flood too, and then a refusal with a wait; other keys (other slots) are untouched.
 * `redisOf`: the limiter's connection; without it, the in-memory limiter.
 */
export const describeRateLimitsContract = (name: string, redisOf?: () => StoreRedis) => {
  describe(`rate limits (${name})`, () => {
    const run = `${Date.now()}`;
    it.each(Object.keys(RATE_LIMIT_RULES) as LimitedAction[])('%s: the burst, then refusals', async (action) => {
      const limits = createRateLimits({ redis: redisOf?.() ?? null });
      const burst = burstOf(action);
      const points = action === 'queryCost' ? 10_000 : 1;
      const calls = Math.floor(burst / points);
      // Keys spread over slots: each user's limit lives in a slot of its own.
      const users = [`a-${action}-${run}`, `b-${action}-${run}`, `c-${action}-${run}`];
      for (const user of users.slice(0, 2)) for (let i = 0; i < calls; i++) await limits.consume(action, user, points);
      // All at once: exactly what is left of the burst.
      const flood = await Promise.allSettled(Array.from({ length: calls + 3 }, () => limits.consume(action, users[2]!, points)));
      expect(flood.filter((result) => result.status === 'fulfilled')).toHaveLength(calls);
      for (const user of users) {
        const refused = await limits.consume(action, user, points).then(
          () => null,
          (error: unknown) => error,
        );
        expect(refused, `${action} for ${user}`).toBeInstanceOf(RateLimitedError);
        expect((refused as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
      }
      await limits.consume(action, `fresh-${action}-${run}`, points);
    });

    if (redisOf) {
      it('counts what an earlier version counted (the keys are unchanged: an upgrade keeps the limits)', async () => {
        const redis = redisOf();
        const limits = createRateLimits({ redis });
        const user = `upgraded-${run}`;
        // createRoom: one per 10 minutes, and a burst pool of 2 an hour, both spent.
        await redis.set(`chat:rl:createRoom:${user}`, '1', 'EX', 600);
        await redis.set(`chat:rl:createRoom:burst:${user}`, '2', 'EX', 3_600);
        await expect(limits.consume('createRoom', user)).rejects.toBeInstanceOf(RateLimitedError);
        await limits.consume('createRoom', `not-${user}`);
      });
    }
  });
};
