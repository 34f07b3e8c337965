import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { createChatLookups } from '../chat/queries.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { type StoreRedis, createStoreRedis } from '../redis/client.js';
import type { OpenStore } from '../testing/bothStores.js';
import { type TestRedisCluster, startRedisCluster } from '../testing/redisCluster.js';
import {
  describeEarlyReads,
  describeListeners,
  describeLostNotes,
  describeLostNotesWith,
  describeLostRoomLists,
} from './inbox/inboxProjector.scenarios.js';
import { createRedisInboxState } from './inbox/inboxState.js';
import { readInlineModel } from './inline.js';
import { toUserRoomsKey, userNamesKey } from './keys.js';
import { readMembersModel, toMembersLocation } from './members.js';
import { describeMembers } from './members.scenarios.js';
import { toMessageHistoryLocation } from './messageHistory.js';
import { describeMigration } from './migrate.scenarios.js';
import { rebuildProjections } from './rebuildProjections.js';
import type { OpenRedisStore } from './redisScenarios.js';
import { describeDirectoryStoreContract } from './roomDirectory/directoryStore.contract.js';
import { createRedisDirectoryStore } from './roomDirectory/redisDirectoryStore.js';
import { describeRoomNameClaims } from './roomNames.scenarios.js';
import { readUserNames } from './userNames.js';
import { describeUserNamesBackfill } from './userNames.scenarios.js';

/*
 * The projections' Redis state on a real Redis Cluster (three primaries, three replicas): the
 * directory store's contract, the inbox projector's scenarios (its sweep for lost notes too, with
 * its state in Redis), the members model's property test, the upgrade scenarios (room names,
 * user names, migrations) and a rebuild, as on one Redis.
 */
describe('projections on a Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let admin: Cluster;
  let redis: StoreRedis;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    admin = new Cluster(cluster.seeds, { redisOptions: { protocol: 2 } });
    admin.on('error', () => {});
    redis = createStoreRedis({ cluster: cluster.seeds });
    redis.on('error', () => {});
    await redis.connect();
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    admin?.disconnect();
    await cluster?.stop();
  });

  const flushAll = async () => {
    await Promise.all(admin.nodes('master').map((node) => node.flushall()));
  };
  const openStore: OpenStore = async () => {
    const store = await createRedisEventStore({ cluster: cluster.seeds, ack: { replicas: 0, timeoutMs: 1_000 } });
    return {
      store,
      wipe: async () => {
        await store.close();
        await flushAll();
      },
    };
  };
  const openRedisStore: OpenRedisStore = async () => ({ ...(await openStore()), redis });

  describeDirectoryStoreContract('redis cluster', async () => ({ store: createRedisDirectoryStore(redis), cleanup: flushAll }));
  describeDirectoryStoreContract('redis cluster, dense searches and short scans', async () => ({
    store: createRedisDirectoryStore(redis, { intersectionLimit: 2, scanBudget: 3 }),
    cleanup: flushAll,
  }));

  describeEarlyReads('redis cluster', openStore);
  describeListeners('redis cluster', openStore);
  describeLostNotes('redis cluster', openStore);
  describeLostNotesWith(() => createRedisInboxState(redis, 'sweeper'))('redis cluster, its state in Redis', openStore);
  describeLostRoomLists('redis cluster', openStore);

  it("keeps the inbox projector's lease, listeners, records and checkpoint for every instance", async () => {
    const one = createRedisInboxState(redis, 'one');
    const two = createRedisInboxState(redis, 'two');
    try {
      // Notes follow their appends here: the projector sweeps for lost ones by default.
      expect(one.notesMayBeLost).toBe(true);
      expect(await one.lease(2_000)).toBe(true);
      expect(await two.lease(2_000)).toBe(false);
      expect(await one.lease(2_000)).toBe(true);
      expect(await two.readListeningVersion()).toBe(0);
      await two.listen('ann', 60_000);
      await one.listen('ann', 60_000);
      await one.listen('bob', 60_000);
      // A renewal does not move the version on.
      expect(await two.readListeningVersion()).toBe(2);
      expect([...(await two.readListening()).keys()].sort()).toEqual(['ann', 'bob']);
      await two.forgetListening(['ann']);
      expect([...(await one.readListening()).keys()]).toEqual(['bob']);
      await one.writeRoomRecords(new Map([['a:r1', '1-1']]));
      expect(await two.readRoomRecords(['a:r1', 'u:r1'])).toEqual(['1-1', null]);
      await one.writeCheckpoint('5-0');
      expect(await two.readCheckpoint()).toBe('5-0');
    } finally {
      await flushAll();
    }
  });

  describeMembers('redis cluster', openStore, 10);
  describeRoomNameClaims('redis cluster', openRedisStore);
  describeUserNamesBackfill('redis cluster', openRedisStore);
  describeMigration('redis cluster', openRedisStore);

  it("rebuilds a room's history index, its members, the people's room lists, the users, their names and the directory", async () => {
    const { store, wipe } = await openStore();
    try {
      const commands = createChatCommands(store, createChatLookups(store));
      for (const id of ['o', 'a', 'b']) {
        await commands.registerUser({ userId: id, profile: { handle: id, displayName: id, avatarUrl: null } });
      }
      const room = await commands.createRoom({ actorId: 'o', name: 'Rebuilt on a cluster' });
      await commands.joinRoom({ actorId: 'a', roomId: room.id });
      await commands.invite({ actorId: 'o', roomId: room.id, handle: 'b' });
      for (let i = 0; i < 5; i++) await commands.postMessage({ actorId: 'a', roomId: room.id, body: `m${i}` });
      const history = toMessageHistoryLocation(room.id);
      const members = toMembersLocation(room.id);
      const before = { history: await readInlineModel(store, history), members: await readMembersModel(store, room.id) };
      expect(before.members.userRooms.get('b')).toHaveLength(1);
      await store.deleteKeys([
        history.index!,
        members.hash,
        members.index!,
        ...members.sets!,
        ...['o', 'a', 'b'].map(toUserRoomsKey),
        userNamesKey,
      ]);

      const lines: string[] = [];
      await rebuildProjections({ cluster: cluster.seeds }, ['messages', 'members', 'users', 'directory'], {
        log: (line) => lines.push(line),
      });
      expect(lines).toEqual([
        expect.stringMatching(/^messages: 1 model\(s\), \d+ events folded in /),
        expect.stringMatching(/^members: 1 model\(s\), \d+ events folded in /),
        // Every user's log, whichever primary holds it.
        expect.stringMatching(/^users: 3 model\(s\), \d+ events folded in /),
        expect.stringMatching(/^directory: 1 model\(s\), 1 events folded in /),
      ]);
      expect(await readInlineModel(store, history)).toEqual(before.history);
      expect(await readMembersModel(store, room.id)).toEqual(before.members);
      for (const id of ['o', 'a', 'b']) expect(await readUserNames(store, { handle: id, first: 1 })).toEqual([id]);
      const directory = createRedisDirectoryStore(redis);
      expect(await directory.readGenerations()).toEqual({ serving: 2, building: null });
      expect((await directory.readPage(2, { first: 10, after: null, search: 'cluster' })).edges.map((edge) => edge.roomId)).toEqual([
        room.id,
      ]);
    } finally {
      await wipe();
    }
  });
});
