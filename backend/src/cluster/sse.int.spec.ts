import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../eventstore/eventStore.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { checkDelivery, type LoggedEvent, type PostAttempt } from '../testing/deliveryChecker.js';
import { type FollowedStream, followRoomOverSse, followRoomWithGraphQLSse } from '../testing/eventStreams.js';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { live, reached } from '../testing/resumingClient.js';
import { type Attempt, readRoomLog, runPoster } from '../testing/instanceClients.js';
import { gqlAt, INSTANCE_ORIGIN, type ServerProcess, signInAt, startServerProcess, stopServerProcess } from '../testing/serverProcess.js';

/**
 * The delivery promise over Server-Sent Events, against real server processes on one private
 * Redis: readers resume with Last-Event-ID on another instance when theirs dies, and the delivery
 * checker compares what each received with the log read back from Redis.
 */

const PRESENCE = { PRESENCE_LEASE_MS: '1000', PRESENCE_HEARTBEAT_MS: '200', PRESENCE_GRACE_MS: '200', PRESENCE_SWEEP_MS: '100' };
/** Upper bounds, not expectations: each takes a few seconds on a quiet 2-core machine. */
const SCENARIO_TIMEOUT_MS = 60_000;

let redis: TestRedis;
let store: EventStore;
let A: ServerProcess;
let B: ServerProcess;
let C: ServerProcess;
const processes: ServerProcess[] = [];
const cleanups: (() => Promise<unknown> | unknown)[] = [];

const startInstance = async (name: string) => {
  const server = await startServerProcess({ name, env: { REDIS_URL: redis.url, PUBLIC_URL: INSTANCE_ORIGIN, ...PRESENCE } });
  processes.push(server);
  return server;
};

beforeAll(async () => {
  redis = await startTestRedis({ appendonly: true });
  [A, B, C] = await Promise.all([startInstance('A'), startInstance('B'), startInstance('C')]);
  store = await createRedisEventStore({ url: redis.url });
}, 60_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 30_000);

afterAll(async () => {
  await store?.close();
  await Promise.all(processes.map((server) => stopServerProcess(server)));
  await redis?.dispose();
}, 30_000);

const readLog = (roomId: string) => readRoomLog(store, roomId);

const createRoom = async (cookie: string, name: string) => {
  const { data, errors } = await gqlAt<{ createRoom: { id: string } }>(A, cookie, 'mutation($n: String!) { createRoom(name: $n) { id } }', {
    n: name,
  });
  if (!data?.createRoom) throw new Error(`createRoom failed: ${JSON.stringify(errors)}`);
  return data.createRoom.id;
};

/** A reader is live once it sees its own user join (every reader here is a distinct user). */

interface Reader {
  name: string;
  handle: string;
  room: FollowedStream;
}

/** Two kinds of reader, each as a distinct user: plain fetch as EventSource behaves, and the graphql-sse client. */
const startReaders = async (urls: () => readonly string[], roomId: string, tag: string): Promise<Reader[]> => {
  const kinds = [
    ['fetch1', followRoomOverSse],
    ['fetch2', followRoomOverSse],
    ['client', followRoomWithGraphQLSse],
  ] as const;
  return Promise.all(
    kinds.map(async ([kind, follow]) => {
      const handle = `${kind}${tag}`;
      const cookie = await signInAt(A, handle);
      const room = follow({ urls, cookie, origin: INSTANCE_ORIGIN, retryWaitMs: 50 }, roomId, '0-0');
      cleanups.push(() => room.dispose());
      return { name: `${kind} (${handle})`, handle, room };
    }),
  );
};

/** The checker's verdict for every reader: nothing lost, nothing twice, in log order. */
const expectExactDelivery = (log: LoggedEvent[], attempts: PostAttempt[], readers: Reader[]) => {
  const report = checkDelivery({
    log,
    posts: attempts,
    strictLog: true,
    subscribers: readers.map((r) => ({ name: r.name, after: '0-0', received: r.room.logged })),
  });
  expect(report.problems).toEqual([]);
  for (const subscriber of report.subscribers) {
    expect({
      name: subscriber.name,
      lost: subscriber.gaps.length,
      duplicated: subscriber.duplicates.length,
      reordered: subscriber.reordered.length,
    }).toEqual({
      name: subscriber.name,
      lost: 0,
      duplicated: 0,
      reordered: 0,
    });
    expect(subscriber.received).toBe(log.length);
  }
};

describe('SSE readers across instances (real processes, one Redis)', () => {
  it(
    'kill -9 of the instance SSE readers are on, mid-stream: they resume on another with Last-Event-ID, and each ends with exactly the logged sequence',
    async () => {
      const D = await startInstance('D');
      cleanups.push(() => stopServerProcess(D));
      const [owner, poster1, poster2] = await Promise.all(['owner1', 'post11', 'post12'].map((h) => signInAt(A, h)));
      const roomId = await createRoom(owner!, 'sse kill');
      const readers = await startReaders(() => [D.url, B.url, C.url], roomId, '1');
      await Promise.all(readers.map((r) => live(r.room, r.handle)));

      const attempts: Attempt[] = [];
      let postersDone = false;
      const posting = Promise.all([
        runPoster({ server: A, cookie: poster1!, roomId, prefix: 'kill-a', count: 100, attempts }),
        runPoster({ server: B, cookie: poster2!, roomId, prefix: 'kill-b', count: 100, attempts }),
      ]).then(() => (postersDone = true));

      await Promise.all(readers.map((r) => r.room.until((room) => room.logged.length >= 20)));
      const beforeKill = readers.map((r) => r.room.logged.length);
      expect(await D.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      expect(postersDone).toBe(false); // mid-stream: posting goes on through A and B
      await posting;

      const log = await readLog(roomId);
      expect(log.filter((e) => e.type === 'MessagePosted')).toHaveLength(200);
      await Promise.all(readers.map((r) => r.room.until(reached(log.at(-1)!.cursor), 30_000)));
      expectExactDelivery(log, attempts, readers);
      readers.forEach((r, i) => {
        expect(r.room.connections, r.name).toEqual([D.url, B.url]);
        expect(r.room.error, r.name).toBeNull();
        // It really was cut off mid-stream: most of the log came through B, after the kill.
        expect(r.room.logged.length - beforeKill[i]!, r.name).toBeGreaterThan(100);
      });
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a graceful stop (SIGTERM) ends the streams without complete: the readers go on from another instance, nothing lost or twice',
    async () => {
      const E = await startInstance('E');
      cleanups.push(() => stopServerProcess(E));
      const [owner, poster] = await Promise.all(['owner2', 'post21'].map((h) => signInAt(A, h)));
      const roomId = await createRoom(owner!, 'sse stop');
      const readers = await startReaders(() => [E.url, C.url], roomId, '2');
      await Promise.all(readers.map((r) => live(r.room, r.handle)));

      const attempts: Attempt[] = [];
      const posting = runPoster({ server: A, cookie: poster!, roomId, prefix: 'stop', count: 120, attempts });
      await Promise.all(readers.map((r) => r.room.until((room) => room.logged.length >= 20)));
      expect(await E.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      await posting;

      const log = await readLog(roomId);
      await Promise.all(readers.map((r) => r.room.until(reached(log.at(-1)!.cursor), 30_000)));
      expectExactDelivery(log, attempts, readers);
      for (const r of readers) {
        expect(r.room.connections, r.name).toEqual([E.url, C.url]);
        expect(r.room.completed, r.name).toBe(false);
      }
    },
    SCENARIO_TIMEOUT_MS,
  );
});
