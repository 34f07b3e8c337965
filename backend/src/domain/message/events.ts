import { z } from 'zod';
import type { DomainEvent } from '../decider.js';
import { createEventCodec, eventVersions, idSchema, timestampSchema, type UndecodedEvent } from '../eventCodec.js';

export type MessagePosted = DomainEvent<
  'MessagePosted',
  { messageId: string; roomId: string; authorId: string; body: string; postedAt: string }
>;
export type MessageEdited = DomainEvent<'MessageEdited', { messageId: string; body: string; editedAt: string }>;
export type MessageDeleted = DomainEvent<'MessageDeleted', { messageId: string; deletedAt: string }>;
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

/** Every message event type with its versions: the schema of each, and the upcasters between them. */
export const messageEventCodec = createEventCodec<MessageEvent>({
  MessagePosted: eventVersions('MessagePosted', messagePostedV1Schema),
  MessageEdited: eventVersions('MessageEdited', messageEditedV1Schema),
  MessageDeleted: eventVersions('MessageDeleted', messageDeletedV1Schema),
});

/**
 * A stored message event, validated and upcast to the current version of its type. Throws
 * `EventDecodeError` (naming the type and version) for a type that is not a message event, a
 * version this code does not know, or data that fails its version's schema.
 */
export const decodeMessageEvent = (stored: UndecodedEvent): MessageEvent => messageEventCodec.decode(stored);
