/*
 * Grouped tallies (`AppendRequest.tallies`): a message's reactions, counted by emoji, with the
 * first people of each. The shapes both stores share, the pure step the memory store and the
 * read models' folds run, and the Lua the Redis one runs; all three do exactly the same.
 *
 * In `field` of hash `key`: a JSON list of groups in order of first use, each `{ g, n, m }`: the
 * group's name, how many members it has, and its first `keep` members. Every member is also in
 * the lexicographic set `members` as `<field>\t<group>\t<order>\t<member>`, so that when one of
 * the first goes, the next in `order` takes their place: a change costs the same however many
 * members a group has, and reading a message's groups is one field.
 */

export interface TallyGroup {
  /** The group's name (an emoji). */
  g: string;
  /** How many members it has. */
  n: number;
  /** Its first members (at most `keep`), in order of joining. */
  m: string[];
}

export interface TallyChange {
  key: string;
  field: string;
  members: string;
  group: string;
  member: string;
  /** Orders the group's members in `members` (a fixed-width time, say). */
  order: string;
  op: 'add' | 'remove';
  keep: number;
  /** An `add` that would start one group more than this refuses the append (reason `full`). */
  maxGroups: number;
}

/** A member's entry in the lexicographic set, and the bounds of a group's entries (as ZRANGE BYLEX takes them). */
export const toTallyEntry = (change: Pick<TallyChange, 'field' | 'group' | 'order' | 'member'>) =>
  `${change.field}\t${change.group}\t${change.order}\t${change.member}`;
export const toTallyBounds = (field: string, group: string) => ({ min: `[${field}\t${group}\t`, max: `(${field}\t${group}\n` });
const memberOfEntry = (entry: string) => entry.slice(entry.lastIndexOf('\t') + 1);

/** A stored field's groups ([] when absent). */
export const parseTally = (raw: string | null | undefined): TallyGroup[] => (raw ? (JSON.parse(raw) as TallyGroup[]) : []);

/** Whether an `add` would start a group past the limit. */
export const isTallyFull = (groups: readonly TallyGroup[], change: Pick<TallyChange, 'group' | 'op' | 'maxGroups'>) =>
  change.op === 'add' && groups.length >= change.maxGroups && !groups.some((group) => group.g === change.group);

/**
 * One change, in place: `has(entry)` / `add(entry)` / `remove(entry)` / `firsts(bounds, n)` are
 * the lexicographic set's. Answers the groups after (empty: the field goes).
 */
export const applyTally = (
  groups: TallyGroup[],
  change: TallyChange,
  set: {
    add(entry: string): boolean;
    remove(entry: string): boolean;
    firsts(bounds: { min: string; max: string }, count: number): string[];
  },
): TallyGroup[] => {
  const entry = toTallyEntry(change);
  const at = groups.findIndex((group) => group.g === change.group);
  if (change.op === 'add') {
    if (!set.add(entry)) return groups;
    const group = groups[at];
    if (!group) groups.push({ g: change.group, n: 1, m: [change.member] });
    else {
      group.n += 1;
      if (group.m.length < change.keep) group.m.push(change.member);
    }
    return groups;
  }
  const group = groups[at];
  if (!set.remove(entry) || !group) return groups;
  group.n -= 1;
  if (group.n <= 0) groups.splice(at, 1);
  else if (group.m.includes(change.member)) {
    group.m = set.firsts(toTallyBounds(change.field, change.group), change.keep).map(memberOfEntry);
  }
  return groups;
};

/** Lua: the check, before anything is written (`return`s the refusal). */
export const talliesCheckLua = `
if spec.tallies then
  for _, t in ipairs(spec.tallies) do
    if t.op == 'add' then
      local raw = redis.call('HGET', KEYS[t.key], t.field)
      if raw then
        local groups = cjson.decode(raw)
        if #groups >= t.maxGroups then
          local found = false
          for _, g in ipairs(groups) do if g.g == t.group then found = true end end
          if not found then return {'refused', 'full'} end
        end
      end
    end
  end
end
`;

/** Lua: the changes, like `applyTally`. */
export const talliesLua = `
if spec.tallies then
  for _, t in ipairs(spec.tallies) do
    local entry = t.field .. '\\t' .. t.group .. '\\t' .. t.order .. '\\t' .. t.member
    local raw = redis.call('HGET', KEYS[t.key], t.field)
    local groups = {}
    if raw then groups = cjson.decode(raw) end
    local at = nil
    for i, g in ipairs(groups) do if g.g == t.group then at = i end end
    if t.op == 'add' then
      if redis.call('ZADD', KEYS[t.members], 0, entry) == 1 then
        if at then
          local g = groups[at]
          g.n = g.n + 1
          if #g.m < t.keep then g.m[#g.m + 1] = t.member end
        else
          groups[#groups + 1] = { g = t.group, n = 1, m = { t.member } }
        end
      end
    elseif redis.call('ZREM', KEYS[t.members], entry) == 1 and at then
      local g = groups[at]
      g.n = g.n - 1
      if g.n <= 0 then
        table.remove(groups, at)
      else
        local listed = false
        for _, m in ipairs(g.m) do if m == t.member then listed = true end end
        if listed then
          local firsts = redis.call('ZRANGEBYLEX', KEYS[t.members], '[' .. t.field .. '\\t' .. t.group .. '\\t', '(' .. t.field .. '\\t' .. t.group .. '\\n', 'LIMIT', 0, t.keep)
          g.m = {}
          for i, e in ipairs(firsts) do g.m[i] = string.match(e, '([^\\t]*)$') end
        end
      end
    end
    if #groups == 0 then
      redis.call('HDEL', KEYS[t.key], t.field)
    else
      redis.call('HSET', KEYS[t.key], t.field, cjson.encode(groups))
    end
  end
end
`;
