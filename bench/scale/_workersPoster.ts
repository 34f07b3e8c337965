/**
 * The poster of bench:scale's `workers` part, in a process of its own (so that its CPU is neither
 * the server's nor the bench's): posts over HTTP (postMessage, as the UI does) with POSTER_CONCURRENCY
 * requests in flight over as many keep-alive connections (to the POSTER_URL servers, a comma list, in turn), the users in turn (POSTER_COOKIES_FILE,
 * one Cookie a line) and the rooms at random (POSTER_ROOMS, a comma list). It posts for
 * POSTER_WARMUP_SECONDS, prints "window start", posts for POSTER_SECONDS more, then prints
 * "result {posts, rateLimited, errors, seconds, cpuMicros}" and exits.
 */
import { readFileSync } from 'node:fs';
import { createHttpClient } from '../httpClient.js';
import { POST_MESSAGE } from '../wsClient.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const urls = env('POSTER_URL').split(',');
const cookies = readFileSync(env('POSTER_COOKIES_FILE'), 'utf8').split('\n').filter(Boolean);
const rooms = env('POSTER_ROOMS').split(',');
const concurrency = Number(env('POSTER_CONCURRENCY'));
const warmupMs = Number(env('POSTER_WARMUP_SECONDS')) * 1000;
const windowMs = Number(env('POSTER_SECONDS')) * 1000;

// The workers' connections go to the servers in turn (several instances behind no balancer).
const clients = urls.map((url) => createHttpClient(url, { maxSockets: Math.ceil(concurrency / urls.length) }));
let user = 0;
let seq = 0;
let measuring = false;
let posts = 0;
let rateLimited = 0;
let errors = 0;
let firstError = '';

const started = performance.now();
const windowStart = started + warmupMs;
const end = windowStart + windowMs;
console.log('poster ready');

const worker = async (n: number) => {
  const client = clients[n % clients.length]!;
  while (performance.now() < end) {
    const cookie = cookies[user++ % cookies.length]!;
    const roomId = rooms[Math.floor(Math.random() * rooms.length)]!;
    try {
      await client.graphql(POST_MESSAGE, { roomId, body: `post ${seq}`, clientId: `wp-${process.pid}-${seq++}` }, cookie);
      if (measuring) posts++;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (!measuring) continue;
      if (text.includes('RATE_LIMITED')) rateLimited++;
      else {
        errors++;
        firstError ||= text.slice(0, 300);
      }
    }
  }
};

let cpuAtStart = 0;
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
setTimeout(() => {
  measuring = true;
  cpuAtStart = cpuMicros();
  console.log('window start');
}, warmupMs);
const measuredFrom = windowStart;
await Promise.all(Array.from({ length: concurrency }, (_, n) => worker(n)));
const seconds = (Math.min(performance.now(), end) - measuredFrom) / 1000;
// Its own CPU in the window: the parent cannot read it once this process has exited.
const cpu = cpuMicros() - cpuAtStart;
console.log(`result ${JSON.stringify({ posts, rateLimited, errors, firstError, seconds, cpuMicros: cpu })}`);
for (const client of clients) client.close();
process.exit(0);
