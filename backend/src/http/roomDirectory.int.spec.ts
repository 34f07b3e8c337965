import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collect, startTestServer, type StoreKind, type TestServer } from '../testing/testServer.js';

const PAGE = `query($first: Int, $after: String, $search: String) {
  lobbyCursor
  roomDirectory(first: $first, after: $after, search: $search) {
    edges { cursor node { id name onlineCount } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

describe.each<StoreKind>(['memory', 'redis'])('roomDirectory (%s store)', (kind) => {
  let server: TestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startTestServer(kind);
    cookie = await server.signIn('alice');
  });
  afterAll(() => server.stop());

  const createRoom = async (name: string) =>
    (await server.gql('mutation($n: String!) { createRoom(name: $n) { id name } }', { n: name }, cookie)).data!.createRoom;
  const page = (variables: Record<string, unknown>) => server.gql(PAGE, variables);

  /** Waits until the directory lists what the lobby log holds (the projector runs beside the server). */
  const settled = () =>
    vi.waitFor(
      async () => {
        const log = (await server.gql('{ lobbyCursor rooms { id } }')).data!.lobbyCursor;
        expect((await page({ first: 1 })).data!.lobbyCursor).toBe(log);
      },
      { timeout: 10_000, interval: 20 },
    );

  it('pages public rooms by folded name, signed out too, and searches case- and accent-insensitively', async () => {
    const names = ['Zebra crossing', 'café society', 'Ålesund', 'alpha', 'Cafe Racer', 'beta', 'CAFÉ noir'];
    const ids = new Map<string, string>();
    for (const name of names) ids.set(name, (await createRoom(name)).id);
    await settled();

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { data, errors } = await page({ first: 3, after });
      expect(errors).toBeUndefined();
      const connection = data!.roomDirectory;
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...connection.edges.map((edge: any) => edge.node.name));
      expect(connection.edges.every((edge: any) => edge.node.onlineCount === 0)).toBe(true);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(['Ålesund', 'alpha', 'beta', 'CAFÉ noir', 'Cafe Racer', 'café society', 'Zebra crossing']);

    const found = await page({ search: 'CAFE' });
    expect(found.data!.roomDirectory.edges.map((edge: any) => edge.node.name)).toEqual(['CAFÉ noir', 'Cafe Racer', 'café society']);
    expect((await page({ search: 'alesund' })).data!.roomDirectory.edges.map((edge: any) => edge.node.id)).toEqual([ids.get('Ålesund')]);
    expect((await page({ search: 'nothing like it' })).data!.roomDirectory.edges).toEqual([]);
  });

  it('follows a rename, and a subscriber from lobbyCursor misses no room created meanwhile', async () => {
    const room = await createRoom('Old name');
    await settled();
    const { data } = await page({ first: 100 });
    const lobbyEvents = collect(
      server.wsClient(cookie),
      'subscription($after: String) { lobbyEvents(after: $after) { kind cursor room { id name } } }',
      {
        after: data!.lobbyCursor ?? '0-0',
      },
    );
    const created = await createRoom('Newcomer');
    await server.gql('mutation($id: ID!) { renameRoom(id: $id, name: "New name") { id } }', { id: room.id }, cookie);
    await lobbyEvents.until((events) => events.some((e: any) => e.data.lobbyEvents.kind === 'ROOM_RENAMED'));
    expect(lobbyEvents.results.map((e: any) => [e.data.lobbyEvents.kind, e.data.lobbyEvents.room.id])).toEqual([
      ['ROOM_CREATED', created.id],
      ['ROOM_RENAMED', room.id],
    ]);
    lobbyEvents.dispose();
    await settled();
    expect((await page({ search: 'old name' })).data!.roomDirectory.edges).toEqual([]);
    expect((await page({ search: 'new name' })).data!.roomDirectory.edges.map((edge: any) => edge.node.id)).toEqual([room.id]);
  });

  it('refuses bad arguments with BAD_USER_INPUT', async () => {
    for (const variables of [{ first: 0 }, { first: 101 }, { after: 'not a cursor' }, { search: 'x'.repeat(101) }]) {
      const { errors } = await page(variables);
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it("shows the projection's lag on /metrics", async () => {
    await settled();
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^balloons_projection_lag_events\{projection="directory"\} 0$/m);
    expect(text).toMatch(/^balloons_projection_lag_seconds\{projection="directory"\} 0$/m);
  });
});
