import { toReactionGroupsKey, toThreadsKey } from './keys.js';
import { parseTally } from '../eventstore/tallies.js';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { createChatLookups } from '../chat/queries.js';
import { createRedisEventStore } from '../eventstore/redisEventStore.js';
import { useTestRedis } from '../testing/useTestRedis.js';
import { foldInline, readInlineModel } from './inline.js';
import { messageHistoryProjection, toMessageHistoryLocation } from './messageHistory.js';
import { readMembersModel, toMembersLocation } from './members.js';
import { toUserRoomsKey } from './keys.js';
import { createRedisDirectoryStore } from './roomDirectory/redisDirectoryStore.js';
import { createTestDatabase } from '../testing/testDatabase.js';

const root = join(import.meta.dirname, '../../..');
const run = async (args: string[], env: Record<string, string>) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'backend/src/projections/rebuildCli.ts'), ...args],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

describe('npm run projections:rebuild', () => {
  const redis = useTestRedis();

  it('refuses to run without REDIS_URL, or for a projection it does not know, in one line', async () => {
    const unset = await run([], {});
    expect(unset.code).toBe(1);
    expect(unset.stderr.trim()).toMatch(/^projections:rebuild: REDIS_URL: .+$/);
    const unknown = await run(['inbox'], { REDIS_URL: redis.url });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      'projections:rebuild: unknown projection inbox: choose from rooms, messages, edits, members, unread, threads, reactions, users, directory, search',
    );
  });

  it("rebuilds a room's lost history index and the directory from the log", async () => {
    const store = await createRedisEventStore({ url: redis.url });
    try {
      const commands = createChatCommands(store, createChatLookups(store));
      await commands.registerUser({ userId: 'u', profile: { handle: 'u', displayName: 'u', avatarUrl: null } });
      const room = await commands.createRoom({ actorId: 'u', name: 'Rebuilt' });
      for (let i = 0; i < 30; i++) await commands.postMessage({ actorId: 'u', roomId: room.id, body: `m${i}` });
      const location = toMessageHistoryLocation(room.id);
      const before = await readInlineModel(store, location);
      await store.deleteKeys([location.index!]);

      const { code, stdout } = await run(['messages', 'directory'], { REDIS_URL: redis.url });
      expect(code).toBe(0);
      // 30 posts, and the owner joining (the messages model reads the whole room log).
      expect(stdout).toMatch(/^messages: 1 model\(s\), 31 events folded in /m);
      expect(stdout).toMatch(/^directory: 1 model\(s\), 1 events folded in /m);

      const after = await readInlineModel(store, location);
      expect(after.index).toEqual(before.index);
      expect(after.index).toHaveLength(30);
      const byField = (snapshots: Map<string, unknown>) => [...snapshots].sort(([a], [b]) => (a < b ? -1 : 1));
      const folded = foldInline(messageHistoryProjection, await store.readForward(location.stream, { count: 100 }));
      expect(byField(after.snapshots)).toEqual(byField(folded.snapshots));
      const directory = createRedisDirectoryStore(redis.client);
      expect(await directory.readGenerations()).toEqual({ serving: 2, building: null });
      expect((await directory.readPage(2, { first: 10, after: null, search: 'rebu' })).edges.map((edge) => edge.roomId)).toEqual([room.id]);
    } finally {
      await store.close();
    }
  });

  it("rebuilds rooms' lost members, roster, audit log and the people's room lists from the log", async () => {
    const store = await createRedisEventStore({ url: redis.url });
    try {
      const commands = createChatCommands(store, createChatLookups(store));
      for (const id of ['o', 'a', 'b'])
        await commands.registerUser({ userId: id, profile: { handle: id, displayName: id, avatarUrl: null } });
      const room = await commands.createRoom({ actorId: 'o', name: 'Members rebuilt', kind: 'PRIVATE' });
      await commands.invite({ actorId: 'o', roomId: room.id, handle: 'a' });
      await commands.joinRoom({ actorId: 'a', roomId: room.id });
      await commands.invite({ actorId: 'o', roomId: room.id, handle: 'b' });
      await commands.moderate({ actorId: 'o', roomId: room.id, userId: 'a', action: 'BAN', reason: 'testing' });
      const before = await readMembersModel(store, room.id);
      const location = toMembersLocation(room.id);
      await store.deleteKeys([location.hash, location.index!, ...location.sets!, toUserRoomsKey('o'), toUserRoomsKey('b')]);

      const { code, stdout } = await run(['members'], { REDIS_URL: redis.url });
      expect(code).toBe(0);
      expect(stdout).toMatch(/^members: \d+ model\(s\), \d+ events folded in /m);
      const after = await readMembersModel(store, room.id);
      expect(after).toEqual(before);
      expect(after.audit.map((entry) => JSON.parse(entry.ref).action)).toEqual(['INVITE', 'INVITE', 'BAN']);
      expect(after.userRooms.get('b')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it("rebuilds a room's lost thread counters and reactions from the log", async () => {
    const store = await createRedisEventStore({ url: redis.url });
    try {
      const commands = createChatCommands(store, createChatLookups(store));
      await commands.registerUser({ userId: 't', profile: { handle: 't', displayName: 't', avatarUrl: null } });
      const room = await commands.createRoom({ actorId: 't', name: 'Threads rebuilt' });
      const root = await commands.postMessage({ actorId: 't', roomId: room.id, body: 'root' });
      for (let i = 0; i < 3; i++) await commands.postMessage({ actorId: 't', roomId: room.id, body: `r${i}`, replyTo: root.id });
      for (const emoji of ['👍', '🎉']) await commands.react({ actorId: 't', messageId: root.id, emoji });
      const read = () =>
        Promise.all([
          store.readFields(toThreadsKey(room.id), [root.id]),
          store.readFields(toReactionGroupsKey(room.id), [root.id]).then((fields) => fields.map(parseTally)),
        ]);
      const before = await read();
      await store.deleteKeys([toThreadsKey(room.id), toReactionGroupsKey(room.id)]);

      const { code, stdout } = await run(['threads', 'reactions'], { REDIS_URL: redis.url });
      expect(code).toBe(0);
      expect(stdout).toMatch(/^threads: \d+ model\(s\), \d+ events folded in /m);
      expect(await read()).toEqual(before);
      expect(before[0]).toEqual(['3']);
    } finally {
      await store.close();
    }
  });

  it('rebuilds the search index in PostgreSQL from the logs, and asks for DATABASE_URL when it is not set', async () => {
    const unset = await run(['search'], { REDIS_URL: redis.url });
    expect(unset.code).toBe(1);
    expect(unset.stderr.trim()).toMatch(/^projections:rebuild: DATABASE_URL: .+$/);
    const all = await run([], { REDIS_URL: redis.url });
    expect(all.stdout).toMatch(/^search: no DATABASE_URL, nothing to rebuild/m);

    const database = await createTestDatabase();
    const store = await createRedisEventStore({ url: redis.url });
    try {
      const commands = createChatCommands(store, createChatLookups(store));
      await commands.registerUser({ userId: 's', profile: { handle: 's', displayName: 's', avatarUrl: null } });
      const room = await commands.createRoom({ actorId: 's', name: 'Search rebuilt' });
      const secret = await commands.createRoom({ actorId: 's', name: 'Search secret', kind: 'PRIVATE' });
      const kept = await commands.postMessage({ actorId: 's', roomId: room.id, body: 'rebuilt words' });
      const gone = await commands.postMessage({ actorId: 's', roomId: room.id, body: 'deleted words' });
      await commands.deleteMessage({ actorId: 's', messageId: gone.id });
      const edited = await commands.postMessage({ actorId: 's', roomId: secret.id, body: 'first words' });
      await commands.editMessage({ actorId: 's', messageId: edited.id, body: 'second words' });

      const { code, stdout } = await run(['search'], { REDIS_URL: redis.url, DATABASE_URL: database.url });
      expect(code).toBe(0);
      const [{ n }] = (await database.query('SELECT count(*)::int AS n FROM search_messages')) as [{ n: number }];
      expect(stdout).toMatch(new RegExp(`^search: ${n} messages indexed in `, 'm'));
      const ours = 'SELECT message_id, body, public FROM search_messages WHERE room_id = ANY($1) ORDER BY position';
      const rows = await database.query(ours, [[room.id, secret.id]]);
      expect(rows).toEqual([
        { message_id: kept.id, body: 'rebuilt words', public: true },
        { message_id: edited.id, body: 'second words', public: false },
      ]);
      // Again, over the index it built: the same, swapped in whole.
      expect((await run(['search'], { REDIS_URL: redis.url, DATABASE_URL: database.url })).code).toBe(0);
      expect(await database.query(ours, [[room.id, secret.id]])).toEqual(rows);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
