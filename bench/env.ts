import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Settings from the environment, and progress lines, shared by the bench entry points. */

/** The number in env var `name` (`fallback` when unset or empty); throws unless it is finite and ≥ `min`. */
export const envNumber = (name: string, fallback: number, min = 0): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}, got ${JSON.stringify(raw)}`);
  return value;
};

/** A progress line on stderr (stdout holds the report). */
export const log = (message: string) => console.error(`· ${message}`);

/** The load average over 1, 5 and 15 minutes, as /proc/loadavg gives it. */
export const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** The facts of the machine a run's figures belong to; `redisInfo` is redis-server's INFO, parsed. */
export const describeMachine = (redisInfo: Map<string, string>) => ({
  node: process.version,
  cores: availableParallelism(),
  redis: redisInfo.get('redis_version') ?? '?',
  loadAverage: loadAverage(),
});
