/**
 * `npm run bench:projections`: the read models (backend/src/projections/) under load, in four parts,
 * each on a private redis-server of its own with our server as a child process (Redis mode, as
 * `npm start` runs it, RATE_LIMITS=0), writes through the real command path from this process
 * (createChatCommands over createRedisEventStore, as bench/fill.ts does), reads over HTTP:
 *
 *   a. directory: BENCH_DIRECTORY_ROOMS public rooms with varied names (2–3 words from the list
 *      below, drawn with a skew so that some words are common and some rare, some accented, and a
 *      number); the creation rate; the server's initial build of the directory (started over the
 *      filled lobby log, timed until /metrics shows no lag); then `roomDirectory(first: 50)` in the
 *      UI's document (frontend/src/rooms/operations.ts: lobbyCursor, id, name, onlineCount,
 *      pageInfo), sequentially: the first page (also in a bare document, for reference), random
 *      `after` positions, searches (a common word, a rare substring of one name, common and rare 2-
 *      and 1-character searches, and a letter no name holds), latency as the client sees it over
 *      loopback and our server's CPU per query (process_cpu_seconds_total from /metrics, scraped
 *      outside the measured window, less what a scrape itself costs); last, the directory's
 *      rebuildAsync over those rooms while the server's projector runs.
 *   b. history: a room of BENCH_HISTORY_MESSAGES posts (bench/fill.ts), then rounds of sequential
 *      history pages at random `before` positions (bench/history.ts, as bench/run.ts pages): our
 *      server's CPU per page (median of the rounds, from /metrics) and the latency, beside a query
 *      that reads nothing (`{ __typename }`) after each round: the floor under any request.
 *   c. projector lag: (i) room creations and renames offered at BENCH_PROJECTOR_RATE/s for
 *      BENCH_PROJECTOR_SECONDS by an open-loop driver; the lag of each event from its cursor's time
 *      to the first poll (every BENCH_PROJECTOR_POLL_MS) of readCheckpoint that covers it: an upper
 *      bound, within one poll; (ii) a minimal projection over one room's log run with startProjector
 *      in this process while posts arrive at the same rate: its apply records, per event, now minus
 *      the cursor's time (exact to the millisecond).
 *   d. rebuild: a room log of BENCH_REBUILD_EVENTS events (posts, with edits and deletions of earlier
 *      posts mixed in; posts without clientId, so no idempotency keys pile up), then rebuildInline
 *      of the room's messages model (states and history index), timed. This part needs no server.
 *
 * Our server marks a fresh Redis's read-model layout as current when it first starts on it; started
 * first over a Redis already holding rooms, it would take them for an older layout and rebuild every
 * room's history (projections/migrate.ts). So parts a–c start it on the empty Redis first; part a
 * then stops it while the rooms are created, and starts it again to time the initial build.
 * Results also go to .bench/projections-<timestamp>.json.
 *
 * Env (all optional): BENCH_PROJECTIONS_PARTS (directory,history,lag,rebuild), BENCH_DIRECTORY_ROOMS
 * (100000), BENCH_DIRECTORY_SAMPLES (300 per case), BENCH_DIRECTORY_ROUNDS (3: the cases interleaved,
 * each round a slice of every case), BENCH_DIRECTORY_WARMUP (30 checked queries per case),
 * BENCH_FILL_CONCURRENCY (64: room creation and the history fill), BENCH_HISTORY_MESSAGES (100000),
 * BENCH_HISTORY_WARMUP (3000 checked pages), BENCH_HISTORY_ROUNDS (5), BENCH_HISTORY_PAGES (200 per
 * round), BENCH_PROJECTOR_RATE (2000 events/s), BENCH_PROJECTOR_SECONDS (10), BENCH_PROJECTOR_POLL_MS
 * (10), BENCH_PROJECTOR_RENAMES (0.2: the share of renames among the directory's events),
 * BENCH_REBUILD_EVENTS (1000000), BENCH_REBUILD_CONCURRENCY (128), BENCH_NODE_ENV (production),
 * BENCH_SEED (1).
 * Smoke run: BENCH_DIRECTORY_ROOMS=3000 BENCH_DIRECTORY_SAMPLES=20 BENCH_HISTORY_MESSAGES=2000 BENCH_HISTORY_WARMUP=100
 *   BENCH_HISTORY_ROUNDS=2 BENCH_PROJECTOR_SECONDS=2 BENCH_REBUILD_EVENTS=20000 npm run bench:projections
 */
import { median, openCommands } from './seed.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { toDevUserId } from '../backend/src/auth/devLogin.js';
import type { ChatCommands } from '../backend/src/chat/commands.js';
import { lobbyStreamKey, toMessageSnapshotsKey, toRoomStreamKey } from '../backend/src/chat/keys.js';
import { toRoomNameKey, toRoomSearchKey } from '../backend/src/domain/room/room.js';
import { type Cursor, compareCursors } from '../backend/src/eventstore/eventStore.js';
import { type AsyncProjection, readCheckpoint, rebuildAsync, startProjector } from '../backend/src/projections/asyncProjection.js';
import { rebuildInline } from '../backend/src/projections/inline.js';
import { toHistoryIndexKey } from '../backend/src/projections/keys.js';
import { messageHistoryProjection, toMessageHistoryLocation } from '../backend/src/projections/messageHistory.js';
import { createDirectoryProjection } from '../backend/src/projections/roomDirectory/directoryProjection.js';
import { toDirectoryNamesKey } from '../backend/src/projections/roomDirectory/keys.js';
import { createRedisDirectoryStore } from '../backend/src/projections/roomDirectory/redisDirectoryStore.js';
import { clockTicksPerSecond } from './childServer.js';
import { describeMachine, envNumber, log } from './env.js';
import { fillRoom } from './fill.js';
import { HISTORY_PAGE, checkHistoryPage, readLogCursors } from './history.js';
import { createHttpClient } from './httpClient.js';
import { createLifecycle } from './lifecycle.js';
import { type LoadResult, quantile, runLoad, summarize } from './load.js';
import {
  type Measured,
  createMeter,
  measureScrapeAndIdle,
  readSample,
  redisCpuMicros,
  scrapeMetrics,
  scrapeServerCpuMicros,
  speedProbeMs,
} from './metrics.js';
import { seededRandom } from './random.js';
import { type OurServer, buildOurServer, repoRoot, signIn, startOurServer } from './servers.js';
import { formatTable } from './table.js';

// ---- settings ----

const PARTS = ['directory', 'history', 'lag', 'rebuild'] as const;
type Part = (typeof PARTS)[number];
const parts = (process.env.BENCH_PROJECTIONS_PARTS || PARTS.join(','))
  .split(',')
  .map((item) => item.trim())
  .filter((item) => item !== '');
for (const part of parts)
  if (!(PARTS as readonly string[]).includes(part))
    throw new Error(`BENCH_PROJECTIONS_PARTS: unknown part ${part}; choose from ${PARTS.join(', ')}`);

const settings = {
  parts: parts as Part[],
  directoryRooms: Math.round(envNumber('BENCH_DIRECTORY_ROOMS', 100_000, 100)),
  directorySamples: Math.round(envNumber('BENCH_DIRECTORY_SAMPLES', 300, 1)),
  directoryWarmup: Math.round(envNumber('BENCH_DIRECTORY_WARMUP', 30, 1)),
  directoryRounds: Math.round(envNumber('BENCH_DIRECTORY_ROUNDS', 3, 1)),
  fillConcurrency: Math.round(envNumber('BENCH_FILL_CONCURRENCY', 64, 1)),
  historyMessages: Math.round(envNumber('BENCH_HISTORY_MESSAGES', 100_000, 51)),
  historyRounds: Math.round(envNumber('BENCH_HISTORY_ROUNDS', 5, 1)),
  historyPages: Math.round(envNumber('BENCH_HISTORY_PAGES', 200, 1)),
  historyWarmup: Math.round(envNumber('BENCH_HISTORY_WARMUP', 3_000, 1)),
  projectorRate: envNumber('BENCH_PROJECTOR_RATE', 2_000, 1),
  projectorSeconds: envNumber('BENCH_PROJECTOR_SECONDS', 10, 0.1),
  projectorPollMs: envNumber('BENCH_PROJECTOR_POLL_MS', 10, 1),
  projectorRenames: envNumber('BENCH_PROJECTOR_RENAMES', 0.2, 0),
  rebuildEvents: Math.round(envNumber('BENCH_REBUILD_EVENTS', 1_000_000, 1_000)),
  rebuildConcurrency: Math.round(envNumber('BENCH_REBUILD_CONCURRENCY', 128, 1)),
  nodeEnv: process.env.BENCH_NODE_ENV ?? 'production',
  seed: Math.round(envNumber('BENCH_SEED', 1)),
};
if (settings.projectorRenames >= 1) throw new Error('BENCH_PROJECTOR_RENAMES must be below 1');

/** What the work this benchmark measures set out to reach (the issue's goals). */
const GOALS = {
  directoryP99Ms: 10,
  historyServerUsP50: 500,
  projectorRate: 2_000,
  projectorP99Ms: 100,
  rebuildEvents: 1_000_000,
  rebuildSeconds: 60,
};

const bench = createLifecycle({ stopping: 'our server and redis-server', signalGraceMs: 8_000 });
const { clients } = bench;

// ---- helpers ----

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** The millisecond part of a stream cursor: when Redis appended the event. */
const toCursorMs = (cursor: Cursor) => Number(cursor.slice(0, cursor.indexOf('-')));
const lagSummary = (lags: number[]) => {
  const sorted = Float64Array.from(lags).sort();
  return { count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
};

/** Registers `handles` as the development sign-in would (user ids `dev:<handle>`). */
const registerUsers = async (commands: ChatCommands, handles: string[]) => {
  for (const handle of handles) {
    await commands.registerUser({ userId: toDevUserId(handle), profile: { handle, displayName: `Bench ${handle}`, avatarUrl: null } });
  }
  return handles.map(toDevUserId);
};

const startServer = async (redisUrl: string): Promise<OurServer> => {
  log(`starting our server (node backend/build/main.js, NODE_ENV=${settings.nodeEnv}, RATE_LIMITS=0)`);
  return startOurServer({ redisUrl, nodeEnv: settings.nodeEnv, env: { RATE_LIMITS: '0' } });
};

/** Our server's own CPU time in µs, as its /metrics says (process_cpu_seconds_total). */
const scrapeCpuMicros = (server: OurServer) => scrapeServerCpuMicros(server.url);

/**
 * CPU time of a process's main thread (the event loop; its thread id is the process id), µs, from
 * /proc at clock-tick resolution: the process's figure less V8's helper threads (garbage
 * collection, optimising compilers).
 */
const mainThreadCpuMicros = (pid: number): number => {
  const text = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond()) * 1e6;
};

interface QueryContext {
  server: OurServer;
  admin: Redis;
  /** What one /metrics scrape costs the server (`scrapeOverheadMicros`), µs. */
  overheadUs: number;
  /** What the server spends idle (timers, the projector's blocking reads), µs per ms of wall time. */
  idleUsPerMs: number;
}

/** Measures what `QueryContext` subtracts: a scrape's cost, then the idle server's CPU over two seconds. */
const toQueryContext = async (server: OurServer, admin: Redis): Promise<QueryContext> => {
  const { overheadUs, idleUsPerMs } = await measureScrapeAndIdle(server.url);
  return { server, admin, overheadUs, idleUsPerMs };
};

interface QueryCase extends Measured {
  /** Our server's CPU per query from /metrics, µs: the median of the slices' figures. */
  serverUsPerQuery: number;
  /** Each slice's figure, in order. */
  serverUsPerSlice: number[];
  /** The same, its main thread only (/proc, 10 ms ticks), over all slices together, µs. */
  mainThreadUsPerQuery: number;
}

/**
 * A case of sequential queries, measured in slices (interleaved with other cases by the caller):
 * bench/metrics.ts `createMeter` (latency, Redis CPU, the server's CPU from /proc at 10 ms
 * resolution), each slice inside a pair of /metrics scrapes whose CPU delta, less one scrape's own
 * cost, is the server's CPU over the slice.
 */
const createCaseMeter = (name: string, context: QueryContext) => {
  const { server, admin, overheadUs, idleUsPerMs } = context;
  const meter = createMeter(name, 1, { serverCpuMicros: server.child.cpuMicros, redisAdmin: admin });
  const serverUsPerSlice: number[] = [];
  let mainThreadUs = 0;
  let queries = 0;
  return {
    async slice(samples: number, op: () => Promise<void>) {
      const before = await scrapeCpuMicros(server);
      const started = performance.now();
      const mainBefore = mainThreadCpuMicros(server.child.pid);
      // One failure ends the run (runLoad throws): every slice counts `samples` successes.
      await meter.slice({ maxOps: samples, maxErrors: 1 }, op);
      mainThreadUs += mainThreadCpuMicros(server.child.pid) - mainBefore;
      const after = await scrapeCpuMicros(server);
      serverUsPerSlice.push((after - before - overheadUs - idleUsPerMs * (performance.now() - started)) / samples);
      queries += samples;
    },
    result(): QueryCase {
      return {
        ...meter.result(),
        serverUsPerQuery: median(serverUsPerSlice),
        serverUsPerSlice,
        mainThreadUsPerQuery: mainThreadUs / queries,
      };
    },
  };
};

interface PacedResult {
  offered: number;
  completed: number;
  errors: number;
  errorSamples: string[];
  /** From the first start to the last start, and to the last completion, ms. */
  issueMs: number;
  elapsedMs: number;
  /** Starts per second actually achieved (the offered rate, unless this process fell behind). */
  issuedPerSecond: number;
  /** How late the latest start was against its schedule, ms. */
  maxLateMs: number;
  latency: LoadResult;
}

/**
 * An open-loop driver: starts `op(i)` at t0 + i/rate, for `seconds`, whether or not the earlier
 * ones have finished (a closed loop would slow down with what it measures and hide a lag).
 */
const drivePaced = async (rate: number, seconds: number, op: (i: number) => Promise<void>): Promise<PacedResult> => {
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  let maxLateMs = 0;
  let issued = 0;
  const t0 = performance.now();
  while (issued < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
    while (issued < due) {
      const i = issued++;
      maxLateMs = Math.max(maxLateMs, now - (t0 + (i * 1000) / rate));
      const begin = performance.now();
      const running: Promise<void> = op(i).then(
        () => {
          latencies.push(performance.now() - begin);
          inFlight.delete(running);
        },
        (error: unknown) => {
          errors++;
          const message = error instanceof Error ? error.message : String(error);
          if (errorSamples.length < 5 && !errorSamples.includes(message)) errorSamples.push(message);
          inFlight.delete(running);
        },
      );
      inFlight.add(running);
    }
    await sleep(Math.max(0, t0 + (issued * 1000) / rate - performance.now()));
  }
  const issueMs = performance.now() - t0;
  await Promise.all(inFlight);
  const elapsedMs = performance.now() - t0;
  return {
    offered: total,
    completed: latencies.length,
    errors,
    errorSamples,
    issueMs,
    elapsedMs,
    issuedPerSecond: total > 1 ? ((total - 1) * 1000) / issueMs : total,
    maxLateMs,
    latency: summarize(latencies, elapsedMs, errors, errorSamples),
  };
};

// ---- room names ----

// A few hundred words, ordinary ones first: `pickWord` draws early ones far more often.
const WORDS =
  `music chat games coffee travel books movies football jazz design photo garden cooking night study friends local news weekend art
science history running yoga crypto startup gaming anime poetry chess climbing cycling hiking fishing sailing surfing skiing tennis golf
rugby cricket baseball hockey boxing dance theatre opera guitar piano drums vinyl podcast radio comics manga writing film cinema fashion
beauty fitness health recipes baking vegan wine beer tea whisky cocktails brunch dinner lunch breakfast pizza ramen sushi tacos burgers
bakery market city village island mountain river ocean forest desert valley harbor bridge tower castle square park station airport
library museum gallery studio office school campus college club lounge corner kitchen porch attic basement rooftop balcony plaza
morning evening midnight sunrise sunset winter summer spring autumn monday friday holiday festival carnival parade picnic party
meetup hangout circle guild league crew squad team society union council forum salon assembly collective network lab workshop
robots rockets planets stars galaxy comet nebula orbit lunar solar atlas compass lantern harbour beacon anchor voyage journey
quest legend myth saga chronicle archive journal diary letters stories tales rumours whispers echoes voices dreams ideas thoughts
puzzles riddles trivia quiz debate politics economics philosophy linguistics mathematics physics chemistry biology geology astronomy
medicine nursing teaching parenting pets dogs cats horses birds bees owls foxes wolves bears otters pandas dragons unicorns
gardening knitting sewing pottery painting sketching origami carpentry welding electronics arduino linux rust python javascript
typescript kotlin swift haskell golang devops cloud databases security privacy hardware retro arcade pixel indie synth techno
house disco funk soul blues reggae punk metal folk country hiphop classical ambient lofi kpop jpop salsa tango flamenco
café crème brûlée naïve señor jalapeño façade über smörgåsbord zürich são résumé fiancée déjà piñata entrée soirée doppelgänger
ångström æsthetic ørsted łódź fjörd crêpe pâtisserie château garçon rosé mañana niño cañón élan protégé forêt île noël kraków škoda
dvořák māori ōsaka tōkyō reykjavík göteborg malmö straße français coração ação`.split(/\s+/);

/** A word, the i-th with probability ∝ 1/√i (u² of a uniform u): the first few are common, the last rare. */
const pickWord = (random: () => number) => WORDS[Math.floor(random() ** 2 * WORDS.length)]!;

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** `count` distinct room names ("Jazz Café 4821", "night owls 17", "RETRO pixel Lounge 305"). */
const makeRoomNames = (count: number, random: () => number): string[] => {
  const names: string[] = [];
  const taken = new Set<string>();
  while (names.length < count) {
    const words = Array.from({ length: random() < 0.6 ? 2 : 3 }, () => pickWord(random));
    const style = random();
    const cased =
      style < 0.6
        ? words.map(capitalize)
        : style < 0.85
          ? words
          : words.map((word, i) => (i === 0 ? word.toUpperCase() : capitalize(word)));
    const name = `${cased.join(' ')} ${1 + Math.floor(random() * 9_999)}`;
    const key = toRoomNameKey(name);
    if (taken.has(key)) continue;
    taken.add(key);
    names.push(name);
  }
  return names;
};

/** How many of `folded` names contain each substring of `length` code points (letters only), most common first. */
const substringCounts = (folded: string[], length: number): [string, number][] => {
  const counts = new Map<string, number>();
  for (const name of folded) {
    const points = Array.from(name);
    const seen = new Set<string>();
    for (let i = 0; i + length <= points.length; i++) {
      const part = points.slice(i, i + length).join('');
      if (!/^\p{L}+$/u.test(part) || seen.has(part)) continue;
      seen.add(part);
      counts.set(part, (counts.get(part) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
};

// ---- a. the room directory ----

/** The UI's RoomDirectory document (frontend/src/rooms/operations.ts), its fragment inlined. */
const DIRECTORY_PAGE = `query RoomDirectory($first: Int!, $after: String, $search: String) {
  lobbyCursor
  roomDirectory(first: $first, after: $after, search: $search) {
    edges { node { id name onlineCount } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The directory alone, for reference: no lobbyCursor (the projection's checkpoint), no onlineCount (presence). */
const DIRECTORY_PAGE_BARE = `query RoomDirectoryBare($first: Int!, $after: String, $search: String) {
  roomDirectory(first: $first, after: $after, search: $search) {
    edges { node { id name } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface DirectoryPageResult {
  data: {
    lobbyCursor?: string | null;
    roomDirectory: {
      edges: { node: { id: string; name: string; onlineCount?: number } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

const DIRECTORY_PAGE_SIZE = 50;

interface DirectoryCaseRow extends QueryCase {
  /** What it asks: the search, or how `after` is chosen. */
  asks: string;
  /** Rooms the search matches in all (median over the samples), or null without a search. */
  matches: number | null;
}

interface DirectoryResults {
  rooms: number;
  creation: { seconds: number; perSecond: number; concurrency: number };
  initialBuild: { events: number; seconds: number; perSecond: number; startToReadyMs: number; serverCpuSeconds: number };
  pagingPass: { pages: number; rooms: number; seconds: number };
  scrapeOverheadUs: number;
  idleUsPerMs: number;
  cases: DirectoryCaseRow[];
  rebuild: { events: number; seconds: number; perSecond: number; firstPageUnchanged: boolean; namesAfter: number };
}

const runDirectory = async (): Promise<DirectoryResults> => {
  const { redis, admin } = await bench.startRedis();
  const random = seededRandom(settings.seed);
  const names = makeRoomNames(settings.directoryRooms, random);
  const folded = names.map(toRoomSearchKey);

  // The first start marks the fresh Redis's layout as current (see the header); stopped while the rooms are created.
  let server = await startServer(redis.url);
  await server.child.stop();

  const { store, commands } = await openCommands(redis.url);
  const [creator] = await registerUsers(commands, ['dir_creator']);
  log(`creating ${names.length.toLocaleString('en-US')} rooms (createChatCommands.createRoom, ${settings.fillConcurrency} in flight)`);
  let next = 0;
  const created = await runLoad({ concurrency: settings.fillConcurrency, maxOps: names.length, maxErrors: 1 }, async () => {
    const i = next++;
    await commands.createRoom({ actorId: creator!, name: names[i]! });
  });
  const lobbyLength = await admin.xlen(lobbyStreamKey);
  if (lobbyLength !== names.length) throw new Error(`the lobby log holds ${lobbyLength} events, expected ${names.length}`);
  log(`created in ${(created.elapsedMs / 1000).toFixed(1)} s (${Math.round(created.perSecond)}/s)`);

  log('starting our server over the filled lobby log: the initial build of the directory');
  buildOurServer();
  const spawnedAt = performance.now();
  server = await startServer(redis.url);
  const readyAt = performance.now();
  let lagEvents = Number.NaN;
  for (;;) {
    lagEvents = readSample(await scrapeMetrics(server.url), 'balloons_projection_lag_events{projection="directory"}');
    if (lagEvents === 0) break;
    if (performance.now() - spawnedAt > 600_000) throw new Error(`the directory still lags ${lagEvents} events after 10 minutes`);
    await sleep(50);
  }
  const builtAt = performance.now();
  const buildSeconds = (builtAt - spawnedAt) / 1000;
  const initialBuild = {
    events: names.length,
    seconds: buildSeconds,
    perSecond: names.length / buildSeconds,
    startToReadyMs: readyAt - spawnedAt,
    serverCpuSeconds: server.child.cpuMicros() / 1e6,
  };
  log(
    `built in ${buildSeconds.toFixed(1)} s from spawning the server (${Math.round(initialBuild.perSecond)} events/s; ready after ${Math.round(initialBuild.startToReadyMs)} ms)`,
  );

  const client = createHttpClient(server.url, { maxSockets: 1 });
  clients.add(client);
  const cookie = await signIn(client, server.origin, 'dir_reader');
  const query = (document: string, variables: Record<string, unknown>) => client.graphql(document, variables, cookie);

  // Every page once, in order: the rooms all listed, and the `after` positions of case 2.
  log('paging through the whole directory (the after positions of the random-position case)');
  const positions: { cursor: string; index: number }[] = [];
  const seen = new Set<string>();
  const pagingStarted = performance.now();
  let firstPage = '';
  for (let after: string | null = null; ; ) {
    const text = await query(DIRECTORY_PAGE, { first: DIRECTORY_PAGE_SIZE, after });
    if (after === null) firstPage = text;
    const page = (JSON.parse(text) as DirectoryPageResult).data.roomDirectory;
    for (const edge of page.edges) seen.add(edge.node.id);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor!;
    positions.push({ cursor: after, index: seen.size });
  }
  const pagingPass = { pages: positions.length + 1, rooms: seen.size, seconds: (performance.now() - pagingStarted) / 1000 };
  if (seen.size !== names.length) throw new Error(`the directory lists ${seen.size} rooms, expected ${names.length}`);

  const matchCount = (search: string) => {
    const needle = toRoomSearchKey(search);
    let count = 0;
    for (const name of folded) if (name.includes(needle)) count++;
    return count;
  };
  const checkPage = (text: string, search: string | null, expected: number) => {
    const page = (JSON.parse(text) as DirectoryPageResult).data.roomDirectory;
    if (page.edges.length !== Math.min(DIRECTORY_PAGE_SIZE, expected) || page.pageInfo.hasNextPage !== expected > DIRECTORY_PAGE_SIZE)
      throw new Error(
        `directory page (search ${JSON.stringify(search)}): ${page.edges.length} rooms, hasNextPage ${page.pageInfo.hasNextPage}; expected ${expected} to follow`,
      );
    const needle = search === null ? '' : toRoomSearchKey(search);
    const stray = page.edges.find((edge) => !toRoomSearchKey(edge.node.name).includes(needle));
    if (stray) throw new Error(`directory page (search ${JSON.stringify(search)}) lists ${JSON.stringify(stray.node.name)}`);
  };

  // The searches.
  const commonWord = WORDS[0]!;
  const letters = substringCounts(folded, 1);
  const pairs = substringCounts(folded, 2);
  const [commonLetter] = letters[0]!;
  const [rareLetter] = letters.at(-1)!;
  const [commonPair] = pairs[0]!;
  const [rarePair] = pairs.at(-1)!;
  // The worst case: a letter no name holds, so the scan reads every name.
  const present = new Set(letters.map(([letter]) => letter));
  const absentLetter = [...'qxjzkvwyþð'].find((letter) => !present.has(letter)) ?? '§';
  // A rare substring of one room's name: the end of its last word and its number ("fé 4821"), a
  // different room each query, as typed (not folded).
  const rareSubstring = () => {
    const name = names[Math.floor(random() * names.length)]!;
    const at = name.lastIndexOf(' ');
    return name.slice(Math.max(0, at - 3));
  };
  const rareSearches = Array.from({ length: settings.directoryWarmup + settings.directorySamples }, rareSubstring);
  const rareMatches = new Map(rareSearches.map((search) => [search, matchCount(search)]));

  const context = await toQueryContext(server, admin);

  interface Case {
    name: string;
    asks: string;
    document: string;
    pick: () => { after: string | null; search: string | null; expected: number };
    matches: number | null;
  }
  const fixed = (search: string | null) => {
    const expected = search === null ? names.length : matchCount(search);
    return { pick: () => ({ after: null, search, expected }), matches: search === null ? null : expected };
  };
  let rareIndex = 0;
  const plan: Case[] = [
    { name: '1. first page', asks: 'no search, no after', document: DIRECTORY_PAGE, ...fixed(null) },
    {
      name: '1b. first page, bare document',
      asks: 'roomDirectory alone: no lobbyCursor, no onlineCount',
      document: DIRECTORY_PAGE_BARE,
      ...fixed(null),
    },
    {
      name: '2. random after',
      asks: `after = a random page's endCursor (${positions.length} positions)`,
      document: DIRECTORY_PAGE,
      pick: () => {
        const { cursor, index } = positions[Math.floor(random() * positions.length)]!;
        return { after: cursor, search: null, expected: names.length - index };
      },
      matches: null,
    },
    { name: '3. common word', asks: JSON.stringify(commonWord), document: DIRECTORY_PAGE, ...fixed(commonWord) },
    {
      name: '4. rare substring',
      asks: `end of one room's name, a different room each query (e.g. ${JSON.stringify(rareSearches[0])})`,
      document: DIRECTORY_PAGE,
      pick: () => {
        const search = rareSearches[rareIndex++ % rareSearches.length]!;
        return { after: null, search, expected: rareMatches.get(search)! };
      },
      matches: median([...rareMatches.values()]),
    },
    { name: '5. 2 characters, common', asks: JSON.stringify(commonPair), document: DIRECTORY_PAGE, ...fixed(commonPair) },
    { name: '5b. 2 characters, rare', asks: JSON.stringify(rarePair), document: DIRECTORY_PAGE, ...fixed(rarePair) },
    { name: '6. 1 character, common', asks: JSON.stringify(commonLetter), document: DIRECTORY_PAGE, ...fixed(commonLetter) },
    { name: '6b. 1 character, rare', asks: JSON.stringify(rareLetter), document: DIRECTORY_PAGE, ...fixed(rareLetter) },
    { name: '6c. 1 character, no match', asks: JSON.stringify(absentLetter), document: DIRECTORY_PAGE, ...fixed(absentLetter) },
  ];

  log(`warming up: ${settings.directoryWarmup} checked queries of each case`);
  for (const { document, pick } of plan) {
    for (let i = 0; i < settings.directoryWarmup; i++) {
      const { after, search, expected } = pick();
      checkPage(await query(document, { first: DIRECTORY_PAGE_SIZE, after, search }), search, expected);
    }
  }
  const perSlice = Math.max(1, Math.round(settings.directorySamples / settings.directoryRounds));
  log(`measuring ${plan.length} cases in ${settings.directoryRounds} interleaved rounds of ${perSlice} sequential queries each`);
  const meters = plan.map((entry) => createCaseMeter(entry.name, context));
  for (let round = 0; round < settings.directoryRounds; round++) {
    for (const [i, { document, pick }] of plan.entries()) {
      await meters[i]!.slice(perSlice, async () => {
        const { after, search } = pick();
        await query(document, { first: DIRECTORY_PAGE_SIZE, after, search });
      });
    }
  }
  const cases: DirectoryCaseRow[] = plan.map((entry, i) => ({ ...meters[i]!.result(), asks: entry.asks, matches: entry.matches }));

  // The directory rebuilt from its log while the server's projector runs (part d's second row).
  log(`rebuilding the directory (rebuildAsync over ${names.length.toLocaleString('en-US')} rooms) while the server runs`);
  const directoryRedis = await bench.connect(redis.url);
  const projection = createDirectoryProjection(createRedisDirectoryStore(directoryRedis));
  const rebuildStarted = performance.now();
  const rebuiltEvents = await rebuildAsync(store, projection);
  const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
  const { serving } = await projection.readGenerations();
  const namesAfter = await admin.zcard(toDirectoryNamesKey(serving));
  const firstPageAfter = await query(DIRECTORY_PAGE, { first: DIRECTORY_PAGE_SIZE, after: null });
  const listed = (text: string) => (JSON.parse(text) as DirectoryPageResult).data.roomDirectory.edges.map((edge) => edge.node.id).join();
  const rebuild = {
    events: rebuiltEvents,
    seconds: rebuildSeconds,
    perSecond: rebuiltEvents / rebuildSeconds,
    firstPageUnchanged: listed(firstPageAfter) === listed(firstPage),
    namesAfter,
  };
  log(
    `rebuilt in ${rebuildSeconds.toFixed(1)} s (${Math.round(rebuild.perSecond)} events/s), generation ${serving} lists ${namesAfter} rooms`,
  );

  client.close();
  clients.delete(client);
  await server.child.stop();
  await store.close();
  await bench.stopRedis();
  return {
    rooms: names.length,
    creation: { seconds: created.elapsedMs / 1000, perSecond: created.perSecond, concurrency: settings.fillConcurrency },
    initialBuild,
    pagingPass,
    scrapeOverheadUs: context.overheadUs,
    idleUsPerMs: context.idleUsPerMs,
    cases,
    rebuild,
  };
};

// ---- b. history pages ----

/** A query that reads nothing: the cost of a request itself (HTTP, Yoga, the session). */
const TRIVIAL_QUERY = 'query Trivial { __typename }';

interface HistoryResults {
  messages: number;
  fill: { seconds: number; perSecond: number; concurrency: number };
  scrapeOverheadUs: number;
  idleUsPerMs: number;
  /** Each round's pages: our server's CPU per page (/metrics; main thread from /proc), latency. */
  rounds: { pages: number; serverUsPerPage: number; mainThreadUsPerPage: number; p50: number; p99: number }[];
  /** All rounds' pages: server µs the median of the rounds', the rest over all pages together. */
  pages: QueryCase;
  /** `{ __typename }`, as many after each round: what any request costs before it reads anything. */
  floor: QueryCase;
}

const runHistory = async (): Promise<HistoryResults> => {
  const { redis, admin } = await bench.startRedis();
  const server = await startServer(redis.url);
  const { store, commands } = await openCommands(redis.url);
  const authors = await registerUsers(
    commands,
    Array.from({ length: 10 }, (_, i) => `hist_${i}`),
  );
  const room = await commands.createRoom({ actorId: authors[0]!, name: 'bench history' });
  await store.close();
  log(
    `filling a room with ${settings.historyMessages.toLocaleString('en-US')} messages (bench/fill.ts, ${settings.fillConcurrency} in flight, ${authors.length} authors)`,
  );
  const fill = await fillRoom({
    redisUrl: redis.url,
    roomId: room.id,
    authors,
    messages: settings.historyMessages,
    concurrency: settings.fillConcurrency,
    clientId: (i) => `fill-${i}`,
    body: (i) => `History message ${i}: the quick brown fox jumps over the lazy dog.`,
  });
  log(`filled in ${(fill.elapsedMs / 1000).toFixed(1)} s (${Math.round(fill.perSecond)} messages/s)`);
  const cursors = await readLogCursors(admin, toRoomStreamKey(room.id));
  if (cursors.length !== settings.historyMessages)
    throw new Error(`the room holds ${cursors.length} events, expected ${settings.historyMessages}`);

  const client = createHttpClient(server.url, { maxSockets: 1 });
  clients.add(client);
  const cookie = await signIn(client, server.origin, 'hist_reader');
  const random = seededRandom(settings.seed + 1);
  const page = async (check: boolean) => {
    const index = Math.floor(random() * cursors.length);
    const text = await client.graphql(HISTORY_PAGE, { id: room.id, before: cursors[index] }, cookie);
    if (check) checkHistoryPage(text, cursors, index);
  };
  // A fresh server's first thousand or so requests run slower (the JIT, and its compiler threads'
  // CPU, which /metrics counts): the warm-up takes them.
  log(`history: warming up with ${settings.historyWarmup} checked pages and as many trivial queries`);
  for (let i = 0; i < settings.historyWarmup; i++) await page(true);
  // The floor under any request: a query that reads nothing, same client, same session.
  const trivial = () => client.graphql(TRIVIAL_QUERY, {}, cookie).then(() => {});
  for (let i = 0; i < settings.historyWarmup; i++) await trivial();
  const context = await toQueryContext(server, admin);
  const rounds: HistoryResults['rounds'] = [];
  const latencies: number[] = [];
  log(
    `history: ${settings.historyRounds} rounds of ${settings.historyPages} sequential pages at random positions, each followed by as many trivial queries`,
  );
  const pages = createCaseMeter('history pages', context);
  const floor = createCaseMeter('trivial queries', context);
  for (let round = 0; round < settings.historyRounds; round++) {
    const mainBefore = mainThreadCpuMicros(server.child.pid);
    await pages.slice(settings.historyPages, async () => {
      const begin = performance.now();
      await page(false);
      latencies.push(performance.now() - begin);
    });
    const sorted = Float64Array.from(latencies.slice(-settings.historyPages)).sort();
    rounds.push({
      pages: settings.historyPages,
      serverUsPerPage: pages.result().serverUsPerSlice.at(-1)!,
      mainThreadUsPerPage: (mainThreadCpuMicros(server.child.pid) - mainBefore) / settings.historyPages,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
    });
    await floor.slice(settings.historyPages, trivial);
  }
  client.close();
  clients.delete(client);
  await server.child.stop();
  await bench.stopRedis();
  return {
    messages: cursors.length,
    fill: { seconds: fill.elapsedMs / 1000, perSecond: fill.perSecond, concurrency: settings.fillConcurrency },
    scrapeOverheadUs: context.overheadUs,
    idleUsPerMs: context.idleUsPerMs,
    rounds,
    pages: pages.result(),
    floor: floor.result(),
  };
};

// ---- c. projector lag ----

interface LagResults {
  name: string;
  /** How the lag was taken. */
  method: string;
  driver: Omit<PacedResult, 'latency'> & { commandP50: number; commandP99: number };
  events: number;
  lagMs: { count: number; p50: number; p99: number; max: number };
  /** The same over the first and the last half of the events: a lag that grows did not keep up. */
  firstHalfP99: number;
  lastHalfP99: number;
  /** The most events the projection was behind at a poll (directory only). */
  maxEventsBehind: number | null;
  /** From the last command's completion until the projection had applied everything, ms. */
  drainMs: number;
  keptUp: boolean;
  serverCores: number | null;
  redisCores: number;
}

/** Kept up: the offered rate was driven, and the projection caught up within a second of the last event. */
const keptUp = (driver: PacedResult, drainMs: number, rate: number) => driver.issuedPerSecond >= 0.95 * rate && drainMs <= 1_000;

const halves = (lags: number[]) => ({
  firstHalfP99: lagSummary(lags.slice(0, Math.floor(lags.length / 2))).p99,
  lastHalfP99: lagSummary(lags.slice(Math.floor(lags.length / 2))).p99,
});

const runLag = async (): Promise<LagResults[]> => {
  const { redis, admin } = await bench.startRedis();
  const server = await startServer(redis.url);
  const { store, commands } = await openCommands(redis.url);
  const [actor] = await registerUsers(commands, ['lag_actor']);
  const results: LagResults[] = [];
  const rate = settings.projectorRate;
  const seconds = settings.projectorSeconds;

  // (i) the directory, applied by the server's projector.
  {
    const projection = createDirectoryProjection(createRedisDirectoryStore(await bench.connect(redis.url)));
    const random = seededRandom(settings.seed + 2);
    const names = makeRoomNames(Math.ceil(rate * seconds) + 1_000, random);
    let nextName = 0;
    // Rooms to rename: a few made before, and those the driver creates.
    const rooms: string[] = [];
    for (let i = 0; i < 100; i++) rooms.push((await commands.createRoom({ actorId: actor!, name: names[nextName++]! })).id);
    const startCursor = (await store.streamInfo(lobbyStreamKey)).lastCursor!;
    while ((await readCheckpoint(store, projection)) !== startCursor) await sleep(20);

    const polls: { at: number; checkpoint: Cursor | null }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const checkpoint = await readCheckpoint(store, projection);
        polls.push({ at: Date.now(), checkpoint });
        await sleep(settings.projectorPollMs);
      }
    })();
    let renames = 0;
    log(
      `directory projector: ${rate} room creations and renames/s offered for ${seconds} s (${settings.projectorRenames * 100} % renames)`,
    );
    const serverBefore = server.child.cpuMicros();
    const redisBefore = await redisCpuMicros(admin);
    const driver = await drivePaced(rate, seconds, async () => {
      const name = names[nextName++]!;
      if (random() < settings.projectorRenames) {
        renames++;
        await commands.renameRoom({ actorId: actor!, roomId: rooms[Math.floor(random() * rooms.length)]!, name });
      } else {
        rooms.push((await commands.createRoom({ actorId: actor!, name })).id);
      }
    });
    const lastCursor = (await store.streamInfo(lobbyStreamKey)).lastCursor!;
    const doneAt = Date.now();
    while (!polls.some((poll) => poll.checkpoint !== null && compareCursors(poll.checkpoint, lastCursor) >= 0)) {
      if (Date.now() - doneAt > 60_000) throw new Error('the directory did not catch up within 60 s of the last event');
      await sleep(settings.projectorPollMs);
    }
    polling = false;
    await poller;
    const serverCores = (server.child.cpuMicros() - serverBefore) / (driver.elapsedMs * 1000);
    const redisCores = ((await redisCpuMicros(admin)) - redisBefore) / (driver.elapsedMs * 1000);
    const cursors = (await readLogCursors(admin, lobbyStreamKey)).filter((cursor) => compareCursors(cursor, startCursor) > 0);
    // Each event's lag: from its cursor's time to the first poll that saw it applied.
    const lags: number[] = [];
    let maxEventsBehind = 0;
    let p = 0;
    for (const cursor of cursors) {
      while (p < polls.length && (polls[p]!.checkpoint === null || compareCursors(polls[p]!.checkpoint!, cursor) < 0)) p++;
      lags.push(polls[p]!.at - toCursorMs(cursor));
    }
    // Events behind at each poll: appended by then (by cursor time) and not yet covered.
    let appended = 0;
    let applied = 0;
    for (const poll of polls) {
      while (appended < cursors.length && toCursorMs(cursors[appended]!) <= poll.at) appended++;
      while (applied < cursors.length && poll.checkpoint !== null && compareCursors(cursors[applied]!, poll.checkpoint) <= 0) applied++;
      maxEventsBehind = Math.max(maxEventsBehind, appended - applied);
    }
    const drainAt = polls.find((poll) => poll.checkpoint !== null && compareCursors(poll.checkpoint, lastCursor) >= 0)!.at;
    const { latency, ...rest } = driver;
    results.push({
      name: '(i) directory, server projector',
      method: `readCheckpoint polled every ${settings.projectorPollMs} ms: upper bounds, within a poll`,
      driver: { ...rest, commandP50: latency.p50, commandP99: latency.p99 },
      events: cursors.length,
      lagMs: lagSummary(lags),
      ...halves(lags),
      maxEventsBehind,
      drainMs: Math.max(0, drainAt - doneAt),
      keptUp: keptUp(driver, drainAt - doneAt, rate),
      serverCores,
      redisCores,
    });
    log(`directory projector: ${cursors.length} events (${renames} renames), p99 lag ${lagSummary(lags).p99} ms`);
  }

  // (ii) a minimal projection over one room's log, run here by startProjector.
  {
    const room = await commands.createRoom({ actorId: actor!, name: 'bench projector lag' });
    const lags: number[] = [];
    const batches: number[] = [];
    const probe: AsyncProjection = {
      name: 'bench-lag-probe',
      stream: toRoomStreamKey(room.id),
      readGenerations: async () => ({ serving: 1, building: null }),
      writeGenerations: async () => {},
      dropGeneration: async () => {},
      apply: async (_generation, events) => {
        const now = Date.now();
        for (const event of events) lags.push(now - toCursorMs(event.cursor));
        batches.push(events.length);
        return 'applied';
      },
    };
    const projector = startProjector(store, probe, { consumer: 'bench' });
    log(`a projection in this process: ${rate} posts/s offered for ${seconds} s to one room`);
    const redisBefore = await redisCpuMicros(admin);
    const driver = await drivePaced(rate, seconds, async (i) => {
      await commands.postMessage({
        actorId: actor!,
        roomId: room.id,
        body: `Lag probe ${i}: the quick brown fox jumps over the lazy dog.`,
      });
    });
    const doneAt = Date.now();
    while (lags.length < driver.completed) {
      if (Date.now() - doneAt > 60_000)
        throw new Error(`the probe projection applied ${lags.length} of ${driver.completed} posts after 60 s`);
      await sleep(1);
    }
    const drainMs = Date.now() - doneAt;
    const redisCores = ((await redisCpuMicros(admin)) - redisBefore) / (driver.elapsedMs * 1000);
    await projector.stop();
    const { latency, ...rest } = driver;
    results.push({
      name: '(ii) one room, projector in the bench',
      method: `apply records now − cursor time per event (batches: median ${median(batches)}, max ${Math.max(...batches)})`,
      driver: { ...rest, commandP50: latency.p50, commandP99: latency.p99 },
      events: lags.length,
      lagMs: lagSummary(lags),
      ...halves(lags),
      maxEventsBehind: null,
      drainMs,
      keptUp: keptUp(driver, drainMs, rate),
      serverCores: null,
      redisCores,
    });
    log(`probe projection: ${lags.length} events, p99 lag ${lagSummary(lags).p99} ms`);
  }

  await server.child.stop();
  await store.close();
  await bench.stopRedis();
  return results;
};

// ---- d. rebuild ----

interface RebuildResults {
  fill: {
    events: number;
    posts: number;
    edits: number;
    deletes: number;
    errors: number;
    errorSamples: string[];
    seconds: number;
    perSecond: number;
    concurrency: number;
  };
  redisMemory: string;
  history: { events: number; seconds: number; perSecond: number; indexEntries: number; states: number; unchanged: boolean };
}

const EDIT_SHARE = 0.1;
const DELETE_SHARE = 0.05;

const runRebuild = async (): Promise<RebuildResults> => {
  const { redis, admin } = await bench.startRedis();
  const { store, commands } = await openCommands(redis.url);
  const authors = await registerUsers(
    commands,
    Array.from({ length: 10 }, (_, i) => `rb_${i}`),
  );
  const room = await commands.createRoom({ actorId: authors[0]!, name: 'bench rebuild' });
  const random = seededRandom(settings.seed + 3);
  // Posts still there to edit or delete, with their authors (only an author edits or deletes).
  const live: { id: string; author: string }[] = [];
  const counts = { posts: 0, edits: 0, deletes: 0 };
  log(
    `filling a room log with ${settings.rebuildEvents.toLocaleString('en-US')} events (${(1 - EDIT_SHARE - DELETE_SHARE) * 100} % posts, ${EDIT_SHARE * 100} % edits, ${DELETE_SHARE * 100} % deletions; createChatCommands, ${settings.rebuildConcurrency} in flight)`,
  );
  let next = 0;
  const fill = await runLoad(
    { concurrency: settings.rebuildConcurrency, maxOps: settings.rebuildEvents, maxErrors: Math.max(100, settings.rebuildEvents / 100) },
    async () => {
      const i = next++;
      const roll = random();
      if (live.length > 1_000 && roll < EDIT_SHARE + DELETE_SHARE) {
        const at = Math.floor(random() * live.length);
        const message = live[at]!;
        if (roll < EDIT_SHARE) {
          await commands.editMessage({
            actorId: message.author,
            messageId: message.id,
            body: `Edited in turn ${i}: the lazy dog jumps back.`,
          });
          counts.edits++;
        } else {
          // Out of the list before it goes, so no edit picks it meanwhile.
          live[at] = live.at(-1)!;
          live.pop();
          await commands.deleteMessage({ actorId: message.author, messageId: message.id });
          counts.deletes++;
        }
        return;
      }
      const author = authors[i % authors.length]!;
      const posted = await commands.postMessage({
        actorId: author,
        roomId: room.id,
        body: `Rebuild message ${i}: the quick brown fox jumps over the lazy dog.`,
      });
      live.push({ id: posted.id, author });
      counts.posts++;
    },
  );
  const stream = toRoomStreamKey(room.id);
  const events = await admin.xlen(stream);
  log(
    `filled in ${(fill.elapsedMs / 1000).toFixed(1)} s (${Math.round(fill.perSecond)} events/s; ${events} in the log, ${fill.errors} failed)`,
  );
  const redisMemory = (await admin.info('memory')).match(/used_memory_human:(\S+)/)?.[1] ?? '?';

  const indexKey = toHistoryIndexKey(room.id);
  const statesKey = toMessageSnapshotsKey(room.id);
  const sample = async () => {
    const ids = live.slice(0, 1_000).map((message) => message.id);
    return JSON.stringify([await admin.xlen(indexKey), await admin.hlen(statesKey), await admin.hmget(statesKey, ...ids)]);
  };
  const before = await sample();
  log(`rebuilding the room's messages model (rebuildInline over ${events.toLocaleString('en-US')} events)`);
  const started = performance.now();
  const folded = await rebuildInline(store, messageHistoryProjection, toMessageHistoryLocation(room.id));
  const seconds = (performance.now() - started) / 1000;
  const after = await sample();
  const indexEntries = await admin.xlen(indexKey);
  const states = await admin.hlen(statesKey);
  log(`rebuilt in ${seconds.toFixed(1)} s (${Math.round(folded / seconds)} events/s)`);
  await store.close();
  await bench.stopRedis();
  return {
    fill: {
      events,
      ...counts,
      errors: fill.errors,
      errorSamples: fill.errorSamples,
      seconds: fill.elapsedMs / 1000,
      perSecond: events / (fill.elapsedMs / 1000),
      concurrency: settings.rebuildConcurrency,
    },
    redisMemory,
    history: { events: folded, seconds, perSecond: folded / seconds, indexEntries, states, unchanged: before === after },
  };
};

// ---- the run ----

interface Results {
  startedAt: string;
  settings: typeof settings;
  goals: typeof GOALS;
  environment: Record<string, string | number>;
  /** `speedProbeMs` (bench/metrics.ts) before and after each part: how fast the machine ran. */
  probes: Partial<Record<Part, [number, number]>>;
  directory?: DirectoryResults;
  history?: HistoryResults;
  lag?: LagResults[];
  rebuild?: RebuildResults;
}

const main = async () => {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  // The machine's facts, from a redis-server started for that alone.
  const { serverInfo } = await bench.startRedis();
  const environment = describeMachine(serverInfo);
  await bench.stopRedis();
  const results: Results = { startedAt: startedAt.toISOString(), settings, goals: GOALS, environment, probes: {} };
  const probed = async <T>(part: Part, run: () => Promise<T>): Promise<T | undefined> => {
    if (!settings.parts.includes(part)) return undefined;
    const before = speedProbeMs();
    const result = await run();
    results.probes[part] = [before, speedProbeMs()];
    return result;
  };

  results.directory = await probed('directory', runDirectory);
  results.history = await probed('history', runHistory);
  results.lag = await probed('lag', runLag);
  results.rebuild = await probed('rebuild', runRebuild);

  printReport(results);
  mkdirSync(join(repoRoot, '.bench'), { recursive: true });
  const out = join(repoRoot, '.bench', `projections-${stamp}.json`);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${out}`);
};

// ---- the report ----

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const probeNote = (results: Results, part: Part) => {
  const probe = results.probes[part];
  return probe ? ` [speed probe ${probe[0].toFixed(1)} → ${probe[1].toFixed(1)} ms]` : '';
};

const printReport = (results: Results) => {
  const { settings: s, environment: e } = results;
  console.log(`\nballoons projections bench — ${results.startedAt}`);
  console.log(
    `node ${e.node}, ${e.cores} cores, redis ${e.redis} (no persistence); our server with NODE_ENV=${s.nodeEnv}, RATE_LIMITS=0; load average before the run: ${e.loadAverage}`,
  );
  console.log(
    'speed probe: the median time of a fixed CPU task in this process (bench/metrics.ts), before and after a part, and per case;' +
      "\nlower is faster: the machine's speed drifts, so compare figures measured at similar probes.",
  );

  const d = results.directory;
  if (d) {
    console.log(`\na. room directory: ${d.rooms.toLocaleString('en-US')} public rooms${probeNote(results, 'directory')}`);
    console.log(
      `created in ${d.creation.seconds.toFixed(1)} s: ${Math.round(d.creation.perSecond).toLocaleString('en-US')} rooms/s (createChatCommands.createRoom from the bench process, ${d.creation.concurrency} in flight, no server running)`,
    );
    console.log(
      `initial build by our server's projector: ${d.initialBuild.seconds.toFixed(1)} s from spawning the server until /metrics showed no lag` +
        ` (${Math.round(d.initialBuild.perSecond).toLocaleString('en-US')} events/s; ready after ${(d.initialBuild.startToReadyMs / 1000).toFixed(1)} s;` +
        ` ${d.initialBuild.serverCpuSeconds.toFixed(1)} s of server CPU)`,
    );
    console.log(
      `every page once in order: ${d.pagingPass.pages} pages, ${d.pagingPass.rooms.toLocaleString('en-US')} rooms, ${d.pagingPass.seconds.toFixed(1)} s`,
    );
    console.log(
      `\nroomDirectory(first: 50) over HTTP, the UI's document (lobbyCursor, id, name, onlineCount, pageInfo) unless said, signed in,` +
        `\n${s.directorySamples} sequential queries per case in ${s.directoryRounds} interleaved rounds, after ${s.directoryWarmup} checked ones; goal: p99 under ${GOALS.directoryP99Ms} ms at the server`,
    );
    console.log(
      formatTable<DirectoryCaseRow>(
        [
          { header: 'case', value: (r) => r.name },
          { header: 'matches', value: (r) => r.matches },
          { header: 'p50 ms', value: (r) => r.p50, digits: 2 },
          { header: 'p99 ms', value: (r) => r.p99, digits: 2 },
          { header: 'max ms', value: (r) => r.max, digits: 2 },
          { header: 'server µs/q', value: (r) => r.serverUsPerQuery },
          { header: 'main thread µs/q', value: (r) => r.mainThreadUsPerQuery },
          { header: 'redis µs/q', value: (r) => r.redisCpuUsPerOp },
          { header: 'bench µs/q', value: (r) => r.benchCpuUsPerOp },
          { header: 'probe ms', value: (r) => median(r.probeMs), digits: 1 },
          { header: `p99 < ${GOALS.directoryP99Ms} ms`, value: (r) => met(r.p99 < GOALS.directoryP99Ms) },
          { header: 'asks', value: (r) => r.asks },
        ],
        d.cases,
      ),
    );
    console.log(
      "latency: as this process sees it over loopback (an upper bound of the server's); server µs/q: our server's CPU per query," +
        `\nall its threads, from /metrics (process_cpu_seconds_total around each slice, less ${Math.round(d.scrapeOverheadUs)} µs for a scrape and` +
        ` ${d.idleUsPerMs.toFixed(1)} µs/ms idle;` +
        "\nthe median of the rounds); main thread: the event loop's share (/proc, 10 ms ticks, idle included), the rest is V8's" +
        "\ncollector and compilers; redis µs/q: redis-server's CPU per query (INFO), where the directory's scripts run: a short" +
        '\nsearch (1–2 characters) scans the names in order in Lua until a page is full, so a rare one reads most of them;' +
        '\nmatches: rooms the search matches in all (median over queries).',
    );
  }

  const h = results.history;
  if (h) {
    console.log(
      `\nb. history pages: a room of ${h.messages.toLocaleString('en-US')} posts (filled in ${h.fill.seconds.toFixed(1)} s, ${Math.round(h.fill.perSecond).toLocaleString('en-US')}/s);` +
        ` messages(last: 50, before: <random cursor>) (bench/history.ts), sequential, ${s.historyRounds} rounds of ${s.historyPages} after ${s.historyWarmup} checked pages` +
        probeNote(results, 'history'),
    );
    type Row = { round: string; pages: number; serverUs: number; mainThreadUs: number; redisUs: number | null; p50: number; p99: number };
    const whole = (round: string, c: QueryCase): Row => ({
      round,
      pages: c.count,
      serverUs: c.serverUsPerQuery,
      mainThreadUs: c.mainThreadUsPerQuery,
      redisUs: c.redisCpuUsPerOp,
      p50: c.p50,
      p99: c.p99,
    });
    console.log(
      formatTable<Row>(
        [
          { header: 'round', value: (r) => r.round },
          { header: 'pages', value: (r) => r.pages },
          { header: 'server µs/page', value: (r) => r.serverUs },
          { header: 'main thread µs/page', value: (r) => r.mainThreadUs },
          { header: 'redis µs/page', value: (r) => r.redisUs },
          { header: 'p50 ms', value: (r) => r.p50, digits: 2 },
          { header: 'p99 ms', value: (r) => r.p99, digits: 2 },
        ],
        [
          ...h.rounds.map((r, i) => ({
            round: String(i + 1),
            pages: r.pages,
            serverUs: r.serverUsPerPage,
            mainThreadUs: r.mainThreadUsPerPage,
            redisUs: null,
            p50: r.p50,
            p99: r.p99,
          })),
          whole('all', h.pages),
          whole('floor: { __typename }', h.floor),
        ],
      ),
    );
    console.log(
      `server CPU per page (median of the rounds, /metrics, all threads): ${Math.round(h.pages.serverUsPerQuery)} µs, of which the main thread (/proc)` +
        ` ${Math.round(h.pages.mainThreadUsPerQuery)} µs; goal: p50 under ${GOALS.historyServerUsP50} µs: ${met(h.pages.serverUsPerQuery < GOALS.historyServerUsP50)}` +
        "\nall: server µs the median of the rounds', the rest over all pages together; floor: a query that reads nothing, same client and" +
        '\nsession, as many after each round, the same way: what any request costs before it reads anything.',
    );
  }

  const lag = results.lag;
  if (lag) {
    console.log(
      `\nc. projector lag: ${s.projectorRate.toLocaleString('en-US')} events/s offered for ${s.projectorSeconds} s (open loop, commands from the bench process);` +
        ` goal: keeps up with ${GOALS.projectorRate.toLocaleString('en-US')}/s, p99 lag under ${GOALS.projectorP99Ms} ms${probeNote(results, 'lag')}`,
    );
    console.log(
      formatTable<LagResults>(
        [
          { header: 'projection', value: (r) => r.name },
          { header: 'events', value: (r) => r.events },
          { header: 'driven/s', value: (r) => r.driver.issuedPerSecond },
          { header: 'cmd p99 ms', value: (r) => r.driver.commandP99, digits: 1 },
          { header: 'lag p50 ms', value: (r) => r.lagMs.p50 },
          { header: 'lag p99 ms', value: (r) => r.lagMs.p99 },
          { header: 'max ms', value: (r) => r.lagMs.max },
          { header: 'p99 1st/2nd half', value: (r) => `${r.firstHalfP99} / ${r.lastHalfP99}` },
          { header: 'max behind', value: (r) => r.maxEventsBehind },
          { header: 'drain ms', value: (r) => r.drainMs },
          { header: 'server cores', value: (r) => r.serverCores, digits: 2 },
          { header: 'redis cores', value: (r) => r.redisCores, digits: 2 },
          { header: 'kept up', value: (r) => (r.keptUp ? 'yes' : 'NO') },
          { header: 'goal', value: (r) => met(r.keptUp && r.lagMs.p99 < GOALS.projectorP99Ms) },
        ],
        lag,
      ),
    );
    for (const r of lag) {
      console.log(
        `  ${r.name}: ${r.method}${r.driver.errors > 0 ? `; ${r.driver.errors} commands failed: ${r.driver.errorSamples[0]}` : ''}`,
      );
    }
    console.log(
      "kept up: the offered rate was driven (≥ 95 %) and the projection had applied every event within 1 s of the last command's answer" +
        "\n(drain ms); max behind: the most events appended and not yet applied at a poll; cores: CPU over the run's wall time.",
    );
  }

  const r = results.rebuild;
  if (r || d) {
    console.log(
      `\nd. rebuilds; goal: ${GOALS.rebuildEvents.toLocaleString('en-US')} events in under ${GOALS.rebuildSeconds} s${probeNote(results, 'rebuild')}`,
    );
    const rows: [string, number, number, number, string][] = [];
    if (r) {
      const rate = r.history.perSecond;
      rows.push([
        "rebuildInline: one room's messages (states, history index)",
        r.history.events,
        r.history.seconds,
        rate,
        met(GOALS.rebuildEvents / rate < GOALS.rebuildSeconds),
      ]);
    }
    if (d)
      rows.push(['rebuildAsync: the room directory, projector running', d.rebuild.events, d.rebuild.seconds, d.rebuild.perSecond, '–']);
    console.log(
      formatTable<[string, number, number, number, string]>(
        [
          { header: 'rebuild', value: (row) => row[0] },
          { header: 'events', value: (row) => row[1] },
          { header: 'seconds', value: (row) => row[2], digits: 1 },
          { header: 'events/s', value: (row) => row[3] },
          { header: 'goal (at this rate)', value: (row) => row[4] },
        ],
        rows,
      ),
    );
    if (r) {
      console.log(
        `the room log: ${r.fill.events.toLocaleString('en-US')} events (${r.fill.posts.toLocaleString('en-US')} posts, ${r.fill.edits.toLocaleString('en-US')} edits,` +
          ` ${r.fill.deletes.toLocaleString('en-US')} deletions; ${r.fill.errors} commands failed${r.fill.errors > 0 ? `, e.g. ${r.fill.errorSamples[0]}` : ''})` +
          ` filled in ${r.fill.seconds.toFixed(1)} s (${Math.round(r.fill.perSecond).toLocaleString('en-US')}/s, ${r.fill.concurrency} in flight); redis used ${r.redisMemory};` +
          `\nafter the rebuild: ${r.history.indexEntries.toLocaleString('en-US')} history entries, ${r.history.states.toLocaleString('en-US')} message states,` +
          ` ${r.history.unchanged ? 'the same as before it (counts and 1,000 states compared)' : 'DIFFERENT from before it'}`,
      );
    }
    if (d) {
      console.log(
        `the directory after its rebuild lists ${d.rebuild.namesAfter.toLocaleString('en-US')} rooms; its first page ${d.rebuild.firstPageUnchanged ? 'is unchanged' : 'CHANGED'}`,
      );
    }
  }
};

bench.run(main);
