/**
 * Keys of the read models that are not also an aggregate's snapshot (those stay in chat/keys.ts).
 * A room's carry its hash tag `{r:<roomId>}`, so the append script writes them in the event's slot.
 */

/** A room's history index: one entry per MessagePosted, with the post's cursor, naming the message. */
export const toHistoryIndexKey = (roomId: string) => `chat:{r:${roomId}}:history`;

/** Where a rebuild writes beside a live key, in the same slot, before swapping it in. */
export const toRebuildKey = (liveKey: string) => `${liveKey}:rebuild`;

/** Which version of each projection's layout the data was built with: name → version. */
export const projectionVersionsKey = 'chat:projections:versions';
/** Held by the one instance that migrates projections at start. */
export const projectionMigrationLockKey = 'chat:projections:migrating';
