import { readFileSync, readdirSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

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
 * Source maps of the TypeScript files tsx compiled (its cache, <tmpdir>/tsx-<uid>: JSON entries with
 * the minified code's map), by source path; the newest entry per file. tsx puts each file's code
 * on one line, so a profile's line numbers say nothing without them.
 */
let tsxMaps: Map<string, { map: SourceMap; lines: string[] }> | null = null;
const readLines = (path: string): string[] => {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
};
const tsxSourceMaps = () => {
  if (tsxMaps) return tsxMaps;
  tsxMaps = new Map();
  const newest = new Map<string, number>();
  let dir: string;
  try {
    dir = join(tmpdir(), `tsx-${userInfo().uid}`);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      try {
        const mtime = statSync(path).mtimeMs;
        const entry = JSON.parse(readFileSync(path, 'utf8')) as { map?: { sources?: string[]; sourcesContent?: string[] } };
        const source = entry.map?.sources?.[0];
        if (!source || !source.endsWith('.ts') || (newest.get(source) ?? -1) > mtime) continue;
        newest.set(source, mtime);
        // The file's text names anonymous functions, unless it changed after this compilation.
        const unchanged = (() => {
          try {
            return statSync(source).mtimeMs <= mtime;
          } catch {
            return false;
          }
        })();
        const lines = entry.map!.sourcesContent?.[0]?.split('\n') ?? (unchanged ? readLines(source) : []);
        tsxMaps.set(source, { map: new SourceMap(entry.map as ConstructorParameters<typeof SourceMap>[0]), lines });
      } catch {
        // not a cache entry we can read
      }
    }
  } catch {
    // no cache directory: line numbers stay as V8 saw them
  }
  return tsxMaps;
};

/** "file.ts:<original line>" (and the line's start, for anonymous functions) of a position in tsx-compiled code. */
const originalPosition = (path: string, line: number, column: number): { line: number; text: string } | null => {
  const source = tsxSourceMaps().get(path);
  if (!source) return null;
  const entry = source.map.findEntry(line, column) as { originalLine?: number };
  if (entry.originalLine === undefined) return null;
  return { line: entry.originalLine + 1, text: (source.lines[entry.originalLine] ?? '').trim().slice(0, 60) };
};

const sourceBucket = (url: string, root: string): string => {
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
};

/**
 * The main thread's .cpuprofile in `dir`: the largest one (tsx's module hooks run on a thread of
 * their own, which writes a second, small profile).
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
    if (url.startsWith('file://') && url.endsWith('.ts')) {
      const original = originalPosition(url.slice('file://'.length), lineNumber ?? 0, columnNumber ?? 0);
      if (original) return `${functionName || `(anonymous${original.text ? `: ${original.text}` : ''})`} ${sourceBucket(url, root)}:${original.line}`;
    }
    const at = url.lastIndexOf('node_modules/');
    const where = at >= 0 ? url.slice(at + 'node_modules/'.length) : sourceBucket(url, root);
    return `${functionName || '(anonymous)'} ${where}:${(lineNumber ?? -1) + 1}`;
  };
  const buckets = new Map<number, string>(profile.nodes.map((node) => [node.id, by === 'function' ? functionOf(node) : bucketOf(node)]));
  const useWindow = windows !== undefined && windows.length > 0 && windows.every(([from, to]) => from >= profile.startTime && to <= profile.endTime);
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
