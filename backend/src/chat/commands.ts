import { type MessageEvent, PINNED_MAX, type PostedMessage, messageDecider } from '../domain/message/message.js';
import { reactionDecider } from '../domain/reaction/reaction.js';
import type { RefusalReason } from '../eventstore/eventStore.js';
import { countPinned, toPinChanges } from '../projections/pins.js';
import { toReactionTally } from '../projections/reactions.js';
import { toReplyCountChanges, toReplyWrites } from '../projections/threads.js';
import { isJoined, parseReason, toActingRole } from '../domain/member/member.js';
import { type RoomKind, parseRoomName, roomDecider, toRoomNameKey } from '../domain/room/room.js';
import { type Profile, type UserStatus, userDecider } from '../domain/user/user.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { codePointLength, hasControlCharacters, hasLoneSurrogates } from '../domain/text.js';
import { type ChatQueries, type RoomView, type UserView, parseCursor, toRoomView, toUserView } from './queries.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { toHistoryIndexes } from '../projections/messageHistory.js';
import { toEditHistoryIndexes } from '../projections/editHistory.js';
import { toAuditIndexes } from '../projections/members.js';
import { toUserNameSets } from '../projections/userNames.js';
import { toReadNote, toRoomActivityNote, toRoomUpdatedNote } from '../projections/inbox/activity.js';
import { advanceReadMarker, toChangeCounts, toPostCounts, toUnreadKeys } from '../projections/unread.js';
import { handleCommand } from './handleCommand.js';
import { requirePositionOf } from './positions.js';
import { type MemberCommands, createMemberCommands } from './memberCommands.js';
import type { MemberQueries } from './memberQueries.js';
import { type Access, assertMayPin, assertMayReadRoom, joinsByPosting, toRefusal } from './policy.js';
import { isRoomId, newMessageId, newRoomId, toMessageRoomId } from './ids.js';
import {
  lobbyStreamKey,
  roomNamesKey,
  roomSnapshotsKey,
  toIdempotencyKey,
  toMemberSnapshotsKey,
  toMessageSnapshotsKey,
  toReactionField,
  toReactionSnapshotsKey,
  toRoomStreamKey,
  toUserSnapshotKey,
  toUserStreamKey,
} from './keys.js';

/** How long a post's clientId is remembered (the UI's outbox resends by itself only within it). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const CLIENT_ID_MAX = 64;

export interface ChatCommands extends Omit<MemberCommands, 'joinAsCreator'> {
  /**
   * PUBLIC (the default): the room of that name if one exists (names compare case-insensitively),
   * else a new one. PRIVATE: always a new one. Either way its creator joins it as its owner.
   */
  createRoom(input: { actorId: string; name: string; kind?: RoomKind }): Promise<RoomView>;
  renameRoom(input: { actorId: string; roomId: string; name: string }): Promise<RoomView>;
  /**
   * With a `clientId`, a retry by the same user in the same room answers the first message and
   * posts nothing. `replyTo` answers a message of the same room (a reply to a reply, its root).
   */
  postMessage(input: {
    actorId: string;
    roomId: string;
    body: string;
    clientId?: string | null;
    replyTo?: string | null;
  }): Promise<PostedMessage>;
  editMessage(input: { actorId: string; messageId: string; body: string }): Promise<PostedMessage>;
  deleteMessage(input: { actorId: string; messageId: string }): Promise<PostedMessage>;
  /**
   * Moves the viewer's read marker in the room forward to `upTo`, a position of the room's log
   * (BAD_USER_INPUT otherwise); never back. Members (JOINED) only.
   */
  markRead(input: { actorId: string; room: RoomView; upTo: string }): Promise<void>;
  /** An owner's or moderator's removal of someone's message: a tombstone that says who removed it. */
  removeMessage(input: { actorId: string; messageId: string; reason?: string | null }): Promise<PostedMessage>;
  /** Reacts to a message with one emoji (once per person and emoji: again is nothing); answers the message. */
  react(input: { actorId: string; messageId: string; emoji: string }): Promise<PostedMessage>;
  unreact(input: { actorId: string; messageId: string; emoji: string }): Promise<PostedMessage>;
  /** Owner and moderators (any member of a direct room) pin a message to the room, or take it off. */
  pinMessage(input: { actorId: string; messageId: string }): Promise<PostedMessage>;
  unpinMessage(input: { actorId: string; messageId: string }): Promise<PostedMessage>;
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
/** Whether a message event changes what the room's list shows (a pin does not). */
const changesActivity = (event: MessageEvent) => event.type !== 'MessagePinned' && event.type !== 'MessageUnpinned';

/**
 * The application's write side: builds each command with the time and fresh ids, and hands it to
 * `handleCommand` for the aggregate it addresses. Facts from other aggregates (does the room
 * exist?) are checked here, before deciding.
 */
export const createChatCommands = (
  store: EventStore,
  queries: Pick<ChatQueries, 'getRoom' | 'findRoomByName' | 'getMessage' | 'getUser'> &
    Pick<MemberQueries, 'getMember' | 'findUserIdByHandle'>,
  now: () => Date = () => new Date(),
): ChatCommands => {
  const members = createMemberCommands(store, queries, now);
  // Rooms are never deleted and never change kind: once seen, a room needs no second look before
  // posting (who may post is the append's guard's to say, from the poster's own member state).
  const knownRooms = new Map<string, RoomView>();
  const requireRoom = async (roomId: string) => {
    const known = knownRooms.get(roomId);
    if (known) return known;
    const room = await queries.getRoom(roomId);
    if (!room) throw new NotFoundError('Room not found');
    knownRooms.set(roomId, room);
    return room;
  };
  /** The room as the actor sees it, with their own member state. */
  const accessOf = async (actorId: string, roomId: string): Promise<Access> => {
    const [room, member] = await Promise.all([queries.getRoom(roomId), queries.getMember(roomId, actorId)]);
    return { room, viewerId: actorId, member, now: now().toISOString() };
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
    // An author who may no longer read the room (kicked from a private one) no longer finds their message there.
    const [access, [number]] = await Promise.all([accessOf(actorId, roomId), store.readFields(toUnreadKeys(roomId).seqs, [messageId])]);
    assertMayReadRoom(access);
    const n = number == null ? null : Number(number);
    const result = await handleCommand(store, messageDecider, messageAddress(roomId, messageId), command, {
      meta: { actorId },
      indexes: (events, before) => [...toAuditIndexes(roomId, events), ...toEditHistoryIndexes(roomId, before, events)],
      notify: (events) => (events.some(changesActivity) ? [toRoomActivityNote(roomId)] : []),
      scored: (before, after) =>
        before.status === 'none' || after.status === 'none'
          ? []
          : toChangeCounts(roomId, { id: messageId, n, before: before.body, after: after.body, deleted: after.status === 'deleted' }),
      counts: (before, after) => (before.status === 'none' || after.status === 'none' ? [] : toReplyCountChanges(roomId, before, after)),
      sets: (before, after) => (after.status === 'none' ? [] : toPinChanges(roomId, before.status === 'none' ? null : before, after)),
    });
    if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
    return toMessage(result.state);
  };

  /** Posts, unless the append's guard refuses: answers the refusal then. */
  const post = (roomId: string, messageId: string, actorId: string, body: string, clientId: string | undefined, replyTo: string | null) => {
    const counts = toPostCounts(roomId, messageId, actorId, body);
    return handleCommand(
      store,
      messageDecider,
      messageAddress(roomId, messageId),
      { type: 'PostMessage', messageId, roomId, actorId, body, replyTo, now: now().toISOString() },
      {
        fresh: true,
        meta: { actorId, ...(clientId ? { clientId } : {}) },
        indexes: (events) => [...toHistoryIndexes(roomId, events), ...(toReplyWrites(roomId, events).indexes ?? [])],
        counts: (_, __, events) => toReplyWrites(roomId, events).counts,
        values: (events) => toReplyWrites(roomId, events).values,
        idempotency: clientId
          ? { key: toIdempotencyKey(roomId, actorId, clientId), ttlSeconds: IDEMPOTENCY_TTL_SECONDS, result: messageId }
          : undefined,
        guard: { key: toMemberSnapshotsKey(roomId), field: actorId, now: now().toISOString() },
        sequence: counts.sequence,
        scored: () => counts.scored,
        notify: () => [toRoomActivityNote(roomId)],
      },
    );
  };

  /**
   * A guarded append; refused because the actor is not a member where posting joins (a public
   * room, their direct conversation), it joins them and goes again. Other refusals are thrown.
   */
  const joiningIfRefused = async <R extends { status: string }>(
    actorId: string,
    roomId: string,
    append: () => Promise<R | { status: 'refused'; reason: RefusalReason; until: string | null }>,
  ): Promise<Exclude<R, { status: 'refused' }>> => {
    let result = await append();
    if (result.status === 'refused') {
      const refusal = result as { status: 'refused'; reason: RefusalReason; until: string | null };
      const access = await accessOf(actorId, roomId);
      if (refusal.reason !== 'not-member' || !joinsByPosting(access)) throw toRefusal(access, refusal);
      await members.joinRoom({ actorId, roomId });
      result = await append();
      if (result.status === 'refused') throw toRefusal(await accessOf(actorId, roomId), result as typeof refusal);
    }
    return result as Exclude<R, { status: 'refused' }>;
  };

  /** The root of the thread a reply to `messageId` joins: that message's own root, or itself. */
  const findThreadRoot = async (roomId: string, messageId: string): Promise<string> => {
    const messageRoomId = toMessageRoomId(messageId);
    if (!messageRoomId) throw new NotFoundError('Message not found');
    if (messageRoomId !== roomId) throw new ValidationError('replyTo must be a message of the same room', 'replyTo');
    const message = await queries.getMessage(messageId);
    if (!message) throw new NotFoundError('Message not found');
    return message.replyTo ?? message.id;
  };

  /** A person's reaction to a message, added or taken back: a guarded append of their own aggregate. */
  const changeReaction = async (type: 'React' | 'Unreact', actorId: string, messageId: string, emoji: string) => {
    const roomId = requireMessageRoom(messageId);
    const access = await accessOf(actorId, roomId);
    assertMayReadRoom(access);
    const message = await queries.getMessage(messageId);
    if (!message) throw new NotFoundError('Message not found');
    if (type === 'React' && message.status === 'deleted') throw new ConflictError('A deleted message takes no reactions');
    const address = {
      stream: toRoomStreamKey(roomId),
      snapshot: { key: toReactionSnapshotsKey(roomId), field: toReactionField(messageId, actorId) },
    };
    await joiningIfRefused(actorId, roomId, () =>
      handleCommand(
        store,
        reactionDecider,
        address,
        { type, messageId, actorId, emoji, now: now().toISOString() },
        {
          meta: { actorId },
          guard: { key: toMemberSnapshotsKey(roomId), field: actorId, now: now().toISOString() },
          tallies: (before, events) => events.map((event) => toReactionTally(roomId, before, event)),
        },
      ),
    );
    return present(await queries.getMessage(messageId), 'message');
  };

  /** Pins or unpins, as the policy allows the actor. */
  const changePin = async (type: 'PinMessage' | 'UnpinMessage', actorId: string, messageId: string) => {
    const roomId = requireMessageRoom(messageId);
    assertMayPin(await accessOf(actorId, roomId));
    if (type === 'PinMessage' && (await countPinned(store, roomId)) >= PINNED_MAX) {
      const message = await queries.getMessage(messageId);
      if (!message?.pinnedAt) throw new ValidationError(`A room has at most ${PINNED_MAX} pinned messages`, 'id');
    }
    return changeMessage(roomId, messageId, actorId, { type, messageId, actorId, now: now().toISOString() });
  };

  return {
    openDirect: members.openDirect,
    joinRoom: members.joinRoom,
    leaveRoom: members.leaveRoom,
    declineInvite: members.declineInvite,
    invite: members.invite,
    moderate: members.moderate,

    async createRoom({ actorId, name: rawName, kind = 'PUBLIC' }) {
      if (kind === 'DIRECT') throw new ValidationError('A direct conversation is opened with openDirect', 'kind');
      const name = parseRoomName(rawName);
      if (kind === 'PUBLIC') {
        const existing = await queries.findRoomByName(name);
        if (existing) return existing;
      }
      const nameKey = toRoomNameKey(name);
      const roomId = newRoomId();
      const result = await handleCommand(
        store,
        roomDecider,
        roomAddress(roomId),
        { type: 'CreateRoom', roomId, name, kind, actorId, now: now().toISOString() },
        {
          fresh: true,
          meta: { actorId },
          claim: () => (kind === 'PUBLIC' ? { key: roomNamesKey, field: nameKey, owner: roomId } : undefined),
        },
      );
      if (result.status === 'claimed') return requireRoom(result.owner);
      if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
      const room = present(toRoomView(result.state), 'room');
      await members.joinAsCreator(room);
      return room;
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
          notify: () => [toRoomUpdatedNote(roomId)],
          claim: (events, before) => {
            // Only public rooms' names are unique: a private room's rename claims nothing.
            if (events[0]!.data.kind !== 'PUBLIC') return undefined;
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

    async postMessage({ actorId, roomId, body, clientId: rawClientId, replyTo: rawReplyTo }) {
      const clientId = parseClientId(rawClientId);
      if (!isRoomId(roomId)) throw new NotFoundError('Room not found');
      await requireRoom(roomId);
      const replyTo = rawReplyTo == null ? null : await findThreadRoot(roomId, rawReplyTo);
      const messageId = newMessageId(roomId);
      const result = await joiningIfRefused(actorId, roomId, () => post(roomId, messageId, actorId, body, clientId, replyTo));
      if (result.status === 'duplicate') {
        const first = await queries.getMessage(result.result);
        if (!first) throw new Error(`idempotency key points at missing message ${result.result}`);
        return first;
      }
      if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
      return toMessage(result.state);
    },

    react: ({ actorId, messageId, emoji }) => changeReaction('React', actorId, messageId, emoji),
    unreact: ({ actorId, messageId, emoji }) => changeReaction('Unreact', actorId, messageId, emoji),
    pinMessage: ({ actorId, messageId }) => changePin('PinMessage', actorId, messageId),
    unpinMessage: ({ actorId, messageId }) => changePin('UnpinMessage', actorId, messageId),

    async editMessage({ actorId, messageId, body }) {
      const roomId = requireMessageRoom(messageId);
      return changeMessage(roomId, messageId, actorId, { type: 'EditMessage', messageId, actorId, body, now: now().toISOString() });
    },

    async deleteMessage({ actorId, messageId }) {
      const roomId = requireMessageRoom(messageId);
      return changeMessage(roomId, messageId, actorId, { type: 'DeleteMessage', messageId, actorId, now: now().toISOString() });
    },

    async markRead({ actorId, room, upTo }) {
      const cursor = parseCursor(upTo, 'upTo');
      const access = await accessOf(actorId, room.id);
      assertMayReadRoom(access);
      if (!isJoined(access.member, access.now)) throw new ForbiddenError('Join the room to keep a read marker in it');
      // A position of this very room: an event at exactly that cursor in its log.
      await requirePositionOf(store, toRoomStreamKey(room.id), cursor, 'upTo', 'this room');
      await advanceReadMarker(store, room.id, actorId, cursor, toReadNote(room.id, actorId));
    },

    async removeMessage({ actorId, messageId, reason }) {
      const roomId = requireMessageRoom(messageId);
      const access = await accessOf(actorId, roomId);
      assertMayReadRoom(access);
      const message = await queries.getMessage(messageId);
      if (!message) throw new NotFoundError('Message not found');
      const author = await queries.getMember(roomId, message.authorId);
      const at = now().toISOString();
      return changeMessage(roomId, messageId, actorId, {
        type: 'RemoveMessage',
        messageId,
        actorId,
        actorRole: access.room?.kind === 'DIRECT' ? null : toActingRole(access.member, at),
        authorRole: author.status === 'member' && author.membership !== 'LEFT' ? author.role : null,
        reason: parseReason(reason),
        now: at,
      });
    },

    async registerUser({ userId, profile }) {
      const result = await handleCommand(
        store,
        userDecider,
        userAddress(userId),
        { type: 'RegisterUser', userId, profile, now: now().toISOString() },
        { meta: { actorId: userId }, sets: toUserNameSets },
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
