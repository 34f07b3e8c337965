/**
 * `npm run bench:scale`: issue 16's targets (Redis Cluster, failover, many rooms, join storms,
 * every core, memory per socket), one part per file in `bench/scale/`, each printing its own
 * table with the ratio against a baseline measured in the same run. BENCH_SCALE_PARTS chooses
 * (a comma list of part names; default: every part there is, in PART_ORDER). Files starting with
 * `_` hold what parts share.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { log } from './env.js';

/** The order parts run in: the cheap ones first, so a long run shows something early. */
const PART_ORDER = ['rooms', 'storm', 'workers', 'sockets', 'cluster', 'failover'];

export interface ScalePart {
  /** One line saying which target of the issue the part measures. */
  target: string;
  run(): Promise<void>;
}

const folder = fileURLToPath(new URL('./scale/', import.meta.url));
const available = readdirSync(folder)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -3))
  .filter((name) => !name.startsWith('_'))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

function rank(name: string): number {
  const i = PART_ORDER.indexOf(name);
  return i < 0 ? PART_ORDER.length : i;
}

const wanted = (process.env.BENCH_SCALE_PARTS || available.join(','))
  .split(',')
  .map((part) => part.trim())
  .filter(Boolean);
for (const part of wanted)
  if (!available.includes(part)) throw new Error(`BENCH_SCALE_PARTS: unknown part ${part}; choose from ${available.join(', ')}`);

for (const name of wanted) {
  const part = (await import(`./scale/${name}.ts`)).default as ScalePart;
  log(`part ${name}: ${part.target}`);
  console.log(`\n## ${name}: ${part.target}\n`);
  await part.run();
}
