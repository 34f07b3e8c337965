import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { clockTicksPerSecond } from './childServer.js';
import { log } from './env.js';
import { type LoadOptions, type LoadResult, type Operation, quantile, runLoad, summarize } from './load.js';

/** Parses an INFO reply into field → value. */
export const parseInfo = (text: string): Map<string, string> => {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
};

/** redis-server's own CPU time (all its threads, user + system), in microseconds. */
export const redisCpuMicros = async (admin: Redis): Promise<number> => {
  const info = parseInfo(await admin.info('cpu'));
  return (Number(info.get('used_cpu_user')) + Number(info.get('used_cpu_sys'))) * 1e6;
};

/** Calls per command since start (INFO commandstats), e.g. { evalsha: 12, hget: 24 }. */
export const redisCommandCalls = async (admin: Redis): Promise<Record<string, number>> => {
  const calls: Record<string, number> = {};
  for (const [field, value] of parseInfo(await admin.info('commandstats'))) {
    const match = /^cmdstat_(.+)$/.exec(field);
    const count = /(?:^|,)calls=(\d+)/.exec(value);
    if (match && count) calls[match[1]!] = Number(count[1]);
  }
  return calls;
};

/**
 * CPU time the whole machine spent busy (all cores, /proc/stat: user, nice, system, irq, softirq,
 * steal), in µs; 0 where /proc/stat is missing. Loopback TCP work done in softirq is charged here
 * but to no process.
 */
export const machineBusyMicros = (): number => {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / clockTicksPerSecond()) * 1e6;
  } catch {
    return 0;
  }
};

/**
 * A fixed CPU-bound task timed in this process (median of 3, ms): a gauge of how fast the machine
 * runs at the moment. A shared host's speed drifts; compare µs/op across runs only at similar probes.
 */
export const speedProbeMs = (): number => {
  const once = () => {
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < 10_000; i++)
      sum += (JSON.parse(JSON.stringify({ i, text: 'the quick brown fox', list: [1, 2, 3] })) as { i: number }).i;
    if (sum < 0) throw new Error('unreachable');
    return performance.now() - t0;
  };
  const runs = [once(), once(), once()].sort((a, b) => a - b);
  return runs[1]!;
};

export interface Measured extends LoadResult {
  name: string;
  concurrency: number;
  /** How many separately timed slices the numbers add up (interleaved with other phases). */
  slices: number;
  /** Successful operations per second in each slice, in order: for ratios paired round by round. */
  slicePerSecond: number[];
  /** Server CPU (the child process tree) per successful operation, µs; null when no server took part. */
  serverCpuUsPerOp: number | null;
  /** Server CPU over wall time: 1.0 is one core busy all the time. */
  serverCores: number | null;
  redisCpuUsPerOp: number | null;
  /** The bench process's own CPU (load generator, and whatever the operation does in-process). */
  benchCpuUsPerOp: number;
  benchCores: number;
  /** The whole machine's busy CPU over wall time (e.g. 1.8 of 2 cores). */
  machineCores: number;
  /** Busy CPU that neither the server, Redis nor the bench process accounts for: kernel network
   * work, and anything else running on the machine (a large value means the numbers are disturbed). */
  otherCores: number;
  /** Redis commands per successful operation, by command (INFO itself left out). */
  redisCallsPerOp: Record<string, number>;
  /** `speedProbeMs` before and after each slice. */
  probeMs: number[];
  /** process.hrtime-based windows of the slices (µs, CLOCK_MONOTONIC), for matching a CPU profile. */
  windowsUs: [number, number][];
}

export interface MeasureSources {
  /** Reads the server's CPU time in µs (e.g. `childServer.cpuMicros`). */
  serverCpuMicros?: () => number;
  /** A connection for INFO; redis CPU and command counts are reported when given. */
  redisAdmin?: Redis;
}

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Measures one phase, possibly in several slices interleaved with other phases (so that a shared
 * machine's drift hits every phase alike): each `slice` runs `op` under `runLoad` and adds up the
 * latencies and the CPU spent by the server, by Redis, by the bench process and by the machine.
 */
export interface Meter {
  slice(options: Omit<LoadOptions, 'concurrency'>, op: Operation): Promise<void>;
  result(): Measured;
}

export const createMeter = (name: string, concurrency: number, sources: MeasureSources = {}): Meter => {
  const { serverCpuMicros, redisAdmin } = sources;
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  const calls: Record<string, number> = {};
  const probeMs: number[] = [];
  const windowsUs: [number, number][] = [];
  const slicePerSecond: number[] = [];
  let errors = 0;
  let elapsedMs = 0;
  let server = 0;
  let redis = 0;
  let bench = 0;
  let machine = 0;

  return {
    async slice(options, op) {
      probeMs.push(speedProbeMs());
      const redisBefore = redisAdmin ? await redisCpuMicros(redisAdmin) : 0;
      const callsBefore = redisAdmin ? await redisCommandCalls(redisAdmin) : {};
      const serverBefore = serverCpuMicros?.() ?? 0;
      const benchBefore = process.cpuUsage();
      const machineBefore = machineBusyMicros();
      const windowStart = monotonicMicros();

      const result = await runLoad({ ...options, concurrency, keepLatencies: true }, op);

      windowsUs.push([windowStart, monotonicMicros()]);
      const benchUsage = process.cpuUsage(benchBefore);
      bench += benchUsage.user + benchUsage.system;
      machine += machineBusyMicros() - machineBefore;
      server += (serverCpuMicros?.() ?? 0) - serverBefore;
      if (redisAdmin) {
        redis += (await redisCpuMicros(redisAdmin)) - redisBefore;
        for (const [command, after] of Object.entries(await redisCommandCalls(redisAdmin))) {
          if (command === 'info') continue;
          const delta = after - (callsBefore[command] ?? 0);
          if (delta > 0) calls[command] = (calls[command] ?? 0) + delta;
        }
      }
      probeMs.push(speedProbeMs());
      for (const latency of result.latencies ?? []) latencies.push(latency);
      errors += result.errors;
      for (const message of result.errorSamples) if (errorSamples.length < 5 && !errorSamples.includes(message)) errorSamples.push(message);
      elapsedMs += result.elapsedMs;
      slicePerSecond.push(result.perSecond);
    },

    result() {
      const summary = summarize(latencies, elapsedMs, errors, errorSamples);
      const perOp = (micros: number) => (summary.count > 0 ? micros / summary.count : Number.NaN);
      const cores = (micros: number) => (elapsedMs > 0 ? micros / (elapsedMs * 1000) : Number.NaN);
      const accounted = bench + server + redis;
      return {
        name,
        concurrency,
        slices: windowsUs.length,
        slicePerSecond,
        ...summary,
        serverCpuUsPerOp: serverCpuMicros ? perOp(server) : null,
        serverCores: serverCpuMicros ? cores(server) : null,
        redisCpuUsPerOp: redisAdmin ? perOp(redis) : null,
        benchCpuUsPerOp: perOp(bench),
        benchCores: cores(bench),
        machineCores: cores(machine),
        otherCores: cores(Math.max(0, machine - accounted)),
        redisCallsPerOp: Object.fromEntries(Object.entries(calls).map(([command, n]) => [command, perOp(n)])),
        probeMs,
        windowsUs,
      };
    },
  };
};

/** One phase measured in one go. */
export const measure = async (name: string, options: LoadOptions, op: Operation, sources: MeasureSources = {}): Promise<Measured> => {
  const meter = createMeter(name, options.concurrency, sources);
  await meter.slice(options, op);
  return meter.result();
};

/** Our server's /metrics (Prometheus text). */
export const scrapeMetrics = async (baseUrl: string): Promise<string> => {
  const response = await fetch(new URL('/metrics', baseUrl));
  const text = await response.text();
  if (!response.ok) throw new Error(`/metrics: HTTP ${response.status}: ${text.slice(0, 200)}`);
  return text;
};

/**
 * The value of one sample in Prometheus text, named as printed with its labels (e.g.
 * `balloons_projection_lag_events{projection="directory"}`); NaN when absent.
 */
export const readSample = (text: string, sample: string): number => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? Number.NaN : Number(line.slice(sample.length + 1));
};

/** A server's own CPU time in µs, as its /metrics says (process_cpu_seconds_total, all threads). */
export const scrapeServerCpuMicros = async (baseUrl: string): Promise<number> =>
  readSample(await scrapeMetrics(baseUrl), 'process_cpu_seconds_total') * 1e6;

/**
 * What to subtract from a slice's CPU read between two /metrics scrapes: what one scrape adds to
 * the CPU read between two others (the median of 9 back-to-back pairs, µs), and what the server
 * spends idle (timers, projectors' blocking reads), µs per ms of wall time over two seconds.
 */
export const measureScrapeAndIdle = async (baseUrl: string): Promise<{ overheadUs: number; idleUsPerMs: number }> => {
  const deltas: number[] = [];
  let before = await scrapeServerCpuMicros(baseUrl);
  for (let i = 0; i < 9; i++) {
    const after = await scrapeServerCpuMicros(baseUrl);
    deltas.push(after - before);
    before = after;
  }
  const overheadUs = quantile(Float64Array.from(deltas).sort(), 0.5);
  const idleBefore = await scrapeServerCpuMicros(baseUrl);
  const started = performance.now();
  await new Promise<void>((resolve) => setTimeout(resolve, 2_000));
  const idleUsPerMs = Math.max(0, ((await scrapeServerCpuMicros(baseUrl)) - idleBefore - overheadUs) / (performance.now() - started));
  log(
    `our server: a /metrics scrape costs it ≈ ${Math.round(overheadUs)} µs of CPU, idling ${idleUsPerMs.toFixed(1)} µs per ms (both subtracted)`,
  );
  return { overheadUs, idleUsPerMs };
};
