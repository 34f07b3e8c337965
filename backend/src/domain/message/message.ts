import { assertNever, type Decider } from '../decider.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { codePointLength, hasControlCharactersOtherThanNewlineAndTab, hasLoneSurrogates } from '../text.js';
import type { MessageEvent } from './events.js';

// The event types moved to events.ts with their schemas; code outside the domain still imports them from here.
export type { MessageDeleted, MessageEdited, MessageEvent, MessagePinned, MessagePosted, MessageUnpinned } from './events.js';

/** Messages pinned in one room at once, at most. */
export const PINNED_MAX = 50;

export const MESSAGE_BODY_MAX = 4000;

export type PostedMessage = {
  status: 'posted' | 'deleted';
  id: string;
  roomId: string;
  authorId: string;
  /** "" once deleted: a deleted message keeps its place as a tombstone. */
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  /** Set when an owner or moderator removed it (absent in states stored before moderation). */
  removedBy?: string | null;
  /** The thread's root it answers, null (or absent, in states stored before threads) for a top-level message. */
  replyTo?: string | null;
  /** When it was pinned to its room, null (or absent) when it is not. A deleted message is unpinned. */
  pinnedAt?: string | null;
};
export type MessageState = { status: 'none' } | PostedMessage;

/** `replyTo`: the thread's root, already resolved (a reply to a reply names the root). */
export type PostMessage = {
  type: 'PostMessage';
  messageId: string;
  roomId: string;
  actorId: string;
  body: string;
  replyTo: string | null;
  now: string;
};
/** Who may pin is the policy's to say, before: the decider settles what pinning does to the message. */
export type PinMessage = { type: 'PinMessage'; messageId: string; actorId: string; now: string };
export type UnpinMessage = { type: 'UnpinMessage'; messageId: string; actorId: string; now: string };
export type EditMessage = { type: 'EditMessage'; messageId: string; actorId: string; body: string; now: string };
export type DeleteMessage = { type: 'DeleteMessage'; messageId: string; actorId: string; now: string };
/**
 * An owner or moderator removes someone's message. The roles are facts from the room's members:
 * the actor's (null unless a joined member) and the author's (null unless a member now).
 */
export type RemoveMessage = {
  type: 'RemoveMessage';
  messageId: string;
  actorId: string;
  actorRole: 'OWNER' | 'MODERATOR' | 'MEMBER' | null;
  authorRole: 'OWNER' | 'MODERATOR' | 'MEMBER' | null;
  reason: string | null;
  now: string;
};
export type MessageCommand = PostMessage | EditMessage | DeleteMessage | RemoveMessage | PinMessage | UnpinMessage;

const RANK = { OWNER: 3, MODERATOR: 2, MEMBER: 1 } as const;

/**
 * A message body as stored: line breaks normalised to "\n", trimmed, 1–4000 characters, no
 * control characters but newline and tab. Throws `ValidationError` otherwise. Markup is kept
 * verbatim: rendering it as text is the client's job.
 */
export const parseMessageBody = (raw: string): string => {
  const body = raw.replace(/\r\n?/gu, '\n').trim();
  const length = codePointLength(body);
  if (length < 1) throw new ValidationError('Message body must not be empty', 'body');
  if (length > MESSAGE_BODY_MAX) throw new ValidationError(`Message body must be at most ${MESSAGE_BODY_MAX} characters`, 'body');
  if (hasLoneSurrogates(body)) throw new ValidationError('Message body must be valid Unicode text (a lone surrogate)', 'body');
  if (hasControlCharactersOtherThanNewlineAndTab(body)) {
    throw new ValidationError('Message body must not contain control characters other than newline and tab', 'body');
  }
  return body;
};

const postMessage = (command: PostMessage, state: MessageState): MessageEvent[] => {
  const body = parseMessageBody(command.body);
  if (state.status !== 'none') throw new Error(`message ${command.messageId} exists already`);
  return [
    {
      type: 'MessagePosted',
      data: {
        messageId: command.messageId,
        roomId: command.roomId,
        authorId: command.actorId,
        body,
        postedAt: command.now,
        replyTo: command.replyTo,
      },
    },
  ];
};

const assertAuthor = (state: MessageState, actorId: string, verb: string): PostedMessage => {
  if (state.status === 'none') throw new NotFoundError('Message not found');
  if (state.authorId !== actorId) throw new ForbiddenError(`Only the author of a message may ${verb} it`);
  return state;
};

const editMessage = (command: EditMessage, state: MessageState): MessageEvent[] => {
  const body = parseMessageBody(command.body);
  const message = assertAuthor(state, command.actorId, 'edit');
  if (message.status === 'deleted') throw new ConflictError('A deleted message cannot be edited');
  if (message.body === body) return [];
  return [{ type: 'MessageEdited', data: { messageId: message.id, body, editedAt: command.now } }];
};

const deleteMessage = (command: DeleteMessage, state: MessageState): MessageEvent[] => {
  const message = assertAuthor(state, command.actorId, 'delete');
  if (message.status === 'deleted') return [];
  return [{ type: 'MessageDeleted', data: { messageId: message.id, deletedAt: command.now, removedBy: null, reason: null } }];
};

const removeMessage = (command: RemoveMessage, state: MessageState): MessageEvent[] => {
  if (state.status === 'none') throw new NotFoundError('Message not found');
  const { actorRole, authorRole } = command;
  if (actorRole !== 'OWNER' && actorRole !== 'MODERATOR')
    throw new ForbiddenError("Only the owner and moderators may remove others' messages");
  if (state.authorId !== command.actorId && RANK[authorRole ?? 'MEMBER'] >= RANK[actorRole]) {
    throw new ForbiddenError('You cannot remove the message of someone of an equal or higher role');
  }
  if (state.status === 'deleted') return [];
  return [
    {
      type: 'MessageDeleted',
      data: { messageId: state.id, deletedAt: command.now, removedBy: command.actorId, reason: command.reason },
    },
  ];
};

const pinMessage = (command: PinMessage, state: MessageState): MessageEvent[] => {
  if (state.status === 'none') throw new NotFoundError('Message not found');
  if (state.status === 'deleted') throw new ConflictError('A deleted message cannot be pinned');
  if (state.pinnedAt) return [];
  return [{ type: 'MessagePinned', data: { messageId: state.id, by: command.actorId, at: command.now } }];
};

const unpinMessage = (command: UnpinMessage, state: MessageState): MessageEvent[] => {
  if (state.status === 'none') throw new NotFoundError('Message not found');
  if (!state.pinnedAt) return [];
  return [{ type: 'MessageUnpinned', data: { messageId: state.id, by: command.actorId, at: command.now } }];
};

export const messageDecider: Decider<MessageCommand, MessageEvent, MessageState> = {
  initialState: { status: 'none' },
  decide: (command, state) => {
    switch (command.type) {
      case 'PostMessage':
        return postMessage(command, state);
      case 'EditMessage':
        return editMessage(command, state);
      case 'DeleteMessage':
        return deleteMessage(command, state);
      case 'RemoveMessage':
        return removeMessage(command, state);
      case 'PinMessage':
        return pinMessage(command, state);
      case 'UnpinMessage':
        return unpinMessage(command, state);
      default:
        return assertNever(command);
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'MessagePosted':
        return {
          status: 'posted',
          id: event.data.messageId,
          roomId: event.data.roomId,
          authorId: event.data.authorId,
          body: event.data.body,
          createdAt: event.data.postedAt,
          editedAt: null,
          deletedAt: null,
          replyTo: event.data.replyTo,
          pinnedAt: null,
        };
      case 'MessageEdited':
        return state.status === 'posted' ? { ...state, body: event.data.body, editedAt: event.data.editedAt } : state;
      case 'MessageDeleted':
        if (state.status === 'none') return state;
        return {
          ...state,
          status: 'deleted',
          body: '',
          deletedAt: event.data.deletedAt,
          pinnedAt: null,
          ...(event.data.removedBy ? { removedBy: event.data.removedBy } : {}),
        };
      case 'MessagePinned':
        return state.status === 'posted' ? { ...state, pinnedAt: event.data.at } : state;
      case 'MessageUnpinned':
        return state.status === 'none' ? state : { ...state, pinnedAt: null };
      default:
        return state;
    }
  },
};
