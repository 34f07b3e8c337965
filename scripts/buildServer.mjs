#!/usr/bin/env node
// `npm start` and the benchmarks: transpiles the server (backend/src/**/*.ts, without specs, contract
// suites and testing/) into backend/build/, one .js and .js.map per source, same folder tree, so
// `new URL('../../../frontend/', import.meta.url)` still finds the repository's folders.
//
// Why not run through tsx: it compiles with esbuild's keepNames, which wraps every named closure in
// `__name(...)`; measured at ~6.8 KiB of heap per idle WebSocket subscription. This is plain
// transpilation (no bundling, no type check: `npm run typecheck` does that).
//
// Incremental: a manifest records each source's mtime and size as compiled; only sources that
// changed (or lost their output) are compiled again, outputs of deleted sources are removed, and a
// change of esbuild, of these options or of this script rebuilds everything. A no-op when current.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const srcDir = join(root, 'backend/src');
const outDir = join(root, 'backend/build');
const manifestPath = join(outDir, '.manifest.json');

/** esbuild options shared by every file; part of the manifest's key. */
const OPTIONS = {
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  keepNames: false,
  logLevel: 'warning',
};

/** Sources under backend/src (paths relative to it, '/'-separated) that make up the server. */
const listSources = (dir = srcDir) => {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(srcDir, path).split(sep).join('/');
    if (entry.isDirectory()) {
      // Spec helpers, fixtures and the fake X provider: nothing the server imports.
      if (rel !== 'testing') found.push(...listSources(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !/\.(spec|contract)\.ts$/.test(entry.name)) {
      found.push(rel);
    }
  }
  return found;
};

const toOutput = (rel) => join(outDir, rel.replace(/\.ts$/, '.js'));

const readManifest = () => {
  try {
    return JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return null;
  }
};

/**
 * Brings backend/build/ up to date; answers how many files were compiled and removed. Throws (with
 * esbuild's messages printed) when a source does not compile; the manifest then keeps the files
 * compiled before, so the next run retries the failed ones.
 */
export const buildServer = async () => {
  const esbuildVersion = JSON.parse(readFileSync(join(root, 'node_modules/esbuild/package.json'), 'utf8')).version;
  const key = createHash('sha256')
    .update(JSON.stringify({ esbuildVersion, OPTIONS }))
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .digest('hex')
    .slice(0, 16);
  const previous = readManifest();
  const known = previous?.key === key ? previous.files : {};

  const sources = listSources();
  const files = {};
  const stale = [];
  for (const rel of sources) {
    // Read before compiling: a source saved during the build differs next time and is compiled again.
    const { mtimeMs, size } = statSync(join(srcDir, rel));
    files[rel] = { mtimeMs, size };
    const was = known[rel];
    if (!was || was.mtimeMs !== mtimeMs || was.size !== size || !existsSync(toOutput(rel))) stale.push(rel);
  }

  const removed = [];
  for (const rel of Object.keys(previous?.files ?? {})) {
    if (files[rel]) continue;
    rmSync(toOutput(rel), { force: true });
    rmSync(`${toOutput(rel)}.map`, { force: true });
    removed.push(rel);
  }

  if (stale.length > 0) {
    const { build } = await import('esbuild');
    mkdirSync(outDir, { recursive: true });
    await build({
      ...OPTIONS,
      entryPoints: stale.map((rel) => join(srcDir, rel)),
      outbase: srcDir,
      outdir: outDir,
      tsconfig: join(root, 'tsconfig.json'),
    });
  }
  if (stale.length > 0 || removed.length > 0 || previous?.key !== key) {
    mkdirSync(dirname(manifestPath), { recursive: true });
    writeFileSync(manifestPath, `${JSON.stringify({ key, files }, null, 1)}\n`);
  }
  return { compiled: stale.length, removed: removed.length, total: sources.length };
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  try {
    const { compiled, removed, total } = await buildServer();
    if (compiled > 0 || removed > 0) {
      const ms = Math.round(performance.now() - started);
      console.log(
        `built the server (backend/build): ${compiled} of ${total} files compiled${removed ? `, ${removed} removed` : ''} in ${ms} ms`,
      );
    }
  } catch (error) {
    // esbuild has printed the compile errors already.
    console.error(`cannot build the server: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exit(1);
  }
}
