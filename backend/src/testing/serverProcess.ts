import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findFreePort } from './freePort.js';

const require = createRequire(import.meta.url);
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const LISTENING = /balloons listening on (\S+)/;

/** How a server process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A real `balloons` server process (`backend/src/main.ts` under tsx), started and killed by PID. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>` as the process printed it. */
  readonly url: string;
  /** `ws://…/graphql`. */
  readonly wsUrl: string;
  /** Still running (no exit seen yet). */
  readonly alive: boolean;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the process exits, however that happens. */
  readonly exited: Promise<ProcessExit>;
  /** Sends the signal (SIGKILL is `kill -9`, SIGTERM a graceful stop) and resolves on exit. */
  kill(signal?: NodeJS.Signals): Promise<ProcessExit>;
  /** Resident set size in KiB, from /proc/<pid>/status (Linux only). */
  rssKiB(): number;
  /**
   * Only with `{ gcOnSignal: true }`: runs a full garbage collection in the process (SIGUSR2) and
   * resolves with its memory usage right after it, and the RSS then. Makes leak checks compare
   * what is retained rather than how far the heap happened to grow.
   */
  collectGarbage(): Promise<MemorySample>;
}

export interface MemorySample {
  rssKiB: number;
  heapUsedKiB: number;
  externalKiB: number;
}

export interface StartServerProcessOptions {
  /** Names the process in errors. */
  name?: string;
  /** Environment on top of a minimal one (PATH, HOME, …); PORT defaults to a free port. */
  env?: Record<string, string>;
  /** Give up waiting for the listening line after this long. Default 45 s (a loaded 2-core machine starts several in ~15 s). */
  startTimeoutMs?: number;
  /** Start node with --expose-gc and a SIGUSR2 handler that collects garbage (see `collectGarbage`). */
  gcOnSignal?: boolean;
}

/** Test instrumentation preloaded into the server: on SIGUSR2, a full GC, then one line with the memory usage. */
const GC_ON_SIGNAL = `data:text/javascript,${encodeURIComponent(
  "process.on('SIGUSR2', () => { globalThis.gc(); const m = process.memoryUsage(); process.stdout.write('gc-sample ' + JSON.stringify({ heapUsed: m.heapUsed, external: m.external }) + '\\n'); });",
)}`;
const GC_SAMPLE = /gc-sample (\{[^\n]*\})\n/g;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A test process that dies must not leave servers behind: SIGKILL whatever is still running. */
const installExitHook = () => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
};

/**
 * Starts `node --import tsx backend/src/main.ts` with the given environment and resolves once it
 * prints its listening line; rejects with its output if it exits (or stays silent) first.
 *
 * Not the `tsx` CLI: that runs the program in a second, child node process and relays signals, so
 * SIGKILL would kill only the wrapper and leave the real server running; `--import tsx` keeps one
 * process whose PID is the server's (which `kill -9` and the RSS samples need).
 */
export const startServerProcess = async (options: StartServerProcessOptions = {}): Promise<ServerProcess> => {
  const name = options.name ?? 'server';
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  // Rate limits off unless a test asks for them (RATE_LIMITS: '1'): tests post at machine speed.
  Object.assign(env, { NODE_ENV: 'test', RATE_LIMITS: '0' }, options.env);
  if (env.PORT === undefined) env.PORT = String(await findFreePort());

  installExitHook();
  const instrumentation = options.gcOnSignal ? ['--expose-gc', '--import', GC_ON_SIGNAL] : [];
  const child = spawn(process.execPath, [...instrumentation, '--import', pathToFileURL(require.resolve('tsx')).href, MAIN], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  let exit: ProcessExit | null = null;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      exit = { code, signal };
      resolve(exit);
    });
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not print its listening line within ${options.startTimeoutMs ?? 45_000} ms:\n${output}`));
    }, options.startTimeoutMs ?? 45_000);
    const onData = () => {
      const match = LISTENING.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });

  const rssKiB = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!match) throw new Error(`no VmRSS for ${name} (pid ${child.pid})`);
    return Number(match[1]);
  };

  return {
    name,
    pid: child.pid!,
    port: Number(new URL(url).port),
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    get alive() {
      return exit === null;
    },
    output: () => output,
    exited,
    kill: async (signal = 'SIGTERM') => {
      if (exit) return exit;
      child.kill(signal);
      return exited;
    },
    rssKiB,
    collectGarbage: async () => {
      if (!options.gcOnSignal) throw new Error(`${name} was not started with gcOnSignal`);
      if (exit) throw new Error(`${name} has exited`);
      const seen = [...output.matchAll(GC_SAMPLE)].length;
      const sample = new Promise<{ heapUsed: number; external: number }>((resolve, reject) => {
        const onData = () => {
          const samples = [...output.matchAll(GC_SAMPLE)];
          if (samples.length <= seen) return;
          child.stdout!.off('data', onData);
          resolve(JSON.parse(samples[seen]![1]!) as { heapUsed: number; external: number });
        };
        child.stdout!.on('data', onData);
        void exited.then(() => reject(new Error(`${name} exited before sampling memory`)));
      });
      child.kill('SIGUSR2');
      const { heapUsed, external } = await sample;
      return { rssKiB: rssKiB(), heapUsedKiB: Math.round(heapUsed / 1024), externalKiB: Math.round(external / 1024) };
    },
  };
};

/** The origin the instances of multi-process tests run as (their PUBLIC_URL): what their browsers send. */
export const INSTANCE_ORIGIN = 'http://chat.test';

/** Stops a server process gracefully (SIGTERM), or for good (SIGKILL) after `graceMs`. */
export const stopServerProcess = async (server: ServerProcess, graceMs = 5_000) => {
  const timer = setTimeout(() => void server.kill('SIGKILL'), graceMs);
  await server.kill('SIGTERM');
  clearTimeout(timer);
};

/** Development sign-in on one instance; the session cookie ("name=value"). Throws unless it succeeds. */
export const signInAt = async (server: ServerProcess, handle: string): Promise<string> => {
  const response = await fetch(`${server.url}/auth/dev`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: INSTANCE_ORIGIN },
    body: JSON.stringify({ handle }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${handle} failed: ${response.status} ${await response.text()}`);
  return response.headers.getSetCookie()[0]!.split(';')[0]!;
};

/** GraphQL over HTTP on one instance, as a browser of `INSTANCE_ORIGIN` signed in with `cookie`. */
export const gqlAt = async <T = Record<string, any>>(
  server: ServerProcess,
  cookie: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }> => {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      origin: INSTANCE_ORIGIN,
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as never;
};
