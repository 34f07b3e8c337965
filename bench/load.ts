/**
 * A closed-loop load generator: `concurrency` workers, each running one operation at a time, back to
 * back, until the time (or the operation budget) is up. Every completed operation's latency is
 * recorded; failed ones are counted (and the first few messages kept) but not timed.
 */

/** One operation. `worker` is 0…concurrency-1; `seq` counts that worker's operations from 0. */
export type Operation = (worker: number, seq: number) => Promise<void>;

export interface LoadOptions {
  concurrency: number;
  /** Stop starting operations after this long (ms). At least one of durationMs / maxOps is needed. */
  durationMs?: number;
  /** Stop after this many operations have been started, across all workers. */
  maxOps?: number;
  /** Give up at once after this many failures (default: 100). */
  maxErrors?: number;
  /** Also return the raw latencies (to merge several runs). */
  keepLatencies?: boolean;
}

export interface LoadResult {
  /** Operations that succeeded. */
  count: number;
  errors: number;
  /** First few distinct failure messages. */
  errorSamples: string[];
  /** Wall time from the first start to the last completion (ms). */
  elapsedMs: number;
  /** Successful operations per second of elapsed time. */
  perSecond: number;
  /** Latency percentiles of successful operations, in ms. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** Every successful operation's latency (ms), in completion order; only with `keepLatencies`. */
  latencies?: number[];
}

/** The q-quantile (0…1) of sorted values, nearest-rank. */
export const quantile = (sorted: ArrayLike<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
};

/** Summarises latencies (ms) measured over `elapsedMs`. */
export const summarize = (latencies: number[], elapsedMs: number, errors = 0, errorSamples: string[] = []): LoadResult => {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    errors,
    errorSamples,
    elapsedMs,
    perSecond: elapsedMs > 0 ? (sorted.length * 1000) / elapsedMs : 0,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
};

export class TooManyErrors extends Error {
  constructor(readonly result: LoadResult) {
    super(`load aborted after ${result.errors} failures; first: ${result.errorSamples[0] ?? '?'}`);
    this.name = 'TooManyErrors';
  }
}

export const runLoad = async (options: LoadOptions, op: Operation): Promise<LoadResult> => {
  const { concurrency, durationMs, maxOps, maxErrors = 100 } = options;
  if (durationMs === undefined && maxOps === undefined) throw new Error('runLoad needs durationMs or maxOps');
  if (!(concurrency >= 1)) throw new Error('runLoad needs concurrency ≥ 1');
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let started = 0;
  const t0 = performance.now();
  const deadline = durationMs === undefined ? Number.POSITIVE_INFINITY : t0 + durationMs;
  const more = () => performance.now() < deadline && (maxOps === undefined || started < maxOps) && errors < maxErrors;

  const worker = async (id: number) => {
    for (let seq = 0; more(); seq++) {
      started++;
      const begin = performance.now();
      try {
        await op(id, seq);
        latencies.push(performance.now() - begin);
      } catch (error) {
        errors++;
        const message = error instanceof Error ? error.message : String(error);
        if (errorSamples.length < 5 && !errorSamples.includes(message)) errorSamples.push(message);
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
  const result = summarize(latencies, performance.now() - t0, errors, errorSamples);
  if (errors >= maxErrors) throw new TooManyErrors(result);
  return options.keepLatencies ? { ...result, latencies } : result;
};
