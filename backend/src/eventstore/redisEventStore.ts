import { ReplyError } from 'ioredis';
import {
  type KeyedCommand,
  type RedisTarget,
  type StoreRedis,
  connectStoreRedis,
  createStoreRedis,
  duplicateStoreRedis,
  execByNode,
  isCluster,
  keySlot,
} from '../redis/client.js';
import { callRedis as call } from '../redis/connection.js';
import {
  DEFAULT_ACK_TIMEOUT_MS,
  type ReplicaAck,
  type ReplicaAckOptions,
  type ReplicatedWriter,
  assertReplicated,
  createReadBarrier,
  createReplicatedWriters,
  resolveReplicaAck,
} from '../redis/replicaAck.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { advanceMarkLua, readMarkHeadLua, readMarksLua, writeEntriesLua } from './marks.js';
import { appendLua, holdAppendsLua, readIndexLua, swapRebuiltLua, toAppendArgs, toAppendResult, toHoldKey } from './appendScript.js';
import {
  type AppendRequest,
  type Cursor,
  type EventStore,
  type IndexEntry,
  type MarksReply,
  type MarksRequest,
  type Snapshot,
  type StreamInfo,
  toTimeBound,
} from './eventStore.js';
import { createRedisConsumerGroups } from './redisConsumerGroups.js';
import { createRedisStreamTailer, toBellLua, toRecordedEvent } from './redisStreamTailer.js';
import { createReplicatedReads } from './replicatedReads.js';

/**
 * One Redis (`url`) or a Redis Cluster (`cluster`: seed nodes). On a Cluster every script and
 * pipeline stays in one slot (or node) through the keys' hash tags, with these differences:
 * - An append's `notify` notes (and `advanceMark`'s) go to another slot (the `{inbox}` feed): the
 *   append runs without them, and the notes follow right after, in a script of their own (XADD
 *   and bell), not atomically: a crash or an outage between the two loses the notes (reported on
 *   the console; the append stays acknowledged), and a retried append found `duplicate` writes none.
 *   An append's `sets` in another slot than its stream's (a person's room list, the user names)
 *   follow it the same way, after its notes.
 * - Reads and writes over keys of many slots go per node and are put back in order (`execByNode`).
 * - With replicas, each primary has a group-commit writer of its own (`createReplicatedWriters`).
 * - The tailer's bells come from a sharded subscriber per primary (see `createRedisStreamTailer`).
 * - `serverTime` reads one node's clock (`CLOCK_KEY`'s): its promise (no later cursor below it)
 *   holds for streams on other nodes only as far as the nodes' clocks agree.
 */
export type RedisEventStoreOptions = RedisTarget & {
  /**
   * Appends answered only once replicas have them (REDIS_ACK_REPLICAS, REDIS_ACK_TIMEOUT_MS).
   * Default: as when REDIS_ACK_REPLICAS is unset, one replica when Redis has any at start.
   */
  ack?: ReplicaAckOptions;
  /**
   * Streams of ephemeral events (`appendEphemeral`: presence, typing), which no append waits on
   * replicas for: with replicas, their readers hand entries on without a read barrier either, so
   * a late replica holds back the log, not presence.
   */
  ephemeral?: (stream: string) => boolean;
  /** Tests only: how often the tailer compares each followed stream's end with what it delivered (its default). */
  tailerCheckMs?: number;
};

const GROUPS_BLOCK_MS = 5_000;
/**
 * On a Cluster, TIME would go to any node: the store's clock is read from the node of this key's
 * slot, so every instance reads the same clock (nodes of different machines may disagree).
 */
const CLOCK_KEY = '{clock}';

/** An event appended to one stream by itself (the notes on a Cluster): KEYS[1]; ARGV type, data; rings the bell. */
const APPEND_NOTE_LUA = `
local id = redis.call('XADD', KEYS[1], '*', 'type', ARGV[1], 'data', ARGV[2], 'meta', '{}', 'v', '1')
${toBellLua('KEYS[1]', 'id', 'ARGV[1]', "'1'", "'{}'", 'ARGV[2]')}
return id
`;

type AppendCommand = (numberOfKeys: number, ...args: string[]) => Promise<unknown>;
type TrimCommand = (stream: string, minCursor: string) => Promise<unknown>;
type KeysCommand = (numberOfKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/** How soon an append held by a rebuild's swap is sent again (a hold lasts a few milliseconds). */
const HELD_RETRY_MS = 2;

/** Rebuilt parts are written in pipelines of this many commands. */
/** One field of each hash in KEYS; a missing one is false. */
const READ_FIELD_ACROSS_LUA = `
local reply = {}
for i = 1, #KEYS do reply[i] = redis.call('HGET', KEYS[i], ARGV[1]) end
return reply
`;

/**
 * `readIndexForward` with a join: KEYS[1] the index, KEYS[2] the hash its refs name; ARGV the
 * XRANGE start and count. The reply as `readIndexLua`'s: cursor and ref pairs, then the values.
 */
const READ_INDEX_FORWARD_LUA = `
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', ARGV[2])
local n = #entries
local reply = {}
local refs = {}
for i = 1, n do
  reply[2 * i - 1] = entries[i][1]
  refs[i] = entries[i][2][2]
  reply[2 * i] = refs[i]
end
if n > 0 then
  local values = redis.call('HMGET', KEYS[2], unpack(refs))
  for i = 1, n do reply[2 * n + i] = values[i] end
end
return reply
`;

/**
 * `readCursorBefore`: the last entry of KEYS[1] below ARGV[1] (an exclusive bound, `(<ms>-0`), or
 * false. XREVRANGE from a bound below a stream's first entry walks the whole stream on Redis 7.0
 * (a million entries: about 100 ms), so an XRANGE from the start, which stops at the first entry,
 * asks first whether there is anything below it at all.
 */
const CURSOR_BEFORE_LUA = `
if not redis.call('XRANGE', KEYS[1], '-', ARGV[1], 'COUNT', 1)[1] then return false end
return redis.call('XREVRANGE', KEYS[1], ARGV[1], '-', 'COUNT', 1)[1][1]
`;

/** An ephemeral event: KEYS[1] capped at about ARGV[1] entries; ARGV type, data, meta, v. Rings the doorbell. */
const APPEND_EPHEMERAL_LUA = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'type', ARGV[2], 'data', ARGV[3], 'meta', ARGV[4], 'v', ARGV[5])
${toBellLua('KEYS[1]', 'id', 'ARGV[2]', 'ARGV[5]', 'ARGV[4]', 'ARGV[3]')}
return id
`;

/**
 * `readMarks` with `also` (see `readMarksLua`, whose reply this extends): KEYS counters, marks,
 * positions, the A `above` sets, the S snapshot hashes, then the index and its join when ARGV says
 * so; ARGV the field, A, S, the S snapshot fields, and '1' to read the index's newest entry. After
 * the counts: each snapshot ('' when absent), then the newest entry's cursor, ref and joined
 * snapshot ('' when absent), nothing when the index is empty.
 */
const READ_MARKS_WITH_LUA = `
${readMarkHeadLua}
local a = tonumber(ARGV[2])
local s = tonumber(ARGV[3])
for i = 1, a do reply[#reply + 1] = redis.call('ZCOUNT', KEYS[3 + i], '(' .. number, '+inf') end
for i = 1, s do reply[#reply + 1] = redis.call('HGET', KEYS[3 + a + i], ARGV[3 + i]) or '' end
if ARGV[4 + s] == '1' then
  local entry = redis.call('XREVRANGE', KEYS[4 + a + s], '+', '-', 'COUNT', 1)[1]
  if entry then
    local ref = entry[2][2]
    reply[#reply + 1] = entry[1]
    reply[#reply + 1] = ref
    reply[#reply + 1] = redis.call('HGET', KEYS[5 + a + s], ref) or ''
  end
end
return reply
`;

/** The script call of one `readMarks` request: `readMarksLua`'s, or `READ_MARKS_WITH_LUA`'s with `also`. */
const toReadMarksCommand = (r: MarksRequest): (string | number)[] => {
  if (!r.also) return ['readMarks', 3 + r.above.length, r.counters, r.marks, r.positions, ...r.above, r.field];
  const snapshots = r.also.snapshots ?? [];
  const newest = r.also.newest;
  const keys = [
    r.counters,
    r.marks,
    r.positions,
    ...r.above,
    ...snapshots.map((ref) => ref.key),
    ...(newest ? [newest.index, newest.join] : []),
  ];
  return [
    'readMarksWith',
    keys.length,
    ...keys,
    r.field,
    r.above.length,
    snapshots.length,
    ...snapshots.map((ref) => ref.field),
    newest ? '1' : '0',
  ];
};

/** A `readMarks` script's reply as the port answers it (see `READ_MARKS_WITH_LUA`). */
const toMarksReply = (r: MarksRequest, reply: unknown): MarksReply => {
  const [last, lastCursor, mark, markNumber, ...rest] = reply as [string, string, string, number, ...(string | number)[]];
  const counted = r.above.length;
  const result: MarksReply = {
    last: Number(last),
    lastCursor: lastCursor || null,
    mark: mark ? { n: Number(markNumber), cursor: mark } : null,
    above: rest.slice(0, counted).map(Number),
  };
  if (!r.also) return result;
  const read = r.also.snapshots?.length ?? 0;
  if (r.also.snapshots) result.snapshots = rest.slice(counted, counted + read).map((value) => toSnapshot(String(value) || null));
  if (r.also.newest) {
    const [cursor, ref, value] = rest.slice(counted + read) as string[];
    result.newest = cursor === undefined ? null : { cursor, ref: ref!, snapshot: toSnapshot(value || null) };
  }
  return result;
};

/** Streams (or hashes) per script call of `writeEntries` and `readFieldAcross`. */
const WRITE_ENTRIES_BATCH = 250;
const REBUILD_PIPELINE = 1_000;

/**
 * XTRIM MINID, plus what XTRIM leaves out: Redis 7.0 moves `max-deleted-entry-id` only on XDEL,
 * so the script records the last entry it trims there (XSETID … MAXDELETEDID), where XINFO
 * reports it and AOF keeps it. The store never XDELs, so that entry is the highest ever deleted.
 * The XRANGE first: with nothing below the bound (trimmed already), the XREVRANGE would walk the
 * whole stream (see CURSOR_BEFORE_LUA).
 */
const trimLua = `
if not redis.call('XRANGE', KEYS[1], '-', '(' .. ARGV[1], 'COUNT', 1)[1] then return 0 end
local last = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[1], '-', 'COUNT', 1)[1]
if not last then return 0 end
local removed = redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
local info = redis.call('XINFO', 'STREAM', KEYS[1])
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then
    redis.call('XSETID', KEYS[1], info[i + 1], 'MAXDELETEDID', last[1])
  end
end
return removed
`;

/**
 * `writeEntries`' script arguments for one call: the keys, the length to keep, each distinct entry
 * once (an entry shared by several streams, a room's activity in many inboxes, travels once), and
 * per stream the indexes of its entries.
 */
const toWriteEntriesArgs = (writes: Parameters<EventStore['writeEntries']>[0], maxLen: number): (string | number)[] => {
  const entries: [string, string, string][] = [];
  const indexes = new Map<object, number>();
  const plan = writes.map((write) =>
    write.entries.map((entry) => {
      let at = indexes.get(entry);
      if (at === undefined) {
        at = entries.push([entry.cursor, entry.type, JSON.stringify(entry.data)]);
        indexes.set(entry, at);
      }
      return at;
    }),
  );
  const keys = writes.map((write) => write.stream);
  return [keys.length, ...keys, maxLen, JSON.stringify(entries), JSON.stringify(plan)];
};

/**
 * The Redis Streams `EventStore`. Resolves once its command connection and the tailer's
 * connection are ready; rejects with `StoreUnavailableError` when Redis cannot be reached.
 * Afterwards it reconnects by itself; meanwhile every call rejects at once with
 * `StoreUnavailableError`.
 */
export const createRedisEventStore = async (options: RedisEventStoreOptions): Promise<EventStore> => {
  const redis = createStoreRedis(options);
  const cluster = isCluster(redis);
  // The tailer's doorbells: a connection in subscriber mode, resubscribed by the tailer itself
  // (on a Cluster: a sharded subscriber per primary).
  const bellsConnection = duplicateStoreRedis(redis, { autoResubscribe: false }, { shardedSubscribers: true });
  // Blocking group reads (projectors) get a connection of their own too.
  const groupsConnection = duplicateStoreRedis(redis, { blockingTimeout: GROUPS_BLOCK_MS, socketTimeout: GROUPS_BLOCK_MS + 5_000 });
  const connections = [redis, bellsConnection, groupsConnection];
  // Failures reach callers as rejected commands; without a listener ioredis logs every reconnect attempt.
  for (const connection of connections) connection.on('error', () => {});

  let ack: ReplicaAck;
  try {
    // The bells' subscriber connections are made by ioredis as subscriptions need them.
    await Promise.all(
      connections.map((connection) => (connection === bellsConnection ? connection.connect() : connectStoreRedis(connection))),
    );
    ack = await resolveReplicaAck(redis, options.ack ?? { replicas: null, timeoutMs: DEFAULT_ACK_TIMEOUT_MS });
  } catch (error) {
    for (const connection of connections) connection.disconnect();
    throw new StoreUnavailableError(error);
  }
  const acked = ack.replicas > 0 ? await connectAcked(redis, connections) : null;

  for (const connection of acked ? [redis, acked] : [redis]) {
    connection.defineCommand('appendEvents', { lua: appendLua });
    connection.defineCommand('advanceMark', { lua: advanceMarkLua });
  }
  redis.defineCommand('trimStream', { lua: trimLua, numberOfKeys: 1 });
  redis.defineCommand('readIndex', { lua: readIndexLua });
  redis.defineCommand('readIndexForward', { lua: READ_INDEX_FORWARD_LUA, numberOfKeys: 2 });
  redis.defineCommand('cursorBefore', { lua: CURSOR_BEFORE_LUA, numberOfKeys: 1 });
  redis.defineCommand('swapRebuilt', { lua: swapRebuiltLua });
  redis.defineCommand('holdAppends', { lua: holdAppendsLua, numberOfKeys: 2 });
  redis.defineCommand('writeEntries', { lua: writeEntriesLua });
  redis.defineCommand('readFieldAcross', { lua: READ_FIELD_ACROSS_LUA });
  redis.defineCommand('readMarks', { lua: readMarksLua });
  redis.defineCommand('readMarksWith', { lua: READ_MARKS_WITH_LUA });
  redis.defineCommand('appendEphemeral', { lua: APPEND_EPHEMERAL_LUA, numberOfKeys: 1 });
  redis.defineCommand('appendNote', { lua: APPEND_NOTE_LUA, numberOfKeys: 1 });
  redis.defineCommand('clusterTime', { lua: "return redis.call('TIME')", numberOfKeys: 1 });
  const scripts = redis as unknown as {
    appendEvents: AppendCommand;
    trimStream: TrimCommand;
    readIndex: KeysCommand;
    readIndexForward: (index: string, hash: string, start: string, count: number) => Promise<unknown>;
    cursorBefore: (stream: string, bound: string) => Promise<unknown>;
    swapRebuilt: KeysCommand;
    holdAppends: (stream: string, hold: string, ms: number) => Promise<unknown>;
    advanceMark: (...args: (string | number)[]) => Promise<unknown>;
    writeEntries: (...args: (string | number)[]) => Promise<unknown>;
    readFieldAcross: (...args: (string | number)[]) => Promise<unknown>;
    appendEphemeral: (stream: string, maxLen: number, type: string, data: string, meta: string, v: number) => Promise<unknown>;
    appendNote: (stream: string, type: string, data: string) => Promise<unknown>;
    clusterTime: (key: string) => Promise<unknown>;
  };

  const writerFor = acked ? createReplicatedWriters(acked, ack) : null;
  const confirmRead = writerFor ? createReplicatedReads(createReadBarrier(writerFor, ack), options.ephemeral) : null;
  /** With replicas, a read hands on its entries only once they are replicated (see replicatedReads.ts). */
  const confirmed = async (stream: string, newest: Cursor | undefined) => {
    if (confirmRead && newest !== undefined) await confirmRead.confirm(stream, newest);
  };

  /**
   * On a Cluster, the notes of an append or a mark, after it (see `RedisEventStoreOptions`): in
   * order, one script each; a failure loses the rest, reported, and the caller's write stands.
   */
  const appendNotes = async (notes: readonly { stream: string; type: string; data: unknown }[]) => {
    try {
      for (const note of notes) await call(() => scripts.appendNote(note.stream, note.type, JSON.stringify(note.data)));
    } catch (error) {
      console.error(`event store: ${notes.length} note(s) lost after an appended write (Redis Cluster):`, error);
    }
  };

  /**
   * An idempotency key found (a retried append): answered only once replicas have it too. The
   * first attempt's write may have gone through another connection, so this one writes the same
   * value again (SET XX KEEPTTL, changing nothing) to make WAIT cover the original. Should the key
   * expire in between, that write is skipped: the original is then older than its TTL, and WAIT
   * still covers everything this connection wrote.
   */
  const confirmReplicated = async (replicated: ReplicatedWriter, key: string, value: string) => {
    // On a Cluster the writer must be the key's node's: callers pass `writerFor(key)`.
    assertReplicated((await replicated.write(['set', key, value, 'XX', 'KEEPTTL'])).replicas, ack);
  };

  /** The append script through the writer that waits; refusals and conflicts wrote nothing, so they need no replica. */
  const appendReplicated = async (replicated: ReplicatedWriter, request: AppendRequest, keys: string[], args: string[]) => {
    const { reply, replicas } = await replicated.write(['appendEvents', keys.length, ...keys, ...args]);
    const result = toAppendResult(reply);
    if (result === 'held') return result;
    if (result.status === 'appended') {
      assertReplicated(replicas, ack);
      const last = result.cursors.at(-1);
      if (last) confirmRead!.known(request.stream, last);
      // Its index entries carry their events' cursors, in the same step.
      for (const index of request.indexes ?? []) {
        const cursor = result.cursors[index.event];
        if (cursor) confirmRead!.known(index.key, cursor);
      }
    }
    if (result.status === 'duplicate') await confirmReplicated(replicated, request.idempotency!.key, result.result);
    return result;
  };

  const tailer = createRedisStreamTailer({
    bells: bellsConnection,
    readLastCursors: async (streams) => {
      const replies = await execByNode(
        redis,
        streams.map((stream) => ({ key: stream, command: ['xrevrange', stream, '+', '-', 'COUNT', 1] })),
      );
      return replies.map((entries) => (entries as [string, string[]][])[0]?.[0] ?? '0-0');
    },
    readAfter: (stream, after, count) => call(() => redis.xrange(stream, `(${after}`, '+', 'COUNT', count)),
    confirm: confirmRead?.confirm,
    // The same on a Cluster: bells missed in a failover or a slot's move are read again when the
    // node subscribers report it (-node, subscribersReady), not left to this check. It was 2 s
    // there, and at 10,000 followed rooms cost ~0.2 of a core idle (~8,000 XREVRANGE/s).
    checkMs: options.tailerCheckMs,
  });

  /** `writeEntries` on a Cluster: the streams grouped by slot, one script per slot, in one pipeline per node. */
  const writeEntriesBySlot = async (writes: Parameters<EventStore['writeEntries']>[0], maxLen: number) => {
    const bySlot = new Map<number, (typeof writes)[number][]>();
    for (const write of writes) {
      const slot = keySlot(write.stream);
      const group = bySlot.get(slot);
      if (group) group.push(write);
      else bySlot.set(slot, [write]);
    }
    const commands: KeyedCommand[] = [...bySlot.values()].map((group) => ({
      key: group[0]!.stream,
      command: ['writeEntries', ...toWriteEntriesArgs(group, maxLen)],
    }));
    const replies = await execByNode(redis, commands);
    return replies.reduce<number>((sum, reply) => sum + Number(reply), 0);
  };

  /** On a Cluster, an append's sets outside its stream's slot, after it (see `RedisEventStoreOptions`); a failure is reported. */
  const writeForeignSets = async (sets: NonNullable<AppendRequest['sets']>) => {
    const commands: KeyedCommand[] = sets.flatMap((set) => [
      ...(set.remove?.length ? [{ key: set.key, command: ['zrem', set.key, ...set.remove] }] : []),
      ...(set.add?.length ? [{ key: set.key, command: ['zadd', set.key, ...set.add.flatMap((member) => [0, member])] }] : []),
    ]);
    try {
      await execByNode(redis, commands);
    } catch (error) {
      console.error(`event store: ${sets.length} set change(s) lost after an appended write (Redis Cluster):`, error);
    }
  };

  return {
    kind: 'redis',
    tailer,
    groups: createRedisConsumerGroups(redis, groupsConnection),
    append: async (request) => {
      if (request.events.length === 0 && !request.snapshot) {
        throw new Error('an append without events must change a snapshot');
      }
      // On a Cluster the notes live in another slot: written after the append (see RedisEventStoreOptions).
      const notes = cluster && request.notify?.length ? request.notify : null;
      const slot = cluster ? keySlot(request.stream) : 0;
      const foreign = cluster ? (request.sets ?? []).filter((set) => keySlot(set.key) !== slot) : [];
      const own = foreign.length ? { sets: request.sets!.filter((set) => keySlot(set.key) === slot) } : {};
      const { keys, args } = toAppendArgs({ ...request, ...own, ...(notes ? { notify: undefined } : {}) });
      const writer = writerFor?.(request.stream);
      for (;;) {
        const result = writer
          ? await appendReplicated(writer, request, keys, args)
          : toAppendResult(await call(() => scripts.appendEvents(keys.length, ...keys, ...args)));
        if (result === 'held') {
          await new Promise((resolve) => setTimeout(resolve, HELD_RETRY_MS));
          continue;
        }
        if (notes && result.status === 'appended') await appendNotes(notes);
        if (foreign.length && result.status === 'appended') await writeForeignSets(foreign);
        return result;
      }
    },
    appendEphemeral: async (stream, event, maxLen) =>
      (await call(() =>
        scripts.appendEphemeral(stream, maxLen, event.type, JSON.stringify(event.data), JSON.stringify(event.meta), event.v),
      )) as string,
    readSnapshot: async <S>(ref: { key: string; field: string }) => toSnapshot<S>(await call(() => redis.hget(ref.key, ref.field))),
    readSnapshotsAt: async <S>(refs: readonly { key: string; field: string }[]) => {
      const values = await execByNode(
        redis,
        refs.map((ref) => ({ key: ref.key, command: ['hget', ref.key, ref.field] })),
      );
      return values.map((value) => toSnapshot<S>(value as string | null));
    },
    readIndexBackward: async <S>(index: string, { before, count, join }: { before?: string; count: number; join?: string }) => {
      const keys = join ? [index, join] : [index];
      const reply = (await call(() => scripts.readIndex(keys.length, ...keys, before === undefined ? '+' : `(${before}`, count))) as (
        | string
        | null
      )[];
      const entries = toJoinedEntries<S>(reply, join !== undefined);
      await confirmed(index, entries[0]?.cursor);
      return entries;
    },
    readIndexForward: async <S>(index: string, { after, count, join }: { after?: string; count: number; join?: string }) => {
      const start = after === undefined ? '-' : `(${after}`;
      if (join !== undefined) {
        const reply = (await call(() => scripts.readIndexForward(index, join, start, count))) as (string | null)[];
        const joined = toJoinedEntries<S>(reply, true);
        await confirmed(index, joined.at(-1)?.cursor);
        return joined;
      }
      const entries = await call(() => redis.xrange(index, start, '+', 'COUNT', count));
      await confirmed(index, entries.at(-1)?.[0]);
      return entries.map(([cursor, fields]) => ({ cursor, ref: fields[1]! }));
    },
    writeRebuilt: async ({ index, snapshots, sets, fields, scored }) => {
      const commands: (readonly (string | number)[])[] = [];
      for (const hash of fields ?? []) {
        if (hash.remove?.length) commands.push(['hdel', hash.key, ...hash.remove]);
        if (hash.values.length) commands.push(['hset', hash.key, ...hash.values.flat()]);
      }
      for (const set of scored ?? []) {
        if (set.remove.length) commands.push(['zrem', set.key, ...set.remove]);
        if (set.add.length) commands.push(['zadd', set.key, ...set.add.flatMap(([member, score]) => [score, member])]);
      }
      for (const set of sets ?? []) {
        if (set.remove.length) commands.push(['zrem', set.key, ...set.remove]);
        if (set.add.length) commands.push(['zadd', set.key, ...set.add.flatMap((member) => [0, member])]);
      }
      for (const entry of index?.entries ?? []) commands.push(['xadd', index!.key, entry.cursor, 'r', entry.ref]);
      for (const [field, snapshot] of snapshots?.values ?? []) {
        commands.push(['hset', snapshots!.key, field, `${snapshot.rev}:${JSON.stringify(snapshot.state)}`]);
      }
      for (let i = 0; i < commands.length; i += REBUILD_PIPELINE) {
        await execByNode(
          redis,
          commands.slice(i, i + REBUILD_PIPELINE).map((command) => ({ key: String(command[1]), command })),
        );
      }
    },
    holdAppends: async (stream, ms) => {
      const last = (await call(() => scripts.holdAppends(stream, toHoldKey(stream), ms))) as string;
      return last === '' ? null : last;
    },
    swapRebuilt: async (stream, last, moves) => {
      const keys = [stream, toHoldKey(stream), ...moves.flatMap((move) => [move.from, move.to])];
      return (await call(() => scripts.swapRebuilt(keys.length, ...keys, last ?? ''))) === 1;
    },
    deleteKeys: async (keys) => {
      if (keys.length === 0) return;
      // One DEL may name keys of one slot only on a Cluster.
      if (cluster)
        await execByNode(
          redis,
          keys.map((key) => ({ key, command: ['del', key] })),
        );
      else await call(() => redis.del(...keys));
    },
    readSnapshots: async <S>(key: string, fields: readonly string[]) => {
      if (fields.length === 0) return [];
      const values = await call(() => redis.hmget(key, ...fields));
      return values.map((value) => toSnapshot<S>(value));
    },
    readAllSnapshots: async <S>(key: string) => {
      const hash = await call(() => redis.hgetall(key));
      return new Map(Object.entries(hash).map(([field, value]) => [field, toSnapshot<S>(value)!]));
    },
    readSetRange: async (key, { min, max, count }) => call(() => redis.zrangebylex(key, min, max, 'LIMIT', 0, count)),
    countSet: async (key) => call(() => redis.zcard(key)),
    readFields: async (key, fields) => (fields.length ? call(() => redis.hmget(key, ...fields)) : []),
    readFieldAcross: async (keys, field) => {
      if (cluster) {
        const replies = await execByNode(
          redis,
          keys.map((key) => ({ key, command: ['hget', key, field] })),
        );
        return replies as (string | null)[];
      }
      const values: (string | null)[] = [];
      for (let i = 0; i < keys.length; i += WRITE_ENTRIES_BATCH) {
        const batch = keys.slice(i, i + WRITE_ENTRIES_BATCH);
        const reply = (await call(() => scripts.readFieldAcross(batch.length, ...batch, field))) as (string | false | null)[];
        // Lua's nil becomes false in a script's reply table.
        for (let j = 0; j < batch.length; j++) values.push(typeof reply[j] === 'string' ? (reply[j] as string) : null);
      }
      return values;
    },
    readMarks: async (requests) => {
      const replies = await execByNode(
        redis,
        requests.map((r) => ({ key: r.counters, command: toReadMarksCommand(r) })),
      );
      return replies.map((reply, i) => toMarksReply(requests[i]!, reply));
    },
    advanceMark: async (marks, field, positions, cursor, notify) => {
      // On a Cluster the note lives in another slot: written after the mark, when it moved.
      const inScript = notify && !cluster ? notify : undefined;
      const args = inScript
        ? [3, marks, positions, inScript.stream, field, cursor, inScript.type, JSON.stringify(inScript.data)]
        : [2, marks, positions, field, cursor];
      let reply: unknown;
      const writer = writerFor?.(marks);
      if (writer) {
        const written = await writer.write(['advanceMark', ...args]);
        assertReplicated(written.replicas, ack);
        reply = written.reply;
      } else {
        reply = await call(() => scripts.advanceMark(...args));
      }
      const [markCursor, n, moved] = reply as [string, number, number];
      if (notify && !inScript && Number(moved) === 1) await appendNotes([notify]);
      return { n: Number(n), cursor: markCursor };
    },
    writeEntries: async (writes, maxLen) => {
      // One script per batch of streams: a fan-out to thousands of inboxes is a few calls, not thousands.
      // On a Cluster a script stays in one slot: one call per slot, the calls pipelined per node.
      if (cluster) return writeEntriesBySlot(writes, maxLen);
      let written = 0;
      for (let i = 0; i < writes.length; i += WRITE_ENTRIES_BATCH) {
        const batch = writes.slice(i, i + WRITE_ENTRIES_BATCH);
        written += Number(await call(() => scripts.writeEntries(...toWriteEntriesArgs(batch, maxLen))));
      }
      return written;
    },
    serverTime: async () => {
      const [seconds, micros] = (await call(() => (cluster ? scripts.clusterTime(CLOCK_KEY) : redis.time()))) as [
        string | number,
        string | number,
      ];
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    },
    readClaim: async (key, field) => call(() => redis.hget(key, field)),
    readIdempotent: async (key) => {
      const value = await call(() => redis.get(key));
      if (value !== null && writerFor) await confirmReplicated(writerFor(key), key, value);
      return value;
    },
    readForward: async (stream, { after, count }) => {
      const entries = await call(() => redis.xrange(stream, after === undefined ? '-' : `(${after}`, '+', 'COUNT', count));
      await confirmed(stream, entries.at(-1)?.[0]);
      return entries.map((entry) => toRecordedEvent(stream, entry));
    },
    readBackward: async (stream, { before, count }) => {
      const entries = await call(() => redis.xrevrange(stream, before === undefined ? '+' : `(${before}`, '-', 'COUNT', count));
      await confirmed(stream, entries[0]?.[0]);
      return entries.map((entry) => toRecordedEvent(stream, entry));
    },
    readCursorBefore: async (stream, ms) => {
      const bound = toTimeBound(ms);
      if (bound === null) return null;
      const last = await call(() => scripts.cursorBefore(stream, `(${bound}`));
      return typeof last === 'string' ? last : null;
    },
    streamInfo: async (stream) => toStreamInfo(await call(() => readStreamInfo(redis, stream))),
    trim: async (stream, minCursor) => {
      await call(() => scripts.trimStream(stream, minCursor));
    },
    ping: async () => {
      await call(() => redis.ping());
    },
    close: async () => {
      await tailer.close();
      groupsConnection.disconnect();
      acked?.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
};

/** The connection that carries the writes followed by `WAIT` (see `createReplicatedWriter`), and nothing else. */
const connectAcked = async (redis: StoreRedis, others: readonly StoreRedis[]): Promise<StoreRedis> => {
  const acked = duplicateStoreRedis(redis);
  acked.on('error', () => {});
  try {
    await acked.connect();
  } catch (error) {
    for (const connection of [acked, ...others]) connection.disconnect();
    throw new StoreUnavailableError(error);
  }
  return acked;
};

const toSnapshot = <S>(value: string | null): Snapshot<S> | null => {
  if (value === null) return null;
  const separator = value.indexOf(':');
  return { rev: Number(value.slice(0, separator)), state: JSON.parse(value.slice(separator + 1)) as S };
};

/** A read-index script's reply: `[cursor, ref]` pairs, then (joined) the snapshot each ref names. */
const toJoinedEntries = <S>(reply: (string | null)[], joined: boolean): (IndexEntry & { snapshot?: Snapshot<S> | null })[] => {
  const n = joined ? reply.length / 3 : reply.length / 2;
  return Array.from({ length: n }, (_, i) => {
    const entry: IndexEntry & { snapshot?: Snapshot<S> | null } = { cursor: reply[2 * i]!, ref: reply[2 * i + 1]! };
    if (joined) entry.snapshot = toSnapshot<S>(reply[2 * n + i] ?? null);
    return entry;
  });
};

/** `XINFO STREAM` as a flat `[name, value, …]` list, or null for a stream that never existed. */
const readStreamInfo = async (redis: StoreRedis, stream: string): Promise<unknown[] | null> => {
  try {
    return (await redis.xinfo('STREAM', stream)) as unknown[];
  } catch (error) {
    if (error instanceof ReplyError && /no such key/i.test((error as Error).message)) return null;
    throw error;
  }
};

const toStreamInfo = (reply: unknown[] | null): StreamInfo => {
  if (reply === null) return { length: 0, firstCursor: null, lastCursor: null, maxDeletedCursor: null };
  const fields = new Map<unknown, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(reply[i], reply[i + 1]);
  const entryCursor = (entry: unknown) => (Array.isArray(entry) && typeof entry[0] === 'string' ? entry[0] : null);
  const maxDeleted = fields.get('max-deleted-entry-id');
  return {
    length: Number(fields.get('length')),
    firstCursor: entryCursor(fields.get('first-entry')),
    lastCursor: entryCursor(fields.get('last-entry')),
    // Redis reports "0-0" until something is deleted.
    maxDeletedCursor: typeof maxDeleted === 'string' && maxDeleted !== '0-0' ? maxDeleted : null,
  };
};
