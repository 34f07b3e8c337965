import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestDatabase, createTestDatabase } from '../testing/testDatabase.js';
import { type StoreKind, type TestServer, startTestServer } from '../testing/testServer.js';
import { startTestRedis } from '../testing/redisServer.js';
import { startServerProcess } from '../testing/serverProcess.js';

/**
 * `search` over GraphQL, the same suite on every engine: the in-memory index (embedded and with
 * Redis) and PostgreSQL. Indexing is asynchronous (a projector): a test waits for what it posted
 * to be found, then checks everything else at once.
 */

const SEARCH = `query($query: String!, $roomId: ID, $first: Int, $after: String) {
  search(query: $query, roomId: $roomId, first: $first, after: $after) {
    edges { cursor highlights { start length } node { id body room { id name } author { handle } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Edge {
  cursor: string;
  highlights: { start: number; length: number }[];
  node: { id: string; body: string; room: { id: string; name: string }; author: { handle: string } };
}
interface SearchData {
  search: { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const configurations: { name: string; kind: StoreKind; postgres: boolean }[] = [
  { name: 'embedded (memory store, memory index)', kind: 'memory', postgres: false },
  { name: 'redis store, memory index', kind: 'redis', postgres: false },
  { name: 'redis store, PostgreSQL index', kind: 'redis', postgres: true },
];

describe.each(configurations)('search: $name', { timeout: 60_000 }, ({ kind, postgres }) => {
  let server: TestServer;
  let database: TestDatabase | null = null;
  let ann: string;
  let bob: string;
  let cat: string;
  let seq = 0;
  /** A word no other test uses: letters only, so that it stems as English words do. */
  const unique = (word: string) =>
    `${word}${[...`${(seq += 1)}${Math.random().toString().slice(2, 8)}`].map((digit) => 'abcdefghij'[Number(digit)]).join('')}`;

  beforeAll(async () => {
    database = postgres ? await createTestDatabase() : null;
    server = await startTestServer(kind, { env: database ? { DATABASE_URL: database.url } : {} });
    [ann, bob, cat] = (await Promise.all(['ann', 'bob', 'cat'].map((handle) => server.signIn(handle)))) as [string, string, string];
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const ok = async <T = Record<string, any>>(query: string, variables: Record<string, unknown>, cookie: string) => {
    const response = await server.gql<T>(query, variables, cookie);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data as T;
  };
  const createRoom = async (cookie: string, name: string, roomKind: 'PUBLIC' | 'PRIVATE' = 'PUBLIC') =>
    (
      await ok<{ createRoom: { id: string } }>(
        'mutation($n: String!, $k: RoomKind) { createRoom(name: $n, kind: $k) { id } }',
        { n: name, k: roomKind },
        cookie,
      )
    ).createRoom.id;
  const post = async (cookie: string, roomId: string, body: string) =>
    (
      await ok<{ postMessage: { id: string } }>(
        'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }',
        { r: roomId, b: body },
        cookie,
      )
    ).postMessage.id;
  const search = (cookie: string, variables: Record<string, unknown>) => server.gql<SearchData>(SEARCH, variables, cookie);
  const found = async (cookie: string, query: string, extra: Record<string, unknown> = {}) => {
    const response = await search(cookie, { query, ...extra });
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data!.search;
  };
  const ids = async (cookie: string, query: string, extra: Record<string, unknown> = {}) =>
    (await found(cookie, query, extra)).edges.map((edge) => edge.node.id);
  /** Waits until the projector has indexed what the query should find. */
  const until = async (cookie: string, query: string, expected: string[]) =>
    vi.waitFor(async () => expect(await ids(cookie, query)).toEqual(expected), { timeout: 10_000, interval: 20 });
  const codeOf = async (cookie: string | undefined, variables: Record<string, unknown>) => {
    const response = await server.gql(SEARCH, variables, cookie);
    expect(response.data ?? null).toBeNull();
    return response.errors?.map((error) => error.extensions?.code);
  };

  it('needs a session', async () => {
    expect(await codeOf(undefined, { query: 'anything' })).toEqual(['UNAUTHENTICATED']);
  });

  it('finds messages in every readable room, newest first, stemmed and folded, with highlights in the body as written', async () => {
    const word = unique('zebra');
    const general = await createRoom(ann, unique('general'));
    const design = await createRoom(bob, unique('design'));
    const first = await post(ann, general, `Running with ${word}s at the Café`);
    const second = await post(bob, design, `${word.toUpperCase()} runs fast`);
    await post(bob, design, 'nothing to see');
    await until(cat, word, [second, first]);
    const page = await found(cat, `run ${word} cafe`);
    expect(page.edges.map((edge) => edge.node.id)).toEqual([first]);
    const [edge] = page.edges;
    expect(edge!.node.room.id).toBe(general);
    expect(edge!.highlights.map(({ start, length }) => edge!.node.body.slice(start, start + length))).toEqual([
      'Running',
      `${word}s`,
      'Café',
    ]);
    expect(await ids(cat, word, { roomId: design })).toEqual([second]);
    expect(await ids(cat, `${word} from:bob`)).toEqual([second]);
    expect(await ids(cat, `${word} from:@ANN`)).toEqual([first]);
    expect(await ids(cat, `${word} from:nobody_here`)).toEqual([]);
    expect(await ids(cat, `${word} -fast`)).toEqual([first]);
    expect(await ids(cat, `"${word} runs"`)).toEqual([second]);
    expect(await ids(cat, `"runs ${word}"`)).toEqual([]);
  });

  it('narrows by room name and by day', async () => {
    const word = unique('yak');
    const name = unique('Rénovation Team');
    const room = await createRoom(ann, name);
    const other = await createRoom(ann, unique('elsewhere'));
    const inRoom = await post(ann, room, `${word} here`);
    const outside = await post(ann, other, `${word} there`);
    await until(ann, word, [outside, inRoom]);
    expect(await ids(ann, `${word} in:"renovation team"`)).toEqual([inRoom]);
    expect(await ids(ann, `in:${name.split(' ')[0]!.toLowerCase()} ${word}`)).toEqual([inRoom]);
    expect(await ids(ann, `${word} in:no-such-room-anywhere`)).toEqual([]);
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    expect(await ids(ann, `${word} before:${day(1)}`)).toEqual([outside, inRoom]);
    expect(await ids(ann, `${word} before:${day(0)}`)).toEqual([]);
    expect(await ids(ann, `${word} after:${day(-1)}`)).toEqual([outside, inRoom]);
    expect(await ids(ann, `${word} after:${day(0)}`)).toEqual([]);
    expect(await ids(ann, `${word} after:${new Date(Date.now() - 3_600_000).toISOString()}`)).toEqual([outside, inRoom]);
  });

  it('finds Chinese and Japanese words written without spaces', async () => {
    const tag = unique('cjk');
    const room = await createRoom(ann, unique('tokyo'));
    const tokyo = await post(ann, room, `${tag} 明日は東京都庁へ行きます`);
    const beijing = await post(ann, room, `${tag} 我爱北京天安门`);
    await until(ann, tag, [beijing, tokyo]);
    expect(await ids(ann, `東京 ${tag}`)).toEqual([tokyo]);
    expect(await ids(ann, `北京 ${tag}`)).toEqual([beijing]);
    expect(await ids(ann, `京 ${tag}`)).toEqual([beijing, tokyo]);
    const [edge] = (await found(ann, `都庁 ${tag}`)).edges;
    expect(edge!.highlights.map(({ start, length }) => edge!.node.body.slice(start, start + length))).toEqual([tag, '都庁']);
  });

  it('pages with cursors of its own, and refuses a cursor of another search', async () => {
    const word = unique('page');
    const room = await createRoom(ann, unique('paging'));
    const posted: string[] = [];
    for (let i = 0; i < 7; i++) posted.push(await post(ann, room, `${word} number ${i}`));
    const newestFirst = [...posted].reverse();
    await until(ann, word, newestFirst);
    const seen: string[] = [];
    let after: string | null = null;
    for (const size of [3, 3, 1]) {
      const page: SearchData['search'] = await found(ann, word, { first: 3, after });
      expect(page.edges).toHaveLength(size);
      seen.push(...page.edges.map((edge) => edge.node.id));
      expect(page.pageInfo.hasNextPage).toBe(size === 3);
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(newestFirst);
    const cursor = (await found(ann, word, { first: 2 })).pageInfo.endCursor;
    expect(await codeOf(ann, { query: `${word} number`, after: cursor })).toEqual(['BAD_USER_INPUT']);
    expect(await codeOf(ann, { query: word, after: cursor, roomId: room })).toEqual(['BAD_USER_INPUT']);
    expect(await codeOf(ann, { query: word, after: 'not-a-cursor' })).toEqual(['BAD_USER_INPUT']);
    expect(await codeOf(ann, { query: word, after: `${cursor}x` })).toEqual(['BAD_USER_INPUT']);
  });

  it.each([
    ['an empty query', { query: '' }],
    ['whitespace only', { query: ' \t\n ' }],
    ['a thousand words', { query: Array.from({ length: 1000 }, (_, i) => `word${i}`).join(' ') }],
    ['operators only', { query: 'before:2026-12-01 after:2026-01-01' }],
    ['exclusions only', { query: '-spam -"junk mail"' }],
    ['a date that does not parse', { query: 'x before:2026-02-30' }],
    ['a time without a zone', { query: 'x after:2026-12-01T10:00' }],
    ['from: twice', { query: 'x from:ann from:bob' }],
    ['a control character', { query: 'x\u0007' }],
    ['first 0', { query: 'x', first: 0 }],
    ['first 51', { query: 'x', first: 51 }],
  ])('answers BAD_USER_INPUT for %s', async (_, variables) => {
    expect(await codeOf(ann, variables)).toEqual(['BAD_USER_INPUT']);
  });

  it('reads an unbalanced quote as a phrase to the end', async () => {
    const word = unique('quote');
    const room = await createRoom(ann, unique('quotes'));
    const id = await post(ann, room, `the ${word} is open`);
    await until(ann, word, [id]);
    expect(await ids(ann, `"${word} is open`)).toEqual([id]);
    expect(await ids(ann, `"${word} is closed`)).toEqual([]);
  });

  it("keeps private rooms' messages to their members, as of now", async () => {
    const secret = unique('secret');
    const room = await createRoom(ann, unique('hideout'), 'PRIVATE');
    const id = await post(ann, room, `the ${secret} plan`);
    await until(ann, secret, [id]);
    expect(await ids(bob, secret)).toEqual([]);
    expect(await codeOf(bob, { query: secret, roomId: room })).toEqual(['NOT_FOUND']);
    expect(await codeOf(bob, { query: secret, roomId: 'AAAAAAAAAAAA' })).toEqual(['NOT_FOUND']);
    expect(await ids(bob, `${secret} in:hideout`)).toEqual([]);
    // Invited: sees the room, not its history.
    const bobId = (
      await ok<{ invite: { user: { id: string } } }>(
        'mutation($r: ID!) { invite(roomId: $r, handle: "bob") { user { id } } }',
        { r: room },
        ann,
      )
    ).invite.user.id;
    expect(await ids(bob, secret)).toEqual([]);
    await ok('mutation($r: ID!) { joinRoom(roomId: $r) { id } }', { r: room }, bob);
    expect(await ids(bob, secret)).toEqual([id]);
    expect(await ids(bob, secret, { roomId: room })).toEqual([id]);
    // Kicked: at once, whatever the index holds.
    await ok('mutation($r: ID!, $u: ID!) { kick(roomId: $r, userId: $u) { membership } }', { r: room, u: bobId }, ann);
    expect(await ids(bob, secret)).toEqual([]);
    expect(await codeOf(bob, { query: secret, roomId: room })).toEqual(['NOT_FOUND']);
  });

  it("leaves a public room's messages out for someone banned from it", async () => {
    const word = unique('banned');
    const room = await createRoom(ann, unique('plaza'));
    const id = await post(ann, room, `${word} in the plaza`);
    await post(cat, room, 'hello');
    await until(cat, word, [id]);
    const catId = (await ok<{ me: { id: string } }>('{ me { id } }', {}, cat)).me.id;
    await ok('mutation($r: ID!, $u: ID!) { ban(roomId: $r, userId: $u) { membership } }', { r: room, u: catId }, ann);
    expect(await ids(cat, word)).toEqual([]);
    expect(await codeOf(cat, { query: word, roomId: room })).toEqual(['FORBIDDEN']);
    expect(await ids(bob, word)).toEqual([id]);
  });

  it('drops deleted and removed messages at once, and finds an edited one by its new words only', async () => {
    const word = unique('fleeting');
    const room = await createRoom(ann, unique('changes'));
    const deleted = await post(bob, room, `${word} to delete`);
    const removed = await post(bob, room, `${word} to remove`);
    const edited = await post(bob, room, `${word} old wording`);
    await until(ann, word, [edited, removed, deleted]);
    await ok('mutation($id: ID!) { deleteMessage(id: $id) { id } }', { id: deleted }, bob);
    await ok('mutation($id: ID!) { removeMessage(id: $id) { id } }', { id: removed }, ann);
    expect(await ids(ann, word)).toEqual([edited]);
    await ok('mutation($id: ID!, $b: String!) { editMessage(id: $id, body: $b) { id } }', { id: edited, b: `${word} new phrasing` }, bob);
    expect(await ids(ann, `${word} wording`)).toEqual([]);
    await until(ann, `${word} phrasing`, [edited]);
    expect(await ids(ann, word)).toEqual([edited]);
    const [edge] = (await found(ann, `phrasing ${word}`)).edges;
    expect(edge!.node.body).toBe(`${word} new phrasing`);
    expect(edge!.highlights.map(({ start, length }) => edge!.node.body.slice(start, start + length))).toEqual([word, 'phrasing']);
  });

  it('answers the usual injection payloads in every part of the syntax as text, and leaves the database untouched', async () => {
    const word = unique('inject');
    const room = await createRoom(ann, unique('payloads'));
    const id = await post(ann, room, `${word} it's a (test) & more`);
    await until(ann, word, [id]);
    const snapshot = async () =>
      database
        ? await database.query(
            "SELECT (SELECT count(*) FROM search_messages) AS messages, (SELECT count(*) FROM search_rooms) AS rooms, (SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public') AS tables",
          )
        : null;
    const before = await snapshot();
    const payloads = [
      "'; DROP TABLE search_messages; --",
      "' OR '1'='1",
      '" OR 1=1 --',
      '1); DELETE FROM search_rooms; --',
      "' UNION SELECT message_id, room_id, position FROM search_messages --",
      "\\'; SELECT pg_sleep(5); --",
      "!'x' | 'y' <-> 'z':*",
      '$1 $2::tsquery',
      "%' --",
    ];
    for (const payload of payloads) {
      for (const query of [
        `${word} ${payload}`,
        `${word} "${payload}"`,
        `${word} -"${payload}"`,
        `${word} from:${payload.replace(/\s/g, '')}`,
        `${word} in:"${payload}"`,
        `${word} before:${payload.replace(/\s/g, '')}`,
        `${word} after:"${payload}"`,
      ]) {
        const response = await search(ann, { query });
        for (const error of response.errors ?? []) {
          expect(error.extensions?.code, `${query}: ${error.message}`).toBe('BAD_USER_INPUT');
          // Our own message, echoing the value it could not read, never the database's.
          expect(error.message.replace(/got ".*"$/u, '')).not.toMatch(/syntax|tsquery|relation|SQL|pg_|column/i);
        }
      }
      expect(await codeOf(ann, { query: word, after: Buffer.from(payload).toString('base64url') })).toEqual(['BAD_USER_INPUT']);
      expect(await codeOf(ann, { query: word, roomId: payload })).toEqual(['NOT_FOUND']);
    }
    expect(await ids(ann, `${word} it's (test) &`)).toEqual([id]);
    expect(await snapshot()).toEqual(before);
  });
});

describe('search on PostgreSQL at start', { timeout: 60_000 }, () => {
  it('migrates once, whichever instance starts first, and says so in /readyz', async () => {
    const database = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([0, 1].map(() => startTestServer('memory', { env: { DATABASE_URL: database.url } })));
      try {
        expect(await database.query('SELECT version FROM search_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }]);
        const ready = await (await fetch(`${a!.url}/readyz`)).json();
        expect(ready).toEqual({ status: 'ready', store: 'memory', search: 'postgres' });
      } finally {
        await Promise.all([a!.stop(), b!.stop()]);
      }
      const again = await startTestServer('memory', { env: { DATABASE_URL: database.url } });
      await again.stop();
      expect(await database.query('SELECT count(*)::int AS n FROM search_migrations')).toEqual([{ n: 2 }]);
    } finally {
      await database.drop();
    }
  });
});

describe('search when PostgreSQL goes away', { timeout: 60_000 }, () => {
  it('answers /readyz 503 and search UNAVAILABLE, while posting goes on', async () => {
    const database = await createTestDatabase();
    const server = await startTestServer('memory', { env: { DATABASE_URL: database.url } });
    try {
      const ann = await server.signIn('ann');
      const room = (await server.gql<{ createRoom: { id: string } }>('mutation { createRoom(name: "outage") { id } }', {}, ann)).data!
        .createRoom.id;
      await database.drop();
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ error: { code: 'UNAVAILABLE', message: 'A store the server depends on is unreachable' } });
      const searched = await server.gql('{ search(query: "anything") { edges { cursor } } }', {}, ann);
      expect(searched.errors?.map((error) => error.extensions?.code)).toEqual(['UNAVAILABLE']);
      const posted = await server.gql('mutation($r: ID!) { postMessage(roomId: $r, body: "still here") { id } }', { r: room }, ann);
      expect(posted.errors).toBeUndefined();
    } finally {
      await server.stop();
    }
  });
});

describe('search at start, with Redis', { timeout: 60_000 }, () => {
  it('warns that each instance indexes in memory when DATABASE_URL is unset, and not when it is set', async () => {
    const redis = await startTestRedis();
    const database = await createTestDatabase();
    try {
      const [memory, postgres] = await Promise.all([
        startServerProcess({ env: { REDIS_URL: redis.url } }),
        startServerProcess({ env: { REDIS_URL: redis.url, DATABASE_URL: database.url } }),
      ]);
      await Promise.all([memory.kill('SIGKILL'), postgres.kill('SIGKILL')]);
      expect(memory.output()).toMatch(/^warning: DATABASE_URL is unset: each instance keeps its own in-memory search index/m);
      expect(postgres.output()).not.toMatch(/DATABASE_URL/);
    } finally {
      await redis.dispose();
      await database.drop();
    }
  });
});
