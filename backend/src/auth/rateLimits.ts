import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { ChatCommands } from '../chat/commands.js';
import type { ChatQueries } from '../chat/queries.js';
import type { StoreRedis } from '../redis/client.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { RateLimitedError } from './limitErrors.js';

/**
 * Rate limits, shared by every instance in Redis mode (rate-limiter-flexible's RateLimiterRedis:
 * one Lua script per consume) and per process in embedded mode (RateLimiterMemory).
 *
 * On a Redis Cluster as on one Redis: each consume is one single-key script (`rlflxIncr` on
 * `chat:rl:<action>:<key>`, or `…:burst:<key>` for the burst pool, consumed by a call of its own),
 * which ioredis routes by its key; nothing spans slots, so the keys are unchanged.
 *
 * "N burst, then one per T" is rate-limiter-flexible's BurstyRateLimiter: a steady limiter of one
 * per T, and when that is spent, a burst pool of N − 1 that refills over a longer window. A flood
 * gets exactly N through; a steady sender gets one per T, plus the burst pool again once per
 * burst window.
 */

export type LimitedAction =
  | 'postMessage'
  | 'createRoom'
  | 'signInStart'
  | 'editMessage'
  | 'deleteMessage'
  | 'removeMessage'
  | 'renameRoom'
  | 'setStatus'
  | 'react'
  | 'pin'
  | 'markRead'
  | 'invite'
  | 'membership'
  | 'openDirect'
  | 'moderate'
  | 'queryCost';

interface Rule {
  /** The steady rate: `points` per `durationSeconds`. */
  points: number;
  durationSeconds: number;
  /** Extra actions allowed at once when the steady rate is spent, renewed every `burstWindowSeconds`. */
  burst?: { points: number; windowSeconds: number };
}

/** N at once (the first and a burst pool of N − 1), then one per `everySeconds`. */
const burstThen = (n: number, everySeconds: number, windowSeconds = 60): Rule => ({
  points: 1,
  durationSeconds: everySeconds,
  burst: { points: n - 1, windowSeconds },
});
/** `n` per second, `burst` at once. */
const perSecond = (n: number, burst: number): Rule => ({ points: n, durationSeconds: 1, burst: { points: burst - n, windowSeconds: 60 } });

/**
 * The limits: every write has one, suited to how people use it. Keys: the user id, but the client
 * IP for sign-in. Actions that people repeat quickly in a row (reactions, read markers) allow more; those that reach many (a status goes to every room of the person, a rename to every
 * member) or that spam others (invitations, direct conversations) allow less.
 */
export const RATE_LIMIT_RULES: Record<LimitedAction, Rule> = {
  postMessage: burstThen(10, 1),
  createRoom: burstThen(3, 600, 3_600),
  // 10 a minute per IP address.
  signInStart: { points: 10, durationSeconds: 60 },
  editMessage: burstThen(10, 2),
  deleteMessage: burstThen(20, 1),
  // Moderators cleaning up after a spammer.
  removeMessage: perSecond(2, 30),
  renameRoom: burstThen(3, 60, 600),
  setStatus: burstThen(5, 10),
  // react and unreact together.
  react: perSecond(3, 30),
  // pinMessage and unpinMessage together.
  pin: burstThen(10, 2),
  // The UI marks a room read as its newest message comes into view.
  markRead: perSecond(5, 60),
  invite: burstThen(20, 3, 600),
  // joinRoom, leaveRoom and declineInvite together.
  membership: burstThen(20, 1),
  openDirect: burstThen(10, 6, 600),
  // kick, ban, mute, unban, unmute and setRole together.
  moderate: perSecond(2, 30),
  // What queries may cost (graphql/cost.ts: the values an answer can hold), per user or, signed
  // out, per address: 160,000 every 10 s, and 480,000 more at once. A room's page costs some
  // thousands; a document that asks for everything, up to 80,000.
  queryCost: { points: 160_000, durationSeconds: 10, burst: { points: 480_000, windowSeconds: 60 } },
};

export interface RateLimits {
  /**
   * Counts one action (or `points` of it) against the key's limit. Rejects with `RateLimitedError`
   * when over it, and with `StoreUnavailableError` when Redis cannot be asked (the action is
   * refused, not let through).
   */
  consume(action: LimitedAction, key: string, points?: number): Promise<void>;
}

interface Limiter {
  consume(key: string, points?: number): Promise<unknown>;
}

const toLimiter = (action: LimitedAction, rule: Rule, redis: StoreRedis | null): Limiter => {
  const make = (points: number, duration: number, prefix: string) =>
    redis
      ? new RateLimiterRedis({ storeClient: redis, points, duration, keyPrefix: prefix, rejectIfRedisNotReady: true })
      : new RateLimiterMemory({ points, duration, keyPrefix: prefix });
  const steady = make(rule.points, rule.durationSeconds, `chat:rl:${action}`);
  if (!rule.burst) return steady;
  return new BurstyRateLimiter(steady, make(rule.burst.points, rule.burst.windowSeconds, `chat:rl:${action}:burst`));
};

/** @param options.redis a connection the caller owns (one Redis or a Cluster); null for embedded mode. */
export const createRateLimits = (options: { redis: StoreRedis | null; rules?: Record<LimitedAction, Rule> }): RateLimits => {
  const rules = options.rules ?? RATE_LIMIT_RULES;
  const limiters = Object.fromEntries(
    (Object.keys(rules) as LimitedAction[]).map((action) => [action, toLimiter(action, rules[action], options.redis)]),
  ) as Record<LimitedAction, Limiter>;
  return {
    async consume(action, key, points = 1) {
      try {
        await limiters[action].consume(key, points);
      } catch (error) {
        if (error instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(error.msBeforeNext)));
        throw new StoreUnavailableError(error);
      }
    },
  };
};

/**
 * Counts one `action` for `actorId`, then runs it. When the limit refuses it, `unchanged` says what
 * the call would answer without writing anything (a retried post, a room name that exists): that
 * answer is given instead, since no limit applies to what changes nothing.
 */
const limited = async <T>(
  limits: RateLimits,
  action: LimitedAction,
  actorId: string,
  unchanged: () => Promise<T | null>,
  run: () => Promise<T>,
): Promise<T> => {
  try {
    await limits.consume(action, actorId);
  } catch (error) {
    const answer = error instanceof RateLimitedError ? await unchanged() : null;
    if (answer) return answer;
    throw error;
  }
  return run();
};

/**
 * The commands with every write limited per user (`RATE_LIMIT_RULES`). The limit is counted before
 * the command runs, so a refused call appends nothing. A refused call that would have changed
 * nothing is answered as it would have been: a retried post (same `clientId`) with its first
 * message, so the client learns that its first attempt went through; a room name that exists with
 * its room.
 *
 * The limit is a Redis call of its own, not part of the append script (which would save a round
 * trip per post): its key is the user's and the append's keys are the room's, and on Redis Cluster
 * one script cannot reach both slots.
 */
export const withRateLimits = (
  commands: ChatCommands,
  limits: RateLimits,
  queries: Pick<ChatQueries, 'findPostedMessage' | 'findRoomByName'>,
): ChatCommands => {
  const nothing = async () => null;
  /** A command counted against `action` for its actor. */
  const limit =
    <I extends { actorId: string }, T>(action: LimitedAction, run: (input: I) => Promise<T>) =>
    (input: I) =>
      limited(limits, action, input.actorId, nothing, () => run(input));
  return {
    ...commands,
    postMessage: (input) => {
      const { clientId } = input;
      const retried = async () => (clientId ? queries.findPostedMessage({ ...input, clientId }) : null);
      return limited(limits, 'postMessage', input.actorId, retried, () => commands.postMessage(input));
    },
    createRoom: (input) =>
      limited(
        limits,
        'createRoom',
        input.actorId,
        () => queries.findRoomByName(input.name),
        () => commands.createRoom(input),
      ),
    editMessage: limit('editMessage', commands.editMessage),
    deleteMessage: limit('deleteMessage', commands.deleteMessage),
    removeMessage: limit('removeMessage', commands.removeMessage),
    renameRoom: limit('renameRoom', commands.renameRoom),
    setStatus: limit('setStatus', commands.setStatus),
    react: limit('react', commands.react),
    unreact: limit('react', commands.unreact),
    pinMessage: limit('pin', commands.pinMessage),
    unpinMessage: limit('pin', commands.unpinMessage),
    markRead: limit('markRead', commands.markRead),
    invite: limit('invite', commands.invite),
    joinRoom: limit('membership', commands.joinRoom),
    leaveRoom: limit('membership', commands.leaveRoom),
    declineInvite: limit('membership', commands.declineInvite),
    openDirect: limit('openDirect', commands.openDirect),
    moderate: limit('moderate', commands.moderate),
  };
};
