import { NotFoundError } from '../domain/errors.js';
import type { RoomView } from './queries.js';

/**
 * Who may do what in a room: the one module that decides, from the room's read model; resolvers,
 * subscriptions and commands ask it and never decide themselves. Signing in is checked before
 * (graphql/context.ts `requireViewer`); here the room itself.
 *
 * Today every room is public: any signed-in person may follow a room's events, type and post in
 * it, and a room that does not exist answers NOT_FOUND. (The membership issue adds private and
 * direct rooms, where anyone who is not a member is answered exactly as for an unknown id.)
 */
export const assertMayFollowRoom = (room: RoomView | null): RoomView => {
  if (!room) throw new NotFoundError('Room not found');
  return room;
};

/** Posting (and announcing typing) in a room: the same rule as following it, for now. */
export const assertMayPostIn = assertMayFollowRoom;
