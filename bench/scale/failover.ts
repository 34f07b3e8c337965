/**
 * bench:scale part `failover`: a Redis Cluster (three primaries, three replicas) under a server
 * instance, BENCH_SCALE_FAILOVER_POSTERS (8) posters in one room retrying an unknown outcome with
 * the same clientId (as clients do), two subscribers following it; the room's primary is
 * `kill -9`ed mid-stream. Printed per round: the time from the kill to the first acknowledged post
 * started after it, the time until every node agreed on the promoted replica, the attempts
 * answered UNAVAILABLE, and the delivery checker's verdict (every acknowledged message in the log
 * once, every subscriber got the log once, in order). BENCH_SCALE_FAILOVER_ROUNDS (3), each on a
 * fresh cluster; medians quoted. Cluster node timeout: 2 s (testing/redisCluster.ts).
 */
import { toRoomStreamKey } from '../../backend/src/chat/keys.js';
import { compareCursors } from '../../backend/src/eventstore/eventStore.js';
import { createRedisEventStore } from '../../backend/src/eventstore/redisEventStore.js';
import { checkDelivery } from '../../backend/src/testing/deliveryChecker.js';
import { type Attempt, createRoom, readRoomLog, runPoster } from '../../backend/src/testing/instanceClients.js';
import { startRedisCluster } from '../../backend/src/testing/redisCluster.js';
import { type ResumingClient, createResumingClient } from '../../backend/src/testing/resumingClient.js';
import { INSTANCE_ORIGIN, signInAt, startServerProcess } from '../../backend/src/testing/serverProcess.js';
import { envNumber, log } from '../env.js';
import { median } from '../seed.js';
import { formatTable } from '../table.js';

const POSTERS = Math.round(envNumber('BENCH_SCALE_FAILOVER_POSTERS', 8, 1));
const ROUNDS = Math.round(envNumber('BENCH_SCALE_FAILOVER_ROUNDS', 3, 1));
const POSTS_EACH = 150;

interface Round {
  round: number;
  firstAckMs: number;
  agreedMs: number;
  acknowledged: number;
  unavailable: number;
  lost: number;
  duplicated: number;
  problems: number;
}

const runRound = async (round: number): Promise<Round> => {
  const cluster = await startRedisCluster();
  const server = await startServerProcess({
    name: `failover-${round}`,
    env: { REDIS_CLUSTER: cluster.seeds.map((s) => `${s.host}:${s.port}`).join(','), PUBLIC_URL: INSTANCE_ORIGIN },
  });
  const store = await createRedisEventStore({ cluster: cluster.seeds, ack: { replicas: 0, timeoutMs: 1_000 } });
  const followers: ResumingClient[] = [];
  try {
    const cookies = await Promise.all(Array.from({ length: POSTERS + 3 }, (_, i) => signInAt(server, `fo${round}_${i}`)));
    const roomId = await createRoom(server, cookies[0]!, `failover ${round}`);
    // A second replica for the room's primary: the promoted one then has a replica to wait for.
    await cluster.addReplicaOf(toRoomStreamKey(roomId));
    const readers = [1, 2].map((i) => {
      const client = createResumingClient({ urls: [server.wsUrl], cookie: cookies[i]!, origin: INSTANCE_ORIGIN, retryWaitMs: 50 });
      followers.push(client);
      return { name: `reader ${i}`, room: client.followRoom(roomId, '0-0') };
    });
    await Promise.all(readers.map((r) => r.room.until((room) => room.events.length > 0)));

    const attempts: Attempt[] = [];
    const posting = Promise.all(
      Array.from({ length: POSTERS }, (_, p) =>
        runPoster({ server, cookie: cookies[3 + p]!, roomId, prefix: `r${round}-p${p}`, count: POSTS_EACH, attempts }),
      ),
    );
    await readers[0]!.room.until((room) => room.logged.length >= 100, 30_000);
    await cluster.killPrimaryOf(toRoomStreamKey(roomId)); // resolves once the process is gone
    const killedAt = Date.now();
    await cluster.waitForFailover({ timeoutMs: 30_000 });
    const agreedMs = Date.now() - killedAt;
    await posting;
    const firstAck = attempts
      .filter((a) => a.outcome === 'acknowledged' && a.startedAt >= killedAt)
      .reduce((first, a) => Math.min(first, a.endedAt), Number.POSITIVE_INFINITY);
    const log = await readRoomLog(store, roomId);
    await Promise.all(
      readers.map((r) =>
        r.room.until((room) => room.lastCursor !== null && compareCursors(room.lastCursor, log.at(-1)!.cursor) >= 0, 30_000),
      ),
    );
    const report = checkDelivery({
      log,
      posts: attempts,
      strictLog: true,
      subscribers: readers.map((r) => ({ name: r.name, after: '0-0', received: r.room.logged })),
    });
    return {
      round,
      firstAckMs: firstAck - killedAt,
      agreedMs,
      acknowledged: attempts.filter((a) => a.outcome === 'acknowledged').length,
      unavailable: attempts.filter((a) => a.outcome === 'unknown').length,
      // Acknowledged but not in the log, or logged but never received by a subscriber.
      lost: report.acknowledgedMissing.length + report.subscribers.reduce((sum, r) => sum + r.gaps.length, 0),
      // A retry that made a second message, or an event a subscriber got more than once.
      duplicated:
        report.acknowledgedTwice.length + report.logDuplicates.length + report.subscribers.reduce((sum, r) => sum + r.duplicates.length, 0),
      problems: report.problems.length,
    };
  } finally {
    for (const follower of followers) follower.dispose();
    await store.close();
    await server.kill('SIGTERM');
    await cluster.stop();
  }
};

export default {
  target: 'time from kill -9 of a primary to the first acknowledged post after it, and the checker’s verdict',
  async run() {
    const rounds: Round[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      log(`failover: round ${round} of ${ROUNDS}`);
      rounds.push(await runRound(round));
      log(`failover: round ${round}: first acknowledged post ${rounds.at(-1)!.firstAckMs} ms after the kill`);
    }
    console.log(
      `One instance on a Redis Cluster (3 primaries + 3 replicas, node timeout 2 s, REDIS_ACK_REPLICAS 1 by default), ${POSTERS} posters × ${POSTS_EACH} posts retrying with their clientId, 2 subscribers; the room's primary kill -9'ed mid-stream:\n`,
    );
    console.log(
      formatTable(
        [
          { header: 'round', value: (r: Round) => r.round },
          { header: 'kill → first ack (ms)', value: (r) => r.firstAckMs },
          { header: 'kill → cluster agreed (ms)', value: (r) => r.agreedMs },
          { header: 'acknowledged', value: (r) => r.acknowledged },
          { header: 'answered UNAVAILABLE', value: (r) => r.unavailable },
          { header: 'lost', value: (r) => r.lost },
          { header: 'duplicated', value: (r) => r.duplicated },
          { header: 'checker problems', value: (r) => r.problems },
        ],
        rounds,
      ),
    );
    const problems = rounds.reduce((sum, r) => sum + r.problems, 0);
    console.log(
      `\nmedian kill → first acknowledged post: ${median(rounds.map((r) => r.firstAckMs))} ms; checker: ${problems === 0 ? '0 lost, 0 duplicated, in order' : `${problems} problems`}`,
    );
  },
};
