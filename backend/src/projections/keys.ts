/**
 * Keys of the read models that are not also an aggregate's snapshot (those stay in chat/keys.ts).
 * A room's carry its hash tag `{r:<roomId>}`, so the append script writes them in the event's slot.
 */

/** A room's history index: one entry per MessagePosted, with the post's cursor, naming the message. */
export const toHistoryIndexKey = (roomId: string) => `chat:{r:${roomId}}:history`;

/** A message's edit history: one entry per edit, with the edit's cursor, naming the version it replaced (see editHistory.ts). */
export const toEditHistoryKey = (roomId: string, messageId: string) => `chat:{r:${roomId}}:edits:${messageId}`;

/** Where a rebuild writes beside a live key, in the same slot, before swapping it in. */
export const toRebuildKey = (liveKey: string) => `${liveKey}:rebuild`;

/** Which version of each projection's layout the data was built with: name → version. */
export const projectionVersionsKey = 'chat:projections:versions';
/** Held by the one instance that migrates projections at start. */
export const projectionMigrationLockKey = 'chat:projections:migrating';

/** A room's member list in display order (see `toRosterEntry`): a lexicographic set. */
export const toRosterKey = (roomId: string) => `chat:{r:${roomId}}:roster`;
/** The ids of a room's joined members: a lexicographic set, counted for `memberCount`. */
export const toJoinedKey = (roomId: string) => `chat:{r:${roomId}}:joined`;
/** A room's audit log: an index of its moderation events, each entry's ref the entry as JSON. */
export const toAuditIndexKey = (roomId: string) => `chat:{r:${roomId}}:audit`;
/**
 * Users by handle and by display name, for invitations and mentions: a lexicographic set. Not in a
 * user's slot: on a Redis Cluster the user's append writes it right after, not atomically (see
 * `RedisEventStoreOptions`); `backfillUserNames` scans every primary.
 */
export const userNamesKey = 'chat:{users}:names';
/**
 * A person's rooms (JOINED and INVITED), newest membership first (see `toUserRoomEntry`): a
 * lexicographic set in the person's slot, written by the member append in the room's. On a Redis
 * Cluster that is another slot: written right after the append, not atomically (see
 * `RedisEventStoreOptions`; `npm run projections:rebuild members` rewrites the lists).
 */
export const toUserRoomsKey = (userId: string) => `chat:{u:${userId}}:rooms`;

/**
 * Everything that changes someone's room list, noted by the appends that cause it (a post, a
 * membership, a marker, a rename): the inbox projector's source. On a Redis Cluster the notes
 * follow their appends (from every room's slot) and can be lost: the projector's sweep notes a
 * room's lost activity (see `startInboxProjector`).
 */
export const inboxActivityKey = 'chat:{inbox}:activity';
/** The inbox projector's checkpoint (the last activity it fanned out) and its lease (one runs at a time). */
export const inboxCheckpointKey = 'chat:{inbox}:checkpoint';
export const inboxLeaseKey = 'chat:{inbox}:lease';
/** Who has an inbox subscription open somewhere (userId → until when, the store's clock, ms). */
export const inboxListeningKey = 'chat:{inbox}:listening';
/** Moves on whenever someone starts listening (a renewal does not): the projector reads who listens when it moved. */
export const inboxListenersVersionKey = 'chat:{inbox}:listeners-version';
/** Each room's last activity and rename fanned out (`a:<roomId>`, `u:<roomId>` → the note's id). */
export const inboxRoomsKey = 'chat:{inbox}:rooms';
/** A person's inbox: their room list's changes, with the ids of the activity that caused them. */
export const toInboxKey = (userId: string) => `chat:{u:${userId}}:inbox`;

/** A thread's replies, oldest first: an index of the root's replies, each entry naming the reply. */
export const toThreadIndexKey = (roomId: string, rootId: string) => `chat:{r:${roomId}}:thread:${rootId}`;
/** A room's thread counters: `<rootId>` its replies not deleted, `<rootId>:at` when the last was posted. */
export const toThreadsKey = (roomId: string) => `chat:{r:${roomId}}:threads`;
/** A room's pinned messages, scored by when each was pinned (ms). */
export const toPinnedKey = (roomId: string) => `chat:{r:${roomId}}:pinned`;
/** A room's reactions by message: each message's groups (see eventstore/tallies.ts). */
export const toReactionGroupsKey = (roomId: string) => `chat:{r:${roomId}}:reaction-groups`;
/** Everyone's reactions in a room, as the groups' lexicographic set (see eventstore/tallies.ts). */
export const toReactorsKey = (roomId: string) => `chat:{r:${roomId}}:reactors`;
