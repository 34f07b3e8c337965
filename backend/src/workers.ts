import cluster, { type Worker } from 'node:cluster';

/** A worker that dies this soon after another was started for it is not started again (a crash loop). */
const RESTART_WINDOW_MS = 1_000;

/**
 * The primary process of `WORKERS` > 1: starts that many server processes, which share the one
 * port (Node's cluster hands connections round) and nothing else but Redis, as separate instances
 * do. A worker that dies after it started listening is replaced; one that fails before (its start
 * error is its own one line) stops them all, and the primary exits 1. SIGTERM or SIGINT stops each
 * worker gracefully; the primary exits once they all have, 0 when they all did.
 */
export const runWorkers = (count: number) => {
  let stopping = false;
  let failed = false;
  const listening = new WeakSet<Worker>();
  const startedAt = new WeakMap<Worker, number>();

  const start = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.once('listening', () => listening.add(worker));
    worker.once('exit', (code, signal) => {
      if (stopping) return finishIfDone();
      if (!listening.has(worker) || Date.now() - startedAt.get(worker)! < RESTART_WINDOW_MS) {
        failed = true;
        return stop();
      }
      console.error(`worker ${worker.process.pid} ended (${signal ?? `exit ${code}`}): starting another`);
      start();
    });
  };
  const finishIfDone = () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
  };
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    finishIfDone();
  };
  cluster.on('exit', (_worker, code) => {
    if (stopping && code !== 0) failed = true;
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < count; i++) start();
  console.log(`balloons: ${count} server processes on one port (WORKERS)`);
};
