import type { RefusalReason } from './eventStore.js';

/**
 * The guard an append may carry (`AppendRequest.guard`): the fields it reads of the member
 * document, a snapshot stored as `<rev>:<json>`. Times are ISO instants as `toISOString` writes
 * them, so they compare as strings (in Lua too). The Redis script does the same checks in Lua
 * (`appendScript.ts`); the in-memory store calls this.
 */
export interface GuardedMember {
  membership?: string;
  mutedUntil?: string | null;
  bannedUntil?: string | null;
}

/** Null when the member may write at `now`, else why not. */
export const checkGuard = (member: GuardedMember | null, now: string): { reason: RefusalReason; until: string | null } | null => {
  if (member?.membership !== 'JOINED') {
    if (member?.membership === 'BANNED') {
      if (typeof member.bannedUntil !== 'string') return { reason: 'banned', until: null };
      if (member.bannedUntil > now) return { reason: 'banned', until: member.bannedUntil };
    }
    return { reason: 'not-member', until: null };
  }
  if (typeof member.mutedUntil === 'string' && member.mutedUntil > now) return { reason: 'muted', until: member.mutedUntil };
  return null;
};

/** The same checks in Lua, for the append script: `spec.guard` names the hash (by KEYS index), field and now. */
export const guardLua = `
if spec.guard then
  local g = spec.guard
  local stored = redis.call('HGET', KEYS[g.key], g.field)
  local member = nil
  if stored then member = cjson.decode(string.sub(stored, string.find(stored, ':', 1, true) + 1)) end
  if not member or member.membership ~= 'JOINED' then
    if member and member.membership == 'BANNED' then
      if type(member.bannedUntil) ~= 'string' then return {'refused', 'banned', ''} end
      if member.bannedUntil > g.now then return {'refused', 'banned', member.bannedUntil} end
    end
    return {'refused', 'not-member', ''}
  end
  if type(member.mutedUntil) == 'string' and member.mutedUntil > g.now then return {'refused', 'muted', member.mutedUntil} end
end
`;
