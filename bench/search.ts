/**
 * `npm run bench:search`: full-text search (issue 15) against the issue's speed targets, in parts.
 * Every message body comes from one seeded generator: 5–30 words drawn from a Zipf (s = 1)
 * vocabulary of BENCH_SEARCH_VOCABULARY terms, the ~1,000 most common English words first (by
 * frequency; "the" is a tenth of all words) and then compounds of two of them ("riverstone") for
 * the rarer ranks; occasional commas, a capital and a final ".", "?" or "!". BENCH_SEARCH_ROOMS
 * rooms, a tenth of them private, BENCH_SEARCH_AUTHORS authors, each message in a random room by a
 * random author. The query kinds, each a pool of distinct queries drawn from that corpus, as
 * chat/search.ts asks the index (parseSearchQuery, the viewer's rooms as the readable filter,
 * `limit` 21: a page of 20 and one more):
 *
 *   two words:     a mid-frequency word (rank 200–999) and a frequent one (rank 1–50), e.g. `wheel the`;
 *   phrase:        two or three adjacent words of a generated body, quoted;
 *   rare word:     one word of the vocabulary's last tenth (a few hundred messages per million);
 *   unique word:   a made-up word (a name, a code, a typo: one body in 50 ends with one), each in
 *                  about one message;
 *   in one room:   two words as above, narrowed to one public room (`roomId`, `only`);
 *   50 private:    two words as above for a viewer in 50 private (and 10 public) rooms;
 * the other kinds' viewer is in 10 rooms (8 public, 2 private). The one-word kinds are held to the
 * two-word target (a query of one word asks less than one of two).
 *
 *   pg: "1,000,000 messages indexed in PostgreSQL: a two-word query p95 under 100 ms, a phrase p95
 *     under 200 ms, at the server." A throwaway database (`bench_search_<random>` on
 *     BENCH_SEARCH_POSTGRES_URL's server, dropped at the end) migrated as the server migrates it,
 *     filled with BENCH_SEARCH_MESSAGES messages through the index port
 *     (`createPostgresSearchIndex(...).apply`, so every tsvector is `toTsvector`'s) in chunks of
 *     BENCH_SEARCH_BATCH messages per apply, BENCH_SEARCH_LANES applies in flight (each lane owns
 *     a share of the rooms, so that they never wait on each other's room rows), positions from
 *     `toPosition` with increasing fake cursors spread over the year before the run; the fill is
 *     timed, then `VACUUM (ANALYZE)` (what autovacuum does to a table of that size; timed apart).
 *     Then `index.search` from this process, one call at a time, BENCH_SEARCH_QUERIES per kind
 *     (unique word: a quarter as many, each of which may scan the whole table) in
 *     BENCH_SEARCH_ROUNDS rounds, the kinds interleaved (the order rotating), after
 *     BENCH_SEARCH_WARMUP unmeasured ones per kind. The baseline in the same rounds: `SELECT 1`
 *     through the same pool (a round trip's floor). Latency here is the index call (the bulk of the
 *     server's time for a search); for 10 queries per kind the messages matching the words alone
 *     (`count(*)`, no filters) are counted afterwards, to show how much each kind has to sift.
 *     BENCH_SEARCH_EXPLAIN=1 prints each kind's slowest query's plan (EXPLAIN ANALYZE, run again).
 *   http: the same table behind a real server (our server as a child process: Redis mode, as
 *     `npm start` runs it, RATE_LIMITS=0, DATABASE_URL the bench database). Its rooms are real:
 *     BENCH_SEARCH_HTTP_MESSAGES posts through createChatCommands from this process (as the other
 *     benches seed) into 20 public rooms and the viewer's 2 private ones, projected into the table
 *     by the server's own search projector (awaited); their cursors are newer than every filled
 *     message, so queries chosen to have at least 21 matches among them (pairs of words and
 *     adjacent pairs from their bodies) answer a full first page of messages the server can read,
 *     as a real search would (filled messages have no room in Redis: the policy post-check would
 *     drop them); and their made-up words (about one match each: the index must look through
 *     everything else; a quarter as many calls). Sequential HTTP queries (the UI-like `search(first: 20)` document), interleaved
 *     in rounds with the same queries' `index.search` from this process and `{ __typename }` (the
 *     floor of any request): latency as this process sees it over loopback (an upper bound on the
 *     server's time) and our server's CPU per query (/proc, less the idle server's).
 *   lag: "Index lag (post acknowledged → findable) p99 under 1 s while 1,000 posts/s arrive;
 *     posting speed unchanged by search." The same server and database (the table holding what the
 *     parts before put in it; run alone, a fresh database and an empty table), BENCH_SEARCH_POSTERS people,
 *     signed in over HTTP, members of BENCH_SEARCH_LAG_ROOMS public rooms; postMessage over HTTP
 *     (BENCH_SEARCH_CLIENTS keep-alive connections), open loop at BENCH_SEARCH_RATE posts/s (each
 *     post sent at its slot, a random room and poster, every body a few words and a token of its
 *     own) for BENCH_SEARCH_SECONDS per round and mode, in BENCH_SEARCH_LAG_ROUNDS rounds (ABBA),
 *     after an unmeasured warm-up. Two modes: "search": the server's search projector keeps
 *     PostgreSQL as in production; every BENCH_SEARCH_SAMPLE_EVERY-th post is timed from its
 *     acknowledgement until its row is in search_messages (one poller asks for all pending rows
 *     every BENCH_SEARCH_POLL_MS: the resolution), and the window lasts until the index holds every
 *     room's log end, so the projection's work is charged to the posts; "held": this process holds
 *     the projector's lease (the advisory lock of postgresSearchIndex.ts, taken from the server by
 *     ending its lease connection, as a failover would), so the server's projector stands by and
 *     the window holds the write path alone (until the last acknowledgement); the lease is then
 *     given back and the backlog drained outside any window (timed). Per mode: the post's latency
 *     (from sending it to its response), the rate achieved, and CPU per post of our server (/proc,
 *     less its idle rate), redis-server (INFO) and PostgreSQL (its processes in /proc; a process
 *     that exits within a window loses its share), our server's event-loop delay (prom-client's
 *     p99 and max over the window), and the whole machine's busy cores with the share of processes
 *     outside the bench: a window where those kept more than 0.25 cores busy is marked disturbed
 *     (*). "Unchanged" is judged on the post's latency p50 and p95, search within 1.2× of held,
 *     pooled over the rounds; the ratios paired round by round are printed beside them.
 *   memory: "The in-memory index: 100,000 messages in under 300 MB of extra memory, queries p95
 *     under 50 ms." In a child process of its own (node --expose-gc): memory after two full
 *     collections before and after `createMemorySearchIndex().apply` of BENCH_SEARCH_MEMORY_MESSAGES
 *     generated messages (as the pg part fills, in one lane; what the index holds, the bodies
 *     included, is its cost; the bench's own samples of bodies, ~1 MB, are in it too), RSS (judged)
 *     and the V8 heap; then the same query kinds, interleaved in rounds, as in the pg part. The
 *     baseline: the raw size of the messages (ids, room, author, position and body as UTF-8).
 *
 * Results also go to .bench/search-<timestamp>.json.
 *
 * Env (all optional): BENCH_SEARCH_PARTS (pg,http,lag,memory), BENCH_SEARCH_MESSAGES (1000000),
 * BENCH_SEARCH_ROOMS (1000), BENCH_SEARCH_AUTHORS (500), BENCH_SEARCH_VOCABULARY (5000),
 * BENCH_SEARCH_BATCH (5000 messages per apply), BENCH_SEARCH_LANES (2 applies in flight),
 * BENCH_SEARCH_QUERIES (200 per kind), BENCH_SEARCH_ROUNDS (5), BENCH_SEARCH_WARMUP (10 per kind),
 * BENCH_SEARCH_HTTP_MESSAGES (5000), BENCH_SEARCH_HTTP_QUERIES (100 per case), BENCH_SEARCH_RATE
 * (1000 posts/s), BENCH_SEARCH_SECONDS (10 per round and mode), BENCH_SEARCH_LAG_ROUNDS (3),
 * BENCH_SEARCH_LAG_ROOMS (100), BENCH_SEARCH_POSTERS (20), BENCH_SEARCH_CLIENTS (16),
 * BENCH_SEARCH_SAMPLE_EVERY (5), BENCH_SEARCH_POLL_MS (10), BENCH_SEARCH_MEMORY_MESSAGES (100000),
 * BENCH_SEARCH_SEED (1), BENCH_SEARCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_SEARCH_EXPLAIN (1: prints EXPLAIN (ANALYZE, BUFFERS) of each kind's slowest PostgreSQL
 * query), BENCH_SEARCH_KEEP_DB (1: keeps the database and prints its name), BENCH_SEARCH_REUSE_DB
 * (a database kept so, filled with the same BENCH_SEARCH_MESSAGES, ROOMS, VOCABULARY and SEED:
 * measured without filling again, and kept), BENCH_NODE_ENV (production).
 * Smoke run: BENCH_SEARCH_MESSAGES=20000 BENCH_SEARCH_ROOMS=100 BENCH_SEARCH_QUERIES=40
 *   BENCH_SEARCH_ROUNDS=2 BENCH_SEARCH_HTTP_MESSAGES=2000 BENCH_SEARCH_HTTP_QUERIES=20
 *   BENCH_SEARCH_RATE=200 BENCH_SEARCH_SECONDS=2 BENCH_SEARCH_LAG_ROUNDS=1 BENCH_SEARCH_LAG_ROOMS=10
 *   BENCH_SEARCH_POSTERS=5 BENCH_SEARCH_MEMORY_MESSAGES=10000 npm run bench:search
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { toDevUserId } from '../backend/src/auth/devLogin.js';
import type { ChatCommands } from '../backend/src/chat/commands.js';
import { toRoomStreamKey } from '../backend/src/chat/keys.js';
import { type Cursor, type EventStore, compareCursors } from '../backend/src/eventstore/eventStore.js';
import { createMemorySearchIndex } from '../backend/src/search/memorySearchIndex.js';
import { migrateSearchSchema } from '../backend/src/search/postgresMigrations.js';
import { createSearchPool } from '../backend/src/search/postgresPool.js';
import { createPostgresSearchIndex, toTsquery } from '../backend/src/search/postgresSearchIndex.js';
import { parseSearchQuery } from '../backend/src/search/query.js';
import { type IndexQuery, type RoomBatch, type SearchIndex, toPosition } from '../backend/src/search/searchIndex.js';
import { toTerm } from '../backend/src/search/tokens.js';
import { type ChildServer, clockTicksPerSecond, startChild } from './childServer.js';
import { describeMachine, envNumber, log } from './env.js';
import { type HttpClient, createHttpClient } from './httpClient.js';
import { type Lifecycle, createLifecycle } from './lifecycle.js';
import { type LoadResult, quantile, summarize } from './load.js';
import { machineBusyMicros, readSample, redisCpuMicros, scrapeMetrics, speedProbeMs } from './metrics.js';
import { seededRandom } from './random.js';
import { forEachBounded, median, openCommands, profileOf } from './seed.js';
import { type OurServer, repoRoot, signInAll, startOurServer } from './servers.js';
import { formatTable } from './table.js';

// ---- settings ----

const PARTS = ['pg', 'http', 'lag', 'memory'] as const;
type Part = (typeof PARTS)[number];
const parts = (process.env.BENCH_SEARCH_PARTS || PARTS.join(','))
  .split(',')
  .map((item) => item.trim())
  .filter((item) => item !== '');
for (const part of parts)
  if (!(PARTS as readonly string[]).includes(part))
    throw new Error(`BENCH_SEARCH_PARTS: unknown part ${part}; choose from ${PARTS.join(', ')}`);
if (parts.includes('http') && !parts.includes('pg')) throw new Error('BENCH_SEARCH_PARTS: http searches the table part pg fills');

const int = (name: string, fallback: number, min: number) => Math.round(envNumber(name, fallback, min));
const settings = {
  parts: parts as Part[],
  messages: int('BENCH_SEARCH_MESSAGES', 1_000_000, 1_000),
  rooms: int('BENCH_SEARCH_ROOMS', 1_000, 10),
  authors: int('BENCH_SEARCH_AUTHORS', 500, 1),
  vocabulary: int('BENCH_SEARCH_VOCABULARY', 5_000, 1_200),
  batch: int('BENCH_SEARCH_BATCH', 5_000, 1),
  lanes: int('BENCH_SEARCH_LANES', 2, 1),
  queries: int('BENCH_SEARCH_QUERIES', 200, 1),
  rounds: int('BENCH_SEARCH_ROUNDS', 5, 1),
  warmup: int('BENCH_SEARCH_WARMUP', 10, 0),
  httpMessages: int('BENCH_SEARCH_HTTP_MESSAGES', 5_000, 500),
  httpQueries: int('BENCH_SEARCH_HTTP_QUERIES', 100, 1),
  rate: envNumber('BENCH_SEARCH_RATE', 1_000, 1),
  seconds: envNumber('BENCH_SEARCH_SECONDS', 10, 0.5),
  lagRounds: int('BENCH_SEARCH_LAG_ROUNDS', 3, 1),
  lagRooms: int('BENCH_SEARCH_LAG_ROOMS', 100, 1),
  posters: int('BENCH_SEARCH_POSTERS', 20, 1),
  clients: int('BENCH_SEARCH_CLIENTS', 16, 1),
  sampleEvery: int('BENCH_SEARCH_SAMPLE_EVERY', 5, 1),
  pollMs: envNumber('BENCH_SEARCH_POLL_MS', 10, 1),
  memoryMessages: int('BENCH_SEARCH_MEMORY_MESSAGES', 100_000, 1_000),
  seed: int('BENCH_SEARCH_SEED', 1, 0),
  postgresUrl: process.env.BENCH_SEARCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  explain: process.env.BENCH_SEARCH_EXPLAIN === '1',
  keepDatabase: process.env.BENCH_SEARCH_KEEP_DB === '1',
  reuseDatabase: process.env.BENCH_SEARCH_REUSE_DB || null,
  nodeEnv: process.env.BENCH_NODE_ENV ?? 'production',
};
if (settings.reuseDatabase !== null && !/^bench_search_[0-9a-f]+$/u.test(settings.reuseDatabase))
  throw new Error('BENCH_SEARCH_REUSE_DB: the name of a database this bench kept (bench_search_…)');

/** The issue's targets. */
const TARGETS = { pgTwoWordP95Ms: 100, pgPhraseP95Ms: 200, lagP99Ms: 1_000, memoryMiB: 300, memoryP95Ms: 50 };
/** "Posting speed unchanged": the post's latency with search within this factor of without (a noisy 2-core machine's margin). */
const POST_TOLERANCE = 1.2;
/** A window in which processes outside the bench kept more than this many cores busy is marked disturbed. */
const DISTURBED_CORES = 0.25;
/** The projector's lease, as postgresSearchIndex.ts takes it (PROJECTOR_LOCK, not exported). */
const PROJECTOR_LOCK = 7_240_315_002;
const LIMIT = 21;
const HTTP_ROOMS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => bytes / 1024 / 1024;
const percentile = (values: number[], q: number) => quantile(Float64Array.from(values).sort(), q);

// ---- the corpus ----

/** The ~1,000 most common English words, most frequent first (a classic frequency list). */
const COMMON_WORDS = `the of and to a in is it you that he was for on are with as his they be at one have this from or had
by not word but what some we can out other were all there when up use your how said an each she which do their time if will
way about many then them these so some her would make like him into time has look two more write go see number no most people
my over know water than call first who may down side been now find any new work part take get place made live where after
back little only round man year came show every good me give our under name very through just form sentence great think say
help low line differ turn cause much mean before move right boy old too same tell does set three want air well also play small
end put home read hand port large spell add even land here must big high such follow act why ask men change went light kind
off need house picture try us again animal point mother world near build self earth father head stand own page should country
found answer school grow study still learn plant cover food sun four between state keep eye never last let thought city tree
cross farm hard start might story saw far sea draw left late run while press close night real life few north open seem
together next white children begin got walk example ease paper group always music those both mark often letter until mile
river car feet care second book carry took science eat room friend began idea fish mountain stop once base hear horse cut sure
watch color face wood main enough plain girl usual young ready above ever red list though feel talk bird soon body dog family
direct pose leave song measure door product black short numeral class wind question happen complete ship area half rock order
fire south problem piece told knew pass since top whole king space heard best hour better true during hundred five remember
step early hold west ground interest reach fast verb sing listen six table travel less morning ten simple several vowel toward
war lay against pattern slow center love person money serve appear road map rain rule govern pull cold notice voice unit power
town fine certain fly fall lead cry dark machine note wait plan figure star box noun field rest correct able pound done beauty
drive stood contain front teach week final gave green quick develop ocean warm free minute strong special mind behind clear
tail produce fact street inch multiply nothing course stay wheel full force blue object decide surface deep moon island foot
system busy test record boat common gold possible plane stead dry wonder laugh thousand ago ran check game shape equate miss
brought heat snow tire bring yes distant fill east paint language among grand ball yet wave drop heart present heavy dance
engine position arm wide sail material size vary settle speak weight general ice matter circle pair include divide syllable
felt perhaps pick sudden count square reason length represent art subject region energy hunt probable bed brother egg ride cell
believe fraction forest sit race window store summer train sleep prove lone exercise wall catch mount wish sky board joy winter
sat written wild instrument kept glass grass cow job edge sign visit past soft fun bright gas weather month million bear finish
happy hope flower clothe strange gone jump baby eight village meet root buy raise solve metal whether push seven paragraph
third shall held hair describe cook floor either result burn hill safe cat century consider type law bit coast copy phrase
silent tall sand soil roll temperature finger industry value fight lie beat excite natural view sense ear else quite broke case
middle kill son lake moment scale loud spring observe child straight consonant nation dictionary milk speed method organ pay
age section dress cloud surprise quiet stone tiny climb cool design poor lot experiment bottom key iron single stick flat twenty
skin smile crease hole trade melody trip office receive row mouth exact symbol die least trouble shout except wrote seed tone
join suggest clean break lady yard rise bad blow oil blood touch grew cent mix team wire cost lost brown wear garden equal sent
choose fell fit flow fair bank collect save control decimal gentle woman captain practice separate difficult doctor please
protect noon whose locate ring character insect caught period indicate radio spoke atom human history effect electric expect
crop modern element hit student corner party supply bone rail imagine provide agree thus capital chair danger fruit rich thick
soldier process operate guess necessary sharp wing create neighbor wash bat rather crowd corn compare poem string bell depend
meat rub tube famous dollar stream fear sight thin triangle planet hurry chief colony clock mine tie enter major fresh search
send yellow gun allow print dead spot desert suit current lift rose continue block chart hat sell success company subtract
event particular deal swim term opposite wife shoe shoulder spread arrange camp invent cotton born determine quart nine truck
noise level chance gather shop stretch throw shine property column molecule select wrong gray repeat require broad prepare
salt nose plural anger claim continent oxygen sugar death pretty skill women season solution magnet silver thank branch match
suffix especially fig afraid huge sister steel discuss forward similar guide experience score apple bought led pitch coat mass
card band rope slip win dream evening condition feed tool total basic smell valley nor double seat arrive master track parent
shore division sheet substance favor connect post spend chord fat glad original share station dad bread charge proper bar
offer segment slave duck instant market degree populate chick dear enemy reply drink occur support speech nature range steam
motion path liquid log meant quotient teeth shell neck`.split(/\s+/u);

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** A 12-character id part as chat/ids.ts makes them (from the seeded generator). */
const idPart = (random: () => number) => {
  let part = '';
  for (let i = 0; i < 12; i++) part += ID_CHARS[Math.floor(random() * 64)];
  return part;
};

interface Corpus {
  /** Vocabulary by rank, most frequent first; no two share a term. */
  words: string[];
  /** Zipf weights, cumulated. */
  cumulative: Float64Array;
  rooms: { id: string; public: boolean }[];
  authors: string[];
}

const makeCorpus = (): Corpus => {
  const random = seededRandom(settings.seed);
  const words: string[] = [];
  const terms = new Set<string>();
  const add = (word: string) => {
    const term = toTerm(word);
    if (term === '' || terms.has(term)) return;
    terms.add(term);
    words.push(word);
  };
  for (const word of COMMON_WORDS) add(word);
  // The rarer ranks: compounds of two content words ("riverstone").
  const content = words.slice(100);
  for (let guard = 0; words.length < settings.vocabulary && guard < settings.vocabulary * 50; guard++)
    add(content[Math.floor(random() * content.length)]! + content[Math.floor(random() * content.length)]!);
  const cumulative = new Float64Array(words.length);
  let sum = 0;
  for (let rank = 0; rank < words.length; rank++) cumulative[rank] = sum += 1 / (rank + 1);
  const rooms = Array.from({ length: settings.rooms }, (_, i) => ({ id: idPart(random), public: i % 10 !== 9 }));
  const authors = Array.from({ length: settings.authors }, (_, i) => toDevUserId(`s_author${i}`));
  return { words, cumulative, rooms, authors };
};

const sampleWord = (corpus: Corpus, random: () => number): number => {
  const { cumulative } = corpus;
  const target = random() * cumulative[cumulative.length - 1]!;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (cumulative[mid]! > target) high = mid;
    else low = mid + 1;
  }
  return low;
};

/** A made-up word ("komarep"): a name, a code, a typo; 1.7 million of them, so each is in about one message. */
const pseudoWord = (random: () => number) => {
  let word = '';
  for (let i = 0; i < 3; i++) word += 'bdfgklmnprstvz'[Math.floor(random() * 14)]! + 'aeiou'[Math.floor(random() * 5)]!;
  return word + ['', 'n', 'r', 's', 'k'][Math.floor(random() * 5)]!;
};

/** A body of 5–30 words, and the words' ranks; one body in 50 ends with a made-up word (`unique`). */
const makeBody = (corpus: Corpus, random: () => number): { body: string; words: Uint16Array; unique: string | null } => {
  const count = 5 + Math.floor(random() * 26);
  const words = new Uint16Array(count);
  let body = '';
  for (let i = 0; i < count; i++) {
    const rank = sampleWord(corpus, random);
    words[i] = rank;
    const word = corpus.words[rank]!;
    body += i === 0 ? word[0]!.toUpperCase() + word.slice(1) : `${random() < 0.06 ? ',' : ''} ${word}`;
  }
  const unique = random() < 0.02 ? pseudoWord(random) : null;
  if (unique !== null) body += ` ${unique}`;
  const end = random();
  return { body: body + (end < 0.15 ? '?' : end < 0.22 ? '!' : '.'), words, unique };
};

/** What the fill learned of the corpus (to choose queries), and how it went. */
interface FillStats {
  messages: number;
  /** Messages holding each word. */
  df: Uint32Array;
  /** Every so many messages' words (phrases are taken from them). */
  samples: Uint16Array[];
  /** Up to 5,000 of the made-up words. */
  uniques: string[];
  seconds: number;
  /** Each apply's time, ms. */
  applyMs: number[];
}

/**
 * Generates `count` messages in time order and applies them to `index`, in chunks of
 * `batch × lanes` messages split by lane (a room's lane is its number modulo `lanes`), the lanes'
 * applies in flight together. `apply: false` generates only (the statistics of a kept database).
 */
const fill = async (index: SearchIndex, corpus: Corpus, count: number, lanes: number, apply = true): Promise<FillStats> => {
  const random = seededRandom(settings.seed + 1);
  const df = new Uint32Array(corpus.words.length);
  const seen = new Int32Array(corpus.words.length).fill(-1);
  const samples: Uint16Array[] = [];
  const uniques: string[] = [];
  const sampleEvery = Math.max(1, Math.floor(count / 5_000));
  const at = new Map<string, Cursor>();
  const applyMs: number[] = [];
  // Fake cursors: the year before the run, in order.
  const endMs = Date.now() - 86_400_000;
  const stepMs = Math.max(1, Math.floor((365 * 86_400_000) / count));
  const startMs = endMs - stepMs * count;
  const chunk = settings.batch * lanes;
  const started = performance.now();
  let logged = 0;
  for (let from = 0; from < count; from += chunk) {
    const byLane = Array.from({ length: lanes }, () => new Map<string, RoomBatch>());
    for (let i = from; i < Math.min(count, from + chunk); i++) {
      const r = Math.floor(random() * corpus.rooms.length);
      const room = corpus.rooms[r]!;
      const authorId = corpus.authors[Math.floor(random() * corpus.authors.length)]!;
      const { body, words, unique } = makeBody(corpus, random);
      if (unique !== null && uniques.length < 5_000) uniques.push(unique);
      for (const w of words) {
        if (seen[w] === i) continue;
        seen[w] = i;
        df[w]!++;
      }
      if (i % sampleEvery === 0) samples.push(words);
      const cursor = `${startMs + i * stepMs}-0` as Cursor;
      const id = `${room.id}.${idPart(random)}`;
      const lane = byLane[r % lanes]!;
      let batch = lane.get(room.id);
      if (!batch) lane.set(room.id, (batch = { roomId: room.id, from: at.get(room.id) ?? null, to: cursor, changes: [] }));
      batch.to = cursor;
      batch.changes.push({
        type: 'put',
        message: { id, roomId: room.id, authorId, body, position: toPosition(cursor, id), public: room.public },
      });
      at.set(room.id, cursor);
    }
    if (apply) {
      await Promise.all(
        byLane.map(async (batches) => {
          if (batches.size === 0) return;
          const t0 = performance.now();
          const result = await index.apply([...batches.values()]);
          applyMs.push(performance.now() - t0);
          if (result !== 'applied') throw new Error(`apply answered ${result}`);
        }),
      );
    }
    const done = Math.min(count, from + chunk);
    if (apply && count >= 100_000 && done >= logged + count / 10) {
      logged = done;
      const seconds = (performance.now() - started) / 1000;
      log(
        `  ${done.toLocaleString('en-US')} messages in ${seconds.toFixed(0)} s (${Math.round(done / seconds).toLocaleString('en-US')}/s)`,
      );
    }
  }
  return { messages: count, df, samples, uniques, seconds: (performance.now() - started) / 1000, applyMs };
};

// ---- the queries ----

const KINDS = ['two words', 'phrase', 'rare word', 'unique word', 'in one room', '50 private'] as const;
type Kind = (typeof KINDS)[number];

interface QueryCase {
  text: string;
  query: IndexQuery;
}

const toIndexQuery = (text: string, readable: readonly string[], only: readonly string[] | null): IndexQuery => {
  const parsed = parseSearchQuery(text);
  return {
    include: parsed.include,
    exclude: parsed.exclude,
    readable: { rooms: readable },
    only,
    authorId: null,
    below: null,
    notBelow: null,
    limit: LIMIT,
  };
};

/** Each kind's pool of `count` queries (distinct where the corpus allows), from a generator of their own. */
const buildQueries = (corpus: Corpus, stats: FillStats, count: number): Record<Kind, QueryCase[]> => {
  const random = seededRandom(settings.seed + 2);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const publicRooms = corpus.rooms.filter((room) => room.public).map((room) => room.id);
  const privateRooms = corpus.rooms.filter((room) => !room.public).map((room) => room.id);
  const viewer = [...publicRooms.slice(0, 8), ...privateRooms.slice(0, 2)];
  const viewer50 = [...privateRooms.slice(0, 50), ...publicRooms.slice(0, 10)];
  const V = corpus.words.length;
  const ranks = (from: number, to: number) => Array.from({ length: Math.max(1, Math.min(V, to) - from) }, (_, i) => from + i);
  const frequent = ranks(0, 50);
  const mid = ranks(200, 1_000);
  const rare = ranks(Math.floor(V * 0.9), V).filter((rank) => stats.df[rank]! > 0);
  const twoWords = () => `${corpus.words[pick(mid)]} ${corpus.words[pick(frequent)]}`;
  const distinct = (make: () => string) => {
    const texts = new Set<string>();
    for (let guard = 0; texts.size < count && guard < count * 20; guard++) texts.add(make());
    return [...texts];
  };
  const phrase = (i: number) => {
    const length = i % 2 === 0 ? 2 : 3;
    const body = pick(stats.samples.filter((sample) => sample.length >= length));
    const at = Math.floor(random() * (body.length - length + 1));
    return `"${[...body.slice(at, at + length)].map((rank) => corpus.words[rank]).join(' ')}"`;
  };
  let phrases = 0;
  return {
    'two words': distinct(twoWords).map((text) => ({ text, query: toIndexQuery(text, viewer, null) })),
    phrase: distinct(() => phrase(phrases++)).map((text) => ({ text, query: toIndexQuery(text, viewer, null) })),
    'rare word': distinct(() => corpus.words[pick(rare)]!).map((text) => ({ text, query: toIndexQuery(text, viewer, null) })),
    'unique word': distinct(() => pick(stats.uniques)).map((text) => ({ text, query: toIndexQuery(text, viewer, null) })),
    'in one room': distinct(twoWords).map((text) => ({ text, query: toIndexQuery(text, viewer, [pick(publicRooms)]) })),
    '50 private': distinct(twoWords).map((text) => ({ text, query: toIndexQuery(text, viewer50, null) })),
  };
};

interface Timed {
  name: string;
  latency: LoadResult;
  p95: number;
  /** Results returned per call (median). */
  results: number;
  /** The slowest call's query text and ms, and its SQL where known. */
  slowest: { text: string; ms: number; sql: { text: string; values: unknown[] } | null };
}

interface Timer {
  name: string;
  cases: { text: string }[];
  /** Runs case i; answers the results it returned. */
  run(i: number): Promise<number>;
  /** The SQL the last call sent, where known. */
  lastSql?: () => { text: string; values: unknown[] } | null;
  /** Calls in all, when not `perTimer`; and unmeasured calls first, when not `warmup`. */
  calls?: number;
  warmup?: number;
}

/**
 * Times each timer's calls one at a time: `warmup` unmeasured calls per timer, then `rounds`
 * rounds of `perTimer / rounds` calls each, the timers' order rotating from round to round (a
 * noisy machine's slow spells spread over every timer). `slice` hooks run around each round's calls.
 */
const timeInRounds = async (
  timers: Timer[],
  perTimer: number,
  rounds: number,
  warmup: number,
  slice: { before?: () => void; after?: (name: string, calls: number, ms: number) => void } = {},
): Promise<Timed[]> => {
  const latencies = new Map(timers.map((timer) => [timer.name, [] as number[]]));
  const results = new Map(timers.map((timer) => [timer.name, [] as number[]]));
  const slowest = new Map<string, Timed['slowest']>();
  const elapsed = new Map(timers.map((timer) => [timer.name, 0]));
  const next = new Map(timers.map((timer) => [timer.name, 0]));
  for (const timer of timers) for (let i = 0; i < Math.min(timer.warmup ?? warmup, timer.cases.length); i++) await timer.run(i);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < timers.length; k++) {
      const timer = timers[(round + k) % timers.length]!;
      const total = timer.calls ?? perTimer;
      const calls = Math.floor(total / rounds) + (round < total % rounds ? 1 : 0);
      slice.before?.();
      const sliceStarted = performance.now();
      for (let j = 0; j < calls; j++) {
        const i = next.get(timer.name)! % timer.cases.length;
        next.set(timer.name, i + 1);
        const t0 = performance.now();
        const found = await timer.run(i);
        const ms = performance.now() - t0;
        latencies.get(timer.name)!.push(ms);
        results.get(timer.name)!.push(found);
        if (ms > (slowest.get(timer.name)?.ms ?? -1))
          slowest.set(timer.name, { text: timer.cases[i]!.text, ms, sql: timer.lastSql?.() ?? null });
      }
      const sliceMs = performance.now() - sliceStarted;
      elapsed.set(timer.name, elapsed.get(timer.name)! + sliceMs);
      slice.after?.(timer.name, calls, sliceMs);
    }
  }
  return timers.map(
    (timer): Timed => ({
      name: timer.name,
      latency: summarize(latencies.get(timer.name)!, elapsed.get(timer.name)!),
      p95: percentile(latencies.get(timer.name)!, 0.95),
      results: median(results.get(timer.name)!),
      slowest: slowest.get(timer.name) ?? { text: '', ms: Number.NaN, sql: null },
    }),
  );
};

// ---- PostgreSQL ----

interface Database {
  name: string;
  url: string;
  /** The index's pool (createSearchPool, as the server's), its queries recorded. */
  pool: pg.Pool;
  index: SearchIndex;
  lastSql(): { text: string; values: unknown[] } | null;
  /** For statistics and EXPLAIN. */
  admin: pg.Pool;
  kept: boolean;
}

const databaseUrl = (name: string) => {
  const url = new URL(settings.postgresUrl);
  url.pathname = `/${name}`;
  return url.href;
};

const serverQuery = async (sql: string) => {
  const client = new pg.Client({ connectionString: settings.postgresUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

/** Databases to drop on the way out, however it goes (a synchronous psql in the exit hook as a last resort). */
const toDrop = new Set<string>();
process.on('exit', () => {
  for (const name of toDrop) {
    try {
      execFileSync('psql', [settings.postgresUrl, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], {
        stdio: 'ignore',
        timeout: 15_000,
      });
    } catch {
      console.error(`could not drop database ${name}: drop it by hand`);
    }
  }
});

const openDatabase = async (): Promise<Database> => {
  const kept = settings.reuseDatabase !== null || settings.keepDatabase;
  const name = settings.reuseDatabase ?? `bench_search_${randomBytes(5).toString('hex')}`;
  if (settings.reuseDatabase === null) {
    await serverQuery(`CREATE DATABASE ${name}`);
    if (!kept) toDrop.add(name);
    log(`created database ${name}${kept ? ' (kept at the end: BENCH_SEARCH_KEEP_DB)' : ''}`);
  } else log(`reusing database ${name} (BENCH_SEARCH_REUSE_DB)`);
  const url = databaseUrl(name);
  const pool = createSearchPool(url);
  let last: { text: string; values: unknown[] } | null = null;
  const query = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
  (pool as unknown as { query: unknown }).query = (text: string, values?: unknown[]) => {
    last = { text, values: values ?? [] };
    return query(text, values);
  };
  await migrateSearchSchema(pool);
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  admin.on('error', () => {});
  return { name, url, pool, index: createPostgresSearchIndex({ pool }), lastSql: () => last, admin, kept };
};

const closeDatabase = async (db: Database) => {
  await db.index.close();
  await db.pool.end().catch(() => {});
  await db.admin.end().catch(() => {});
  if (db.kept) {
    console.log(
      `\ndatabase ${db.name} kept: BENCH_SEARCH_REUSE_DB=${db.name} measures on it again; drop it with psql -c 'DROP DATABASE ${db.name}'`,
    );
    return;
  }
  await serverQuery(`DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
  toDrop.delete(db.name);
  log(`dropped database ${db.name}`);
};

/** PostgreSQL's processes (the postmaster's tree) and their CPU ticks, from /proc; null when they are not on this machine. */
const postgresTicks = (postmaster: number | null): Map<number, number> | null => {
  if (postmaster === null) return null;
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      if (pid === postmaster || Number(fields[1]) === postmaster) ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
};
/** CPU µs PostgreSQL's processes spent between two samples (those that exited in between are lost). */
const postgresCpuBetween = (before: Map<number, number> | null, after: Map<number, number> | null) => {
  if (!before || !after) return Number.NaN;
  let ticks = 0;
  for (const [pid, value] of after) ticks += value - (before.get(pid) ?? 0);
  return (ticks / clockTicksPerSecond()) * 1e6;
};
const findPostmaster = async (db: Database): Promise<number | null> => {
  const { rows } = await db.admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  try {
    const text = readFileSync(`/proc/${rows[0]!.pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
};

// ---- part pg ----

interface KindResult extends Timed {
  /** Messages matching the words alone (no filter), median of up to 10 of the kind's queries. */
  matches: number | null;
}

interface PgResults {
  fill: { messages: number; seconds: number; reused: boolean; applyP50Ms: number; applyP99Ms: number; vacuumSeconds: number };
  sizes: { table: number; terms: number; position: number; room: number; author: number; primary: number };
  kinds: KindResult[];
  explain: { kind: string; text: string; plan: string }[];
}

const runPg = async (db: Database, corpus: Corpus): Promise<{ results: PgResults; stats: FillStats }> => {
  const reused = settings.reuseDatabase !== null;
  let stats: FillStats;
  let vacuumSeconds = Number.NaN;
  if (reused) {
    const { rows } = await db.admin.query<{ n: string }>('SELECT count(*) AS n FROM search_messages');
    log(
      `database ${db.name} holds ${Number(rows[0]!.n).toLocaleString('en-US')} messages; generating the corpus's statistics without filling`,
    );
    stats = await fill(db.index, corpus, settings.messages, settings.lanes, false);
  } else {
    log(
      `filling PostgreSQL: ${settings.messages.toLocaleString('en-US')} messages in ${settings.rooms} rooms, ${settings.batch.toLocaleString('en-US')} per apply, ${settings.lanes} in flight`,
    );
    stats = await fill(db.index, corpus, settings.messages, settings.lanes);
    log(
      `filled in ${stats.seconds.toFixed(1)} s (${Math.round(settings.messages / stats.seconds).toLocaleString('en-US')} messages/s); VACUUM (ANALYZE)`,
    );
    const started = performance.now();
    await db.admin.query('VACUUM (ANALYZE) search_messages');
    await db.admin.query('VACUUM (ANALYZE) search_rooms');
    vacuumSeconds = (performance.now() - started) / 1000;
  }
  const size = async (relation: string) =>
    Number((await db.admin.query<{ n: string }>('SELECT pg_relation_size($1) AS n', [relation])).rows[0]!.n);
  const sizes = {
    table: Number((await db.admin.query<{ n: string }>("SELECT pg_table_size('search_messages') AS n")).rows[0]!.n),
    terms: await size('search_messages_terms'),
    position: await size('search_messages_position'),
    room: await size('search_messages_room'),
    author: await size('search_messages_author'),
    primary: await size('search_messages_pkey'),
  };

  const pools = buildQueries(corpus, stats, settings.queries);
  const timers: Timer[] = [
    { name: 'floor: SELECT 1', cases: [{ text: 'SELECT 1' }], run: async () => (await db.pool.query('SELECT 1')).rowCount ?? 0 },
    ...KINDS.map(
      (kind): Timer => ({
        name: kind,
        cases: pools[kind],
        run: async (i) => (await db.index.search(pools[kind][i]!.query)).length,
        lastSql: db.lastSql,
        // Each of these may scan the whole table (a second at a million rows): a quarter as many.
        ...(kind === 'unique word'
          ? { calls: Math.max(settings.rounds, Math.ceil(settings.queries / 4)), warmup: Math.ceil(settings.warmup / 4) }
          : {}),
      }),
    ),
  ];
  log(
    `PostgreSQL index: ${settings.queries} calls per kind in ${settings.rounds} rounds, one at a time, after ${settings.warmup} per kind`,
  );
  const timed = await timeInRounds(timers, settings.queries, settings.rounds, settings.warmup);

  const kinds: KindResult[] = [];
  for (const t of timed) {
    let matches: number | null = null;
    const kind = t.name as Kind;
    if (pools[kind]) {
      const counts: number[] = [];
      for (const c of pools[kind].slice(0, 10)) {
        const tsquery = toTsquery(c.query);
        const { rows } = await db.admin.query<{ n: string }>('SELECT count(*) AS n FROM search_messages WHERE terms @@ $1::tsquery', [
          tsquery,
        ]);
        counts.push(Number(rows[0]!.n));
      }
      matches = median(counts);
    }
    kinds.push({ ...t, matches });
  }

  const explain: PgResults['explain'] = [];
  if (settings.explain) {
    for (const k of kinds) {
      if (!k.slowest.sql) continue;
      const { rows } = await db.admin.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${k.slowest.sql.text}`,
        k.slowest.sql.values,
      );
      explain.push({ kind: k.name, text: k.slowest.text, plan: rows.map((row) => row['QUERY PLAN']).join('\n') });
    }
  }
  const applySorted = Float64Array.from(stats.applyMs).sort();
  return {
    stats,
    results: {
      fill: {
        messages: settings.messages,
        seconds: stats.seconds,
        reused,
        applyP50Ms: quantile(applySorted, 0.5),
        applyP99Ms: quantile(applySorted, 0.99),
        vacuumSeconds,
      },
      sizes,
      kinds,
      explain,
    },
  };
};

// ---- our server (parts http and lag) ----

interface ServerSetup {
  server: OurServer;
  admin: Redis;
  store: EventStore;
  commands: ChatCommands;
  client: HttpClient;
}

const startServer = async (bench: Lifecycle, db: Database): Promise<ServerSetup> => {
  const { redis, admin } = await bench.startRedis();
  log(`starting our server (node backend/build/main.js, NODE_ENV=${settings.nodeEnv}, RATE_LIMITS=0, DATABASE_URL=${db.url})`);
  const server = await startOurServer({ redisUrl: redis.url, nodeEnv: settings.nodeEnv, env: { RATE_LIMITS: '0', DATABASE_URL: db.url } });
  const { store, commands } = await openCommands(redis.url);
  const client = createHttpClient(server.url, { maxSockets: settings.clients });
  bench.clients.add(client);
  return { server, admin, store, commands, client };
};

const stopServer = async (bench: Lifecycle, setup: ServerSetup) => {
  bench.clients.delete(setup.client);
  setup.client.close();
  await setup.store.close();
  await setup.server.child.stop(15_000);
  await bench.stopRedis();
};

const MESSAGE_EVENTS = new Set(['MessagePosted', 'MessageEdited', 'MessageDeleted']);

/**
 * Waits until the index holds each of `roomIds`' logs up to its last message event (as it is now);
 * ms waited. Not to the log's end: a room's other events (joins) send the projector no note, and it
 * reaches them at its next sweep (every minute), which findability does not wait for.
 */
const waitIndexed = async (setup: ServerSetup, index: SearchIndex, roomIds: readonly string[], timeoutMs = 180_000) => {
  const started = performance.now();
  const ends = await Promise.all(
    roomIds.map(
      async (roomId) =>
        (await setup.store.readBackward(toRoomStreamKey(roomId), { count: 100 })).find((event) => MESSAGE_EVENTS.has(event.type))?.cursor ??
        null,
    ),
  );
  for (;;) {
    const positions = await index.positions(roomIds);
    if (roomIds.every((roomId, i) => ends[i] === null || (positions.has(roomId) && compareCursors(positions.get(roomId)!, ends[i]!) >= 0)))
      return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`the search projector did not catch up within ${timeoutMs} ms`);
    await sleep(10);
  }
};

/** Our server's CPU µs per ms of wall time, idle (its projectors' polls and timers), over two seconds. */
const idleCpu = async (child: ChildServer) => {
  const before = child.cpuMicros();
  const started = performance.now();
  await sleep(2_000);
  return Math.max(0, (child.cpuMicros() - before) / (performance.now() - started));
};

// ---- part http ----

const SEARCH = `query Search($q: String!) {
  search(query: $q, first: 20) {
    edges { cursor highlights { start length } node { id body createdAt author { id handle displayName } room { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface HttpCase extends Timed {
  /** Our server's CPU per call (HTTP cases), µs. */
  serverUs: number | null;
}

interface HttpResults {
  seed: { messages: number; seconds: number; projectedMs: number };
  idleUsPerMs: number;
  cases: HttpCase[];
}

const runHttp = async (setup: ServerSetup, db: Database, corpus: Corpus): Promise<HttpResults> => {
  const { commands, server, client } = setup;
  const viewerHandle = 's_viewer';
  const viewer = toDevUserId(viewerHandle);
  const posterHandles = Array.from({ length: 10 }, (_, i) => `s_http${i}`);
  const posters = posterHandles.map(toDevUserId);
  for (const handle of [viewerHandle, ...posterHandles])
    await commands.registerUser({ userId: toDevUserId(handle), profile: profileOf(handle) });
  const publicRooms: string[] = [];
  for (let i = 0; i < HTTP_ROOMS; i++) {
    const room = await commands.createRoom({ actorId: posters[i % posters.length]!, name: `search bench ${i}` });
    publicRooms.push(room.id);
    for (const poster of posters) if (poster !== posters[i % posters.length]) await commands.joinRoom({ actorId: poster, roomId: room.id });
    if (i < 8) await commands.joinRoom({ actorId: viewer, roomId: room.id });
  }
  const privateRooms: string[] = [];
  for (let i = 0; i < 2; i++)
    privateRooms.push((await commands.createRoom({ actorId: viewer, name: `search bench private ${i}`, kind: 'PRIVATE' })).id);

  const random = seededRandom(settings.seed + 3);
  const bodies = Array.from({ length: settings.httpMessages }, () => makeBody(corpus, random));
  const targets = bodies.map((_, i) =>
    i % 20 === 19
      ? { actorId: viewer, roomId: privateRooms[Math.floor(i / 20) % 2]! }
      : { actorId: posters[i % posters.length]!, roomId: publicRooms[Math.floor(random() * publicRooms.length)]! },
  );
  log(
    `posting ${settings.httpMessages.toLocaleString('en-US')} messages through the commands into ${HTTP_ROOMS} public rooms and 2 private ones`,
  );
  const seedStarted = performance.now();
  await forEachBounded(bodies.length, 32, async (i) => {
    await commands.postMessage({ ...targets[i]!, body: bodies[i]!.body });
  });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const projectedMs = await waitIndexed(setup, db.index, [...publicRooms, ...privateRooms]);
  log(`posted in ${seedSeconds.toFixed(1)} s; the server's projector had them in PostgreSQL ${Math.round(projectedMs)} ms later`);

  // Queries with at least 21 matches among these messages (all readable by the viewer): a full first page of them.
  const postings = new Map<number, number[]>();
  bodies.forEach(({ words }, i) => {
    for (const w of new Set(words)) {
      const list = postings.get(w) ?? [];
      list.push(i);
      postings.set(w, list);
    }
  });
  const pairs: string[] = [];
  for (let m = 20; m < 400; m++)
    for (let f = 0; f < 20; f++) {
      const a = new Set(postings.get(m) ?? []);
      if ((postings.get(f) ?? []).filter((i) => a.has(i)).length >= LIMIT + 1) pairs.push(`${corpus.words[m]} ${corpus.words[f]}`);
    }
  const bigrams = new Map<string, Set<number>>();
  bodies.forEach(({ words }, i) => {
    for (let k = 0; k + 1 < words.length; k++) {
      const key = `${words[k]} ${words[k + 1]}`;
      const set = bigrams.get(key) ?? new Set<number>();
      set.add(i);
      bigrams.set(key, set);
    }
  });
  const phrases = [...bigrams]
    .filter(([, set]) => set.size >= LIMIT + 1)
    .map(
      ([key]) =>
        `"${key
          .split(' ')
          .map((rank) => corpus.words[Number(rank)])
          .join(' ')}"`,
    );
  const shuffle = <T>(items: T[]) => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  };
  const twoWordCases = shuffle(pairs).slice(0, settings.httpQueries);
  const phraseCases = shuffle(phrases).slice(0, settings.httpQueries);
  // Made-up words of these posts: each in about one message, so the index finds fewer than a page.
  const uniqueCases = shuffle([...new Set(bodies.flatMap(({ unique }) => (unique === null ? [] : [unique])))]);
  if (twoWordCases.length === 0 || phraseCases.length === 0)
    throw new Error('no query has 21 matches among the posted messages: raise BENCH_SEARCH_HTTP_MESSAGES');
  const readable = [...publicRooms.slice(0, 8), ...privateRooms];

  const cookie = (await signInAll(client, server.origin, [viewerHandle])).cookies[0]!;
  const http = (texts: string[]) => async (i: number) => {
    const text = await client.graphql(SEARCH, { q: texts[i] }, cookie);
    return (JSON.parse(text) as { data: { search: { edges: unknown[] } } }).data.search.edges.length;
  };
  const direct = (texts: string[]) => {
    const queries = texts.map((text) => toIndexQuery(text, readable, null));
    return async (i: number) => (await db.index.search(queries[i]!)).length;
  };
  const timers: Timer[] = [
    { name: 'http: two words', cases: twoWordCases.map((text) => ({ text })), run: http(twoWordCases) },
    { name: 'http: phrase', cases: phraseCases.map((text) => ({ text })), run: http(phraseCases) },
    { name: 'index: the same two words', cases: twoWordCases.map((text) => ({ text })), run: direct(twoWordCases), lastSql: db.lastSql },
    { name: 'index: the same phrases', cases: phraseCases.map((text) => ({ text })), run: direct(phraseCases), lastSql: db.lastSql },
    // A quarter as many: on a large table each may take most of a second (see the pg part).
    {
      name: 'http: unique word',
      cases: uniqueCases.map((text) => ({ text })),
      run: http(uniqueCases),
      calls: Math.max(settings.rounds, Math.ceil(settings.httpQueries / 4)),
    },
    {
      name: 'http: { __typename } (floor)',
      cases: [{ text: '{ __typename }' }],
      run: async () => {
        await client.graphql('{ __typename }', {}, cookie);
        return 0;
      },
    },
  ];
  const usable = timers.filter((timer) => timer.cases.length > 0);
  const idleUsPerMs = await idleCpu(server.child);
  log(
    `our server idles at ${idleUsPerMs.toFixed(1)} µs per ms (subtracted); HTTP search: ${settings.httpQueries} per case in ${settings.rounds} rounds`,
  );
  const cpu = new Map<string, number>();
  let cpuMark = 0;
  const timed = await timeInRounds(usable, settings.httpQueries, settings.rounds, settings.warmup, {
    before: () => {
      cpuMark = server.child.cpuMicros();
    },
    after: (name, _calls, ms) => {
      cpu.set(name, (cpu.get(name) ?? 0) + server.child.cpuMicros() - cpuMark - idleUsPerMs * ms);
    },
  });
  return {
    seed: { messages: settings.httpMessages, seconds: seedSeconds, projectedMs },
    idleUsPerMs,
    cases: timed.map((t) => ({
      ...t,
      serverUs: t.name.startsWith('http') ? cpu.get(t.name)! / t.latency.count : null,
    })),
  };
};

// ---- part lag ----

const POST = 'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }';

interface PostRound {
  mode: 'search' | 'held';
  round: number;
  posts: number;
  errors: number;
  errorSamples: string[];
  offeredPerSecond: number;
  achievedPerSecond: number;
  latency: LoadResult & { p95: number };
  /** Window: search, from the first post until the index holds every room's end; held, until the last acknowledgement. */
  windowMs: number;
  serverUs: number;
  redisUs: number;
  postgresUs: number;
  /** Every post's latency, ms (left out of the JSON). */
  latencies: number[];
  /** search: from acknowledgement to the row's appearance, ms, per sampled post (left out of the JSON). */
  lags: number[];
  lagsFromSend: number[];
  /** held: from giving the lease back until the server's projector had caught up, ms. */
  drainMs: number | null;
  /** Posts whose row had not appeared when the window ended (search). */
  unseen: number;
  /** The whole machine's busy cores over the window, and those of processes outside the bench (not the server, Redis, PostgreSQL or this process). */
  machineCores: number;
  otherCores: number;
  /** Our server's event-loop delay over the window (prom-client's, reset by each scrape), ms. */
  loopP99Ms: number;
  loopMaxMs: number;
}

interface LagResults {
  setup: { rooms: number; posters: number; tableRows: number };
  idleUsPerMs: number;
  warmup: { posts: number; seconds: number };
  rounds: PostRound[];
  lag: LoadResult & { p95: number };
  lagFromSend: LoadResult & { p95: number };
  byMode: Record<
    'search' | 'held',
    { latency: LoadResult & { p95: number }; serverUs: number; redisUs: number; postgresUs: number; perSecond: number }
  >;
}

/** The projector's lease, held by this process on a connection of its own while a "held" round runs. */
const createLease = async (db: Database) => {
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => {});
  await client.connect();
  const holder = async () =>
    (
      await db.admin.query<{ pid: number }>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND ((classid::bigint << 32) | objid::bigint) = $1`,
        [PROJECTOR_LOCK],
      )
    ).rows[0]?.pid ?? null;
  const ownPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return {
    /** Takes the lease from the server: ends its lease connection and takes the lock before it takes it again. */
    async take() {
      for (let attempt = 0; attempt < 200; attempt++) {
        const pid = await holder();
        if (pid === ownPid) return;
        if (pid !== null) await db.admin.query('SELECT pg_terminate_backend($1)', [pid]);
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PROJECTOR_LOCK]);
        if (rows[0]!.locked) return;
        await sleep(5);
      }
      throw new Error("could not take the search projector's lease from the server");
    },
    async give() {
      await client.query('SELECT pg_advisory_unlock($1)', [PROJECTOR_LOCK]);
    },
    /** Waits until someone else (the server) holds it. */
    async waitTaken(timeoutMs = 30_000) {
      const started = performance.now();
      for (;;) {
        const pid = await holder();
        if (pid !== null && pid !== ownPid) return;
        if (performance.now() - started > timeoutMs) throw new Error(`the server did not take the lease back within ${timeoutMs} ms`);
        await sleep(10);
      }
    },
    close: () => client.end().catch(() => {}),
  };
};

const runLag = async (setup: ServerSetup, db: Database, corpus: Corpus): Promise<LagResults> => {
  const { commands, server, client, admin } = setup;
  const posterHandles = Array.from({ length: settings.posters }, (_, i) => `s_lag${i}`);
  const posters = posterHandles.map(toDevUserId);
  for (const handle of posterHandles) await commands.registerUser({ userId: toDevUserId(handle), profile: profileOf(handle) });
  log(`lag: ${settings.lagRooms} public rooms, ${settings.posters} posters in each`);
  const rooms: string[] = new Array(settings.lagRooms);
  await forEachBounded(settings.lagRooms, 16, async (i) => {
    const owner = posters[i % posters.length]!;
    const room = await commands.createRoom({ actorId: owner, name: `search lag ${i}` });
    rooms[i] = room.id;
    for (const poster of posters) if (poster !== owner) await commands.joinRoom({ actorId: poster, roomId: room.id });
  });
  const { cookies } = await signInAll(client, server.origin, posterHandles);
  await waitIndexed(setup, db.index, rooms);
  const tableRows = Number((await db.admin.query<{ n: string }>('SELECT count(*) AS n FROM search_messages')).rows[0]!.n);
  const postmaster = await findPostmaster(db);
  const lease = await createLease(db);
  const random = seededRandom(settings.seed + 4);
  let serial = 0;

  /** Open loop: post i is sent at start + i / rate; answers when every post has been answered. */
  const postOpenLoop = async (seconds: number, onAck: (id: string, sentAt: number, ackAt: number) => void) => {
    const total = Math.max(1, Math.round(settings.rate * seconds));
    const latencies: number[] = [];
    const errorSamples: string[] = [];
    let errors = 0;
    const inFlight = new Set<Promise<void>>();
    const send = (i: number) => {
      const token = `lag${settings.seed}x${serial++}`;
      const { body } = makeBody(corpus, random);
      const roomId = rooms[Math.floor(random() * rooms.length)]!;
      const cookie = cookies[i % cookies.length]!;
      const sentAt = performance.now();
      const promise = client
        .graphql(POST, { r: roomId, b: `${body.slice(0, -1)} ${token}.` }, cookie)
        .then((text) => {
          const ackAt = performance.now();
          latencies.push(ackAt - sentAt);
          onAck((JSON.parse(text) as { data: { postMessage: { id: string } } }).data.postMessage.id, sentAt, ackAt);
        })
        .catch((error: unknown) => {
          errors++;
          const message = error instanceof Error ? error.message : String(error);
          if (errorSamples.length < 3 && !errorSamples.includes(message)) errorSamples.push(message);
        })
        .finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    };
    const started = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) * settings.rate) / 1000) + 1);
      while (sent < due) send(sent++);
      await sleep(1);
    }
    const sendingMs = performance.now() - started;
    while (inFlight.size > 0) await Promise.all([...inFlight]);
    return { total, latencies, errors, errorSamples, sendingMs, elapsedMs: performance.now() - started };
  };

  /** Rows awaited in search_messages: id → when it was acknowledged and sent. */
  const pending = new Map<string, { ackAt: number; sentAt: number }>();
  let lags: number[] = [];
  let lagsFromSend: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      if (pending.size > 0) {
        const asked = performance.now();
        const { rows } = await db.admin.query<{ message_id: string }>(
          'SELECT message_id FROM search_messages WHERE message_id = ANY($1::text[])',
          [[...pending.keys()]],
        );
        for (const row of rows) {
          const entry = pending.get(row.message_id);
          if (!entry) continue;
          pending.delete(row.message_id);
          lags.push(asked - entry.ackAt);
          lagsFromSend.push(asked - entry.sentAt);
        }
      }
      await sleep(settings.pollMs);
    }
  })();

  const idleUsPerMs = await idleCpu(server.child);
  log(
    `our server idles at ${idleUsPerMs.toFixed(1)} µs per ms (subtracted); warm-up: ${Math.min(3, settings.seconds)} s at ${settings.rate}/s`,
  );
  const warmupStarted = performance.now();
  const warm = await postOpenLoop(Math.min(3, settings.seconds), () => {});
  await waitIndexed(setup, db.index, rooms);
  const warmup = { posts: warm.total, seconds: (performance.now() - warmupStarted) / 1000 };

  const rounds: PostRound[] = [];
  for (let round = 0; round < settings.lagRounds; round++) {
    const modes: ('search' | 'held')[] = round % 2 === 0 ? ['search', 'held'] : ['held', 'search'];
    for (const mode of modes) {
      if (mode === 'held') await lease.take();
      log(`round ${round + 1}, ${mode}: ${settings.seconds} s at ${settings.rate} posts/s [speed probe ${speedProbeMs().toFixed(1)} ms]`);
      lags = [];
      lagsFromSend = [];
      await scrapeMetrics(server.url);
      const cpu0 = server.child.cpuMicros();
      const redis0 = await redisCpuMicros(admin);
      const pg0 = postgresTicks(postmaster);
      const machine0 = machineBusyMicros();
      const own0 = process.cpuUsage();
      const started = performance.now();
      let sampled = 0;
      const result = await postOpenLoop(settings.seconds, (id, sentAt, ackAt) => {
        if (mode === 'search' && sampled++ % settings.sampleEvery === 0) pending.set(id, { ackAt, sentAt });
      });
      if (mode === 'search') {
        await waitIndexed(setup, db.index, rooms);
        // The poller's last answers for rows that came in at the very end.
        for (let i = 0; i < 100 && pending.size > 0; i++) await sleep(settings.pollMs);
      }
      const windowMs = performance.now() - started;
      const machineUs = machineBusyMicros() - machine0;
      const ownUsage = process.cpuUsage(own0);
      const serverAllUs = server.child.cpuMicros() - cpu0;
      const serverUs = serverAllUs - idleUsPerMs * windowMs;
      const redisUs = (await redisCpuMicros(admin)) - redis0;
      const postgresUs = postgresCpuBetween(pg0, postgresTicks(postmaster));
      const metrics = await scrapeMetrics(server.url);
      const accounted = serverAllUs + redisUs + (Number.isNaN(postgresUs) ? 0 : postgresUs) + ownUsage.user + ownUsage.system;
      const unseen = pending.size;
      pending.clear();
      let drainMs: number | null = null;
      if (mode === 'held') {
        const drainStarted = performance.now();
        await lease.give();
        await lease.waitTaken();
        await waitIndexed(setup, db.index, rooms);
        drainMs = performance.now() - drainStarted;
        log(`  lease given back; the server's projector caught up in ${Math.round(drainMs)} ms`);
      }
      const posts = result.latencies.length;
      rounds.push({
        mode,
        round,
        posts,
        errors: result.errors,
        errorSamples: result.errorSamples,
        offeredPerSecond: (result.total * 1000) / result.sendingMs,
        achievedPerSecond: (posts * 1000) / result.elapsedMs,
        latency: {
          ...summarize(result.latencies, result.elapsedMs, result.errors, result.errorSamples),
          p95: percentile(result.latencies, 0.95),
        },
        windowMs,
        serverUs: serverUs / posts,
        redisUs: redisUs / posts,
        postgresUs: postgresUs / posts,
        latencies: result.latencies,
        lags,
        lagsFromSend,
        drainMs,
        unseen,
        machineCores: machineUs / (windowMs * 1000),
        otherCores: Math.max(0, machineUs - accounted) / (windowMs * 1000),
        loopP99Ms: readSample(metrics, 'nodejs_eventloop_lag_p99_seconds') * 1000,
        loopMaxMs: readSample(metrics, 'nodejs_eventloop_lag_max_seconds') * 1000,
      });
      const last = rounds.at(-1)!;
      log(
        `  ${posts} posts (${last.achievedPerSecond.toFixed(0)}/s), p50 ${last.latency.p50.toFixed(1)} ms, p99 ${last.latency.p99.toFixed(1)} ms, server ${Math.round(last.serverUs)} µs/post` +
          (mode === 'search' ? `, lag p99 ${percentile(lags, 0.99).toFixed(0)} ms over ${lags.length} samples` : ''),
      );
    }
  }
  polling = false;
  await poller;
  await lease.close();

  const byMode = {} as LagResults['byMode'];
  for (const mode of ['search', 'held'] as const) {
    const of = rounds.filter((r) => r.mode === mode);
    byMode[mode] = {
      latency: latencyOf(of),
      serverUs: median(of.map((r) => r.serverUs)),
      redisUs: median(of.map((r) => r.redisUs)),
      postgresUs: median(of.map((r) => r.postgresUs)),
      perSecond: median(of.map((r) => r.achievedPerSecond)),
    };
  }
  const allLags = rounds.flatMap((r) => r.lags);
  const allFromSend = rounds.flatMap((r) => r.lagsFromSend);
  return {
    setup: { rooms: settings.lagRooms, posters: settings.posters, tableRows },
    idleUsPerMs,
    warmup,
    rounds,
    lag: { ...summarize(allLags, 0), p95: percentile(allLags, 0.95) },
    lagFromSend: { ...summarize(allFromSend, 0), p95: percentile(allFromSend, 0.95) },
    byMode,
  };
};

/** Latencies of several rounds pooled. */
const latencyOf = (rounds: PostRound[]) => {
  const all = rounds.flatMap((r) => r.latencies);
  const elapsed = rounds.reduce((sum, r) => sum + r.windowMs, 0);
  return { ...summarize(all, elapsed), p95: percentile(all, 0.95) };
};

// ---- part memory (in a child process of its own) ----

const MEMORY_RESULT = 'search-memory-result ';

interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
}

interface MemoryResults {
  messages: number;
  fillSeconds: number;
  /** The messages' ids, room and author ids, positions and bodies, as UTF-8 (all ASCII here). */
  rawBytes: number;
  before: MemorySample;
  after: MemorySample;
  kinds: Timed[];
}

const readRss = () => Number(/^VmRSS:\s+(\d+)\s+kB/mu.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) * 1024;

const runMemoryChild = async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the memory part runs under node --expose-gc');
  const collect = async (): Promise<MemorySample> => {
    // Two full collections, a pause for V8's finalizers, two more.
    gc();
    gc();
    await sleep(200);
    gc();
    gc();
    const usage = process.memoryUsage();
    return { rss: readRss(), heapUsed: usage.heapUsed, external: usage.external };
  };
  const corpus = makeCorpus();
  const index = createMemorySearchIndex();
  const before = await collect();
  let rawBytes = 0;
  const counting: SearchIndex = {
    ...index,
    apply: (batches) => {
      for (const batch of batches)
        for (const change of batch.changes)
          if (change.type === 'put') {
            const { id, roomId, authorId, body, position } = change.message;
            rawBytes += id.length + roomId.length + authorId.length + Buffer.byteLength(body) + position.length;
          }
      return index.apply(batches);
    },
  };
  const stats = await fill(counting, corpus, settings.memoryMessages, 1);
  const after = await collect();
  const pools = buildQueries(corpus, stats, settings.queries);
  const timed = await timeInRounds(
    KINDS.map((kind) => ({ name: kind, cases: pools[kind], run: async (i: number) => (await index.search(pools[kind][i]!.query)).length })),
    settings.queries,
    settings.rounds,
    settings.warmup,
  );
  const results: MemoryResults = { messages: settings.memoryMessages, fillSeconds: stats.seconds, rawBytes, before, after, kinds: timed };
  process.stdout.write(`${MEMORY_RESULT}${JSON.stringify(results)}\n`);
};

const runMemory = async (): Promise<MemoryResults> => {
  log(
    `memory: a child process fills createMemorySearchIndex() with ${settings.memoryMessages.toLocaleString('en-US')} messages and queries it`,
  );
  const child = await startChild({
    name: 'memory index',
    command: process.execPath,
    args: ['--expose-gc', '--import', 'tsx', 'bench/search.ts'],
    cwd: repoRoot,
    env: { BENCH_SEARCH_MEMORY_CHILD: '1' },
    readyPattern: new RegExp(`^${MEMORY_RESULT}(.+)$`, 'u'),
    timeoutMs: 900_000,
  });
  const results = JSON.parse(child.ready) as MemoryResults;
  await child.stop();
  return results;
};

// ---- the run ----

interface Results {
  startedAt: string;
  settings: typeof settings;
  targets: typeof TARGETS;
  environment: Record<string, string | number>;
  corpus: { terms: number; rooms: number; privateRooms: number; authors: number };
  pg?: PgResults;
  http?: HttpResults;
  lag?: LagResults;
  memory?: MemoryResults;
}

const main = async () => {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/gu, '-');
  const { serverInfo } = await bench.startRedis();
  const environment: Record<string, string | number> = describeMachine(serverInfo);
  await bench.stopRedis();
  const corpus = makeCorpus();
  const results: Results = {
    startedAt: startedAt.toISOString(),
    settings,
    targets: TARGETS,
    environment,
    corpus: {
      terms: corpus.words.length,
      rooms: corpus.rooms.length,
      privateRooms: corpus.rooms.filter((room) => !room.public).length,
      authors: corpus.authors.length,
    },
  };
  const wantsDatabase = settings.parts.some((part) => part !== 'memory');
  const db = wantsDatabase ? await openDatabase() : null;
  try {
    if (db) {
      const { rows } = await db.admin.query<{ v: string; sb: string; wm: string }>(
        "SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb, current_setting('work_mem') AS wm",
      );
      environment.postgres = `${rows[0]!.v} (shared_buffers ${rows[0]!.sb}, work_mem ${rows[0]!.wm})`;
    }
    if (db && settings.parts.includes('pg')) results.pg = (await runPg(db, corpus)).results;
    if (db && (settings.parts.includes('http') || settings.parts.includes('lag'))) {
      const setup = await startServer(bench, db);
      if (settings.parts.includes('http')) results.http = await runHttp(setup, db, corpus);
      if (settings.parts.includes('lag')) results.lag = await runLag(setup, db, corpus);
      await stopServer(bench, setup);
    }
  } finally {
    if (db) await closeDatabase(db);
  }
  if (settings.parts.includes('memory')) results.memory = await runMemory();

  printReport(results);
  mkdirSync(join(repoRoot, '.bench'), { recursive: true });
  const out = join(repoRoot, '.bench', `search-${stamp}.json`);
  const bulky = new Set(['latencies', 'lags', 'lagsFromSend']);
  writeFileSync(out, `${JSON.stringify(results, (key, value: unknown) => (bulky.has(key) ? undefined : value), 2)}\n`);
  console.log(`\nresults written to ${out}`);
};

// ---- the report ----

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const n = (value: number) => value.toLocaleString('en-US');

const printReport = (results: Results) => {
  const { settings: s, environment: e, corpus: c } = results;
  const lines: string[] = [];
  console.log(`\nballoons search bench — ${results.startedAt}`);
  console.log(
    `node ${e.node}, ${e.cores} cores, redis ${e.redis}${e.postgres ? `, PostgreSQL ${e.postgres}` : ''}; load average before the run: ${e.loadAverage}` +
      `\ncorpus: ${n(c.terms)} terms (Zipf, s = 1), 5–30 words a message, ${n(c.rooms)} rooms (${n(c.privateRooms)} private), ${n(c.authors)} authors; limit ${LIMIT} (a page of 20 and one more)`,
  );

  const p = results.pg;
  if (p) {
    const f = p.fill;
    console.log(
      `\npg: ${n(f.messages)} messages in PostgreSQL, ${f.reused ? `reused (${results.settings.reuseDatabase})` : `filled through SearchIndex.apply in ${f.seconds.toFixed(1)} s (${n(Math.round(f.messages / f.seconds))} messages/s; ${n(s.batch)} per apply, ${s.lanes} in flight: p50 ${f.applyP50Ms.toFixed(0)} ms, p99 ${f.applyP99Ms.toFixed(0)} ms), then VACUUM (ANALYZE) ${f.vacuumSeconds.toFixed(1)} s`}` +
        `\nsizes: table ${mib(p.sizes.table).toFixed(0)} MiB, GIN (terms) ${mib(p.sizes.terms).toFixed(0)} MiB, position ${mib(p.sizes.position).toFixed(0)} MiB, room ${mib(p.sizes.room).toFixed(0)} MiB, author ${mib(p.sizes.author).toFixed(0)} MiB, primary key ${mib(p.sizes.primary).toFixed(0)} MiB` +
        `\nindex.search from this process, one call at a time, ${s.queries} per kind (unique word: a quarter as many) in ${s.rounds} rounds (the order rotating), after ${s.warmup} per kind`,
    );
    const floor = p.kinds.find((k) => k.name.startsWith('floor'))!;
    const target = (k: KindResult) =>
      k.name === 'phrase' ? TARGETS.pgPhraseP95Ms : k.name.startsWith('floor') ? null : TARGETS.pgTwoWordP95Ms;
    console.log(
      formatTable<KindResult>(
        [
          { header: 'kind', value: (k) => k.name },
          { header: 'calls', value: (k) => k.latency.count },
          { header: 'p50 ms', value: (k) => k.latency.p50, digits: 2 },
          { header: 'p95 ms', value: (k) => k.p95, digits: 2 },
          { header: 'p99 ms', value: (k) => k.latency.p99, digits: 2 },
          { header: 'max ms', value: (k) => k.latency.max, digits: 1 },
          { header: 'p50 × floor', value: (k) => k.latency.p50 / floor.latency.p50, digits: 0 },
          { header: 'results', value: (k) => k.results },
          { header: 'matches (words alone)', value: (k) => k.matches },
          { header: 'target p95', value: (k) => (target(k) === null ? '–' : `< ${target(k)} ms`) },
          { header: 'p95 / target', value: (k) => (target(k) === null ? null : k.p95 / target(k)!), digits: 2 },
          { header: 'verdict', value: (k) => (target(k) === null ? '–' : verdict(k.p95 < target(k)!)) },
        ],
        p.kinds,
      ),
    );
    console.log(
      `the one-word kinds (rare, unique) are held to the two-word target; "matches": messages whose words match (count(*) with no filter), median of 10 of the kind's queries;` +
        `\nslowest calls: ${p.kinds
          .filter((k) => !k.name.startsWith('floor'))
          .map((k) => `${k.name} ${k.slowest.text} (${k.slowest.ms.toFixed(0)} ms)`)
          .join('; ')}`,
    );
    for (const x of p.explain) console.log(`\nEXPLAIN (ANALYZE, BUFFERS), ${x.kind}, the slowest: ${x.text}\n${x.plan}`);
    for (const k of p.kinds) {
      const t = target(k);
      if (t !== null) lines.push(`pg, ${k.name}: p95 ${k.p95.toFixed(1)} ms < ${t} ms: ${verdict(k.p95 < t)}`);
    }
  }

  const h = results.http;
  if (h) {
    console.log(
      `\nhttp: the same table behind our server (DATABASE_URL, Redis mode, RATE_LIMITS=0); ${n(h.seed.messages)} real posts (commands, ${h.seed.seconds.toFixed(1)} s), in the table ${Math.round(h.seed.projectedMs)} ms after the last;` +
        `\ntwo words and phrases with ≥ ${LIMIT} matches among them (a full page the server can read), made-up words of theirs (about one match);` +
        `\nsequential, ${s.httpQueries} per case (unique word: a quarter as many) in ${s.rounds} rounds (the order rotating)`,
    );
    const floor = h.cases.find((x) => x.name.includes('__typename'))!;
    const target = (x: HttpCase) =>
      x.name.includes('__typename') ? null : x.name.includes('phrase') ? TARGETS.pgPhraseP95Ms : TARGETS.pgTwoWordP95Ms;
    console.log(
      formatTable<HttpCase>(
        [
          { header: 'case', value: (x) => x.name },
          { header: 'calls', value: (x) => x.latency.count },
          { header: 'p50 ms', value: (x) => x.latency.p50, digits: 2 },
          { header: 'p95 ms', value: (x) => x.p95, digits: 2 },
          { header: 'p99 ms', value: (x) => x.latency.p99, digits: 2 },
          { header: 'max ms', value: (x) => x.latency.max, digits: 1 },
          { header: 'p50 × floor', value: (x) => x.latency.p50 / floor.latency.p50, digits: 1 },
          { header: 'server µs/call', value: (x) => (x.serverUs === null ? '–' : Math.round(x.serverUs)) },
          { header: 'results', value: (x) => x.results },
          { header: 'verdict (p95)', value: (x) => (target(x) === null ? '–' : `${verdict(x.p95 < target(x)!)} (< ${target(x)} ms)`) },
        ],
        h.cases,
      ),
    );
    console.log(
      `latency as this process sees it over loopback (an upper bound on the server's); server µs/call: /proc, less ${h.idleUsPerMs.toFixed(1)} µs/ms idle (10 ms ticks: coarse for short cases);` +
        "\n'index: the same …' are the same queries through index.search from this process (the index's share of the HTTP time).",
    );
    for (const x of h.cases) {
      const t = target(x);
      if (t !== null && x.name.startsWith('http'))
        lines.push(`${x.name} over HTTP: p95 ${x.p95.toFixed(1)} ms < ${t} ms: ${verdict(x.p95 < t)}`);
    }
  }

  const l = results.lag;
  if (l) {
    console.log(
      `\nlag: our server (DATABASE_URL, Redis mode, RATE_LIMITS=0), the table holding ${n(l.setup.tableRows)} rows at the start; ${l.setup.posters} posters in ${l.setup.rooms} public rooms;` +
        `\npostMessage over HTTP, open loop at ${s.rate}/s over ${s.clients} connections, ${s.seconds} s per round and mode, ${s.lagRounds} rounds (ABBA), after ${l.warmup.posts} warm-up posts;` +
        `\nsearch: the server's projector keeps PostgreSQL; held: this process holds the projector's lease (the write path alone; the backlog drained after, outside the window)`,
    );
    console.log(
      formatTable<PostRound>(
        [
          { header: 'round', value: (r) => `${r.round + 1}${r.otherCores > DISTURBED_CORES ? '*' : ''}` },
          { header: 'mode', value: (r) => r.mode },
          { header: 'posts', value: (r) => r.posts },
          { header: 'errors', value: (r) => r.errors },
          { header: 'posts/s', value: (r) => r.achievedPerSecond },
          { header: 'p50 ms', value: (r) => r.latency.p50, digits: 2 },
          { header: 'p95 ms', value: (r) => r.latency.p95, digits: 2 },
          { header: 'p99 ms', value: (r) => r.latency.p99, digits: 2 },
          { header: 'server µs/post', value: (r) => r.serverUs },
          { header: 'redis µs/post', value: (r) => r.redisUs },
          { header: 'postgres µs/post', value: (r) => r.postgresUs },
          { header: 'lag p50 ms', value: (r) => (r.mode === 'search' ? percentile(r.lags, 0.5) : null) },
          { header: 'lag p99 ms', value: (r) => (r.mode === 'search' ? percentile(r.lags, 0.99) : null) },
          { header: 'samples', value: (r) => (r.mode === 'search' ? r.lags.length : null) },
          { header: 'unseen', value: (r) => (r.mode === 'search' ? r.unseen : null) },
          { header: 'drain ms', value: (r) => r.drainMs },
          { header: 'loop p99/max ms', value: (r) => `${r.loopP99Ms.toFixed(0)}/${r.loopMaxMs.toFixed(0)}` },
          { header: 'machine/others cores', value: (r) => `${r.machineCores.toFixed(2)}/${r.otherCores.toFixed(2)}` },
        ],
        l.rounds,
      ),
    );
    const errors = l.rounds.flatMap((r) => r.errorSamples);
    if (errors.length > 0) console.log(`post errors: ${[...new Set(errors)].join(' | ')}`);
    type Row = { what: string; r: LoadResult & { p95: number }; goal: string };
    console.log(
      formatTable<Row>(
        [
          { header: 'search rounds, sampled posts', value: (row) => row.what },
          { header: 'samples', value: (row) => row.r.count },
          { header: 'p50 ms', value: (row) => row.r.p50, digits: 1 },
          { header: 'p95 ms', value: (row) => row.r.p95, digits: 1 },
          { header: 'p99 ms', value: (row) => row.r.p99, digits: 1 },
          { header: 'max ms', value: (row) => row.r.max, digits: 1 },
          { header: `target p99 < ${TARGETS.lagP99Ms} ms`, value: (row) => row.goal },
        ],
        [
          { what: 'acknowledged → in search_messages', r: l.lag, goal: verdict(l.lag.p99 < TARGETS.lagP99Ms) },
          { what: 'sent → in search_messages', r: l.lagFromSend, goal: '–' },
        ],
      ),
    );
    const [on, off] = [l.byMode.search, l.byMode.held];
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    const paired = Array.from({ length: s.lagRounds }, (_, round) => {
      const [a, b] = [
        l.rounds.find((r) => r.round === round && r.mode === 'search')!,
        l.rounds.find((r) => r.round === round && r.mode === 'held')!,
      ];
      return {
        p50: a.latency.p50 / b.latency.p50,
        p95: a.latency.p95 / b.latency.p95,
        server: a.serverUs / b.serverUs,
        quiet: a.otherCores <= DISTURBED_CORES && b.otherCores <= DISTURBED_CORES,
      };
    });
    const list = (key: 'p50' | 'p95' | 'server') => paired.map((x) => `${x[key].toFixed(2)}${x.quiet ? '' : '*'}`).join(' ');
    console.log(
      `posting, search / held (pooled latencies; CPU: medians of the rounds):` +
        ` latency p50 ${on.latency.p50.toFixed(2)} / ${off.latency.p50.toFixed(2)} ms = ${ratio(on.latency.p50, off.latency.p50)}×,` +
        ` p95 ${on.latency.p95.toFixed(2)} / ${off.latency.p95.toFixed(2)} ms = ${ratio(on.latency.p95, off.latency.p95)}×,` +
        ` p99 ${on.latency.p99.toFixed(2)} / ${off.latency.p99.toFixed(2)} ms = ${ratio(on.latency.p99, off.latency.p99)}×;` +
        `\n  posts/s ${on.perSecond.toFixed(0)} / ${off.perSecond.toFixed(0)}; server ${Math.round(on.serverUs)} / ${Math.round(off.serverUs)} µs/post = ${ratio(on.serverUs, off.serverUs)}×` +
        ` (search: the projector's work in the window), redis ${Math.round(on.redisUs)} / ${Math.round(off.redisUs)} µs/post, PostgreSQL ${Math.round(on.postgresUs)} / ${Math.round(off.postgresUs)} µs/post` +
        `\npaired by round, search / held: latency p50 [${list('p50')}], p95 [${list('p95')}], server µs/post [${list('server')}]` +
        ` (* a round with a window where processes outside the bench kept more than ${DISTURBED_CORES} cores busy)` +
        `\nlag: a sampled post's id polled in search_messages every ${s.pollMs} ms (the resolution) from its acknowledgement; 'unseen': not there when the window closed;` +
        `\nserver µs/post: /proc, less ${l.idleUsPerMs.toFixed(1)} µs/ms idle; PostgreSQL: its processes' CPU in /proc (backends that exit within a window lose their share);` +
        "\nloop: our server's event-loop delay over the window (prom-client, 10 ms resolution); machine/others: busy cores of the whole machine, and of processes" +
        '\n  outside the bench (neither the server, Redis, PostgreSQL nor this process): a large "others" means the figures are disturbed.',
    );
    lines.push(
      `lag p99 ${l.lag.p99.toFixed(0)} ms < ${TARGETS.lagP99Ms} ms at ${on.perSecond.toFixed(0)} posts/s: ${verdict(l.lag.p99 < TARGETS.lagP99Ms && l.rounds.every((r) => r.unseen === 0))}`,
    );
    const unchanged = on.latency.p50 <= off.latency.p50 * POST_TOLERANCE && on.latency.p95 <= off.latency.p95 * POST_TOLERANCE;
    const quiet = paired.filter((x) => x.quiet).length;
    lines.push(
      `posting unchanged by search (post latency p50 and p95 with search within ${POST_TOLERANCE}× of held): p50 ${ratio(on.latency.p50, off.latency.p50)}×, p95 ${ratio(on.latency.p95, off.latency.p95)}×: ${verdict(unchanged)}` +
        (quiet === 0
          ? ` (every round disturbed by other processes: not a reliable verdict; server CPU per post ${ratio(on.serverUs, off.serverUs)}× is)`
          : ''),
    );
  }

  const m = results.memory;
  if (m) {
    const rss = m.after.rss - m.before.rss;
    const heap = m.after.heapUsed + m.after.external - m.before.heapUsed - m.before.external;
    console.log(
      `\nmemory: createMemorySearchIndex() in a child process, ${n(m.messages)} messages applied in ${m.fillSeconds.toFixed(1)} s;` +
        ` after full collections: RSS +${mib(rss).toFixed(0)} MiB, V8 heap and external +${mib(heap).toFixed(0)} MiB` +
        ` (${Math.round(rss / m.messages)} bytes of RSS a message; the messages' raw size ${mib(m.rawBytes).toFixed(0)} MiB: RSS ${(rss / m.rawBytes).toFixed(1)}× it)` +
        `\nindex.search, one call at a time, ${s.queries} per kind in ${s.rounds} rounds (the order rotating), after ${s.warmup} per kind`,
    );
    console.log(
      formatTable<Timed>(
        [
          { header: 'kind', value: (k) => k.name },
          { header: 'calls', value: (k) => k.latency.count },
          { header: 'p50 ms', value: (k) => k.latency.p50, digits: 2 },
          { header: 'p95 ms', value: (k) => k.p95, digits: 2 },
          { header: 'p99 ms', value: (k) => k.latency.p99, digits: 2 },
          { header: 'max ms', value: (k) => k.latency.max, digits: 1 },
          { header: 'results', value: (k) => k.results },
          { header: `verdict (p95 < ${TARGETS.memoryP95Ms} ms)`, value: (k) => verdict(k.p95 < TARGETS.memoryP95Ms) },
        ],
        m.kinds,
      ),
    );
    lines.push(
      `memory, ${n(m.messages)} messages: RSS +${mib(rss).toFixed(0)} MiB < ${TARGETS.memoryMiB} MiB: ${verdict(mib(rss) < TARGETS.memoryMiB)}`,
    );
    const worst = m.kinds.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    lines.push(
      `memory, queries: the worst kind's p95 (${worst.name}) ${worst.p95.toFixed(1)} ms < ${TARGETS.memoryP95Ms} ms: ${verdict(worst.p95 < TARGETS.memoryP95Ms)}`,
    );
  }

  console.log('\ntargets:');
  for (const line of lines) console.log(`  ${line}`);
};

let bench: Lifecycle;
if (process.env.BENCH_SEARCH_MEMORY_CHILD === '1') {
  runMemoryChild().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  bench = createLifecycle({ stopping: 'our server, the memory child and redis-server', signalGraceMs: 8_000 });
  bench.run(main);
}
