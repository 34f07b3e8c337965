import { randomUUID } from 'node:crypto';
import { type StoreRedis, execByNode } from '../redis/client.js';
import { callRedis } from '../redis/connection.js';

/**
 * How many WebSockets one user holds, across every instance. Each open socket holds a lease; a
 * lease not renewed expires, so sockets of a crashed instance free their slots after `leaseMs`
 * instead of locking the user out for good.
 */

/** At most this many sockets per user, all instances together. */
export const MAX_SOCKETS_PER_USER = 10;
const DEFAULT_LEASE_MS = 60_000;

export interface SocketLease {
  /** Gives the slot back. Never rejects: a lease that cannot be released expires. */
  release(): Promise<void>;
}

export interface SocketLeases {
  /**
   * A slot for one more socket of the user, or null when the user holds `max` already. Rejects
   * with `StoreUnavailableError` when Redis cannot be asked.
   */
  acquire(userId: string): Promise<SocketLease | null>;
  /** Stops renewing (leases then expire) and forgets the local ones. */
  close(): Promise<void>;
}

interface Options {
  max?: number;
  leaseMs?: number;
}

/** Embedded mode: one process, so a count per user is the whole truth. */
export const createMemorySocketLeases = (options: Options = {}): SocketLeases => {
  const max = options.max ?? MAX_SOCKETS_PER_USER;
  const held = new Map<string, number>();
  return {
    async acquire(userId) {
      const count = held.get(userId) ?? 0;
      if (count >= max) return null;
      held.set(userId, count + 1);
      return new MemorySocketLease(held, userId);
    },
    async close() {
      held.clear();
    },
  };
};

/** One socket's slot in embedded mode. A class: one lives per open socket (memory per idle socket, bench:scale's sockets part). */
class MemorySocketLease implements SocketLease {
  private released = false;
  constructor(
    private readonly held: Map<string, number>,
    private readonly userId: string,
  ) {}
  async release() {
    if (this.released) return;
    this.released = true;
    const left = (this.held.get(this.userId) ?? 1) - 1;
    if (left > 0) this.held.set(this.userId, left);
    else this.held.delete(this.userId);
  }
}

/** One socket's slot in Redis mode: released at most once (its entry in `local` says it is held). */
class RedisSocketLease implements SocketLease {
  constructor(
    private readonly redis: StoreRedis,
    private readonly local: Map<string, string>,
    private readonly leaseId: string,
    private readonly userId: string,
  ) {}
  async release() {
    if (!this.local.delete(this.leaseId)) return;
    await this.redis.zrem(toUserSocketsKey(this.userId), this.leaseId).catch(() => {});
  }
}

/** A user's leases: member = lease id, score = expiry (Redis server time, ms). Hash-tagged like the user's log. */
const toUserSocketsKey = (userId: string) => `chat:{u:${userId}}:sockets`;

const serverTimeMs = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Drops expired leases, then takes a slot if one is free. Server time: instances' clocks may differ.
const ACQUIRE_SCRIPT = `${serverTimeMs}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

// Pushes the lease's expiry out (and brings it back if a stall let it lapse: the socket is still open).
const RENEW_SCRIPT = `${serverTimeMs}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1`;

type Script = (...args: (string | number)[]) => Promise<unknown>;
interface Scripts {
  socketLeaseAcquire: Script;
}

/**
 * Redis mode: leases in a sorted set per user, renewed every `leaseMs / 3` by the instance that
 * holds the socket.
 *
 * On a Redis Cluster as on one Redis: each script names one user's key, and the renewals of many
 * users' leases go in one pipeline per node (`execByNode`). The key is the same on both.
 *
 * @param options.redis a connection the caller owns (one Redis or a Cluster).
 */
export const createRedisSocketLeases = (options: Options & { redis: StoreRedis }): SocketLeases => {
  const { redis } = options;
  const max = options.max ?? MAX_SOCKETS_PER_USER;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const local = new Map<string, string>(); // lease id → user id
  redis.defineCommand('socketLeaseAcquire', { lua: ACQUIRE_SCRIPT, numberOfKeys: 1 });
  redis.defineCommand('socketLeaseRenew', { lua: RENEW_SCRIPT, numberOfKeys: 1 });
  const scripts = redis as unknown as Scripts;

  const renewAll = () => {
    if (local.size === 0) return;
    const renewals = [...local].map(([leaseId, userId]) => {
      const key = toUserSocketsKey(userId);
      return { key, command: ['socketLeaseRenew', key, leaseMs, leaseId] };
    });
    // A missed renewal (on a Cluster, a node's share of them, as in a failover) is retried on the
    // next tick; the lease outlives two of them.
    execByNode(redis, renewals).catch(() => {});
  };
  const timer = setInterval(renewAll, Math.floor(leaseMs / 3));
  timer.unref();

  return {
    async acquire(userId) {
      const leaseId = randomUUID();
      const granted = await callRedis(() => scripts.socketLeaseAcquire(toUserSocketsKey(userId), max, leaseMs, leaseId));
      if (granted !== 1) return null;
      local.set(leaseId, userId);
      return new RedisSocketLease(redis, local, leaseId, userId);
    },
    async close() {
      clearInterval(timer);
      const leases = [...local];
      local.clear();
      await Promise.all(leases.map(([leaseId, userId]) => redis.zrem(toUserSocketsKey(userId), leaseId).catch(() => {})));
    },
  };
};
