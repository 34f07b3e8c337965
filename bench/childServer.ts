import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * A server under test in its own process: spawned, awaited until it prints its ready line, its CPU
 * time read from /proc (process.cpuUsage only sees the bench process), and stopped. Every child
 * started here is also killed when the bench process exits, however it exits (see `killAllChildren`).
 */
export interface ChildServer {
  readonly name: string;
  readonly pid: number;
  /** The ready line's first capture group (e.g. the URL after "listening on"), or the whole line. */
  readonly ready: string;
  /** Everything the child printed so far (stdout and stderr), for error messages. */
  output(): string;
  /** User + system CPU time of the child and its descendants, in microseconds. */
  cpuMicros(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Calls `listener` with every chunk the child prints from now on (stdout and stderr); returns an unsubscribe. */
  onOutput(listener: (text: string) => void): () => void;
  /** The process itself (its IPC channel when started with `ipc: true`). */
  readonly process: ChildProcess;
}

export interface StartChildOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Matched against each output line; the server is ready on the first match. */
  readyPattern: RegExp;
  timeoutMs?: number;
  /** Echo the child's output to ours (prefixed with its name). */
  echo?: boolean;
  /** Open an IPC channel (`process.send` in the child). */
  ipc?: boolean;
}

const live = new Set<ChildProcess>();

let clockTicks: number | null = null;
/** Clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
export const clockTicksPerSecond = (): number => {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
};

interface ProcStat {
  pid: number;
  ppid: number;
  ticks: number;
}

/** Parses /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
const readStat = (pid: number): ProcStat | null => {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
};

/** The process and every live descendant (a wrapper like the `tsx` CLI runs the real server as its child). */
const processTree = (root: number): ProcStat[] => {
  const all: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.push(stat);
  }
  const tree: ProcStat[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const pid = frontier.pop()!;
    for (const stat of all) {
      if (stat.pid === pid) tree.push(stat);
      if (stat.ppid === pid) frontier.push(stat.pid);
    }
  }
  return tree;
};

/** CPU time (user + system) of a process and its live descendants, in microseconds. */
export const processTreeCpuMicros = (pid: number): number =>
  (processTree(pid).reduce((sum, s) => sum + s.ticks, 0) / clockTicksPerSecond()) * 1e6;

export const startChild = async (options: StartChildOptions): Promise<ChildServer> => {
  const { name, readyPattern, timeoutMs = 30_000 } = options;
  const proc = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));

  let output = '';
  let ready: string | null = null;
  let onReady: ((value: string) => void) | null = null;
  let partial = '';
  const outputListeners = new Set<(text: string) => void>();
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    for (const listener of outputListeners) listener(text);
    if (output.length > 200_000) output = output.slice(-100_000);
    if (options.echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `));
    if (ready !== null) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const match = readyPattern.exec(line);
      if (match) {
        ready = match[1] ?? match[0];
        onReady?.(ready);
        return;
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);

  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });

  try {
    ready = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not get ready within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      onReady = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
      proc.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`${name} could not start: ${error.message}`));
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before it was ready (${signal ?? `code ${code}`}):\n${output}`));
      });
    });
  } catch (error) {
    proc.kill('SIGKILL');
    await exited;
    throw error;
  }

  const pid = proc.pid!;
  return {
    name,
    pid,
    ready,
    output: () => output,
    process: proc,
    onOutput: (listener) => {
      outputListeners.add(listener);
      return () => outputListeners.delete(listener);
    },
    cpuMicros: () => processTreeCpuMicros(pid),
    stop: async (graceMs = 5_000) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
};

/** Synchronous last resort (for `process.on('exit')`): SIGKILL every child still running. */
export const killAllChildren = (): void => {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
};

/** Stops every child still running, gracefully first. */
export const stopAllChildren = async (graceMs = 3_000): Promise<void> => {
  await Promise.all(
    [...live].map(async (proc) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
};
