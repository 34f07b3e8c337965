/**
 * `npm run bench:conversations`: replies, threads and reactions (issue 14) against the issue's
 * speed goals, in parts, each on a private redis-server with our server as a child process (Redis
 * mode, as `npm start` runs it, RATE_LIMITS=0), seeded through createChatCommands from this process
 * as bench/members.ts and bench/inbox.ts seed (so the read models are what the server's commands
 * write: the append script's reaction groups and thread counters, nothing written by hand):
 *
 *   page: "A page of 50 messages with their reaction groups and reply counts, in a room of 100,000
 *     messages with 10 reactions on average: server CPU p50 under 1 ms." One public room,
 *     BENCH_CONV_MESSAGES messages by BENCH_CONV_USERS people in turn; each message then gets
 *     0–2×BENCH_CONV_REACTIONS reactions (uniform, so BENCH_CONV_REACTIONS on average) from distinct
 *     people among them, the emoji drawn from 10 kinds (skewed: the first ones are the common ones);
 *     one message in BENCH_CONV_REPLY_EVERY is a reply to one of the few hundred before it (a reply
 *     to a reply joins its root). Each message is posted and then reacted to by one task,
 *     BENCH_CONV_SEED_CONCURRENCY tasks in flight. Then sequential HTTP queries of random history
 *     pages (`messages(last: 50, before: $b)`, `before` a random moment of the seeding, so every
 *     page is a full one from somewhere in the room), as one of the people (so `reactedByMe` is
 *     sometimes true), the cases interleaved in rounds (the order rotating): the UI-like page with
 *     reactions (`users(first: 3)`, `reactedByMe`), replyCount, lastReplyAt and replyTo; the same
 *     page without the reaction and thread fields (the baseline); `{ __typename }` (the floor).
 *     Latency as this process sees it over loopback (an upper bound on the server's time), our
 *     server's CPU per query (/metrics around each round, less a scrape's own cost and the idle
 *     server's; the median of the rounds: the goal's "p50").
 *   storm: "1,000 reactions per second on one message from 1,000 people: exact counts, every event
 *     still delivered once and in order, and server CPU per reaction event flat as the count grows
 *     (a MessagePosted-sized render)." One public room, BENCH_CONV_PEOPLE members (registered and
 *     joined through the commands beforehand, so that no reaction joins anyone), all signed in over
 *     HTTP (dev sign-in); BENCH_CONV_SUBSCRIBERS of them (the first: people who react too, so
 *     that `reactedByMe` differs between them) follow the room with roomEvents over graphql-ws from
 *     this process, `after` the room's last cursor, with a UI-like document (below). After
 *     BENCH_CONV_WARMUP reactions to another message and as many posts, each person reacts once to
 *     the target message (emoji over 5 kinds, skewed), open loop at BENCH_CONV_RATE/s (each sent
 *     at its slot, over BENCH_CONV_CLIENTS keep-alive connections), in ten slices of a tenth of the
 *     people (the deciles); after each slice the bench waits until every subscriber has its last
 *     event, and our server's CPU around the slice (/metrics, less a scrape and the idle server
 *     with its subscribers) is divided by its reactions. The baseline, interleaved slice by slice
 *     (ABBA): as many posts (MessagePosted), one per person, into the same room through the same
 *     path at the same rate, to the same subscribers. Checked afterwards: the target's counts by
 *     emoji equal what was sent (sum = the people); every subscriber received every logged event
 *     of the room after its start exactly once and in the log's order (read via the store);
 *     within the frames, `reactedByMe` is true for a subscriber's own emoji from their own
 *     reaction on and never true for an emoji they did not use, and each ReactionAdded frame's
 *     count is at least its position in the storm (the message is rendered as it is when sent).
 *
 * Our server marks a fresh Redis's read-model layout as current when it first starts on it (see
 * bench/projections.ts), so it is started on the empty Redis before anything is seeded.
 * Results also go to .bench/conversations-<timestamp>.json.
 *
 * Env (all optional): BENCH_CONV_PARTS (page,storm), BENCH_CONV_MESSAGES (100000),
 * BENCH_CONV_REACTIONS (10 per message on average), BENCH_CONV_USERS (40 people who post and
 * react), BENCH_CONV_REPLY_EVERY (20: one message in 20 is a reply), BENCH_CONV_SEED_CONCURRENCY
 * (48), BENCH_CONV_QUERIES (300 per case), BENCH_CONV_QUERY_ROUNDS (6), BENCH_CONV_QUERY_WARMUP
 * (50 per case), BENCH_CONV_PEOPLE (1000), BENCH_CONV_RATE (1000 per s), BENCH_CONV_CLIENTS (4
 * connections), BENCH_CONV_SUBSCRIBERS (50; 0 leaves the fan-out out: the mutations alone), BENCH_CONV_WARMUP
 * (200), BENCH_CONV_DOCUMENT (shared: the subscribers' document without reactedByMe, as the UI's live
 * document is since this bench found the cost, so they share one render of each event; ui: with
 * reactedByMe, rendered once per subscriber), BENCH_NODE_ENV (production), BENCH_CONV_PROFILE (a folder: runs
 * each part's server under --cpu-prof, in <folder>/page and <folder>/storm, and prints where its CPU
 * went in each case's windows).
 * Smoke run: BENCH_CONV_MESSAGES=2000 BENCH_CONV_QUERIES=60 BENCH_CONV_QUERY_ROUNDS=3
 *   BENCH_CONV_QUERY_WARMUP=10 BENCH_CONV_PEOPLE=200 BENCH_CONV_SUBSCRIBERS=10 BENCH_CONV_WARMUP=50
 *   npm run bench:conversations
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { toDevUserId } from '../backend/src/auth/devLogin.js';
import { toRoomStreamKey } from '../backend/src/chat/keys.js';
import type { Cursor, EventStore } from '../backend/src/eventstore/eventStore.js';
import { describeMachine, envNumber, log } from './env.js';
import { createHttpClient } from './httpClient.js';
import { createLifecycle } from './lifecycle.js';
import { type LoadResult, runLoad, summarize } from './load.js';
import { measureScrapeAndIdle, redisCpuMicros, scrapeServerCpuMicros, speedProbeMs } from './metrics.js';
import { seededRandom } from './random.js';
import { mainThreadProfile, type ProfileBucket, summarizeProfile } from './profile.js';
import { forEachBounded, median, openCommands, profileOf } from './seed.js';
import { type OurServer, repoRoot, signInAll, startOurServer } from './servers.js';
import { formatTable } from './table.js';
import { type GraphqlSocket, openGraphqlSocket } from './wsClient.js';

// ---- settings ----

const PARTS = ['page', 'storm'] as const;
type Part = (typeof PARTS)[number];
const parts = (process.env.BENCH_CONV_PARTS || PARTS.join(','))
  .split(',')
  .map((item) => item.trim())
  .filter((item) => item !== '');
for (const part of parts)
  if (!(PARTS as readonly string[]).includes(part))
    throw new Error(`BENCH_CONV_PARTS: unknown part ${part}; choose from ${PARTS.join(', ')}`);

const settings = {
  parts: parts as Part[],
  messages: Math.round(envNumber('BENCH_CONV_MESSAGES', 100_000, 200)),
  reactions: envNumber('BENCH_CONV_REACTIONS', 10, 0),
  users: Math.round(envNumber('BENCH_CONV_USERS', 40, 2)),
  replyEvery: Math.round(envNumber('BENCH_CONV_REPLY_EVERY', 20, 2)),
  seedConcurrency: Math.round(envNumber('BENCH_CONV_SEED_CONCURRENCY', 48, 1)),
  queries: Math.round(envNumber('BENCH_CONV_QUERIES', 300, 1)),
  queryRounds: Math.round(envNumber('BENCH_CONV_QUERY_ROUNDS', 6, 1)),
  queryWarmup: Math.round(envNumber('BENCH_CONV_QUERY_WARMUP', 50, 0)),
  people: Math.round(envNumber('BENCH_CONV_PEOPLE', 1_000, 10)),
  rate: envNumber('BENCH_CONV_RATE', 1_000, 1),
  clients: Math.round(envNumber('BENCH_CONV_CLIENTS', 4, 1)),
  subscribers: Math.round(envNumber('BENCH_CONV_SUBSCRIBERS', 50, 0)),
  warmup: Math.round(envNumber('BENCH_CONV_WARMUP', 200, 0)),
  document: process.env.BENCH_CONV_DOCUMENT || 'shared',
  nodeEnv: process.env.BENCH_NODE_ENV ?? 'production',
  profileDir: process.env.BENCH_CONV_PROFILE || null,
};
if (settings.document !== 'ui' && settings.document !== 'shared') throw new Error('BENCH_CONV_DOCUMENT: ui or shared');
if (2 * settings.reactions > settings.users) throw new Error('BENCH_CONV_REACTIONS: at most half of BENCH_CONV_USERS (distinct people)');
if (settings.subscribers > settings.people) throw new Error('BENCH_CONV_SUBSCRIBERS: at most BENCH_CONV_PEOPLE');
if (settings.warmup > settings.people) throw new Error('BENCH_CONV_WARMUP: at most BENCH_CONV_PEOPLE');

/** What the work this benchmark measures set out to reach (the issue's goals). */
const GOALS = { pageServerUs: 1_000, stormFlatRatio: 1.2 };

/** The page part's kinds of emoji, the common ones first; the storm uses the first five. */
const EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '🙏', '🔥', '👀', '✅', '😢'];
/** Relative weights of the emoji (the same shape for any prefix). */
const emojiWeights = (count: number) => Array.from({ length: count }, (_, i) => 1 / (i + 1));
const pickWeighted = (weights: number[], random: () => number) => {
  let x = random() * weights.reduce((sum, w) => sum + w, 0);
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return weights.length - 1;
};

const bench = createLifecycle({ stopping: 'our servers and redis-server', signalGraceMs: 8_000 });

// ---- helpers ----

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** CLOCK_MONOTONIC in µs, as V8's profiles stamp their samples. */
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

/** Where a part's server writes its CPU profile (BENCH_CONV_PROFILE/<part>), or null. */
const profileSubdir = (part: Part): string | null => {
  if (!settings.profileDir) return null;
  const dir = join(settings.profileDir, part);
  mkdirSync(dir, { recursive: true });
  return dir;
};

const startServer = async (redisUrl: string, part: Part): Promise<OurServer> => {
  const profileDir = profileSubdir(part);
  log(
    `starting our server for part ${part} (node backend/build/main.js, NODE_ENV=${settings.nodeEnv}, RATE_LIMITS=0${profileDir ? ', --cpu-prof' : ''})`,
  );
  return startOurServer({ redisUrl, nodeEnv: settings.nodeEnv, profileDir, env: { RATE_LIMITS: '0' } });
};

interface ProfileSummary {
  label: string;
  busyMs: number;
  windowed: boolean;
  count: number;
  unit: string;
  functions: ProfileBucket[];
  buckets: ProfileBucket[];
}

/** Where the server's CPU went in each case's windows (its profile is written when it stops). */
const summarizeProfiles = (part: Part, cases: { label: string; windows: [number, number][]; count: number; unit: string }[]) => {
  const dir = settings.profileDir ? join(settings.profileDir, part) : null;
  const file = dir && mainThreadProfile(dir);
  if (!file) return [];
  return cases.map(({ label, windows, count, unit }): ProfileSummary => {
    const byBucket = summarizeProfile(file, repoRoot, windows);
    const byFunction = summarizeProfile(file, repoRoot, windows, 'function');
    return {
      label,
      busyMs: byBucket.busyMs,
      windowed: byBucket.windowed,
      count,
      unit,
      buckets: byBucket.buckets,
      functions: byFunction.buckets,
    };
  });
};

const lastCursor = async (admin: Redis, roomId: string): Promise<Cursor> => {
  const [entry] = await admin.xrevrange(toRoomStreamKey(roomId), '+', '-', 'COUNT', 1);
  if (!entry) throw new Error('the room log is empty');
  return entry[0] as Cursor;
};

/** Every event of a room's log after `after`, in order, read through the store. */
const readLogAfter = async (store: EventStore, roomId: string, after: Cursor) => {
  const events: { cursor: Cursor; type: string; data: { messageId?: string; userId?: string } }[] = [];
  let from = after;
  for (;;) {
    const batch = await store.readForward(toRoomStreamKey(roomId), { after: from, count: 1_000 });
    for (const event of batch) events.push({ cursor: event.cursor, type: event.type, data: event.data as { messageId?: string } });
    if (batch.length < 1_000) return events;
    from = batch.at(-1)!.cursor;
  }
};

interface CpuWindow {
  serverUs: number;
  redisUs: number;
}

/** Our server's and redis-server's CPU over `work`, less a scrape's own cost and the idle server's. */
const measureCpu = async <T>(
  server: OurServer,
  admin: Redis,
  calibration: { overheadUs: number; idleUsPerMs: number },
  work: () => Promise<T>,
): Promise<CpuWindow & { value: T; elapsedMs: number; windowUs: [number, number] }> => {
  const redisBefore = await redisCpuMicros(admin);
  const before = await scrapeServerCpuMicros(server.url);
  const windowStart = nowMicros();
  const started = performance.now();
  const value = await work();
  const elapsedMs = performance.now() - started;
  const windowUs: [number, number] = [windowStart, nowMicros()];
  const after = await scrapeServerCpuMicros(server.url);
  const redisAfter = await redisCpuMicros(admin);
  return {
    value,
    elapsedMs,
    windowUs,
    serverUs: after - before - calibration.overheadUs - calibration.idleUsPerMs * elapsedMs,
    redisUs: redisAfter - redisBefore,
  };
};

// ---- page: a page of history with reactions and threads ----

const PAGE_FULL = `query($r: ID!, $b: String) { room(id: $r) { messages(last: 50, before: $b) {
  edges { cursor node { id body author { displayName } createdAt replyCount lastReplyAt replyTo { id }
    reactions { emoji count reactedByMe users(first: 3) { displayName } } } }
  pageInfo { hasPreviousPage } } } }`;
const PAGE_BASE = `query($r: ID!, $b: String) { room(id: $r) { messages(last: 50, before: $b) {
  edges { cursor node { id body author { displayName } createdAt } }
  pageInfo { hasPreviousPage } } } }`;
const TYPENAME = '{ __typename }';

type PageNode = {
  id: string;
  replyCount: number;
  replyTo: { id: string } | null;
  reactions: { emoji: string; count: number; reactedByMe: boolean; users: unknown[] }[];
};

interface QueryCaseResult {
  name: string;
  /** Medians of the rounds' figures; latency pooled over the rounds. */
  serverUs: number;
  serverUsRange: [number, number];
  redisUs: number;
  latency: LoadResult;
  /** CLOCK_MONOTONIC µs of the rounds, for matching a CPU profile. */
  windowsUs: [number, number][];
}

interface PageResults {
  seed: { messages: number; replies: number; reactions: number; seconds: number; appendsPerSecond: number; logEntries: number };
  /** What the measured pages held, over a sample of them. */
  pages: {
    sampled: number;
    edges: number;
    groupsPerMessage: number;
    reactionsPerMessage: number;
    withReplies: number;
    replies: number;
    reactedByMe: number;
  };
  scrapeOverheadUs: number;
  idleUsPerMs: number;
  cases: QueryCaseResult[];
  probes: [number, number];
  profile?: ProfileSummary[];
}

interface PageSlice {
  serverUs: number;
  redisUs: number;
  latencies: number[];
  elapsedMs: number;
  windowUs: [number, number];
}

const runPage = async (): Promise<PageResults> => {
  const { redis, admin } = await bench.startRedis();
  const server = await startServer(redis.url, 'page');
  const { store, commands } = await openCommands(redis.url);
  const handles = Array.from({ length: settings.users }, (_, i) => `c_user${i}`);
  const users = handles.map(toDevUserId);
  for (const handle of handles) await commands.registerUser({ userId: toDevUserId(handle), profile: profileOf(handle) });
  const room = await commands.createRoom({ actorId: users[0]!, name: 'conversations page' });
  for (const userId of users.slice(1)) await commands.joinRoom({ actorId: userId, roomId: room.id });

  log(
    `seeding: ${settings.messages.toLocaleString('en-US')} messages, ≈ ${settings.reactions} reactions each (${settings.users} people, ${EMOJI.length} emoji), one in ${settings.replyEvery} a reply; ${settings.seedConcurrency} in flight`,
  );
  const ids: (string | undefined)[] = new Array(settings.messages);
  const weights = emojiWeights(EMOJI.length);
  let replies = 0;
  let reactions = 0;
  let done = 0;
  /** Wall-clock ms from which every moment has at least a page of messages before it (Redis stamps the log with this clock). */
  let fullPageFrom = Number.POSITIVE_INFINITY;
  const seedStarted = performance.now();
  await forEachBounded(settings.messages, settings.seedConcurrency, async (i) => {
    const random = seededRandom(i + 1);
    const author = users[i % users.length]!;
    // A reply to one of the few hundred messages before it, once there are some (a reply to a reply joins its root).
    const target = i >= 600 && i % settings.replyEvery === settings.replyEvery - 1 ? ids[i - 100 - Math.floor(random() * 400)] : undefined;
    const message = await commands.postMessage({
      actorId: author,
      roomId: room.id,
      body: `Conversation message ${i}`,
      replyTo: target ?? null,
    });
    ids[i] = message.id;
    if (target) replies++;
    const count = Math.floor(random() * (2 * settings.reactions + 1));
    // `count` distinct people: a partial shuffle.
    const order = users.slice();
    for (let k = 0; k < count; k++) {
      const j = k + Math.floor(random() * (order.length - k));
      [order[k], order[j]] = [order[j]!, order[k]!];
      await commands.react({ actorId: order[k]!, messageId: message.id, emoji: EMOJI[pickWeighted(weights, random)]! });
      reactions++;
    }
    done++;
    if (done === 100) fullPageFrom = Date.now() + 1;
    if (done % 10_000 === 0)
      log(
        `${done.toLocaleString('en-US')} messages, ${reactions.toLocaleString('en-US')} reactions (${((performance.now() - seedStarted) / 1000).toFixed(0)} s)`,
      );
  });
  const seedEnd = Date.now() - 1;
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const logEntries = await admin.xlen(toRoomStreamKey(room.id));
  log(
    `seeded in ${seedSeconds.toFixed(1)} s: ${reactions.toLocaleString('en-US')} reactions, ${replies} replies; ${logEntries.toLocaleString('en-US')} log entries (${Math.round(logEntries / seedSeconds)} appends/s)`,
  );
  await store.close();

  const client = createHttpClient(server.url, { maxSockets: 2 });
  bench.clients.add(client);
  const viewerHandle = handles[1]!;
  const [cookie] = (await signInAll(client, server.origin, [viewerHandle])).cookies as [string];
  // `before`: a random moment of the seeding after its first hundred messages: a full page from anywhere in the room.
  const random = seededRandom(14);
  const randomBefore = () => `${Math.floor(fullPageFrom + random() * (seedEnd - fullPageFrom))}-0`;

  // What the pages hold (checked, and printed as what was measured).
  const sample = { sampled: 0, edges: 0, groups: 0, reactions: 0, withReplies: 0, replies: 0, reactedByMe: 0 };
  for (let k = 0; k < 20; k++) {
    const body = await client.graphql(PAGE_FULL, { r: room.id, b: randomBefore() }, cookie);
    const edges = (JSON.parse(body) as { data: { room: { messages: { edges: { node: PageNode }[] } } } }).data.room.messages.edges;
    if (edges.length !== 50) throw new Error(`a page held ${edges.length} messages`);
    sample.sampled++;
    sample.edges += edges.length;
    for (const { node } of edges) {
      sample.groups += node.reactions.length;
      sample.reactions += node.reactions.reduce((sum, r) => sum + r.count, 0);
      sample.reactedByMe += node.reactions.filter((r) => r.reactedByMe).length;
      if (node.replyCount > 0) sample.withReplies++;
      if (node.replyTo) sample.replies++;
    }
  }

  const cases = [
    {
      name: 'page of 50 with reactions and threads',
      document: PAGE_FULL,
      slices: [] as PageSlice[],
    },
    {
      name: 'the same page without them (baseline)',
      document: PAGE_BASE,
      slices: [] as PageSlice[],
    },
    {
      name: '{ __typename } (floor)',
      document: TYPENAME,
      slices: [] as PageSlice[],
    },
  ];
  const variables = (document: string) => (document === TYPENAME ? {} : { r: room.id, b: randomBefore() });
  if (settings.queryWarmup > 0) {
    log(`warming up: ${settings.queryWarmup} queries per case`);
    for (const c of cases)
      await runLoad({ concurrency: 1, maxOps: settings.queryWarmup, maxErrors: 1 }, () =>
        client.graphql(c.document, variables(c.document), cookie).then(() => undefined),
      );
  }
  const calibration = await measureScrapeAndIdle(server.url);
  const perSlice = Math.max(1, Math.round(settings.queries / settings.queryRounds));
  const probeBefore = speedProbeMs();
  log(`measuring: ${settings.queryRounds} rounds of ${perSlice} sequential queries per case, the cases' order rotating`);
  for (let round = 0; round < settings.queryRounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + round) % cases.length]!;
      // The pages are drawn before the window, so that the window holds the queries alone.
      const drawn = Array.from({ length: perSlice }, () => variables(c.document));
      let next = 0;
      const measured = await measureCpu(server, admin, calibration, () =>
        runLoad({ concurrency: 1, maxOps: perSlice, maxErrors: 1, keepLatencies: true }, () =>
          client.graphql(c.document, drawn[next++]!, cookie).then(() => undefined),
        ),
      );
      c.slices.push({
        serverUs: measured.serverUs / measured.value.count,
        redisUs: measured.redisUs / measured.value.count,
        latencies: measured.value.latencies ?? [],
        elapsedMs: measured.elapsedMs,
        windowUs: measured.windowUs,
      });
    }
    log(`round ${round + 1}: server µs/query ${cases.map((c) => Math.round(c.slices.at(-1)!.serverUs)).join(', ')}`);
  }
  const probes: [number, number] = [probeBefore, speedProbeMs()];

  bench.clients.delete(client);
  client.close();
  await server.child.stop(15_000);
  await bench.stopRedis();
  const per = (value: number) => value / sample.edges;
  const profile = summarizeProfiles(
    'page',
    cases.map((c) => ({
      label: `page: ${c.name}`,
      windows: c.slices.map((x) => x.windowUs),
      count: c.slices.length * perSlice,
      unit: 'query',
    })),
  );
  return {
    profile,
    seed: {
      messages: settings.messages,
      replies,
      reactions,
      seconds: seedSeconds,
      appendsPerSecond: logEntries / seedSeconds,
      logEntries,
    },
    pages: {
      sampled: sample.sampled,
      edges: sample.edges,
      groupsPerMessage: per(sample.groups),
      reactionsPerMessage: per(sample.reactions),
      withReplies: sample.withReplies,
      replies: sample.replies,
      reactedByMe: sample.reactedByMe,
    },
    scrapeOverheadUs: calibration.overheadUs,
    idleUsPerMs: calibration.idleUsPerMs,
    cases: cases.map((c) => ({
      name: c.name,
      serverUs: median(c.slices.map((s) => s.serverUs)),
      serverUsRange: [Math.min(...c.slices.map((s) => s.serverUs)), Math.max(...c.slices.map((s) => s.serverUs))],
      redisUs: median(c.slices.map((s) => s.redisUs)),
      windowsUs: c.slices.map((s) => s.windowUs),
      latency: summarize(
        c.slices.flatMap((s) => s.latencies),
        c.slices.reduce((sum, s) => sum + s.elapsedMs, 0),
      ),
    })),
    probes,
  };
};

// ---- storm: a thousand people react to one message at once ----

/**
 * `reactedByMe` is viewer-dependent: a document that selects it is rendered for each subscriber
 * (backend/src/http/ws.ts groups subscriptions by viewer then); BENCH_CONV_DOCUMENT=shared leaves
 * it out, so that every subscriber shares one render of each event.
 */
const MESSAGE_FIELDS = `id body author { displayName } reactions { emoji count users(first: 3) { displayName }${settings.document === 'ui' ? ' reactedByMe' : ''} }`;
const ROOM_EVENTS = `subscription($id: ID!, $after: String) { roomEvents(roomId: $id, after: $after) {
  __typename cursor
  ... on ReactionAdded { emoji user { displayName } message { ${MESSAGE_FIELDS} } }
  ... on MessagePosted { message { ${MESSAGE_FIELDS} } }
} }`;
const REACT = 'mutation($m: ID!, $e: String!) { react(messageId: $m, emoji: $e) { id } }';
const POST = 'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }';
const STORM_EMOJI = EMOJI.slice(0, 5);

type Kind = 'reactions' | 'posts';

interface StormSlice {
  kind: Kind;
  decile: number;
  events: number;
  serverUs: number;
  redisUs: number;
  /** Sends per second achieved: from the first slot to the last acknowledgement. */
  perSecond: number;
  /** From each request's slot (open loop: queueing included) to its response, ms. */
  latencies: number[];
  /** From the slice's first slot until every subscriber had its last event, ms. */
  drainMs: number;
  windowUs: [number, number];
}

interface StormCase {
  kind: Kind;
  events: number;
  /** Medians of the deciles. */
  serverUs: number;
  redisUs: number;
  perSecond: number;
  latency: LoadResult;
  drainMs: number;
}

interface StormResults {
  people: number;
  subscribers: number;
  seedSeconds: number;
  connectMs: number;
  scrapeOverheadUs: number;
  idleUsPerMs: number;
  slices: StormSlice[];
  cases: StormCase[];
  /** server µs/reaction, last decile over first (and the median of the last three over the first three). */
  flatRatio: number;
  flatRatio3: number;
  /** Reactions over posts, server µs/event (medians of the deciles). */
  reactionOverPost: number;
  counts: { sent: Record<string, number>; final: Record<string, number>; sum: number; exact: boolean };
  delivery: {
    logEvents: number;
    reactionEvents: number;
    perfect: number;
    missing: number;
    duplicates: number;
    outOfOrder: number;
    reactedByMeWrong: number;
    countBehind: number;
    errors: string[];
  };
  probes: [number, number];
  profile?: ProfileSummary[];
}

interface Subscriber {
  socket: GraphqlSocket;
  userId: string;
  frames: Buffer[];
  /** ReactionAdded and MessagePosted frames so far (counted from the typename, unparsed). */
  counted: number;
  errors: string[];
}

const runStorm = async (): Promise<StormResults> => {
  const { redis, admin } = await bench.startRedis();
  const server = await startServer(redis.url, 'storm');
  const { store, commands } = await openCommands(redis.url);
  const handles = Array.from({ length: settings.people }, (_, i) => `s_person${i}`);
  const people = handles.map(toDevUserId);
  const ownerHandle = 's_owner';
  const owner = toDevUserId(ownerHandle);
  log(`seeding: ${settings.people} people, registered and joined (${Math.min(32, settings.people)} in flight)`);
  const seedStarted = performance.now();
  await commands.registerUser({ userId: owner, profile: profileOf(ownerHandle) });
  const room = await commands.createRoom({ actorId: owner, name: 'conversations storm' });
  await forEachBounded(settings.people, 32, async (i) => {
    await commands.registerUser({ userId: people[i]!, profile: profileOf(handles[i]!) });
    await commands.joinRoom({ actorId: people[i]!, roomId: room.id });
  });
  const target = await commands.postMessage({ actorId: owner, roomId: room.id, body: 'React to me' });
  const warmTarget = await commands.postMessage({ actorId: owner, roomId: room.id, body: 'Warm up on me' });
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const client = createHttpClient(server.url, { maxSockets: settings.clients });
  bench.clients.add(client);
  log(`signing ${settings.people} people in`);
  const { cookies } = await signInAll(client, server.origin, handles);

  const start = await lastCursor(admin, room.id);
  log(`connecting ${settings.subscribers} roomEvents subscribers after ${start}`);
  const connectStarted = performance.now();
  const subscribers: Subscriber[] = [];
  const wsUrl = `${server.url.replace(/^http/, 'ws')}/graphql`;
  for (let i = 0; i < settings.subscribers; i++) {
    const socket = await openGraphqlSocket(wsUrl, { origin: server.origin, cookie: cookies[i]! });
    bench.sockets.add(socket);
    const subscriber: Subscriber = { socket, userId: people[i]!, frames: [], counted: 0, errors: [] };
    socket.subscribe('r', ROOM_EVENTS, { id: room.id, after: start }, (frame) => {
      subscriber.frames.push(frame);
      const head = frame.toString('latin1', 0, Math.min(frame.length, 120));
      if (head.includes('"__typename":"ReactionAdded"') || head.includes('"__typename":"MessagePosted"')) subscriber.counted++;
      else if (!head.includes('"type":"next"')) subscriber.errors.push(frame.toString().slice(0, 300));
    });
    subscribers.push(subscriber);
  }
  const connectMs = performance.now() - connectStarted;

  /** Waits until every subscriber has `total` ReactionAdded/MessagePosted frames. */
  const drained = async (total: number, timeoutMs = 120_000) => {
    const started = performance.now();
    for (;;) {
      if (subscribers.every((s) => s.counted >= total)) return;
      const errors = subscribers.flatMap((s) => s.errors);
      if (errors.length > 0) throw new Error(`a subscription failed: ${errors[0]}`);
      if (performance.now() - started > timeoutMs)
        throw new Error(
          `subscribers did not receive ${total} events within ${timeoutMs} ms (least: ${Math.min(...subscribers.map((s) => s.counted))})`,
        );
      await sleep(2);
    }
  };
  let expected = 0;

  /** Sends `count` requests open loop at the rate (`send(i)` for the i-th), then waits for them and the subscribers. */
  const openLoop = async (count: number, send: (i: number) => Promise<unknown>) => {
    const latencies: number[] = [];
    const t0 = performance.now();
    const gap = 1000 / settings.rate;
    const pending: Promise<void>[] = [];
    let lastAck = t0;
    for (let i = 0; i < count; i++) {
      const slot = t0 + i * gap;
      const wait = slot - performance.now();
      if (wait >= 1) await sleep(wait);
      pending.push(
        send(i).then(() => {
          lastAck = performance.now();
          latencies.push(lastAck - slot);
        }),
      );
    }
    await Promise.all(pending);
    expected += count;
    await drained(expected);
    return { latencies, perSecond: (count * 1000) / (lastAck - t0), drainMs: performance.now() - t0 };
  };

  const sent: Record<string, number> = Object.fromEntries(STORM_EMOJI.map((e) => [e, 0]));
  const random = seededRandom(1_000);
  const emojiOf = people.map(() => STORM_EMOJI[pickWeighted(emojiWeights(STORM_EMOJI.length), random)]!);
  let posted = 0;
  const postAs = (i: number) => client.graphql(POST, { r: room.id, b: `Storm post ${posted++}` }, cookies[i]!);

  if (settings.warmup > 0) {
    log(`warming up: ${settings.warmup} reactions to another message and ${settings.warmup} posts`);
    await openLoop(settings.warmup, (i) => client.graphql(REACT, { m: warmTarget.id, e: emojiOf[i]! }, cookies[i]!));
    await openLoop(settings.warmup, (i) => postAs(i));
  }
  const calibration = await measureScrapeAndIdle(server.url);

  const slices: StormSlice[] = [];
  const size = Math.ceil(settings.people / 10);
  const probeBefore = speedProbeMs();
  log(
    `measuring: ${settings.people} reactions to one message and as many posts, at ${settings.rate}/s, in deciles of ${size}, interleaved (ABBA)`,
  );
  for (let decile = 0; decile < 10; decile++) {
    const from = decile * size;
    const to = Math.min(settings.people, from + size);
    if (to <= from) break;
    const kinds: Kind[] = decile % 2 === 0 ? ['reactions', 'posts'] : ['posts', 'reactions'];
    for (const kind of kinds) {
      const measured = await measureCpu(server, admin, calibration, () =>
        openLoop(to - from, (k) => {
          const i = from + k;
          if (kind === 'posts') return postAs(i);
          sent[emojiOf[i]!]!++;
          return client.graphql(REACT, { m: target.id, e: emojiOf[i]! }, cookies[i]!);
        }),
      );
      slices.push({
        kind,
        decile,
        events: to - from,
        serverUs: measured.serverUs / (to - from),
        redisUs: measured.redisUs / (to - from),
        perSecond: measured.value.perSecond,
        latencies: measured.value.latencies,
        drainMs: measured.value.drainMs,
        windowUs: measured.windowUs,
      });
    }
    const last = (kind: Kind) => Math.round(slices.filter((s) => s.kind === kind).at(-1)!.serverUs);
    log(`decile ${decile + 1}: server µs/event reactions ${last('reactions')}, posts ${last('posts')}`);
  }
  const probes: [number, number] = [probeBefore, speedProbeMs()];

  // ---- checks ----
  log('checking counts, delivery and order');
  const final = (
    JSON.parse(await client.graphql('query($m: ID!) { message(id: $m) { reactions { emoji count } } }', { m: target.id }, cookies[0]!)) as {
      data: { message: { reactions: { emoji: string; count: number }[] } };
    }
  ).data.message.reactions;
  const finalCounts = Object.fromEntries(final.map((r) => [r.emoji, r.count]));
  const sum = final.reduce((total, r) => total + r.count, 0);
  const exact = sum === settings.people && STORM_EMOJI.every((e) => (finalCounts[e] ?? 0) === sent[e]);

  const logEvents = await readLogAfter(store, room.id, start);
  const logged = logEvents.map((e) => e.cursor);
  const position = new Map(logged.map((cursor, i) => [cursor, i]));
  // The storm's reactions to the target in the log's order (1-based), and each person's own.
  const stormIndex = new Map<Cursor, number>();
  const ownCursor = new Map<string, Cursor>();
  for (const event of logEvents) {
    if (event.type !== 'ReactionAdded' || event.data.messageId !== target.id) continue;
    stormIndex.set(event.cursor, stormIndex.size + 1);
    if (event.data.userId) ownCursor.set(event.data.userId, event.cursor);
  }
  const delivery = { missing: 0, duplicates: 0, outOfOrder: 0, reactedByMeWrong: 0, countBehind: 0, perfect: 0, errors: [] as string[] };
  const noteError = (message: string) => {
    if (delivery.errors.length < 5 && !delivery.errors.includes(message)) delivery.errors.push(message);
  };
  type Frame = {
    type: string;
    payload?: {
      data?: {
        roomEvents?: {
          __typename: string;
          cursor: Cursor | null;
          emoji?: string;
          message?: { id: string; reactions: { emoji: string; count: number; reactedByMe: boolean }[] };
        };
      };
      errors?: unknown;
    };
  };
  for (const subscriber of subscribers) {
    const seen = new Set<Cursor>();
    let previous = -1;
    let ordered = true;
    const received: Cursor[] = [];
    for (const buffer of subscriber.frames) {
      const frame = JSON.parse(buffer.toString()) as Frame;
      if (frame.type !== 'next') {
        noteError(`${frame.type}: ${buffer.toString().slice(0, 200)}`);
        continue;
      }
      if (frame.payload?.errors) noteError(JSON.stringify(frame.payload.errors).slice(0, 200));
      const event = frame.payload?.data?.roomEvents;
      if (!event?.cursor) continue;
      const at = position.get(event.cursor);
      if (at === undefined) {
        noteError(`a frame with cursor ${event.cursor}, not in the log after the start`);
        continue;
      }
      if (seen.has(event.cursor)) delivery.duplicates++;
      seen.add(event.cursor);
      if (at <= previous) ordered = false;
      previous = at;
      received.push(event.cursor);
    }
    delivery.missing += logged.length - seen.size;
    if (!ordered) delivery.outOfOrder++;
    if (ordered && seen.size === logged.length && received.length === logged.length) delivery.perfect++;
  }
  for (const subscriber of subscribers) {
    const own = ownCursor.get(subscriber.userId);
    const ownAt = own === undefined ? Number.POSITIVE_INFINITY : position.get(own)!;
    const ownEmoji = emojiOf[people.indexOf(subscriber.userId)]!;
    for (const buffer of subscriber.frames) {
      const event = (JSON.parse(buffer.toString()) as Frame).payload?.data?.roomEvents;
      if (event?.__typename !== 'ReactionAdded' || event.message?.id !== target.id || !event.cursor) continue;
      const at = position.get(event.cursor)!;
      const groups = event.message.reactions;
      for (const group of settings.document === 'ui' ? groups : []) {
        const shouldBe = group.emoji === ownEmoji && at >= ownAt;
        // Before their own reaction's event the render may already see it (the message as it is when sent): only
        // "true from their own event on" and "never for an emoji they did not use" are exact.
        if ((shouldBe && !group.reactedByMe) || (group.reactedByMe && group.emoji !== ownEmoji)) delivery.reactedByMeWrong++;
      }
      if (settings.document === 'ui' && !groups.some((g) => g.emoji === ownEmoji) && at >= ownAt) delivery.reactedByMeWrong++;
      const count = groups.reduce((total, g) => total + g.count, 0);
      if (count < (stormIndex.get(event.cursor) ?? 0)) delivery.countBehind++;
    }
  }

  for (const subscriber of subscribers) {
    bench.sockets.delete(subscriber.socket);
    await subscriber.socket.close();
  }
  bench.clients.delete(client);
  client.close();
  await store.close();
  await server.child.stop(15_000);
  await bench.stopRedis();

  const toCase = (kind: Kind): StormCase => {
    const list = slices.filter((s) => s.kind === kind);
    return {
      kind,
      events: list.reduce((total, s) => total + s.events, 0),
      serverUs: median(list.map((s) => s.serverUs)),
      redisUs: median(list.map((s) => s.redisUs)),
      perSecond: median(list.map((s) => s.perSecond)),
      latency: summarize(
        list.flatMap((s) => s.latencies),
        list.reduce((total, s) => total + s.drainMs, 0),
      ),
      drainMs: median(list.map((s) => s.drainMs)),
    };
  };
  const reactionSlices = slices.filter((s) => s.kind === 'reactions');
  const cases = [toCase('reactions'), toCase('posts')];
  const profile = summarizeProfiles(
    'storm',
    (['reactions', 'posts'] as const).map((kind) => {
      const list = slices.filter((x) => x.kind === kind);
      return {
        label: `storm: ${kind}`,
        windows: list.map((x) => x.windowUs),
        count: list.reduce((t, x) => t + x.events, 0),
        unit: 'event',
      };
    }),
  );
  return {
    profile,
    people: settings.people,
    subscribers: settings.subscribers,
    seedSeconds,
    connectMs,
    scrapeOverheadUs: calibration.overheadUs,
    idleUsPerMs: calibration.idleUsPerMs,
    slices,
    cases,
    flatRatio: reactionSlices.at(-1)!.serverUs / reactionSlices[0]!.serverUs,
    flatRatio3: median(reactionSlices.slice(-3).map((s) => s.serverUs)) / median(reactionSlices.slice(0, 3).map((s) => s.serverUs)),
    reactionOverPost: cases[0]!.serverUs / cases[1]!.serverUs,
    counts: { sent, final: finalCounts, sum, exact },
    delivery: {
      logEvents: logged.length,
      reactionEvents: stormIndex.size,
      ...delivery,
    },
    probes,
  };
};

// ---- the run ----

interface Results {
  startedAt: string;
  settings: typeof settings;
  goals: typeof GOALS;
  environment: Record<string, string | number>;
  page?: PageResults;
  storm?: StormResults;
}

const main = async () => {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const { serverInfo } = await bench.startRedis();
  const environment = describeMachine(serverInfo);
  await bench.stopRedis();
  const results: Results = { startedAt: startedAt.toISOString(), settings, goals: GOALS, environment };
  if (settings.parts.includes('page')) results.page = await runPage();
  if (settings.parts.includes('storm')) results.storm = await runStorm();
  printReport(results);
  mkdirSync(join(repoRoot, '.bench'), { recursive: true });
  const out = join(repoRoot, '.bench', `conversations-${stamp}.json`);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${out}`);
};

// ---- the report ----

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

const printReport = (results: Results) => {
  const { settings: s, environment: e } = results;
  console.log(`\nballoons conversations bench — ${results.startedAt}`);
  console.log(
    `node ${e.node}, ${e.cores} cores, redis ${e.redis} (no persistence); our server with NODE_ENV=${s.nodeEnv}, RATE_LIMITS=0; load average before the run: ${e.loadAverage}`,
  );

  const p = results.page;
  if (p) {
    console.log(
      `\npage: one room of ${p.seed.messages.toLocaleString('en-US')} messages (${p.seed.replies.toLocaleString('en-US')} replies) and ${p.seed.reactions.toLocaleString('en-US')} reactions` +
        ` (${(p.seed.reactions / p.seed.messages).toFixed(1)} per message), ${p.seed.logEntries.toLocaleString('en-US')} log entries, seeded in ${p.seed.seconds.toFixed(0)} s (${Math.round(p.seed.appendsPerSecond)} appends/s);` +
        `\nthe pages (${p.pages.sampled} sampled): ${p.pages.groupsPerMessage.toFixed(1)} reaction groups and ${p.pages.reactionsPerMessage.toFixed(1)} reactions per message, ${p.pages.withReplies} roots with replies, ${p.pages.replies} replies, ${p.pages.reactedByMe} groups reactedByMe;` +
        `\nsequential HTTP queries of random history pages, ${s.queryRounds} rounds per case, the order rotating [speed probe ${p.probes[0].toFixed(1)} → ${p.probes[1].toFixed(1)} ms]`,
    );
    console.log(
      formatTable<QueryCaseResult>(
        [
          { header: 'query', value: (r) => r.name },
          { header: 'count', value: (r) => r.latency.count },
          { header: 'p50 ms', value: (r) => r.latency.p50, digits: 2 },
          { header: 'p99 ms', value: (r) => r.latency.p99, digits: 2 },
          { header: 'server µs/query', value: (r) => r.serverUs },
          { header: 'min–max of rounds', value: (r) => `${Math.round(r.serverUsRange[0])}–${Math.round(r.serverUsRange[1])}` },
          { header: 'redis µs/query', value: (r) => r.redisUs },
        ],
        p.cases,
      ),
    );
    const [full, base, floor] = p.cases as [QueryCaseResult, QueryCaseResult, QueryCaseResult];
    console.log(
      `goal: server CPU p50 < ${GOALS.pageServerUs} µs for the page with reactions and threads: ${Math.round(full.serverUs)} µs: ${met(full.serverUs < GOALS.pageServerUs)}` +
        `\nwith / without reactions and threads: server CPU ${(full.serverUs / base.serverUs).toFixed(2)}× (+${Math.round(full.serverUs - base.serverUs)} µs), p50 ${(full.latency.p50 / base.latency.p50).toFixed(2)}×;` +
        ` over the floor: ${Math.round(full.serverUs - floor.serverUs)} µs with, ${Math.round(base.serverUs - floor.serverUs)} µs without` +
        `\nserver µs/query: our server's CPU from /metrics around each round, less ${Math.round(p.scrapeOverheadUs)} µs for a scrape and ${p.idleUsPerMs.toFixed(1)} µs/ms idle; the median of the rounds.`,
    );
  }

  const r = results.storm;
  if (r) {
    console.log(
      `\nstorm: ${r.people.toLocaleString('en-US')} people react once each to one message, open loop at ${s.rate}/s over ${s.clients} connections, in deciles;` +
        ` ${r.subscribers} roomEvents subscribers (people who react too) in this process, ${s.document === 'ui' ? 'the UI-like document (reactedByMe: a render per subscriber)' : 'the document without reactedByMe (one shared render)'} [speed probe ${r.probes[0].toFixed(1)} → ${r.probes[1].toFixed(1)} ms];` +
        `\nbaseline: as many posts (MessagePosted) into the same room, the same way, interleaved decile by decile (ABBA)`,
    );
    console.log(
      formatTable<StormSlice>(
        [
          { header: 'decile', value: (x) => x.decile + 1 },
          { header: 'events', value: (x) => x.kind },
          { header: 'count', value: (x) => x.events },
          { header: 'server µs/event', value: (x) => x.serverUs },
          { header: 'redis µs/event', value: (x) => x.redisUs },
          { header: 'sent/s', value: (x) => x.perSecond },
          { header: 'p50 ms', value: (x) => summarize(x.latencies, 1).p50, digits: 1 },
          { header: 'p99 ms', value: (x) => summarize(x.latencies, 1).p99, digits: 1 },
          { header: 'all delivered ms', value: (x) => x.drainMs },
        ],
        r.slices,
      ),
    );
    console.log(
      formatTable<StormCase>(
        [
          { header: 'medians of the deciles', value: (x) => x.kind },
          { header: 'count', value: (x) => x.events },
          { header: 'server µs/event', value: (x) => x.serverUs },
          { header: 'redis µs/event', value: (x) => x.redisUs },
          { header: 'sent/s', value: (x) => x.perSecond },
          { header: 'p50 ms', value: (x) => x.latency.p50, digits: 1 },
          { header: 'p99 ms', value: (x) => x.latency.p99, digits: 1 },
          { header: 'all delivered ms', value: (x) => x.drainMs },
        ],
        r.cases,
      ),
    );
    const d = r.delivery;
    const counts = STORM_EMOJI.map((emoji) => `${emoji} ${r.counts.final[emoji] ?? 0}/${r.counts.sent[emoji]}`).join(', ');
    console.log(
      `counts: ${counts}; sum ${r.counts.sum}: ${r.counts.exact ? 'exact' : 'NOT exact'}` +
        `\ndelivery: ${d.logEvents} logged events after the start (${d.reactionEvents} storm reactions); ${d.perfect}/${r.subscribers} subscribers got every one once and in order;` +
        ` missing ${d.missing}, duplicates ${d.duplicates}, subscribers out of order ${d.outOfOrder}; reactedByMe wrong ${d.reactedByMeWrong}, counts behind the event ${d.countBehind}` +
        (d.errors.length ? `; errors: ${d.errors.join(' | ')}` : '') +
        `\nflat: server µs/reaction, last decile / first: ${r.flatRatio.toFixed(2)}, last three / first three (medians): ${r.flatRatio3.toFixed(2)} (≤ ${GOALS.stormFlatRatio}: ${met(r.flatRatio3 <= GOALS.stormFlatRatio)});` +
        ` a reaction / a post (medians): ${r.reactionOverPost.toFixed(2)}×` +
        `\nserver µs/event: /metrics around each decile (from its first send until every subscriber had its last event), less ${Math.round(r.scrapeOverheadUs)} µs for a scrape and ${r.idleUsPerMs.toFixed(1)} µs/ms idle;` +
        ' it holds the mutation and the fan-out to the subscribers. Latency: from each send slot (queueing included) to the response.',
    );
  }

  for (const summary of [...(p?.profile ?? []), ...(r?.profile ?? [])]) {
    console.log(
      `\nprofile, ${summary.label}: ${Math.round(summary.busyMs)} ms busy${summary.windowed ? ' in its windows' : ' (whole profile)'}, ${Math.round((summary.busyMs * 1000) / summary.count)} µs/${summary.unit}; top functions:`,
    );
    console.log(
      formatTable<ProfileBucket>(
        [
          { header: 'function', value: (b) => b.bucket },
          { header: 'share %', value: (b) => b.share * 100, digits: 1 },
          { header: `µs/${summary.unit}`, value: (b) => (b.ms * 1000) / summary.count },
        ],
        summary.functions.slice(0, 15),
      ),
    );
    console.log(
      `by package/file: ${summary.buckets
        .slice(0, 10)
        .map((b) => `${b.bucket} ${(b.share * 100).toFixed(0)}%`)
        .join(', ')}`,
    );
  }
};

bench.run(main);
