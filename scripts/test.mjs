#!/usr/bin/env node
// Runs every test with Vitest, then prints the closing line CI reads: "N passed, N failed".
// Keeps Vitest's exit code. Extra arguments go to Vitest (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The server serves the built UI (security headers, end-to-end tests): build it first when stale.
const build = spawnSync(process.execPath, ['frontend/scripts/ensureBuilt.mjs'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(build.status ?? 1);
}

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
