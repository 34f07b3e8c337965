import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDevUserId } from '../auth/devLogin.js';
import { createChatCommands } from '../chat/commands.js';
import { toRoomStreamKey } from '../chat/keys.js';
import { createChatLookups } from '../chat/queries.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { BUCKET_MS } from '../projections/inbox/inboxProjector.js';
import { inboxLeaseKey, toInboxKey } from '../projections/keys.js';
import { readAll } from '../testing/logFixtures.js';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { type FollowedRoom, type ResumingClient, createResumingClient } from '../testing/resumingClient.js';
import { type ServerProcess, startServerProcess, INSTANCE_ORIGIN, signInAt, gqlAt } from '../testing/serverProcess.js';

/*
 * The inbox across three instances (real processes, one Redis): a hundred members of a busy room
 * follow their inboxes while instances die (kill -9), the inbox projector's among them; each
 * member receives exactly their inbox, which holds an ACTIVITY for every moment the room was
 * busy. Two devices of one person keep one read marker.
 */

const ORIGIN = INSTANCE_ORIGIN;
const MEMBERS = 100;
// Aliased as the resuming client expects (it follows `roomEvents` payloads and their cursors).
const INBOX = 'subscription($after: String) { roomEvents: inbox(after: $after) { __typename cursor kind room { id unreadCount } } }';

let redis: TestRedis;
let store: EventStore;
const servers: ServerProcess[] = [];
const clients: ResumingClient[] = [];

const start = (name: string) => startServerProcess({ name, env: { REDIS_URL: redis.url, PUBLIC_URL: ORIGIN, RATE_LIMITS: '0' } });

beforeAll(async () => {
  redis = await startTestRedis();
  servers.push(...(await Promise.all([start('A'), start('B'), start('C')])));
  store = await createRedisEventStore({ url: redis.url });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await store?.close();
  await Promise.all(servers.map((server) => server.kill('SIGKILL').catch(() => {})));
  await redis?.dispose();
}, 30_000);

const wsUrl = (server: ServerProcess) => server.wsUrl;
const alive = new Set<ServerProcess>();

/** Follows a person's inbox from its start on the live instances, starting at `first`. */
const followInbox = (cookie: string, first: number): FollowedRoom => {
  const client = createResumingClient({
    urls: () => {
      const live = servers.filter((server) => alive.has(server));
      return [...live.slice(first % live.length), ...live.slice(0, first % live.length)].map(wsUrl);
    },
    cookie,
    origin: ORIGIN,
  });
  clients.push(client);
  return client.followRoom('', '0-0', INBOX);
};

describe('the inbox across three instances', () => {
  it('keeps every member of a busy room exactly their inbox through kill -9s, and two devices of one person one marker', async () => {
    for (const server of servers) alive.add(server);
    const [A] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const owner = await signInAt(A, 'owner');
    const handles = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
    const cookies = await Promise.all(handles.map((handle, i) => signInAt(servers[i % 3]!, handle)));
    const room = (await gqlAt(A, owner, 'mutation { createRoom(name: "Busy") { id } }', {})).data!.createRoom.id as string;
    const commands = createChatCommands(store, createChatLookups(store));
    for (const handle of handles) await commands.joinRoom({ actorId: toDevUserId(handle), roomId: room });

    // Every member follows their inbox (two devices for m0), spread over the instances.
    const inboxes = cookies.map((cookie, i) => followInbox(cookie, i));
    const secondDevice = followInbox(cookies[0]!, 1);
    await Promise.all([...inboxes, secondDevice].map((inbox) => inbox.until((f) => f.logged.length >= 1, 60_000)));

    // Three posters keep the room busy through whichever instances live, while two instances die:
    // first the inbox projector's (it holds the lease), then one with subscribers on it.
    const posters = await Promise.all(['p0', 'p1', 'p2'].map((handle) => signInAt(A, handle)));
    let posting = true;
    let posted = 0;
    const post = async (i: number) => {
      for (let n = 0; posting; n++) {
        const live = servers.filter((server) => alive.has(server));
        const server = live[n % live.length]!;
        const result = await gqlAt(server, posters[i]!, 'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }', {
          r: room,
          b: `busy ${i}.${n}`,
        }).catch(() => null);
        if (result?.data?.postMessage) posted++;
      }
    };
    const posting$ = Promise.all([0, 1, 2].map(post));
    const kill = async (server: ServerProcess) => {
      alive.delete(server);
      await server.kill('SIGKILL');
    };
    const until = async (check: () => boolean) => {
      while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await until(() => posted >= 50);
    const admin = new Redis(redis.url);
    const leaseHolder = await admin.get(inboxLeaseKey);
    admin.disconnect();
    const projector = servers.find((server) => leaseHolder?.includes(`:${server.pid}:`));
    expect(projector).toBeDefined();
    await kill(projector!);
    servers.push(await start('D'));
    alive.add(servers.at(-1)!);
    await until(() => posted >= 150);
    await kill(servers.find((server) => alive.has(server) && server !== servers.at(-1))!);
    await until(() => posted >= 250);
    posting = false;
    await posting$;

    // The whole log's posts, and each member's inbox as Redis holds it, once it has the last one.
    const posts = (await readAll(store, toRoomStreamKey(room))).filter((event) => event.type === 'MessagePosted');
    const lastBucket = Math.floor(Number(posts.at(-1)!.cursor.split('-')[0]) / BUCKET_MS);
    const bucketOf = (cursor: string) => Math.floor(Number(cursor.split('-')[0]) / BUCKET_MS);
    const inboxOf = async (handle: string) => readAll(store, toInboxKey(toDevUserId(handle)));
    for (const handle of handles) {
      for (;;) {
        const entries = await inboxOf(handle);
        if (entries.some((entry) => entry.type === 'ACTIVITY' && bucketOf(entry.cursor) >= lastBucket)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    for (const [i, handle] of handles.entries()) {
      const entries = await inboxOf(handle);
      // Every busy moment of the room made an ACTIVITY in it (in the post's bucket or, at a bucket's edge, the next).
      const buckets = new Set(entries.filter((entry) => entry.type === 'ACTIVITY').map((entry) => bucketOf(entry.cursor)));
      for (const postEvent of posts) {
        const bucket = bucketOf(postEvent.cursor);
        expect(buckets.has(bucket) || buckets.has(bucket + 1), `${handle}: the post at ${postEvent.cursor}`).toBe(true);
      }
      // The subscriber received exactly that inbox: each entry once, in order, none missing.
      await inboxes[i]!.until((f) => f.lastCursor === entries.at(-1)!.cursor, 20_000);
      expect(inboxes[i]!.logged.map((e) => e.cursor)).toEqual(entries.map((e) => e.cursor));
    }

    // Marker sync: m0 reads on one device; the other hears of it.
    const newest = posts.at(-1)!.cursor;
    const live = servers.find((server) => alive.has(server))!;
    const read = await gqlAt(live, cookies[0]!, 'mutation($r: ID!, $c: String!) { markRead(roomId: $r, upTo: $c) { unreadCount } }', {
      r: room,
      c: newest,
    });
    expect(read.data!.markRead.unreadCount).toBe(0);
    await secondDevice.until((f) => f.events.some((e) => (e as { kind?: string }).kind === 'READ'), 10_000);
    const readEvent = secondDevice.events.find((e) => (e as { kind?: string }).kind === 'READ') as unknown as {
      room: { unreadCount: number };
    };
    expect(readEvent.room.unreadCount).toBe(0);
  }, 120_000);
});
