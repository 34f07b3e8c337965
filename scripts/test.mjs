#!/usr/bin/env node
// Runs every test with Vitest, then prints the closing line CI reads: "N passed, N failed".
// Keeps Vitest's exit code. Extra arguments go to Vitest (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Stops before any test, with the closing line CI reads. */
const stop = (message, status = 1) => {
  if (message) console.error(message);
  console.log('0 passed, 1 failed');
  process.exit(status);
};

// A fresh clone: install the dependencies first (npm ci) when they are missing or stale.
const install = spawnSync(process.execPath, ['scripts/ensureInstalled.mjs'], { stdio: 'inherit' });
if (install.status !== 0) stop('', install.status ?? 1);

// What the tests start or reach on this machine; each missing one is said in one line, with how to get it.
const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const reachable = (port, host) =>
  new Promise((resolve) => {
    const socket = connect(port, host);
    socket.setTimeout(2_000);
    socket.once('connect', () => resolve(socket.end() && true));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => resolve(socket.destroy() && false));
  });
const postgres = new URL(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const missing = [
  !onPath('redis-server') && 'redis-server is not installed: apt-get install redis-server (.ci/run installs it)',
  !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') &&
    "Chromium is not at /usr/bin/chromium: apt-get install chromium fonts-noto-color-emoji, or set CHROMIUM_PATH (.ci/run installs it)",
  !(await reachable(Number(postgres.port || 5432), postgres.hostname)) &&
    `PostgreSQL does not answer on ${postgres.hostname}:${postgres.port || 5432}: apt-get install postgresql, then pg_ctlcluster <version> main start, or set TEST_POSTGRES_URL (.ci/run does both)`,
].filter(Boolean);
if (missing.length > 0) stop(missing.join('\n'));

// The server serves the built UI (security headers, end-to-end tests): build it first when stale.
const build = spawnSync(process.execPath, ['frontend/scripts/ensureBuilt.mjs'], { stdio: 'inherit' });
if (build.status !== 0) stop('', build.status ?? 1);

const dir = mkdtempSync(join(tmpdir(), 'balloons-test-'));
const report = join(dir, 'vitest.json');
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed = result.numPassedTests;
  failed = result.numFailedTests + (result.numTotalTestSuites > 0 && result.success === false && result.numFailedTests === 0 ? 1 : 0);
  skipped = result.numPendingTests + result.numTodoTests;
} catch {
  failed = 1; // no report: Vitest itself failed to run
}
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status ?? 1);
