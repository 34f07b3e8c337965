/**
 * Every Redis key of presence (leases, typing, and the capped streams of ephemeral events), in one
 * place. Keys of one room carry its hash tag `{r:<roomId>}`, as the room's log does, so the tailer
 * and the lease scripts stay in the room's Redis Cluster slot.
 */
/** Ephemeral lobby events (online counts), capped. */
export const lobbyActivityKey = 'chat:{lobby}:activity';
/** Ephemeral room events (joined, left, typing, status), capped, never replayed. */
export const toRoomActivityKey = (roomId: string) => `chat:{r:${roomId}}:activity`;
/** A stream of ephemeral events (the lobby's or a room's activity): written without waiting for replicas, read without either. */
export const isActivityKey = (stream: string) =>
  stream === lobbyActivityKey || (stream.startsWith('chat:{r:') && stream.endsWith('}:activity'));
/** Presence leases: member = `<userId> <leaseId>`, score = expiry (ms). */
export const toRoomOnlineKey = (roomId: string) => `chat:{r:${roomId}}:online`;
/** How many leases each user holds in the room (users with none are absent). */
export const toRoomOnlineUsersKey = (roomId: string) => `chat:{r:${roomId}}:online-users`;
/** Throttles typing announcements per user and room. */
export const toTypingKey = (roomId: string, userId: string) => `chat:{r:${roomId}}:typing:${userId}`;
/**
 * Rooms that may hold leases, for the sweeper: a sorted set scored by when the room is next due
 * (its earliest lease's expiry, as last known), so a sweep reads only the rooms with something
 * to expire. (`chat:presence:rooms`, a plain set swept whole every second, came before it.)
 */
export const presenceDueKey = 'chat:presence:due';
/**
 * The rooms a user holds leases in: member = `<roomId> <leaseId>`, score = expiry (ms). Not
 * `:rooms`, the person's room list (projections/keys.ts): sharing that key, presence listed the
 * rooms someone looked at as theirs, and its expiry sweep emptied their list.
 */
export const toUserPresentRoomsKey = (userId: string) => `chat:{u:${userId}}:present`;
