import { z } from 'zod';
import type { DomainEvent } from '../decider.js';
import { createEventCodec, eventVersions, idSchema, timestampSchema, type UndecodedEvent } from '../eventCodec.js';

/** A person reacted to a message with an emoji (once per person and emoji). */
export type ReactionAdded = DomainEvent<'ReactionAdded', { messageId: string; userId: string; emoji: string; at: string }>;
/** A person took their reaction back. */
export type ReactionRemoved = DomainEvent<'ReactionRemoved', { messageId: string; userId: string; emoji: string; at: string }>;
export type ReactionEvent = ReactionAdded | ReactionRemoved;

export const reactionV1Schema = z.strictObject({ messageId: idSchema, userId: idSchema, emoji: z.string().min(1), at: timestampSchema });

/** Every reaction event type with its versions. */
export const reactionEventCodec = createEventCodec<ReactionEvent>({
  ReactionAdded: eventVersions('ReactionAdded', reactionV1Schema),
  ReactionRemoved: eventVersions('ReactionRemoved', reactionV1Schema),
});

export const decodeReactionEvent = (stored: UndecodedEvent): ReactionEvent => reactionEventCodec.decode(stored);
