import { z } from 'zod';
import type { DomainEvent } from '../decider.js';
import { createEventCodec, eventVersions, idSchema, timestampSchema, type UndecodedEvent } from '../eventCodec.js';

/** `replyTo`: the root of the thread it answers (a reply to a reply answers the root); null for a top-level message. */
export type MessagePosted = DomainEvent<
  'MessagePosted',
  { messageId: string; roomId: string; authorId: string; body: string; postedAt: string; replyTo: string | null }
>;
export type MessageEdited = DomainEvent<'MessageEdited', { messageId: string; body: string; editedAt: string }>;
/** Deleted by its author, or removed by an owner or moderator (`removedBy`, with their reason). */
export type MessageDeleted = DomainEvent<
  'MessageDeleted',
  { messageId: string; deletedAt: string; removedBy: string | null; reason: string | null }
>;
/** An owner or moderator (any member in a direct room) pinned the message to the room, or took it off. */
export type MessagePinned = DomainEvent<'MessagePinned', { messageId: string; by: string; at: string }>;
export type MessageUnpinned = DomainEvent<'MessageUnpinned', { messageId: string; by: string; at: string }>;
export type MessageEvent = MessagePosted | MessageEdited | MessageDeleted | MessagePinned | MessageUnpinned;

export const messagePostedV1Schema = z.strictObject({
  messageId: idSchema,
  roomId: idSchema,
  authorId: idSchema,
  body: z.string().min(1),
  postedAt: timestampSchema,
});
/** Replies: the thread's root. */
export const messagePostedV2Schema = messagePostedV1Schema.extend({ replyTo: idSchema.nullable() });
/** Before threads, every message was top-level. */
export const upcastMessagePostedV1 = (v1: z.output<typeof messagePostedV1Schema>): MessagePosted['data'] => ({ ...v1, replyTo: null });
export const messagePinV1Schema = z.strictObject({ messageId: idSchema, by: idSchema, at: timestampSchema });
export const messageEditedV1Schema = z.strictObject({ messageId: idSchema, body: z.string().min(1), editedAt: timestampSchema });
export const messageDeletedV1Schema = z.strictObject({ messageId: idSchema, deletedAt: timestampSchema });
/** Moderators remove others' messages: who did, and why. */
export const messageDeletedV2Schema = messageDeletedV1Schema.extend({ removedBy: idSchema.nullable(), reason: z.string().nullable() });
/** Before moderation, only authors deleted. */
export const upcastMessageDeletedV1 = (v1: z.output<typeof messageDeletedV1Schema>): MessageDeleted['data'] => ({
  ...v1,
  removedBy: null,
  reason: null,
});

/** Every message event type with its versions: the schema of each, and the upcasters between them. */
export const messageEventCodec = createEventCodec<MessageEvent>({
  MessagePosted: eventVersions('MessagePosted', messagePostedV1Schema).next(messagePostedV2Schema, upcastMessagePostedV1),
  MessageEdited: eventVersions('MessageEdited', messageEditedV1Schema),
  MessageDeleted: eventVersions('MessageDeleted', messageDeletedV1Schema).next(messageDeletedV2Schema, upcastMessageDeletedV1),
  MessagePinned: eventVersions('MessagePinned', messagePinV1Schema),
  MessageUnpinned: eventVersions('MessageUnpinned', messagePinV1Schema),
});

/**
 * A stored message event, validated and upcast to the current version of its type. Throws
 * `EventDecodeError` (naming the type and version) for a type that is not a message event, a
 * version this code does not know, or data that fails its version's schema.
 */
export const decodeMessageEvent = (stored: UndecodedEvent): MessageEvent => messageEventCodec.decode(stored);
