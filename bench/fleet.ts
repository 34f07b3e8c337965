import { type ChildServer, startChild } from './childServer.js';
import { repoRoot } from './servers.js';
import type { ConnectCommand } from './subscriberFleet.js';

export interface FleetStats {
  sockets: number;
  open: number;
  delivered: number;
  minPerSocket: number;
  maxPerSocket: number;
  socketsWithAny: number;
  errors: number;
  errorSamples: string[];
  /** Sockets opened again after failing before they were ready (`retries` of the connect command). */
  retries: number;
  retrySamples: string[];
  /** The fleet process's own CPU (user + system) since it started, µs. */
  cpuMicros: number;
  rssKiB: number;
  latency: { count: number; p50: number; p90: number; p99: number; max: number };
}

/** The parent's handle on a bench/subscriberFleet.ts child process. */
export interface Fleet {
  readonly name: string;
  readonly child: ChildServer;
  connect(command: Omit<ConnectCommand, 'op'>): Promise<{ sockets: number; opened: number; ms: number }>;
  shrink(target: number): Promise<{ sockets: number }>;
  reset(): Promise<void>;
  stats(): Promise<FleetStats>;
  latency(on: boolean): Promise<void>;
  /** Turns the 10 ms pushes of the delivered count on (with a listener) or off (null). */
  progress(listener: ((delivered: number) => void) | null): Promise<void>;
  stop(): Promise<void>;
}

export const startFleet = async (name: string): Promise<Fleet> => {
  const child = await startChild({
    name,
    command: process.execPath,
    // Room for 5,000 sockets' buffers without GC thrash.
    args: ['--max-semi-space-size=32', '--import', 'tsx', 'bench/subscriberFleet.ts'],
    cwd: repoRoot,
    readyPattern: /fleet ready/,
    ipc: true,
  });
  const proc = child.process;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let onProgress: ((delivered: number) => void) | null = null;
  proc.on('message', (message: { id?: number; ok?: boolean; result?: unknown; error?: string; type?: string; delivered?: number }) => {
    if (message.type === 'progress') return onProgress?.(message.delivered!);
    const entry = waiting.get(message.id!);
    if (!entry) return;
    waiting.delete(message.id!);
    if (message.ok) entry.resolve(message.result);
    else entry.reject(new Error(`${name}: ${message.error}`));
  });
  proc.once('exit', (code, signal) => {
    for (const entry of waiting.values())
      entry.reject(new Error(`${name} exited (${signal ?? `code ${code}`}):\n${child.output().slice(-2_000)}`));
    waiting.clear();
  });
  const call = <T>(command: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!proc.connected) return reject(new Error(`${name} is not running`));
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      proc.send({ id, command });
    });

  return {
    name,
    child,
    connect: (command) => call({ op: 'connect', ...command }),
    shrink: (target) => call({ op: 'shrink', target }),
    reset: () => call({ op: 'reset' }),
    stats: () => call({ op: 'stats' }),
    latency: (on) => call({ op: 'latency', on }),
    progress: async (listener) => {
      onProgress = listener;
      await call({ op: 'progress', on: listener !== null });
    },
    stop: async () => {
      if (proc.connected) await Promise.race([call({ op: 'exit' }), new Promise((resolve) => setTimeout(resolve, 5_000))]).catch(() => {});
      await child.stop(2_000);
    },
  };
};
