import { codePointLength } from '../../domain/text.js';
import { toRoomSearchKey } from '../../domain/room/room.js';
import { compareCursors, isCursor } from '../../eventstore/eventStore.js';
import type { StoreRedis } from '../../redis/client.js';
import { callRedis as call } from '../../redis/connection.js';
import { scanKeys } from '../scanKeys.js';
import {
  parseDirectoryCursor,
  TRIGRAM_LENGTH,
  toDirectoryCursor,
  toDirectoryMember,
  toMemberName,
  toMemberRoomId,
  toTrigrams,
} from './directoryEntry.js';
import type { DirectoryChange, DirectoryPage, DirectoryStore } from './directoryStore.js';
import {
  directoryMetaKey,
  toDirectoryAppliedKey,
  toDirectoryGenerationPattern,
  toDirectoryNamesKey,
  toDirectoryTrigramKey,
} from './keys.js';

// Shared by both scripts. Lua's `<` on strings calls strcoll, which follows the server's collation
// locale (LC_COLLATE, or `locale-collate` from Redis 7.2): members and stream ids must compare as
// bytes, as BYLEX does, whatever the server's environment.
const bytesBeforeLua = `
local function bytesBefore(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
`;

/**
 * KEYS: meta, names, applied, then for each room the trigram keys of its old member, then those of
 * its new member (none when the member does not change).
 * ARGV: the generation, then six per room: roomId, the applied value the caller read ('' when
 * none), the change's cursor, its member ('' when unlisted), how many old and how many new keys.
 * Answers {'stale'} (nothing written), or {'applied', roomIds...} naming the rooms whose applied
 * value was no longer the one read (another writer came between), which were left alone.
 */
const applyLua = `${bytesBeforeLua}
-- Stream ids compare as numbers, ms then seq. Either part may pass 2^53, past what a Lua number
-- holds exactly, so both compare as digit strings (no leading zeros): by length, then by bytes.
local function digitsBefore(a, b)
  if #a ~= #b then return #a < #b end
  return bytesBefore(a, b)
end
local function cursorBefore(a, b)
  local aMs, aSeq = string.match(a, '^(%d+)-(%d+)$')
  local bMs, bSeq = string.match(b, '^(%d+)-(%d+)$')
  if aMs ~= bMs then return digitsBefore(aMs, bMs) end
  return digitsBefore(aSeq, bSeq)
end

local generation = ARGV[1]
local serving = redis.call('HGET', KEYS[1], 'serving') or '1'
local building = redis.call('HGET', KEYS[1], 'building')
if generation ~= serving and generation ~= building then return {'stale'} end

local conflicts = {'applied'}
local k = 4
for i = 2, #ARGV, 6 do
  local roomId, expected, cursor, member = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local oldKeys, newKeys = tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
  local current = redis.call('HGET', KEYS[3], roomId) or ''
  local currentCursor, currentMember = string.match(current, '^([^ ]+) ?(.*)$')
  if currentCursor and not cursorBefore(currentCursor, cursor) then
    -- At or below the applied change: nothing to do, whatever the caller read.
  elseif current ~= expected then
    conflicts[#conflicts + 1] = roomId
  else
    currentMember = currentMember or ''
    if currentMember ~= member then
      if currentMember ~= '' then
        redis.call('ZREM', KEYS[2], currentMember)
        for j = k, k + oldKeys - 1 do redis.call('ZREM', KEYS[j], currentMember) end
      end
      if member ~= '' then
        redis.call('ZADD', KEYS[2], 0, member)
        for j = k + oldKeys, k + oldKeys + newKeys - 1 do redis.call('ZADD', KEYS[j], 0, member) end
      end
    end
    redis.call('HSET', KEYS[3], roomId, member == '' and cursor or (cursor .. ' ' .. member))
  end
  k = k + oldKeys + newKeys
end
return conflicts
`;

/**
 * KEYS: names, then the trigram keys of the search (none without a search or for a short one).
 * ARGV: how many members to answer, the member to start after ('' from the start), the folded
 * search ('' for none), the intersection limit, how many members a scan may read in this call.
 * Answers where to go on from ('' when done: the page is full or the set ended), then members in
 * byte order. A scan stops at its budget so that no call holds Redis for long (a rare short search
 * reads most names): the caller calls again from where it stopped.
 */
const readPageLua = `#!lua flags=no-writes
${bytesBeforeLua}
local wanted = tonumber(ARGV[1])
local after = ARGV[2]
local search = ARGV[3]
local limit = tonumber(ARGV[4])
local budget = tonumber(ARGV[5])

local function done(members)
  table.insert(members, 1, '')
  return members
end

if search == '' then
  return done(redis.call('ZRANGE', KEYS[1], after == '' and '-' or '(' .. after, '+', 'BYLEX', 'LIMIT', 0, wanted))
end

-- The name part ends at the member's NUL; the first occurrence is in it if any occurrence is.
local function matches(member)
  local at = string.find(member, search, 1, true)
  return at ~= nil and at + #search <= string.find(member, '\\0', 1, true)
end

-- A sorted set (the names, or one trigram's members) in order from after, in chunks, until enough
-- match or the set ends. Chunks stay small: every member fetched past the last one needed costs
-- as much as one that is needed.
local function scan(key)
  local found = {''}
  local from = after == '' and '-' or '(' .. after
  local chunk = math.min(256, budget)
  local read = 0
  while true do
    local members = redis.call('ZRANGE', key, from, '+', 'BYLEX', 'LIMIT', 0, chunk)
    for _, member in ipairs(members) do
      if matches(member) then
        found[#found + 1] = member
        if #found - 1 == wanted then return found end
      end
    end
    if #members < chunk then return found end
    read = read + #members
    if read >= budget then
      found[1] = members[#members]
      return found
    end
    from = '(' .. members[#members]
  end
end

if #KEYS == 1 then return scan(KEYS[1]) end

local postings = {}
for i = 2, #KEYS do postings[#postings + 1] = KEYS[i] end
-- unpack() gives all its values only as the last argument of a call: build ZINTERCARD's whole.
local command = {'ZINTERCARD', #postings}
for _, key in ipairs(postings) do command[#command + 1] = key end
command[#command + 1] = 'LIMIT'
command[#command + 1] = limit
local count = redis.call(unpack(command))
if count == 0 then return {''} end

if count < limit then
  -- Few candidates: their intersection, in member order (every score is 0, so ties order by
  -- bytes), from the first above after.
  local members = redis.call('ZINTER', #postings, unpack(postings))
  local low, high = 1, #members + 1
  if after ~= '' then
    while low < high do
      local middle = math.floor((low + high) / 2)
      if bytesBefore(after, members[middle]) then high = middle else low = middle + 1 end
    end
  end
  local found = {}
  for i = low, #members do
    if matches(members[i]) then
      found[#found + 1] = members[i]
      if #found == wanted then break end
    end
  end
  return done(found)
end

-- Many candidates: the smallest trigram's posting holds every match, in name order, so a page
-- reads on from after only until enough match, wherever in name order the matches lie (reading
-- the names instead would pass every room before a cluster of matches, e.g. names that all
-- start with the same word).
local smallest, size = nil, nil
for _, key in ipairs(postings) do
  local n = redis.call('ZCARD', key)
  if size == nil or n < size then smallest, size = key, n end
end
return scan(smallest)
`;

type Script = (numberOfKeys: number, ...args: (string | number)[]) => Promise<unknown>;
interface Scripts {
  directoryApply: Script;
  directoryReadPage: Script;
}

/** How many times `apply` re-reads a room that other writers keep changing before it gives up. */
const APPLY_ATTEMPTS = 8;
const DROP_BATCH = 1_000;

export interface RedisDirectoryStoreOptions {
  /**
   * A search of 3 or more code points intersects its trigrams' postings when they share fewer
   * members than this; from this many on (a dense search), it reads the smallest posting in
   * order instead. Tests lower it to run the dense path on a few rooms.
   */
  intersectionLimit?: number;
  /**
   * How many members one script call may read while scanning (default 4,096): a rare short search
   * reads most names, in calls short enough that other clients' commands run between them.
   */
  scanBudget?: number;
}

/** The member in an applied value ('' when unlisted or when there is none). */
const parseAppliedMember = (value: string): string => {
  const space = value.indexOf(' ');
  return space < 0 ? '' : value.slice(space + 1);
};

/**
 * The room directory in Redis (all keys in the `{lobby}` slot; see `keys.ts`), one server or a
 * Cluster (every script, transaction and UNLINK then stays in that one slot). `redis` is a
 * connected, fail-fast client the caller owns; the store defines its two scripts on it. Needs
 * Redis 7.0 or later (ZINTERCARD, script flags). Every call rejects with `StoreUnavailableError`
 * when Redis cannot answer, and with `ValidationError` for an `after` it did not make.
 *
 * `apply` reads the rooms' applied values, then runs one script that checks the generation and,
 * per room, compares and sets: each room's change is atomic, and a call with no concurrent writer
 * on its rooms is atomic as a whole. A room another writer changed in between is read and applied
 * again (bounded; then it throws an `Error`, and the caller retries the batch). A page is a read-only script: a range of the names; a short
 * search (1–2 code points) scans the names in order, so a rare one reads every name, a budget of
 * them per call (the page then takes several calls, and never holds Redis for long); a longer
 * one intersects the postings of its trigrams (sorted sets: the intersection comes in order),
 * or, when that is large, reads the smallest posting in order.
 */
export const createRedisDirectoryStore = (redis: StoreRedis, options: RedisDirectoryStoreOptions = {}): DirectoryStore => {
  const intersectionLimit = options.intersectionLimit ?? 1_000;
  const scanBudget = options.scanBudget ?? 4_096;
  if (!Number.isSafeInteger(scanBudget) || scanBudget < 1) throw new RangeError('scanBudget must be a positive integer');
  // LIMIT 0 would mean no limit to ZINTERCARD.
  if (!Number.isSafeInteger(intersectionLimit) || intersectionLimit < 1)
    throw new RangeError(`intersectionLimit must be a positive integer`);
  redis.defineCommand('directoryApply', { lua: applyLua });
  redis.defineCommand('directoryReadPage', { lua: readPageLua, readOnly: true });
  const scripts = redis as unknown as Scripts;

  const toTrigramKeys = (generation: number, folded: string) =>
    toTrigrams(folded).map((trigram) => toDirectoryTrigramKey(generation, trigram));
  const toMemberTrigramKeys = (generation: number, member: string) =>
    member === '' ? [] : toTrigramKeys(generation, toMemberName(member));

  return {
    async readGenerations() {
      const [serving, building] = await call(() => redis.hmget(directoryMetaKey, 'serving', 'building'));
      return { serving: serving ? Number(serving) : 1, building: building ? Number(building) : null };
    },

    async writeGenerations({ serving, building }) {
      const transaction = redis.multi().hset(directoryMetaKey, 'serving', serving);
      if (building === null) transaction.hdel(directoryMetaKey, 'building');
      else transaction.hset(directoryMetaKey, 'building', building);
      const results = await call(() => transaction.exec());
      for (const [error] of results ?? []) if (error) throw error;
    },

    async apply(generation, changes) {
      // Within one call, a room's highest cursor wins; the rest could change nothing after it.
      const latest = new Map<string, { change: DirectoryChange; member: string }>();
      for (const change of changes) {
        if (!isCursor(change.cursor)) throw new Error(`not a stream cursor: ${change.cursor}`);
        const kept = latest.get(change.roomId);
        if (kept && compareCursors(change.cursor, kept.change.cursor) <= 0) continue;
        latest.set(change.roomId, { change, member: change.listed ? toDirectoryMember(change.roomId, change.name) : '' });
      }
      const namesKey = toDirectoryNamesKey(generation);
      const appliedKey = toDirectoryAppliedKey(generation);

      let pending = [...latest.keys()];
      for (let attempt = 1; ; attempt++) {
        const read = pending.length === 0 ? [] : await call(() => redis.hmget(appliedKey, ...pending));
        const keys = [directoryMetaKey, namesKey, appliedKey];
        const args: (string | number)[] = [generation];
        pending.forEach((roomId, i) => {
          const expected = read[i] ?? '';
          const { change, member } = latest.get(roomId)!;
          // Keys for any move the script might make: it alone decides by cursor whether to make it,
          // so a change it will ignore costs a few key names, never a posting left behind.
          const currentMember = parseAppliedMember(expected);
          const moves = currentMember !== member;
          const oldKeys = moves ? toMemberTrigramKeys(generation, currentMember) : [];
          const newKeys = moves ? toMemberTrigramKeys(generation, member) : [];
          keys.push(...oldKeys, ...newKeys);
          args.push(roomId, expected, change.cursor, member, oldKeys.length, newKeys.length);
        });
        const reply = (await call(() => scripts.directoryApply(keys.length, ...keys, ...args))) as string[];
        if (reply[0] === 'stale') return 'stale';
        pending = reply.slice(1);
        if (pending.length === 0) return 'applied';
        if (attempt === APPLY_ATTEMPTS) {
          throw new Error(`directory: rooms kept changing under apply (${pending.length} left after ${attempt} attempts)`);
        }
      }
    },

    async readPage(generation, { first, after, search }): Promise<DirectoryPage> {
      const afterMember = after === null ? '' : parseDirectoryCursor(after);
      const needle = toRoomSearchKey(search);
      // No folded name holds a NUL: such a search matches nothing, and would otherwise read every name.
      if (needle.includes('\u0000')) return { edges: [], hasNextPage: false };
      const trigramKeys = codePointLength(needle) >= TRIGRAM_LENGTH ? toTrigramKeys(generation, needle) : [];
      const keys = [toDirectoryNamesKey(generation), ...trigramKeys];
      const members: string[] = [];
      // A scan that reached its budget says where it stopped; the page goes on from there.
      for (let from = afterMember; ; ) {
        const [resume, ...found] = (await call(() =>
          scripts.directoryReadPage(keys.length, ...keys, first + 1 - members.length, from, needle, intersectionLimit, scanBudget),
        )) as string[];
        members.push(...found);
        if (!resume || members.length > first) break;
        from = resume;
      }
      return {
        edges: members.slice(0, first).map((member) => ({ cursor: toDirectoryCursor(member), roomId: toMemberRoomId(member) })),
        hasNextPage: members.length > first,
      };
    },

    async dropGeneration(generation) {
      // All in the `{lobby}` slot: on a Cluster, one node holds them, and one UNLINK may name them together.
      for await (const keys of scanKeys(redis, toDirectoryGenerationPattern(generation), DROP_BATCH)) {
        await call(() => redis.unlink(...keys));
      }
    },
  };
};
