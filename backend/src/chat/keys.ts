/**
 * Every Redis key of the chat's logs and inline read models, in one place. Keys of one room share the hash tag
 * `{r:<roomId>}`, keys of one user `{u:<userId>}`, lobby keys `{lobby}`, so each append script
 * touches a single Redis Cluster slot. The in-memory store uses the same names as map keys.
 */
export const lobbyStreamKey = 'chat:{lobby}:log';
export const roomSnapshotsKey = 'chat:{lobby}:rooms';
export const roomNamesKey = 'chat:{lobby}:room-names';

export const toRoomStreamKey = (roomId: string) => `chat:{r:${roomId}}:log`;
export const toMessageSnapshotsKey = (roomId: string) => `chat:{r:${roomId}}:messages`;
export const toIdempotencyKey = (roomId: string, userId: string, clientId: string) => `chat:{r:${roomId}}:idem:${userId}:${clientId}`;

export const toUserStreamKey = (userId: string) => `chat:{u:${userId}}:log`;
export const toUserSnapshotKey = (userId: string) => `chat:{u:${userId}}:state`;

/** A room's members: one snapshot per person (the member aggregate), in the room's slot so the append script can guard posts. */
export const toMemberSnapshotsKey = (roomId: string) => `chat:{r:${roomId}}:members`;
/** Direct rooms by their people (sorted ids joined by ','): the claim that makes `openDirect` give one room per set. */
export const directRoomsKey = 'chat:{lobby}:direct-rooms';
/** Each person's reactions to each message of a room (the reaction aggregate): field `<messageId>/<userId>`. */
export const toReactionSnapshotsKey = (roomId: string) => `chat:{r:${roomId}}:reactions`;
export const toReactionField = (messageId: string, userId: string) => `${messageId}/${userId}`;
