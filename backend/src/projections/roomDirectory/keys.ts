/**
 * Every Redis key of the room directory, in one place. All carry the hash tag `{lobby}`, so the
 * whole directory is one Redis Cluster slot and one script can touch any of its keys.
 */

/** Hash: `serving` (the generation reads use; 1 when absent) and `building` (a rebuild's, if any). */
export const directoryMetaKey = 'chat:{lobby}:directory:meta';

const toGenerationPrefix = (generation: number): string => {
  // The generation lands in key names and in a SCAN pattern: anything but a positive integer
  // (NaN, 1.5, -1) would name keys no rebuild can find again.
  if (!Number.isSafeInteger(generation) || generation < 1) throw new RangeError(`not a directory generation: ${generation}`);
  return `chat:{lobby}:directory:${generation}:`;
};

/** Sorted set, every score 0: members `<folded name>\u0000<roomId>`, in byte order for BYLEX. */
export const toDirectoryNamesKey = (generation: number): string => `${toGenerationPrefix(generation)}names`;

/** Hash: roomId → `<cursor>` (unlisted) or `<cursor> <member>` (listed), the last change applied. */
export const toDirectoryAppliedKey = (generation: number): string => `${toGenerationPrefix(generation)}applied`;

/**
 * Sorted set, every score 0: the members whose folded name contains `trigram` (three code points).
 * Sorted rather than a plain set so a dense search can read its matches in name order.
 */
export const toDirectoryTrigramKey = (generation: number, trigram: string): string => `${toGenerationPrefix(generation)}tri:${trigram}`;

/** A SCAN MATCH pattern for every key of one generation (the prefix holds no glob characters). */
export const toDirectoryGenerationPattern = (generation: number): string => `${toGenerationPrefix(generation)}*`;
