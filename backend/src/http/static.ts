import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const frontend = fileURLToPath(new URL('../../../frontend/', import.meta.url));
/** The built UI when there is one, else the sources' public folder. */
const root = existsSync(join(frontend, 'dist', 'index.html')) ? join(frontend, 'dist') : join(frontend, 'public');

/**
 * Serves the UI's files; any other GET path gets index.html so client-side routes (`/r/<id>`)
 * survive a reload. Answers false when there is nothing to serve.
 */
export const serveStatic = async (res: ServerResponse, path: string): Promise<boolean> => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false; // malformed percent-encoding names no file
  }
  const file = normalize(join(root, decoded));
  if (!file.startsWith(root + sep) && file !== root) return false;
  const candidates = extname(file) ? [file] : [join(root, 'index.html')];
  for (const candidate of candidates) {
    try {
      const body = await readFile(candidate);
      const immutable = candidate.includes(`${sep}assets${sep}`);
      res.writeHead(200, {
        'content-type': TYPES[extname(candidate)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.end(body);
      return true;
    } catch {
      // not there: fall through
    }
  }
  return false;
};
