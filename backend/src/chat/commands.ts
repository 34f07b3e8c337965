import { type PostedMessage, messageDecider } from '../domain/message/message.js';
import { parseRoomName, roomDecider, toRoomNameKey } from '../domain/room/room.js';
import { type Profile, type UserStatus, userDecider } from '../domain/user/user.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { codePointLength, hasControlCharacters, hasLoneSurrogates } from '../domain/text.js';
import { type ChatQueries, type RoomView, type UserView, toRoomView, toUserView } from './queries.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { toHistoryIndexes } from '../projections/messageHistory.js';
import { handleCommand } from './handleCommand.js';
import { assertMayPostIn } from './policy.js';
import { isRoomId, newMessageId, newRoomId, toMessageRoomId } from './ids.js';
import {
  lobbyStreamKey,
  roomNamesKey,
  roomSnapshotsKey,
  toIdempotencyKey,
  toMessageSnapshotsKey,
  toRoomStreamKey,
  toUserSnapshotKey,
  toUserStreamKey,
} from './keys.js';

/** How long a post's clientId is remembered (the UI's outbox resends by itself only within it). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const CLIENT_ID_MAX = 64;

export interface ChatCommands {
  /** The room of that name if one exists (names compare case-insensitively), else a new one. */
  createRoom(input: { actorId: string; name: string }): Promise<RoomView>;
  renameRoom(input: { actorId: string; roomId: string; name: string }): Promise<RoomView>;
  /** With a `clientId`, a retry by the same user in the same room answers the first message and posts nothing. */
  postMessage(input: { actorId: string; roomId: string; body: string; clientId?: string | null }): Promise<PostedMessage>;
  editMessage(input: { actorId: string; messageId: string; body: string }): Promise<PostedMessage>;
  deleteMessage(input: { actorId: string; messageId: string }): Promise<PostedMessage>;
  /** Sign-in: registers the user or updates the profile from the identity provider. */
  registerUser(input: { userId: string; profile: Profile }): Promise<UserView>;
  setStatus(input: { actorId: string; status: UserStatus }): Promise<UserView>;
}

const roomAddress = (roomId: string) => ({ stream: lobbyStreamKey, snapshot: { key: roomSnapshotsKey, field: roomId } });
const messageAddress = (roomId: string, messageId: string) => ({
  stream: toRoomStreamKey(roomId),
  snapshot: { key: toMessageSnapshotsKey(roomId), field: messageId },
});
const userAddress = (userId: string) => ({ stream: toUserStreamKey(userId), snapshot: { key: toUserSnapshotKey(userId), field: 'state' } });

const parseClientId = (clientId: string | null | undefined): string | undefined => {
  if (clientId === null || clientId === undefined) return undefined;
  const length = codePointLength(clientId);
  if (length < 1 || length > CLIENT_ID_MAX) throw new ValidationError(`clientId must be 1–${CLIENT_ID_MAX} characters`, 'clientId');
  if (hasControlCharacters(clientId)) throw new ValidationError('clientId must not contain control characters', 'clientId');
  if (hasLoneSurrogates(clientId)) throw new ValidationError('clientId must be valid Unicode text (a lone surrogate)', 'clientId');
  return clientId;
};

const present = <T>(view: T | null, what: string): T => {
  if (!view) throw new Error(`${what} has no state after a successful command`);
  return view;
};

const toMessage = (state: unknown): PostedMessage => state as PostedMessage;

/**
 * The application's write side: builds each command with the time and fresh ids, and hands it to
 * `handleCommand` for the aggregate it addresses. Facts from other aggregates (does the room
 * exist?) are checked here, before deciding.
 */
export const createChatCommands = (
  store: EventStore,
  queries: Pick<ChatQueries, 'getRoom' | 'findRoomByName' | 'getMessage'>,
  now: () => Date = () => new Date(),
): ChatCommands => {
  // Rooms are never deleted: once seen, a room id needs no second look before posting.
  const knownRooms = new Set<string>();
  const requireRoom = async (roomId: string) => {
    const room = assertMayPostIn(await queries.getRoom(roomId));
    knownRooms.add(roomId);
    return room;
  };

  const requireMessageRoom = (messageId: string) => {
    const roomId = toMessageRoomId(messageId);
    if (!roomId) throw new NotFoundError('Message not found');
    return roomId;
  };

  const changeMessage = async (
    roomId: string,
    messageId: string,
    actorId: string,
    command: Parameters<typeof messageDecider.decide>[0],
  ) => {
    const result = await handleCommand(store, messageDecider, messageAddress(roomId, messageId), command, { meta: { actorId } });
    if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
    return toMessage(result.state);
  };

  return {
    async createRoom({ actorId, name: rawName }) {
      const name = parseRoomName(rawName);
      const existing = await queries.findRoomByName(name);
      if (existing) return existing;
      const nameKey = toRoomNameKey(name);
      const roomId = newRoomId();
      const result = await handleCommand(
        store,
        roomDecider,
        roomAddress(roomId),
        { type: 'CreateRoom', roomId, name, actorId, now: now().toISOString() },
        { fresh: true, meta: { actorId }, claim: () => ({ key: roomNamesKey, field: nameKey, owner: roomId }) },
      );
      if (result.status === 'claimed') return requireRoom(result.owner);
      if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
      return present(toRoomView(result.state), 'room');
    },

    async renameRoom({ actorId, roomId, name }) {
      if (!isRoomId(roomId)) throw new NotFoundError('Room not found');
      const result = await handleCommand(
        store,
        roomDecider,
        roomAddress(roomId),
        { type: 'RenameRoom', roomId, name, actorId, now: now().toISOString() },
        {
          meta: { actorId },
          claim: (events, before) => {
            const renamed = events[0]!.data.name;
            const field = toRoomNameKey(renamed);
            const previous = before.status === 'open' ? toRoomNameKey(before.name) : undefined;
            return { key: roomNamesKey, field, owner: roomId, release: previous !== field ? previous : undefined };
          },
        },
      );
      if (result.status === 'claimed') throw new ValidationError('Another room has that name already', 'name');
      if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
      return present(toRoomView(result.state), 'room');
    },

    async postMessage({ actorId, roomId, body, clientId: rawClientId }) {
      const clientId = parseClientId(rawClientId);
      if (!isRoomId(roomId)) throw new NotFoundError('Room not found');
      if (!knownRooms.has(roomId)) await requireRoom(roomId);
      const messageId = newMessageId(roomId);
      const result = await handleCommand(
        store,
        messageDecider,
        messageAddress(roomId, messageId),
        { type: 'PostMessage', messageId, roomId, actorId, body, now: now().toISOString() },
        {
          fresh: true,
          meta: { actorId, ...(clientId ? { clientId } : {}) },
          indexes: (events) => toHistoryIndexes(roomId, events),
          idempotency: clientId
            ? { key: toIdempotencyKey(roomId, actorId, clientId), ttlSeconds: IDEMPOTENCY_TTL_SECONDS, result: messageId }
            : undefined,
        },
      );
      if (result.status === 'duplicate') {
        const first = await queries.getMessage(result.result);
        if (!first) throw new Error(`idempotency key points at missing message ${result.result}`);
        return first;
      }
      if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
      return toMessage(result.state);
    },

    async editMessage({ actorId, messageId, body }) {
      const roomId = requireMessageRoom(messageId);
      return changeMessage(roomId, messageId, actorId, { type: 'EditMessage', messageId, actorId, body, now: now().toISOString() });
    },

    async deleteMessage({ actorId, messageId }) {
      const roomId = requireMessageRoom(messageId);
      return changeMessage(roomId, messageId, actorId, { type: 'DeleteMessage', messageId, actorId, now: now().toISOString() });
    },

    async registerUser({ userId, profile }) {
      const result = await handleCommand(
        store,
        userDecider,
        userAddress(userId),
        { type: 'RegisterUser', userId, profile, now: now().toISOString() },
        { meta: { actorId: userId } },
      );
      if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
      return present(toUserView(result.state), 'user');
    },

    async setStatus({ actorId, status }) {
      const result = await handleCommand(
        store,
        userDecider,
        userAddress(actorId),
        { type: 'SetStatus', userId: actorId, status, now: now().toISOString() },
        { meta: { actorId } },
      );
      if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
      return present(toUserView(result.state), 'user');
    },
  };
};
