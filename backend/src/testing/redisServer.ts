import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './freePort.js';

/** A private `redis-server` for tests: its own port and data directory, stoppable and restartable. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, or SIGKILL with `{ kill: true }`), keeping its data directory. */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port and directory (with AOF on, acknowledged data survives). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
  /** Freezes the process (SIGSTOP): its sockets stay open and nothing answers, as on a stalled host. */
  pause(): void;
  /** Lets a paused process go on (SIGCONT). */
  resume(): void;
}

export interface StartTestRedisOptions {
  appendonly?: boolean;
  /** Starts it as a replica of the primary on this port of 127.0.0.1. */
  replicaOf?: number;
  /** More redis-server arguments (the cluster harness's `--cluster-enabled yes`, …). */
  args?: readonly string[];
}

export const startTestRedis = async (options: StartTestRedisOptions = {}): Promise<TestRedis> => {
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'balloons-redis-'));
  let child: ChildProcess | null = null;

  const start = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      options.appendonly ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--protected-mode',
      'no',
      '--loglevel',
      'warning',
      '--daemonize',
      'no',
      ...(options.replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(options.replicaOf)]),
      ...(options.args ?? []),
    ];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntilReady(port, proc, () => output);
  };

  const stop = async ({ kill = false } = {}) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    child = null;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(kill ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    dispose: async () => {
      await stop({ kill: true });
      rmSync(dir, { recursive: true, force: true });
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
};

const waitUntilReady = async (port: number, proc: ChildProcess, output: () => string) => {
  const { Socket } = await import('node:net');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server on port ${port} did not start: ${output()}`);
};
