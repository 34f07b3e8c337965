import type { Cursor } from './eventStore.js';

/*
 * Numbered logs and readers' marks (`AppendRequest.sequence`, `EventStore.readMarks`,
 * `EventStore.advanceMark`): the shapes both stores share, and the Lua the Redis one runs.
 *
 * An append with a `sequence` numbers one of its events: n = the counters hash's `seq` + 1, its
 * cursor in `last`, the entry `<padded cursor>:<n>` in the lex set `positions` (so any cursor
 * finds the number of the last numbered event at or before it), and `n` in each `refs` field.
 * A mark is `<n>:<cursor>` in a hash field: how far a reader has read, by number and position.
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

export const toMarkValue = (mark: Mark): string => `${mark.n}:${mark.cursor}`;
export const parseMarkValue = (value: string | null | undefined): Mark | null => {
  if (!value) return null;
  const at = value.indexOf(':');
  return { n: Number(value.slice(0, at)), cursor: value.slice(at + 1) };
};

/** Lua: pads a cursor like `toPaddedCursor`. */
export const padCursorLua = `
local function padCursor(cursor)
  local ms, seq = string.match(cursor, '^(%d+)-(%d+)$')
  return string.rep('0', 16 - #ms) .. ms .. '-' .. string.rep('0', 16 - #seq) .. seq
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
  if sq.marks then for _, mark in ipairs(sq.marks) do redis.call('HSET', KEYS[mark.key], mark.field, number .. ':' .. cursor) end end
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

/**
 * Moves a mark forward to `cursor` (ARGV[2]) of field ARGV[1] of hash KEYS[1], numbered by the
 * positions set KEYS[2]; never back. Answers the mark after it: `<n>:<cursor>`, or '' for none.
 */
export const advanceMarkLua = `
${padCursorLua}
local bound = '[' .. padCursor(ARGV[2]) .. ':~'
local found = redis.call('ZREVRANGEBYLEX', KEYS[2], bound, '-', 'LIMIT', 0, 1)[1]
local number = 0
if found then number = tonumber(string.match(found, ':(%d+)$')) end
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then
  local storedNumber, storedCursor = string.match(stored, '^(%d+):(.+)$')
  local sm, ss = string.match(storedCursor, '^(%d+)-(%d+)$')
  local nm, ns = string.match(ARGV[2], '^(%d+)-(%d+)$')
  local newer = (#nm > #sm) or (#nm == #sm and nm > sm) or (nm == sm and ((#ns > #ss) or (#ns == #ss and ns > ss)))
  if not newer then return stored end
end
local value = number .. ':' .. ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], value)
return value
`;

/**
 * Reads where a reader stands in a numbered log: KEYS[1] counters, KEYS[2] marks (field ARGV[1]),
 * KEYS[3…] scored sets to count above the mark. Answers { last, lastCursor, mark, above… }.
 */
export const readMarksLua = `
local last = redis.call('HGET', KEYS[1], 'seq') or '0'
local lastCursor = redis.call('HGET', KEYS[1], 'last') or ''
local mark = redis.call('HGET', KEYS[2], ARGV[1]) or ''
local number = 0
if mark ~= '' then number = tonumber(string.match(mark, '^(%d+):')) end
local reply = {last, lastCursor, mark}
for i = 3, #KEYS do reply[#reply + 1] = redis.call('ZCOUNT', KEYS[i], '(' .. number, '+inf') end
return reply
`;
