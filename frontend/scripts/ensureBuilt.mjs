#!/usr/bin/env node
// `npm start`: builds the UI into frontend/dist first when it is missing or older than its sources,
// so a fresh clone serves the real UI. Quiet and quick when the build is current.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = join(root, 'frontend/dist/index.html');
const sources = ['frontend/src', 'frontend/public', 'frontend/index.html', 'vite.config.ts', 'package-lock.json'].map((p) => join(root, p));

const newest = (path) => {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
};

const stale = !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;
if (stale) {
  console.log('building the UI (frontend/dist)…');
  const { build } = await import('vite');
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
