import { readFileSync, readdirSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a process's CPU went, from a V8 `.cpuprofile` (node --cpu-prof): self time grouped by
 * package (node_modules/<pkg>), by our own source file, or by V8/Node category. Cheap to read and
 * enough to say which layer dominates; open the file in Chrome DevTools for the call tree.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber?: number; columnNumber?: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileBucket {
  bucket: string;
  /** Share of the non-idle samples in the window, 0…1. */
  share: number;
  ms: number;
}

/**
 * Our server runs from backend/build/ (scripts/buildServer.mjs), one .js per source with its source
 * map beside it (`<file>.js.map`, the source's text included): by compiled path, the original's path
 * and lines, or null for files without a map.
 */
interface CompiledSource {
  map: SourceMap;
  /** The TypeScript file's absolute path. */
  source: string;
  lines: string[];
}
const compiledSources = new Map<string, CompiledSource | null>();
const compiledSource = (path: string): CompiledSource | null => {
  if (!path.endsWith('.js') || path.includes('/node_modules/')) return null;
  let known = compiledSources.get(path);
  if (known !== undefined) return known;
  try {
    const payload = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources?: string[]; sourcesContent?: (string | null)[] };
    const original = payload.sources?.[0];
    known = original
      ? {
          map: new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]),
          source: resolve(dirname(path), original),
          lines: payload.sourcesContent?.[0]?.split('\n') ?? [],
        }
      : null;
  } catch {
    known = null; // no map: positions stay as V8 saw them
  }
  compiledSources.set(path, known);
  return known;
};

/** "file.ts:<original line>" (and the line's start, for anonymous functions) of a position in compiled code. */
const originalPosition = (path: string, line: number, column: number): { line: number; text: string } | null => {
  const compiled = compiledSource(path);
  if (!compiled) return null;
  const entry = compiled.map.findEntry(line, column) as { originalLine?: number };
  if (entry.originalLine === undefined) return null;
  return { line: entry.originalLine + 1, text: (compiled.lines[entry.originalLine] ?? '').trim().slice(0, 60) };
};

/** A profile URL's bucket: the package, node: module, or our file (its TypeScript source when compiled). */
const sourceBucket = (url: string, root: string): string => {
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  const compiled = url.startsWith('file://') ? compiledSource(fileURLToPath(url)) : null;
  const path = compiled ? compiled.source : url.replace(/^file:\/\//, '');
  return path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
};

/**
 * The main thread's .cpuprofile in `dir`: the largest one (module hooks such as tsx's run on a
 * thread of their own, which writes a second, small profile).
 */
export const mainThreadProfile = (dir: string): string | null => {
  let best: { path: string; size: number } | null = null;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.cpuprofile')) continue;
    const path = join(dir, name);
    const { size } = statSync(path);
    if (!best || size > best.size) best = { path, size };
  }
  return best?.path ?? null;
};

/**
 * Self time by bucket within the windows [fromUs, toUs] (CLOCK_MONOTONIC µs, like V8's profile
 * timestamps on Linux); the whole profile when a window lies outside it.
 */
export const summarizeProfile = (
  file: string,
  root: string,
  windows?: [number, number][],
  /** 'bucket': by package, file or category; 'function': by function (name, file and line). */
  by: 'bucket' | 'function' = 'bucket',
): { windowed: boolean; busyMs: number; buckets: ProfileBucket[] } => {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // Native code (no url) is charged to the nearest caller with a source, e.g. "native writev ← node:net".
  const bucketOf = (node: ProfileNode): string => {
    const { url, functionName } = node.callFrame;
    if (url) return sourceBucket(url, root);
    if (functionName.startsWith('(')) return functionName;
    let label = `native ${functionName || 'anonymous'}`;
    for (let id = parents.get(node.id); id !== undefined; id = parents.get(id)) {
      const url = byId.get(id)!.callFrame.url;
      if (!url) continue;
      const bucket = sourceBucket(url, root);
      if (!label.includes(' ← ')) label += ` ← ${bucket}`;
      // …and the first caller outside Node's own modules, which says whose write or read it was.
      if (!bucket.startsWith('node:')) return label.endsWith(bucket) ? label : `${label} ← ${bucket}`;
    }
    return label;
  };
  const functionOf = (node: ProfileNode): string => {
    const { url, functionName, lineNumber, columnNumber } = node.callFrame;
    if (!url) return bucketOf(node);
    if (url.startsWith('file://')) {
      const original = originalPosition(fileURLToPath(url), lineNumber ?? 0, columnNumber ?? 0);
      if (original)
        return `${functionName || `(anonymous${original.text ? `: ${original.text}` : ''})`} ${sourceBucket(url, root)}:${original.line}`;
    }
    const at = url.lastIndexOf('node_modules/');
    const where = at >= 0 ? url.slice(at + 'node_modules/'.length) : sourceBucket(url, root);
    return `${functionName || '(anonymous)'} ${where}:${(lineNumber ?? -1) + 1}`;
  };
  const buckets = new Map<number, string>(profile.nodes.map((node) => [node.id, by === 'function' ? functionOf(node) : bucketOf(node)]));
  const useWindow =
    windows !== undefined && windows.length > 0 && windows.every(([from, to]) => from >= profile.startTime && to <= profile.endTime);
  const totals = new Map<string, number>();
  let time = profile.startTime;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    if (useWindow && !windows.some(([from, to]) => time >= from && time <= to)) continue;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const bucket = buckets.get(profile.samples[i]!) ?? '?';
    if (bucket === '(idle)') continue;
    busy += delta;
    totals.set(bucket, (totals.get(bucket) ?? 0) + delta);
  }
  const ranked = [...totals.entries()]
    .map(([bucket, us]) => ({ bucket, share: busy > 0 ? us / busy : 0, ms: us / 1000 }))
    .sort((a, b) => b.ms - a.ms);
  return { windowed: useWindow, busyMs: busy / 1000, buckets: ranked };
};
