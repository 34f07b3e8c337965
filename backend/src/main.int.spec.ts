import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { startTestRedis } from './testing/redisServer.js';

/*
 * The process as an operator runs it: `tsx backend/src/main.ts` with an environment. Bad
 * configuration stops it with one line naming the variable; a good one serves until SIGTERM.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;

/** Only what the process needs from this environment: nothing of ours (REDIS_URL…) leaks in. */
const baseEnv = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0' });

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line matching, rejects if the process exits first. */
  line(pattern: RegExp): Promise<RegExpMatchArray>;
}

const start = (env: Record<string, string>): Run => {
  const child = spawn(tsx, ['backend/src/main.ts'], { cwd: root, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const watcher of watchers) watcher();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (match) {
            watchers.delete(check);
            resolve(match);
          }
        };
        watchers.add(check);
        check();
        void exited.then(({ code }) => reject(new Error(`exited with ${code} before ${pattern}: ${stdout}${stderr}`)));
      }),
  };
};

/** Non-empty lines; a stack trace would add "    at …" lines. */
const linesOf = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

// Each case starts its own process (a second or two of tsx): run them side by side.
describe('main', { timeout: 60_000 }, () => {
  it.concurrent.for([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['REDIS_URL', { REDIS_URL: 'nonsense' }],
    ['REDIS_URL', { REDIS_URL: 'http://localhost:6379' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/chat' }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/chat' }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/balloons_no_such_database' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'x' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://chat.example.com' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'chat.example.com' }],
    ['AUTH_DEV_LOGIN', { AUTH_DEV_LOGIN: 'maybe' }],
    ['TWITTER_CLIENT_SECRET', { TWITTER_CLIENT_ID: 'id' }],
    ['TWITTER_CLIENT_ID', { TWITTER_CLIENT_SECRET: 'secret' }],
    ['WORKERS', { WORKERS: 'many' }],
    ['WORKERS', { WORKERS: '2' }],
  ] as const)('stops with exit code 1 and one line naming %s for %j', async ([variable, env], { expect }) => {
    const run = start(env);
    const { code } = await run.exited;
    expect(code).toBe(1);
    const lines = linesOf(run.stderr());
    expect(lines, run.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${variable}\\b`));
    expect(run.stdout()).not.toMatch(/listening/);
  });

  it('stops with exit code 1 and one line naming REDIS_URL when Redis cannot be reached at start', async () => {
    const run = start({ REDIS_URL: 'redis://127.0.0.1:1' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(linesOf(run.stderr()), run.stderr()).toHaveLength(1);
    expect(run.stderr()).toMatch(/^REDIS_URL\b/);
  });

  it('starts without REDIS_URL, warns that nothing survives a restart, serves, and exits 0 on SIGTERM', async () => {
    const run = start({});
    try {
      const [, url] = await run.line(/listening on (http:\/\/\S+)/);
      expect(run.stderr()).toMatch(/REDIS_URL/);
      expect(run.stderr()).toMatch(/nothing survives a restart/);
      // No Redis, so no word about each instance's own search index either.
      expect(linesOf(run.stderr())).toHaveLength(1);

      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${url}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', store: 'memory' });

      run.child.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(linesOf(run.stderr())).toHaveLength(1);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('runs WORKERS server processes on one port, replaces one that dies, and stops them all on SIGTERM', async () => {
    const redis = await startTestRedis();
    const run = start({ REDIS_URL: redis.url, WORKERS: '2' });
    const workers = () =>
      [...run.stdout().matchAll(/listening on (http:\/\/\S+) .*process (\d+)\)/g)].map((match) => ({
        url: match[1]!,
        pid: Number(match[2]),
      }));
    try {
      await run.line(/2 server processes on one port/);
      await run.line(/listening on [\s\S]*listening on /);
      const [first, second] = workers();
      expect(first!.pid).not.toBe(second!.pid);
      expect(first!.url).toBe(second!.url);
      expect((await fetch(`${first!.url}/healthz`)).status).toBe(200);

      // One dies: another takes its place, and the port keeps answering.
      process.kill(first!.pid, 'SIGKILL');
      await vi.waitFor(() => expect(workers()).toHaveLength(3), { timeout: 30_000, interval: 50 });
      expect(run.stderr()).toMatch(new RegExp(`worker ${first!.pid} ended \\(SIGKILL\\): starting another`));
      for (let i = 0; i < 10; i++) expect((await fetch(`${first!.url}/healthz`)).status).toBe(200);

      run.child.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      for (const { pid } of workers().slice(1)) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      run.child.kill('SIGKILL');
      for (const { pid } of workers()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await redis.dispose();
    }
  });
});
