import { ValidationError } from '../../domain/errors.js';
import { toRoomSearchKey } from '../../domain/room/room.js';

/**
 * A room's place in the directory, shared by both stores so that they order, search and make
 * cursors alike: the member `<folded name>\u0000<roomId>`. NUL sorts below every other code point,
 * so members order by folded name, then by id.
 */
const SEPARATOR = '\u0000';

// A folded room name is at most a few thousand bytes (100 code points, NFKD-expanded): a longer
// cursor is not one of ours, and is refused before it is decoded.
const CURSOR_MAX = 16_384;

/**
 * The member of a room. Throws (a bug, not a user error) for an empty id or a NUL in the id or the
 * folded name: room names are validated by `parseRoomName`, which refuses control characters.
 */
export const toDirectoryMember = (roomId: string, name: string): string => {
  const folded = toRoomSearchKey(name);
  if (roomId === '' || roomId.includes(SEPARATOR) || folded.includes(SEPARATOR)) {
    throw new Error(`room ${JSON.stringify(roomId)} cannot be listed as ${JSON.stringify(name)}`);
  }
  return `${folded}${SEPARATOR}${roomId}`;
};

/** The folded name part of a member. */
export const toMemberName = (member: string): string => member.slice(0, member.indexOf(SEPARATOR));

/** The room id part of a member. */
export const toMemberRoomId = (member: string): string => member.slice(member.indexOf(SEPARATOR) + 1);

/** The opaque edge cursor of a member: its UTF-8 bytes in base64url. */
export const toDirectoryCursor = (member: string): string => Buffer.from(member, 'utf8').toString('base64url');

/**
 * The member a cursor names. Throws `ValidationError` (field `after`) unless the cursor is exactly
 * what `toDirectoryCursor` makes of a well-formed member: canonical base64url, valid UTF-8, one
 * separator, a folded name and a non-empty id. The member need not be in the directory any more
 * (its room may have been renamed): a page continues from where it would sort.
 */
export const parseDirectoryCursor = (cursor: string): string => {
  const refuse = () => new ValidationError('after is not a valid cursor', 'after');
  if (cursor.length === 0 || cursor.length > CURSOR_MAX) throw refuse();
  const member = Buffer.from(cursor, 'base64url').toString('utf8');
  // Re-encoding catches what the lenient decoder lets through: padding, stray characters and
  // bytes that are not UTF-8 (they decode to U+FFFD, which encodes differently).
  if (toDirectoryCursor(member) !== cursor) throw refuse();
  const separator = member.indexOf(SEPARATOR);
  if (separator < 0 || separator === member.length - 1 || member.includes(SEPARATOR, separator + 1)) throw refuse();
  const name = member.slice(0, separator);
  if (toRoomSearchKey(name) !== name) throw refuse();
  return member;
};

/** How many code points a search needs before the trigram index can answer it. */
export const TRIGRAM_LENGTH = 3;

/** The distinct trigrams (three consecutive code points) of a folded name or search. */
export const toTrigrams = (folded: string): string[] => {
  const points = Array.from(folded);
  const trigrams = new Set<string>();
  for (let i = 0; i + TRIGRAM_LENGTH <= points.length; i++) trigrams.add(points[i]! + points[i + 1]! + points[i + 2]!);
  return [...trigrams];
};

export { compareByUtf8 } from '../../eventstore/utf8Order.js';
