import { z } from 'zod';
import type { DomainEvent } from '../decider.js';
import { createEventCodec, eventVersions, idSchema, timestampSchema, type UndecodedEvent } from '../eventCodec.js';

export type MessagePosted = DomainEvent<
  'MessagePosted',
  { messageId: string; roomId: string; authorId: string; body: string; postedAt: string }
>;
export type MessageEdited = DomainEvent<'MessageEdited', { messageId: string; body: string; editedAt: string }>;
/** Deleted by its author, or removed by an owner or moderator (`removedBy`, with their reason). */
export type MessageDeleted = DomainEvent<
  'MessageDeleted',
  { messageId: string; deletedAt: string; removedBy: string | null; reason: string | null }
>;
export type MessageEvent = MessagePosted | MessageEdited | MessageDeleted;

export const messagePostedV1Schema = z.strictObject({
  messageId: idSchema,
  roomId: idSchema,
  authorId: idSchema,
  body: z.string().min(1),
  postedAt: timestampSchema,
});
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
  MessagePosted: eventVersions('MessagePosted', messagePostedV1Schema),
  MessageEdited: eventVersions('MessageEdited', messageEditedV1Schema),
  MessageDeleted: eventVersions('MessageDeleted', messageDeletedV1Schema).next(messageDeletedV2Schema, upcastMessageDeletedV1),
});

/**
 * A stored message event, validated and upcast to the current version of its type. Throws
 * `EventDecodeError` (naming the type and version) for a type that is not a message event, a
 * version this code does not know, or data that fails its version's schema.
 */
export const decodeMessageEvent = (stored: UndecodedEvent): MessageEvent => messageEventCodec.decode(stored);
