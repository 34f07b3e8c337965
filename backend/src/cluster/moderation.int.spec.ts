import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDevUserId } from '../auth/devLogin.js';
import { toRoomStreamKey } from '../chat/keys.js';
import { compareCursors, type EventStore, type RecordedEvent } from '../eventstore/eventStore.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { type ServerProcess, startServerProcess, INSTANCE_ORIGIN, signInAt, gqlAt } from '../testing/serverProcess.js';

/*
 * Kicks and bans across instances (real processes, one Redis): the banned person's subscriptions
 * on the other instances end at the ban's event, with FORBIDDEN, and receive nothing logged after
 * it; their posts racing the ban are either before it in the log or refused.
 */

const ORIGIN = INSTANCE_ORIGIN;
let redis: TestRedis;
let store: EventStore;
let A: ServerProcess;
let B: ServerProcess;
let C: ServerProcess;
const clients: Client[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  const start = (name: string) => startServerProcess({ name, env: { REDIS_URL: redis.url, PUBLIC_URL: ORIGIN, RATE_LIMITS: '0' } });
  [A, B, C] = await Promise.all([start('A'), start('B'), start('C')]);
  store = await createRedisEventStore({ url: redis.url });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await store?.close();
  await Promise.all([A, B, C].map((server) => server?.kill('SIGTERM')));
  await redis?.dispose();
}, 30_000);

const EVENTS = `subscription($id: ID!, $after: String) { roomEvents(roomId: $id, after: $after) {
  __typename cursor ... on MessagePosted { message { body } } ... on MembershipChanged { member { user { id } membership } } } }`;

interface Followed {
  /** Logged events received, in order. */
  logged: { cursor: string; type: string; body?: string; userId?: string; membership?: string }[];
  ended: Promise<{ code: string | undefined; at: number; reason?: unknown }>;
}

/** Follows a room on `server` as `cookie`; `ended` settles with the error code it ended with. */
const follow = (server: ServerProcess, cookie: string, roomId: string, after: string | null): Followed => {
  class Authenticated extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { origin: ORIGIN, cookie } });
    }
  }
  const client = createClient({ url: `${server.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: Authenticated, retryAttempts: 0 });
  clients.push(client);
  const logged: Followed['logged'] = [];
  const ended = new Promise<{ code: string | undefined; at: number; reason?: unknown }>((resolve) => {
    client.subscribe<any>(
      { query: EVENTS, variables: { id: roomId, after } },
      {
        next: (result) => {
          const event = result.data?.roomEvents;
          if (result.errors) resolve({ code: result.errors[0]?.extensions?.code as string | undefined, at: Date.now() });
          if (event?.cursor) {
            logged.push({
              cursor: event.cursor,
              type: event.__typename,
              body: event.message?.body,
              userId: event.member?.user.id,
              membership: event.member?.membership,
            });
          }
        },
        error: (errors) => {
          const first = (Array.isArray(errors) ? errors[0] : undefined) as { extensions?: { code?: string; reason?: unknown } } | undefined;
          resolve({ code: first?.extensions?.code, reason: first?.extensions?.reason, at: Date.now() });
        },
        complete: () => resolve({ code: undefined, at: Date.now() }),
      },
    );
  });
  return { logged, ended };
};

const until = async (check: () => boolean, what: string, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
};

const readLog = async (roomId: string) => {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readForward(toRoomStreamKey(roomId), { after: events.at(-1)?.cursor, count: 1_000 });
    events.push(...page);
    if (page.length < 1_000) return events;
  }
};

describe.each(['ban', 'kick'] as const)('a %s across three instances', (action) => {
  it("ends the person's subscriptions on the other instances at its event, and lets nothing after it through", async () => {
    const [owner, spammer, reader] = await Promise.all([
      signInAt(A, `owner_${action}`),
      signInAt(A, `spam_${action}`),
      signInAt(A, `read_${action}`),
    ]);
    const spammerId = toDevUserId(`spam_${action}`);
    const room = await gqlAt(A, owner, 'mutation($n: String!) { createRoom(name: $n) { id } }', { n: `moderated ${action}` });
    const roomId = room.data!.createRoom.id as string;
    const post = (server: ServerProcess, cookie: string, body: string) =>
      gqlAt(server, cookie, 'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }', { r: roomId, b: body });
    await post(A, spammer, 'first, which makes me a member');
    const start = (await readLog(roomId)).at(-1)!.cursor;

    // Followed live on B and C, and resumed from before the ban on C: the catch-up must stop at it too.
    const onB = follow(B, spammer, roomId, start);
    const onC = follow(C, spammer, roomId, start);
    const control = follow(C, reader, roomId, start);
    await post(A, owner, 'probe');
    await until(() => [onB, onC, control].every((f) => f.logged.some((e) => e.body === 'probe')), 'every subscriber to be live');

    // The spammer keeps posting through A and B while the owner acts through A.
    let racing = true;
    const attempts: { body: string; id?: string; code?: string; reason?: unknown }[] = [];
    const spam = (async () => {
      // Until the owner has acted, and five more after that.
      let more = 5;
      for (let i = 0; racing || more-- > 0; i++) {
        const body = `spam ${i}`;
        const response = await post(i % 2 ? A : B, spammer, body);
        attempts.push({
          body,
          id: response.data?.postMessage?.id,
          code: response.errors?.[0]?.extensions?.code as string | undefined,
          reason: response.errors?.[0]?.extensions?.reason,
        });
      }
    })();
    await until(() => attempts.length >= 10, 'some spam');
    const acted = Date.now();
    const response = await gqlAt(
      A,
      owner,
      `mutation($r: ID!, $u: ID!) { ${action}(roomId: $r, userId: $u, reason: "spam") { membership } }`,
      { r: roomId, u: spammerId },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data![action].membership).toBe(action === 'ban' ? 'BANNED' : 'KICKED');
    racing = false;
    await spam;
    for (let i = 0; i < 5; i++) await post(A, owner, `after ${i}`);
    await until(() => control.logged.some((e) => e.body === 'after 4'), 'the control subscriber to get everything');

    const log = await readLog(roomId);
    const removal = log.find(
      (e) => e.type === 'MembershipChanged' && (e.data as { userId: string; action: string }).action === action.toUpperCase(),
    );
    expect(removal).toBeDefined();
    for (const followed of [onB, onC]) {
      const ended = await followed.ended;
      expect(ended.code).toBe('FORBIDDEN');
      expect(ended.reason).toBe(action === 'ban' ? 'banned' : undefined);
      expect(ended.at - acted).toBeLessThan(5_000);
      const last = followed.logged.at(-1)!;
      expect(last).toMatchObject({ cursor: removal!.cursor, type: 'MembershipChanged', userId: spammerId });
      expect(followed.logged.every((e) => compareCursors(e.cursor, removal!.cursor) <= 0)).toBe(true);
    }
    // The control subscriber received the whole log from its start, the removal included, and more after it.
    expect(control.logged.map((e) => e.cursor)).toEqual(log.filter((e) => compareCursors(e.cursor, start) > 0).map((e) => e.cursor));

    const spamInLog = log.filter((e) => e.type === 'MessagePosted' && (e.meta.actorId ?? '') === spammerId);
    const accepted = attempts.filter((a) => a.id);
    expect(spamInLog.length).toBe(accepted.length + 1);
    if (action === 'ban') {
      // Every spam post the server accepted is in the log before the ban; every one after it was refused.
      for (const event of spamInLog) expect(compareCursors(event.cursor, removal!.cursor)).toBeLessThan(0);
      const refused = attempts.filter((a) => !a.id);
      expect(refused.length).toBeGreaterThan(0);
      for (const a of refused) expect([a.code, a.reason]).toEqual(['FORBIDDEN', 'banned']);
      // A banned person cannot follow the room either.
      const again = follow(B, spammer, roomId, null);
      expect((await again.ended).code).toBe('FORBIDDEN');
    } else {
      // A kicked person may come back to a public room (posting rejoins them): that is what a kick is, short of a ban.
      expect(attempts.filter((a) => !a.id)).toEqual([]);
      expect(
        log.filter((e) => e.type === 'MembershipChanged' && (e.data as { userId: string }).userId === spammerId).length,
      ).toBeGreaterThan(2);
    }
  }, 60_000);
});
