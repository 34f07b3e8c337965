/**
 * Every Redis key the event store uses, in one place. Keys of one room share the hash tag
 * `{r:<roomId>}`, keys of one user `{u:<userId>}`, lobby keys `{lobby}`, so each append script
 * touches a single Redis Cluster slot. The in-memory store uses the same names as map keys.
 */
export const lobbyStreamKey = 'chat:{lobby}:log';
export const roomSnapshotsKey = 'chat:{lobby}:rooms';
export const roomNamesKey = 'chat:{lobby}:room-names';
/** Ephemeral lobby events (online counts), capped. */
export const lobbyActivityKey = 'chat:{lobby}:activity';

export const toRoomStreamKey = (roomId: string) => `chat:{r:${roomId}}:log`;
export const toMessageSnapshotsKey = (roomId: string) => `chat:{r:${roomId}}:messages`;
export const toIdempotencyKey = (roomId: string, userId: string, clientId: string) =>
  `chat:{r:${roomId}}:idem:${userId}:${clientId}`;

/** Ephemeral room events (joined, left, typing, status), capped, never replayed. */
export const toRoomActivityKey = (roomId: string) => `chat:{r:${roomId}}:activity`;
/** Presence leases: member = `<userId> <leaseId>`, score = expiry (ms). */
export const toRoomOnlineKey = (roomId: string) => `chat:{r:${roomId}}:online`;
/** How many leases each user holds in the room (users with none are absent). */
export const toRoomOnlineUsersKey = (roomId: string) => `chat:{r:${roomId}}:online-users`;
/** Throttles typing announcements per user and room. */
export const toTypingKey = (roomId: string, userId: string) => `chat:{r:${roomId}}:typing:${userId}`;
/** Rooms that may hold leases, for the sweeper. */
export const presenceRoomsKey = 'chat:presence:rooms';
/** The rooms a user holds leases in: member = `<roomId> <leaseId>`, score = expiry (ms). */
export const toUserRoomsKey = (userId: string) => `chat:{u:${userId}}:rooms`;

export const toUserStreamKey = (userId: string) => `chat:{u:${userId}}:log`;
export const toUserSnapshotKey = (userId: string) => `chat:{u:${userId}}:state`;
