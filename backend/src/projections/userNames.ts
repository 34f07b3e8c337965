import { ValidationError } from '../domain/errors.js';
import { toRoomSearchKey } from '../domain/room/searchKey.js';
import { codePointLength, hasControlCharacters, hasLoneSurrogates } from '../domain/text.js';
import type { UserState } from '../domain/user/user.js';
import type { AppendRequest, EventStore } from '../eventstore/eventStore.js';
import { type StoreRedis, execByNode } from '../redis/client.js';
import { projectionVersionsKey, toRebuildKey, userNamesKey } from './keys.js';
import { scanKeys } from './scanKeys.js';

/**
 * People by handle and by display name (inline with each user's append), for `user(handle)`,
 * `users(prefix)` and invitations: a lexicographic set of `h\0<handle, lower case>\0<id>` and
 * `n\0<display name, folded>\0<id>` entries. It folds UserRegistered and ProfileUpdated.
 */
const SEPARATOR = '\u0000';
/** Above every code point a name holds: the end of a prefix range. */
const AFTER_ALL = '\u{10FFFF}';

export const toUserNameEntries = (state: UserState): string[] =>
  state.status === 'registered'
    ? [
        `h${SEPARATOR}${state.handle.toLowerCase()}${SEPARATOR}${state.id}`,
        `n${SEPARATOR}${toRoomSearchKey(state.displayName)}${SEPARATOR}${state.id}`,
      ]
    : [];

/** What a user's append does to the names set (the command side's half). */
export const toUserNameSets = (before: UserState, after: UserState): NonNullable<AppendRequest['sets']> => {
  const was = toUserNameEntries(before);
  const is = toUserNameEntries(after);
  return [{ key: userNamesKey, remove: was.filter((entry) => !is.includes(entry)), add: is.filter((entry) => !was.includes(entry)) }];
};

export const NAME_PREFIX_MAX = 50;

/** A prefix as typed: 1–50 characters, no control characters. Throws `ValidationError` (field `prefix`). */
export const parseNamePrefix = (prefix: string): string => {
  const length = codePointLength(prefix);
  if (length < 1 || length > NAME_PREFIX_MAX) throw new ValidationError(`prefix must be 1–${NAME_PREFIX_MAX} characters`, 'prefix');
  if (hasControlCharacters(prefix) || hasLoneSurrogates(prefix)) throw new ValidationError('prefix must be plain text', 'prefix');
  return prefix;
};

const idOf = (entry: string) => entry.slice(entry.lastIndexOf(SEPARATOR) + 1);

/**
 * With `handle`: the id of who has that handle (case-insensitive). With `prefix`: ids of those
 * whose handle, then whose display name, starts with it; each once, at most `first`.
 */
export const readUserNames = async (
  store: EventStore,
  query: { handle: string; first: 1 } | { prefix: string; first: number },
): Promise<string[]> => {
  if ('handle' in query) {
    const exact = `h${SEPARATOR}${query.handle.toLowerCase()}${SEPARATOR}`;
    return (await store.readSetRange(userNamesKey, { min: `[${exact}`, max: `(${exact}${AFTER_ALL}`, count: 1 })).map(idOf);
  }
  const handle = `h${SEPARATOR}${query.prefix.toLowerCase()}`;
  const name = `n${SEPARATOR}${toRoomSearchKey(query.prefix)}`;
  const [byHandle, byName] = await Promise.all([
    store.readSetRange(userNamesKey, { min: `[${handle}`, max: `(${handle}${AFTER_ALL}`, count: query.first }),
    store.readSetRange(userNamesKey, { min: `[${name}`, max: `(${name}${AFTER_ALL}`, count: query.first }),
  ]);
  return [...new Set([...byHandle, ...byName].map(idOf))].slice(0, query.first);
};

const USER_NAMES_VERSION = 1;
const WRITE_BATCH = 1_000;

/** Every user's name entries, from their stored states (their keys are in slots of their own: on a Cluster, every primary is scanned). */
const readAllUserNameEntries = async function* (redis: StoreRedis): AsyncGenerator<{ users: number; entries: string[] }> {
  for await (const keys of scanKeys(redis, 'chat:{u:*}:state', 500)) {
    const states = (await execByNode(
      redis,
      keys.map((key) => ({ key, command: ['hget', key, 'state'] })),
    )) as (string | null)[];
    const entries = states.flatMap((stored) => (stored ? toUserNameEntries(JSON.parse(stored.slice(stored.indexOf(':') + 1))) : []));
    yield { users: keys.length, entries };
  }
};

/**
 * Adds the users who signed in before the names set existed (their appends wrote no entries):
 * once per Redis, from the users' stored states. Answers how many users it read.
 */
export const backfillUserNames = async (redis: StoreRedis): Promise<number> => {
  if (Number((await redis.hget(projectionVersionsKey, 'userNames')) ?? 0) >= USER_NAMES_VERSION) return 0;
  let users = 0;
  for await (const batch of readAllUserNameEntries(redis)) {
    users += batch.users;
    if (batch.entries.length) await redis.zadd(userNamesKey, ...batch.entries.flatMap((entry) => [0, entry]));
  }
  await redis.hset(projectionVersionsKey, 'userNames', USER_NAMES_VERSION);
  return users;
};

/**
 * Rewrites the names set from the users' stored states (`npm run projections:rebuild users`):
 * entries no state makes go, missing ones come (on a Cluster, a sign-up's change of the set is
 * written after its append and can be lost). Built beside the live set, in its slot, then renamed
 * over it: not atomic with sign-ups, so a change made while it runs may be undone until that
 * user's next one. Answers how many users it read.
 */
export const rebuildUserNames = async (redis: StoreRedis): Promise<number> => {
  const rebuilt = toRebuildKey(userNamesKey);
  await redis.del(rebuilt);
  let users = 0;
  let written = 0;
  for await (const batch of readAllUserNameEntries(redis)) {
    users += batch.users;
    for (let i = 0; i < batch.entries.length; i += WRITE_BATCH) {
      const slice = batch.entries.slice(i, i + WRITE_BATCH);
      written += slice.length;
      await redis.zadd(rebuilt, ...slice.flatMap((entry) => [0, entry]));
    }
  }
  if (written) await redis.rename(rebuilt, userNamesKey);
  else await redis.del(userNamesKey);
  return users;
};
