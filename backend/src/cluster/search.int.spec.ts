import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { type TestDatabase, createTestDatabase } from '../testing/testDatabase.js';
import { type ServerProcess, startServerProcess, INSTANCE_ORIGIN, signInAt, gqlAt } from '../testing/serverProcess.js';

/*
 * Search while three instances (real processes, one Redis, one PostgreSQL) take posts, edits,
 * deletions and a kick: searches on every instance, all the while, never answer a message that
 * was deleted, or edited away from the words, or is in a room the searcher was removed from,
 * before the search began; nor ever a private room's message to an outsider. Once the writes stop,
 * every instance finds exactly what the log says.
 */

const WORD = 'needle';
const POSTS = 120;

let redis: TestRedis;
let database: TestDatabase;
const servers: ServerProcess[] = [];

const gql = async (server: ServerProcess, cookie: string, query: string, variables: Record<string, unknown> = {}) => {
  const result = await gqlAt(server, cookie, query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
};

beforeAll(async () => {
  [redis, database] = await Promise.all([startTestRedis(), createTestDatabase()]);
  const start = (name: string) =>
    startServerProcess({ name, env: { REDIS_URL: redis.url, DATABASE_URL: database.url, PUBLIC_URL: INSTANCE_ORIGIN, RATE_LIMITS: '0' } });
  servers.push(...(await Promise.all([start('A'), start('B'), start('C')])));
}, 90_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.kill('SIGKILL').catch(() => {})));
  await redis?.dispose();
  await database?.drop();
}, 30_000);

interface Hit {
  id: string;
  body: string;
  room: { id: string };
}

describe('search across three instances', () => {
  it('never answers what it should not while posts, edits, deletions and a kick go on, and converges on every instance', {
    timeout: 120_000,
  }, async () => {
    const [A, B, C] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const ann = await signInAt(A, 'ann');
    const bob = await signInAt(B, 'bob');
    const cat = await signInAt(C, 'cat');
    const bobId = ((await gql(B, bob, '{ me { id } }')) as { me: { id: string } }).me.id;
    const square = ((await gql(A, ann, 'mutation { createRoom(name: "square") { id } }')) as { createRoom: { id: string } }).createRoom.id;
    const vault = ((await gql(A, ann, 'mutation { createRoom(name: "vault", kind: PRIVATE) { id } }')) as { createRoom: { id: string } })
      .createRoom.id;
    await gql(A, ann, 'mutation($r: ID!) { invite(roomId: $r, handle: "bob") { membership } }', { r: vault });
    await gql(B, bob, 'mutation($r: ID!) { joinRoom(roomId: $r) { id } }', { r: vault });

    // What became true, and when it was acknowledged (this process's clock).
    const gone = new Map<string, number>(); // deleted or edited away from WORD
    const inVault = new Set<string>();
    let kickedAt = Number.POSITIVE_INFINITY;
    const violations: string[] = [];
    let writing = true;

    const searchLoop = async (server: ServerProcess, cookie: string, who: 'bob' | 'cat') => {
      let searches = 0;
      while (writing || searches < 3) {
        const startedAt = performance.now();
        const result = await gqlAt<{ search: { edges: { node: Hit }[] } }>(
          server,
          cookie,
          'query { search(query: "needle", first: 50) { edges { node { id body room { id } } } } }',
        );
        searches += 1;
        if (result.errors) {
          violations.push(`${who}: ${JSON.stringify(result.errors)}`);
          continue;
        }
        for (const { node } of result.data!.search.edges) {
          if (!node.body.includes(WORD)) violations.push(`${who} got ${node.id} whose body no longer has the word`);
          if ((gone.get(node.id) ?? Number.POSITIVE_INFINITY) < startedAt) violations.push(`${who} got ${node.id}, gone before the search`);
          if (node.room.id === vault && (who === 'cat' || kickedAt < startedAt)) violations.push(`${who} got ${node.id} of the vault`);
        }
      }
      return searches;
    };
    const searching = [searchLoop(B, bob, 'bob'), searchLoop(C, bob, 'bob'), searchLoop(C, cat, 'cat'), searchLoop(A, cat, 'cat')];

    const posted: { id: string; author: string; cookie: string; server: ServerProcess }[] = [];
    const writers = [
      { cookie: ann, server: A },
      { cookie: bob, server: B },
    ];
    try {
      for (let i = 0; i < POSTS; i++) {
        const roomId = i % 3 === 0 ? vault : square;
        // Bob writes in the vault too, until he is kicked from it.
        const writer = roomId === vault && kickedAt < Number.POSITIVE_INFINITY ? writers[0]! : writers[i % 2]!;
        const { postMessage } = (await gql(
          writer.server,
          writer.cookie,
          'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }',
          {
            r: roomId,
            b: `${WORD} number ${i}`,
          },
        )) as { postMessage: { id: string } };
        posted.push({ id: postMessage.id, author: writer === writers[0] ? 'ann' : 'bob', ...writer });
        if (roomId === vault) inVault.add(postMessage.id);
        if (i % 7 === 3) {
          const victim = posted[i - 2]!;
          if (!gone.has(victim.id) && !(victim.author === 'bob' && inVault.has(victim.id) && kickedAt < Number.POSITIVE_INFINITY)) {
            // (A kicked author no longer finds, so no longer changes, their messages in the room.)
            await gql(victim.server, victim.cookie, 'mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: victim.id });
            gone.set(victim.id, performance.now());
          }
        }
        if (i % 5 === 4) {
          const victim = posted[i - 1]!;
          if (!gone.has(victim.id) && !(victim.author === 'bob' && inVault.has(victim.id) && kickedAt < Number.POSITIVE_INFINITY)) {
            await gql(victim.server, victim.cookie, 'mutation($id: ID!, $b: String!) { editMessage(id: $id, body: $b) { id } }', {
              id: victim.id,
              b: 'haystack now',
            });
            gone.set(victim.id, performance.now());
          }
        }
        if (i === POSTS / 2) {
          await gql(A, ann, 'mutation($r: ID!, $u: ID!) { kick(roomId: $r, userId: $u) { membership } }', { r: vault, u: bobId });
          kickedAt = performance.now();
          writers[1] = { cookie: bob, server: C };
        }
      }
    } finally {
      writing = false;
    }
    const counts = await Promise.all(searching);
    expect(violations).toEqual([]);
    expect(Math.min(...counts)).toBeGreaterThan(3);

    // Converged: every instance finds what the log says, for each viewer.
    const expected = (viewer: 'ann' | 'bob' | 'cat') =>
      posted
        .filter((m) => !gone.has(m.id) && (viewer === 'ann' || !inVault.has(m.id)))
        .map((m) => m.id)
        .reverse();
    const all = async (server: ServerProcess, cookie: string) => {
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const data = (await gql(
          server,
          cookie,
          'query($a: String) { search(query: "needle", first: 50, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
          {
            a: after,
          },
        )) as { search: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
        ids.push(...data.search.edges.map((edge) => edge.node.id));
        if (!data.search.pageInfo.hasNextPage) return ids;
        after = data.search.pageInfo.endCursor;
      }
    };
    for (const server of servers) {
      await vi.waitFor(async () => expect(await all(server, ann)).toEqual(expected('ann')), { timeout: 10_000, interval: 50 });
      expect(await all(server, bob)).toEqual(expected('bob'));
      expect(await all(server, cat)).toEqual(expected('cat'));
    }
  });
});
