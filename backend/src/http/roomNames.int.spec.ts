import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDevUserId } from '../auth/devLogin.js';
import { lobbyStreamKey, toRoomStreamKey, toUserStreamKey } from '../chat/keys.js';
import { INVISIBLE_IN_NAMES } from '../testing/nameFixtures.js';
import { type GraphQLResponse, startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';

/*
 * Room names over GraphQL, for both stores: a name that looks like an existing one is that room
 * (createRoom answers it, renameRoom refuses it, exactly as for the same name in other case), and
 * names with invisible characters are refused with BAD_USER_INPUT, logging nothing.
 */

const CREATE_ROOM = 'mutation($name: String!) { createRoom(name: $name) { id name } }';
const RENAME_ROOM = 'mutation($id: ID!, $name: String!) { renameRoom(id: $id, name: $name) { id name } }';

/** Each existing name with look-alikes of it, every one of which must answer the existing room. */
const LOOK_ALIKES: [existing: string, lookAlikes: string[]][] = [
  ['PayPal support', ['paypal support', 'раураl support', 'PAYPA1 SUPPORT', 'ＰａｙＰａｌ　Ｓｕｐｐｏｒｔ', '𝐏𝐚𝐲𝐏𝐚𝐥 support']],
  ['Straße', ['STRASSE', 'strasse', 'STRAẞE']],
  ['Modern art', ['rnodern art', 'MODERN  ART']],
  ['Book club', ['B00K CLUB', 'bοοk club']],
  ['Café', ['Cafe\u0301', 'CAFÉ', 'Cafe\u0341']],
];

/** Names refused besides those with an invisible character in them. */
const REFUSED: [string, string][] = [
  ['only a Hangul filler', '\u3164'],
  ['only braille blanks', '\u2800\u2800\u2800'],
  ['only a variation selector', '\ufe0f'],
  ['only combining marks', '\u0301\u0300'],
  ['a line separator', 'a\u2028b'],
  ['a paragraph separator', 'a\u2029b'],
  ['four marks stacked on one letter', 'Ze\u0301\u0300\u0302\u0303ro'],
  ['Zalgo', 'h\u0336\u0334\u0335\u0337\u0338ello'],
  ['a mark twice in a row', 'Cafe\u0301\u0301'],
  ['a noncharacter', 'a\ufdd0b'],
];

describe.each<StoreKind>(['memory', 'redis'])('room names (%s store)', (kind) => {
  let server: TestServer;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    alice = await server.signIn('alice');
    bob = await server.signIn('bob');
  });
  afterAll(() => server.stop());

  const createRoom = async (name: string, cookie = alice) => {
    const result = await server.gql(CREATE_ROOM, { name }, cookie);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result.data!.createRoom as { id: string; name: string };
  };

  /** The length of every log a room command could touch. */
  const logLengths = async (roomIds: string[]) => {
    const streams = [
      lobbyStreamKey,
      ...roomIds.map(toRoomStreamKey),
      ...['alice', 'bob'].map((handle) => toUserStreamKey(toDevUserId(handle))),
    ];
    const store = server.app.services.store;
    return Object.fromEntries(await Promise.all(streams.map(async (s) => [s, (await store.streamInfo(s)).length] as const)));
  };

  const expectBadInput = (result: GraphQLResponse<any>) => {
    expect(
      result.errors?.map((e) => e.extensions?.code),
      JSON.stringify(result.errors),
    ).toEqual(['BAD_USER_INPUT']);
    expect(result.data ?? null).toBeNull();
  };

  it.each(LOOK_ALIKES)(
    'createRoom of a look-alike of "%s" answers that room, as the same name does, and logs nothing',
    async (existing, lookAlikes) => {
      const room = await createRoom(existing);
      const before = await logLengths([room.id]);
      // The same name in other case: the existing behaviour the look-alikes must match.
      expect(await createRoom(existing.toUpperCase(), bob)).toEqual(room);
      for (const name of lookAlikes) expect(await createRoom(name, bob), JSON.stringify(name)).toEqual(room);
      expect(await logLengths([room.id])).toEqual(before);
    },
  );

  it('renameRoom to a look-alike of another room is refused as the same name is, and logs nothing', async () => {
    const taken = await createRoom('Chess club');
    const mine = await createRoom('Go club');
    const before = await logLengths([taken.id, mine.id]);
    const same = await server.gql(RENAME_ROOM, { id: mine.id, name: 'CHESS CLUB' }, alice);
    expectBadInput(same);
    for (const name of ['Chess c1ub', 'Сhеss club', 'CHESS  CLUB', 'Chess\u00a0club']) {
      const lookAlike = await server.gql(RENAME_ROOM, { id: mine.id, name }, alice);
      expectBadInput(lookAlike);
      expect(lookAlike.errors![0]!.message).toBe(same.errors![0]!.message);
    }
    expect(await logLengths([taken.id, mine.id])).toEqual(before);
  });

  it('lets a room take a look-alike of its own name, and frees the old one', async () => {
    const room = await createRoom('Poetry');
    const renamed = await server.gql(RENAME_ROOM, { id: room.id, name: 'P0ETRY' }, alice);
    expect(renamed.data).toEqual({ renameRoom: { id: room.id, name: 'P0ETRY' } });
    const moved = await server.gql(RENAME_ROOM, { id: room.id, name: 'Prose' }, alice);
    expect(moved.data).toEqual({ renameRoom: { id: room.id, name: 'Prose' } });
    expect((await createRoom('poetry')).id).not.toBe(room.id);
    expect((await createRoom('PROSE', bob)).id).toBe(room.id);
  });

  describe('refused names', () => {
    let fixture: { id: string };
    beforeAll(async () => {
      fixture = await createRoom(`refused names ${kind}`);
    });

    it.each([...INVISIBLE_IN_NAMES, ...REFUSED])(
      'createRoom and renameRoom refuse a name with %s: BAD_USER_INPUT, nothing logged',
      async (_, name) => {
        const before = await logLengths([fixture.id]);
        expectBadInput(await server.gql(CREATE_ROOM, { name }, alice));
        expectBadInput(await server.gql(RENAME_ROOM, { id: fixture.id, name }, alice));
        expect(await logLengths([fixture.id])).toEqual(before);
      },
    );

    it('keeps emoji, ZWJ sequences and VS16 inside them included', async () => {
      for (const name of [
        `Family ${kind} 👨\u200d👩\u200d👧`,
        `I ❤\ufe0f ${kind}`,
        `England ${kind} 🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}`,
      ]) {
        expect((await createRoom(name)).name).toBe(name);
      }
    });
  });
});
