#!/usr/bin/env node
// `npm start` and `npm test` on a fresh clone: installs the dependencies (npm ci) when node_modules
// is missing or older than package-lock.json, so the README's two commands work alone. Node's
// built-in modules only (nothing else is there yet). Quiet and quick when they are current.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// npm writes this file at every install: its time is the install's.
const installed = join(root, 'node_modules/.package-lock.json');
const lock = join(root, 'package-lock.json');

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) {
    console.error(`npm ci failed (exit ${install.status ?? install.signal}): see above; the npm registry must be reachable`);
    process.exit(1);
  }
}
