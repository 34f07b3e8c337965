import type { Cursor } from './eventStore.js';
import { toBellLua } from './redisStreamTailer.js';

/*
 * Numbered logs and readers' marks (`AppendRequest.sequence`, `EventStore.readMarks`,
 * `EventStore.advanceMark`): the shapes both stores share, and the Lua the Redis one runs.
 *
 * An append with a `sequence` numbers one of its events: n = the counters hash's `seq` + 1, its
 * cursor in `last`, the entry `<padded cursor>:<n>` in the lex set `positions` (so any cursor
 * finds the number of the last numbered event at or before it), and `n` in each `refs` field.
 * A mark is a cursor in a hash field: how far a reader has read. Its number (how many numbered
 * events lie at or before it) is looked up in `positions` when read, so renumbering the log (a
 * rebuild) never has to touch the marks.
 */

/** A cursor whose two parts are zero-padded to 16 digits: lexicographic order is cursor order. */
export const toPaddedCursor = (cursor: Cursor): string => {
  const [ms, seq] = cursor.split('-') as [string, string];
  return `${ms.padStart(16, '0')}-${seq.padStart(16, '0')}`;
};

/** The positions entry of numbered event `n` at `cursor`. */
export const toPositionEntry = (cursor: Cursor, n: number): string => `${toPaddedCursor(cursor)}:${n}`;

/** The upper bound (inclusive) of the positions entries at or before `cursor`. */
export const toPositionBound = (cursor: Cursor): string => `[${toPaddedCursor(cursor)}:~`;

/** The number of a positions entry. */
export const toPositionNumber = (entry: string): number => Number(entry.slice(entry.lastIndexOf(':') + 1));

export interface Mark {
  n: number;
  cursor: Cursor;
}

/** Lua: pads a cursor like `toPaddedCursor`. */
export const padCursorLua = `
local function padCursor(cursor)
  local ms, seq = string.match(cursor, '^(%d+)-(%d+)$')
  return string.rep('0', 16 - #ms) .. ms .. '-' .. string.rep('0', 16 - #seq) .. seq
end
`;

/** Lua: whether cursor a comes after cursor b (digit strings without leading zeros). */
export const cursorAfterLua = `
local function cursorAfter(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  if #am ~= #bm then return #am > #bm end
  if am ~= bm then return am > bm end
  if #as ~= #bs then return #as > #bs end
  return as > bs
end
`;

/**
 * Lua for the append script, after the XADDs (`reply` holds the cursors): numbers the event
 * `spec.sequence.event` and writes its number where the spec says.
 */
export const sequenceLua = `
local number = nil
if spec.sequence then
  local sq = spec.sequence
  local cursor = reply[sq.event + 2]
  number = redis.call('HINCRBY', KEYS[sq.counters], 'seq', 1)
  redis.call('HSET', KEYS[sq.counters], 'last', cursor)
  redis.call('ZADD', KEYS[sq.positions], 0, padCursor(cursor) .. ':' .. number)
  if sq.refs then for _, ref in ipairs(sq.refs) do redis.call('HSET', KEYS[ref.key], ref.field, number) end end
  if sq.marks then for _, mark in ipairs(sq.marks) do redis.call('HSET', KEYS[mark.key], mark.field, cursor) end end
end
if spec.scored then
  for _, set in ipairs(spec.scored) do
    local score = set.score
    if score == 'sequence' then score = number end
    if set.remove then for _, member in ipairs(set.remove) do redis.call('ZREM', KEYS[set.key], member) end end
    if set.add then for _, member in ipairs(set.add) do redis.call('ZADD', KEYS[set.key], score, member) end end
  end
end
`;

/** Lua: the number of the last numbered event at or before a cursor, from a positions set. */
export const numberAtLua = `
local function numberAt(positions, cursor)
  local found = redis.call('ZREVRANGEBYLEX', positions, '[' .. padCursor(cursor) .. ':~', '-', 'LIMIT', 0, 1)[1]
  if not found then return 0 end
  return tonumber(string.match(found, ':(%d+)$'))
end
`;

/**
 * Moves a mark forward to `cursor` (ARGV[2]) of field ARGV[1] of hash KEYS[1]; never back. When it
 * moved and KEYS[3] is given, appends an event of type ARGV[3] with data ARGV[4] to that stream.
 * Answers the mark after it, its number in the positions set KEYS[2], and 1 when it moved:
 * `{ cursor, n, moved }` (on a Cluster the store appends the note itself when it moved).
 */
export const advanceMarkLua = `
${padCursorLua}
${cursorAfterLua}
${numberAtLua}
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local moved = 0
if not stored or cursorAfter(ARGV[2], stored) then
  moved = 1
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  if KEYS[3] then
    local id = redis.call('XADD', KEYS[3], '*', 'type', ARGV[3], 'data', ARGV[4], 'meta', '{}', 'v', '1')
    ${toBellLua('KEYS[3]', 'id', 'ARGV[3]', "'1'", "'{}'", 'ARGV[4]')}
  end
  stored = ARGV[2]
end
return {stored, numberAt(KEYS[2], stored), moved}
`;

/**
 * The start of every read of a mark: KEYS[1] counters, KEYS[2] marks (field ARGV[1]), KEYS[3]
 * positions; leaves `number` (the mark's) and `reply` = { last, lastCursor, mark, number }.
 */
export const readMarkHeadLua = `
${padCursorLua}
${numberAtLua}
local last = redis.call('HGET', KEYS[1], 'seq') or '0'
local lastCursor = redis.call('HGET', KEYS[1], 'last') or ''
local mark = redis.call('HGET', KEYS[2], ARGV[1]) or ''
local number = 0
if mark ~= '' then number = numberAt(KEYS[3], mark) end
local reply = {last, lastCursor, mark, number}`;

/**
 * Reads where a reader stands in a numbered log: KEYS[1] counters, KEYS[2] marks (field ARGV[1]),
 * KEYS[3] positions, KEYS[4…] scored sets to count above the mark's number. Answers
 * { last, lastCursor, mark, markNumber, above… }.
 */
export const readMarksLua = `
${readMarkHeadLua}
for i = 4, #KEYS do reply[#reply + 1] = redis.call('ZCOUNT', KEYS[i], '(' .. number, '+inf') end
return reply
`;

/**
 * Writes entries with given ids to the streams KEYS (see \`EventStore.writeEntries\`): ARGV[1] the
 * length to keep, ARGV[2] the entries as JSON \`[[id, type, data], …]\`, ARGV[3] for each key the
 * (1-based) indexes of its entries, in order. Skips ids not above a stream's last. Answers how
 * many it wrote.
 */
export const writeEntriesLua = `
${cursorAfterLua}
local keep = tonumber(ARGV[1])
local entries = cjson.decode(ARGV[2])
local plan = cjson.decode(ARGV[3])
local written = 0
for k = 1, #KEYS do
  local key = KEYS[k]
  local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
  local lastId = nil
  if last then lastId = last[1] end
  for _, i in ipairs(plan[k]) do
    local entry = entries[i]
    if not lastId or cursorAfter(entry[1], lastId) then
      redis.call('XADD', key, entry[1], 'type', entry[2], 'data', entry[3], 'meta', '{}', 'v', '1')
      ${toBellLua('key', 'entry[1]', 'entry[2]', "'1'", "'{}'", 'entry[3]')}
      lastId = entry[1]
      written = written + 1
    end
  end
  -- Past a tenth over the length to keep, trim to it, and say what was trimmed (a reader resuming
  -- from before it then learns its cursor expired rather than skipping events).
  if redis.call('XLEN', key) > keep + math.floor(keep / 10) then
    local kept = redis.call('XREVRANGE', key, '+', '-', 'COUNT', keep)
    local oldest = kept[#kept][1]
    local removed = redis.call('XREVRANGE', key, '(' .. oldest, '-', 'COUNT', 1)[1]
    redis.call('XTRIM', key, 'MINID', oldest)
    if removed then
      local info = redis.call('XINFO', 'STREAM', key)
      for j = 1, #info, 2 do
        if info[j] == 'last-generated-id' then redis.call('XSETID', key, info[j + 1], 'MAXDELETEDID', removed[1]) end
      end
    end
  end
end
return written
`;
