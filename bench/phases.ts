import { log } from './env.js';
import { runLoad } from './load.js';
import { type Measured, type MeasureSources, createMeter } from './metrics.js';

export interface LoadPhase {
  name: string;
  /** One operation; `n` numbers the phase's operations (warm-up included), for unique bodies and clientIds. */
  op: (worker: number, n: number) => Promise<void>;
  sources: MeasureSources;
}

export interface WarmUpAndMeasureOptions {
  concurrency: number;
  warmupSeconds: number;
  /** Measured time per phase, over all rounds (ms). */
  durationMs: number;
  rounds: number;
  /** The progress line before the rounds, given the length of one slice (ms). */
  describe: (sliceMs: number) => string;
  /** Keep going whatever fails (failures are counted, and the warm-up's logged), rather than give up after runLoad's default. */
  tolerateErrors?: boolean;
}

/**
 * Warms each phase up, then measures them in `rounds` interleaved slices (A B C A B C …) that add
 * up to `durationMs` each, so that the drift of a shared machine weighs on every phase alike.
 */
export const warmUpAndMeasure = async (phases: LoadPhase[], options: WarmUpAndMeasureOptions): Promise<Measured[]> => {
  const { concurrency, warmupSeconds, rounds, tolerateErrors = false } = options;
  const maxErrors = tolerateErrors ? { maxErrors: Number.POSITIVE_INFINITY } : {};
  const counted = phases.map((phase) => {
    let n = 0;
    return { ...phase, run: (worker: number) => phase.op(worker, n++), meter: createMeter(phase.name, concurrency, phase.sources) };
  });
  for (const phase of counted) {
    if (warmupSeconds <= 0) break;
    log(`${phase.name}: warming up ${warmupSeconds} s`);
    const warm = await runLoad({ concurrency, durationMs: warmupSeconds * 1000, ...maxErrors }, phase.run);
    if (tolerateErrors && warm.errors > 0) log(`${phase.name} warm-up: ${warm.errors} failures; first: ${warm.errorSamples[0]}`);
  }
  const sliceMs = options.durationMs / rounds;
  log(options.describe(sliceMs));
  for (let round = 0; round < rounds; round++) {
    for (const phase of counted) await phase.meter.slice({ durationMs: sliceMs, ...maxErrors }, phase.run);
  }
  return counted.map((phase) => phase.meter.result());
};
