import type { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { ChatCommands } from '../chat/commands.js';
import type { ChatQueries } from '../chat/queries.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { RateLimitedError } from './limitErrors.js';

/**
 * Rate limits, shared by every instance in Redis mode (rate-limiter-flexible's RateLimiterRedis:
 * one Lua script per consume) and per process in embedded mode (RateLimiterMemory).
 *
 * "N burst, then one per T" is rate-limiter-flexible's BurstyRateLimiter: a steady limiter of one
 * per T, and when that is spent, a burst pool of N − 1 that refills over a longer window. A flood
 * gets exactly N through; a steady sender gets one per T, plus the burst pool again once per
 * burst window.
 */

export type LimitedAction = 'postMessage' | 'createRoom' | 'signInStart';

interface Rule {
  /** The steady rate: `points` per `durationSeconds`. */
  points: number;
  durationSeconds: number;
  /** Extra actions allowed at once when the steady rate is spent, renewed every `burstWindowSeconds`. */
  burst?: { points: number; windowSeconds: number };
}

/** The limits. Keys: the user id for posting and room creation, the client IP for sign-in. */
export const RATE_LIMIT_RULES: Record<LimitedAction, Rule> = {
  // 10 at once, then 1 per second.
  postMessage: { points: 1, durationSeconds: 1, burst: { points: 9, windowSeconds: 60 } },
  // 3 at once, then 1 per 10 minutes.
  createRoom: { points: 1, durationSeconds: 600, burst: { points: 2, windowSeconds: 3600 } },
  // 10 a minute per IP address.
  signInStart: { points: 10, durationSeconds: 60 },
};

export interface RateLimits {
  /**
   * Counts one action against the key's limit. Rejects with `RateLimitedError` when over it, and
   * with `StoreUnavailableError` when Redis cannot be asked (the action is refused, not let through).
   */
  consume(action: LimitedAction, key: string): Promise<void>;
}

interface Limiter {
  consume(key: string): Promise<unknown>;
}

const toLimiter = (action: LimitedAction, rule: Rule, redis: Redis | null): Limiter => {
  const make = (points: number, duration: number, prefix: string) =>
    redis
      ? new RateLimiterRedis({ storeClient: redis, points, duration, keyPrefix: prefix, rejectIfRedisNotReady: true })
      : new RateLimiterMemory({ points, duration, keyPrefix: prefix });
  const steady = make(rule.points, rule.durationSeconds, `chat:rl:${action}`);
  if (!rule.burst) return steady;
  return new BurstyRateLimiter(steady, make(rule.burst.points, rule.burst.windowSeconds, `chat:rl:${action}:burst`));
};

/** @param options.redis a connection the caller owns; null for embedded mode. */
export const createRateLimits = (options: { redis: Redis | null; rules?: Record<LimitedAction, Rule> }): RateLimits => {
  const rules = options.rules ?? RATE_LIMIT_RULES;
  const limiters = Object.fromEntries(
    (Object.keys(rules) as LimitedAction[]).map((action) => [action, toLimiter(action, rules[action], options.redis)]),
  ) as Record<LimitedAction, Limiter>;
  return {
    async consume(action, key) {
      try {
        await limiters[action].consume(key);
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
 * The commands with posting and room creation limited per user. The limit is counted before the
 * command runs, so a refused call appends nothing. A refused call that would have changed nothing
 * is answered as it would have been: a retried post (same `clientId`) with its first message, so
 * the client learns that its first attempt went through; a room name that exists with its room.
 *
 * The limit is a Redis call of its own, not part of the append script (which would save a round
 * trip per post): its key is the user's and the append's keys are the room's, and on Redis Cluster
 * one script cannot reach both slots.
 */
export const withRateLimits = (
  commands: ChatCommands,
  limits: RateLimits,
  queries: Pick<ChatQueries, 'findPostedMessage' | 'findRoomByName'>,
): ChatCommands => ({
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
});
