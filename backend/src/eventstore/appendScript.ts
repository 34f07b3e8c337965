import { guardLua } from './appendGuard.js';
import { padCursorLua, sequenceLua } from './marks.js';
import { talliesCheckLua, talliesLua } from './tallies.js';
import type { AppendRequest, AppendResult, RefusalReason } from './eventStore.js';
import { toBellLua } from './redisStreamTailer.js';

/**
 * The append as one Lua script, so checks and writes are atomic and a retried request (after a
 * lost reply) is answered from its idempotency key instead of appending twice.
 *
 * Every key is passed in KEYS (KEYS[1] is the stream); the spec in ARGV[1] names the others by
 * their index, so the script touches only declared keys and stays valid on Redis Cluster when the
 * keys share a hash tag. Checks run in a fixed order (duplicate, refused by the guard, conflict, claimed) and nothing is
 * written unless all pass. Snapshots are stored as `<rev>:<json>`.
 *
 * The JSON documents (each event's data and meta, the snapshot's state) travel as ARGV of their
 * own, after the spec, rather than inside it: written as they are, neither escaped into the spec
 * nor decoded by the script. Event i (from 1) has its data in ARGV[2i] and its meta in ARGV[2i+1];
 * the state follows the last event. Index entries (`indexes`) take the cursor their event got.
 * Every entry of a stream a tailer may follow (the log, the notes) rings its doorbell.
 */
export const appendLua = `
${padCursorLua}
local spec = cjson.decode(ARGV[1])
local idem, snapshot, claim = spec.idempotency, spec.snapshot, spec.claim

-- A rebuild is swapping this log's read models in: the caller waits and sends the same request again.
if redis.call('EXISTS', KEYS[2]) == 1 then return {'held'} end

if idem then
  local previous = redis.call('GET', KEYS[idem.key])
  if previous then return {'duplicate', previous} end
end
${guardLua}if snapshot then
  local stored = redis.call('HGET', KEYS[snapshot.key], snapshot.field)
  local rev = nil
  if stored then rev = tonumber(string.match(stored, '^(%d+):')) end
  if rev ~= snapshot.expectedRev then return {'conflict', rev} end
end
if claim then
  local owner = redis.call('HGET', KEYS[claim.key], claim.field)
  if owner and owner ~= claim.owner then return {'claimed', owner} end
end
${talliesCheckLua}

local reply = {'appended'}
for i, event in ipairs(spec.events) do
  local id = redis.call('XADD', KEYS[1], '*', 'type', event[1], 'data', ARGV[2 * i], 'meta', ARGV[2 * i + 1], 'v', event[2])
  reply[#reply + 1] = id
  ${toBellLua('KEYS[1]', 'id', 'event[1]', 'event[2]', 'ARGV[2 * i + 1]', 'ARGV[2 * i]')}
end
if snapshot then
  redis.call('HSET', KEYS[snapshot.key], snapshot.field, ((snapshot.expectedRev or 0) + 1) .. ':' .. ARGV[2 * #spec.events + 2])
end
if idem then
  redis.call('SET', KEYS[idem.key], idem.result, 'EX', idem.ttl)
end
if spec.indexes then
  for _, index in ipairs(spec.indexes) do
    redis.call('XADD', KEYS[index.key], reply[index.event + 2], 'r', index.ref)
  end
end
${sequenceLua}
if spec.notify then
  for i, note in ipairs(spec.notify) do
    local data = ARGV[2 * #spec.events + 2 + (snapshot and 1 or 0) + i - 1]
    local id = redis.call('XADD', KEYS[note.stream], '*', 'type', note.type, 'data', data, 'meta', '{}', 'v', '1')
    ${toBellLua('KEYS[note.stream]', 'id', 'note.type', "'1'", "'{}'", 'data')}
  end
end
if spec.sets then
  for _, set in ipairs(spec.sets) do
    if set.remove then for _, member in ipairs(set.remove) do redis.call('ZREM', KEYS[set.key], member) end end
    if set.add then for _, member in ipairs(set.add) do redis.call('ZADD', KEYS[set.key], 0, member) end end
  end
end
if spec.counts then
  for _, c in ipairs(spec.counts) do
    if redis.call('HINCRBY', KEYS[c.key], c.field, c.by) <= 0 then redis.call('HDEL', KEYS[c.key], c.field) end
  end
end
if spec.values then
  for _, v in ipairs(spec.values) do redis.call('HSET', KEYS[v.key], v.field, v.value) end
end
${talliesLua}
if claim then
  redis.call('HSET', KEYS[claim.key], claim.field, claim.owner)
  if claim.release and claim.release ~= claim.field and redis.call('HGET', KEYS[claim.key], claim.release) == claim.owner then
    redis.call('HDEL', KEYS[claim.key], claim.release)
  end
end
return reply
`;

/** The script's arguments: its keys, and its ARGV (the spec, then the JSON documents). */
export const toAppendArgs = (request: AppendRequest): { keys: string[]; args: string[] } => {
  const keys = [request.stream, toHoldKey(request.stream)];
  const keyIndex = (key: string) => {
    let index = keys.indexOf(key);
    if (index < 0) index = keys.push(key) - 1;
    return index + 1;
  };
  const { snapshot, idempotency, claim, indexes, guard, sets, sequence, scored, counts, values, tallies } = request;
  const args = [''];
  // One meta object is usually shared by every event of a decision: serialised once.
  let lastMeta: unknown;
  let lastMetaJson = '';
  const events = request.events.map((event) => {
    if (event.meta !== lastMeta || lastMetaJson === '') {
      lastMeta = event.meta;
      lastMetaJson = toJson(event.meta);
    }
    args.push(toJson(event.data), lastMetaJson);
    // [type, v] as strings: cjson would turn numbers into floats.
    return [event.type, String(event.v)];
  });
  if (snapshot) args.push(toJson(snapshot.state));
  // Notes' data after the state: ARGV[2n + 2 (+1 with a snapshot) + i - 1].
  for (const note of request.notify ?? []) args.push(toJson(note.data));
  const spec = {
    events,
    snapshot: snapshot && {
      key: keyIndex(snapshot.ref.key),
      field: snapshot.ref.field,
      // Left out when null: cjson decodes JSON null to a sentinel that is not Lua's nil.
      expectedRev: snapshot.expectedRev ?? undefined,
    },
    idempotency: idempotency && {
      key: keyIndex(idempotency.key),
      ttl: idempotency.ttlSeconds,
      result: idempotency.result,
    },
    claim: claim && { key: keyIndex(claim.key), field: claim.field, owner: claim.owner, release: claim.release },
    indexes: indexes?.length ? indexes.map((index) => ({ event: index.event, key: keyIndex(index.key), ref: index.ref })) : undefined,
    guard: guard && { key: keyIndex(guard.key), field: guard.field, now: guard.now },
    notify: request.notify?.length ? request.notify.map((note) => ({ stream: keyIndex(note.stream), type: note.type })) : undefined,
    sequence: sequence && {
      event: sequence.event,
      counters: keyIndex(sequence.counters),
      positions: keyIndex(sequence.positions),
      refs: sequence.refs?.length ? sequence.refs.map((ref) => ({ key: keyIndex(ref.key), field: ref.field })) : undefined,
      marks: sequence.marks?.length ? sequence.marks.map((mark) => ({ key: keyIndex(mark.key), field: mark.field })) : undefined,
    },
    scored: scored?.length
      ? scored.map((set) => ({
          key: keyIndex(set.key),
          score: set.score,
          add: set.add?.length ? set.add : undefined,
          remove: set.remove?.length ? set.remove : undefined,
        }))
      : undefined,
    counts: counts?.length ? counts.map((count) => ({ key: keyIndex(count.key), field: count.field, by: count.by })) : undefined,
    values: values?.length ? values.map((value) => ({ key: keyIndex(value.key), field: value.field, value: value.value })) : undefined,
    tallies: tallies?.length
      ? tallies.map((tally) => ({ ...tally, key: keyIndex(tally.key), members: keyIndex(tally.members) }))
      : undefined,
    // Empty lists left out: cjson encodes an empty table as an object, not an array.
    sets: sets?.length
      ? sets.map((set) => ({
          key: keyIndex(set.key),
          add: set.add?.length ? set.add : undefined,
          remove: set.remove?.length ? set.remove : undefined,
        }))
      : undefined,
  };
  args[0] = JSON.stringify(spec);
  return { keys, args };
};

/** Set while a rebuild holds appends to a stream (see `EventStore.holdAppends`); beside the stream, in its slot. */
export const toHoldKey = (stream: string) => `${stream}:held`;

/** Reads the script's reply: `[status, …]`; `held` means "send it again in a moment". */
export const toAppendResult = (reply: unknown): AppendResult | 'held' => {
  if (!Array.isArray(reply)) throw new Error('unexpected append reply');
  const [status, ...rest] = reply as unknown[];
  const first = rest[0];
  switch (status) {
    case 'appended':
      return { status, cursors: rest.map(String) };
    case 'duplicate':
      return { status, result: String(first) };
    case 'conflict':
      return { status, rev: first === undefined || first === null ? null : Number(first) };
    case 'claimed':
      return { status, owner: String(first) };
    case 'refused':
      return { status, reason: String(first) as RefusalReason, until: rest[1] ? String(rest[1]) : null };
    case 'held':
      return 'held';
    default:
      throw new Error(`unexpected append status ${String(status)}`);
  }
};

const toJson = (value: unknown): string => JSON.stringify(value) ?? 'null';

/**
 * Entries of an index, newest first, from ARGV[1] ('+' or an exclusive '(<id>'), at most ARGV[2];
 * with KEYS[2], each entry's snapshot in that hash, read in the same step. The reply is flat:
 * cursor and ref of each entry, then (with KEYS[2]) each snapshot or a null. An XREVRANGE from
 * below the first entry walks the whole stream (Redis 7.0): an XRANGE asks first whether
 * anything lies below the bound.
 */
export const readIndexLua = `
if ARGV[1] ~= '+' and not redis.call('XRANGE', KEYS[1], '-', ARGV[1], 'COUNT', 1)[1] then return {} end
local entries = redis.call('XREVRANGE', KEYS[1], ARGV[1], '-', 'COUNT', ARGV[2])
local n = #entries
local reply = {}
local refs = {}
for i = 1, n do
  reply[2 * i - 1] = entries[i][1]
  refs[i] = entries[i][2][2]
  reply[2 * i] = refs[i]
end
if KEYS[2] and n > 0 then
  local values = redis.call('HMGET', KEYS[2], unpack(refs))
  for i = 1, n do reply[2 * n + i] = values[i] end
end
return reply
`;

/**
 * Moves rebuilt keys over live ones (KEYS in pairs after KEYS[1], the stream, and KEYS[2], its
 * hold) if the stream's last id is still ARGV[1] ('' for an empty stream), and ends the hold; 1
 * when it swapped, 0 when an append came first.
 */
export const swapRebuiltLua = `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local lastId = ''
if last then lastId = last[1] end
redis.call('DEL', KEYS[2])
if lastId ~= ARGV[1] then return 0 end
for i = 3, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('RENAME', KEYS[i], KEYS[i + 1])
  else
    redis.call('DEL', KEYS[i + 1])
  end
end
return 1
`;

/** Holds appends to KEYS[1]'s stream (KEYS[2] is its hold) for ARGV[1] ms; answers its last id, or ''. */
export const holdAppendsLua = `
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if last then return last[1] end
return ''
`;
