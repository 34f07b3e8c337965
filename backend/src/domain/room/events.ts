import { z } from 'zod';
import type { DomainEvent } from '../decider.js';
import { createEventCodec, eventVersions, idSchema, timestampSchema, type UndecodedEvent } from '../eventCodec.js';

export type RoomCreated = DomainEvent<'RoomCreated', { roomId: string; name: string; createdBy: string; createdAt: string }>;
export type RoomRenamed = DomainEvent<'RoomRenamed', { roomId: string; name: string; renamedBy: string; renamedAt: string }>;
export type RoomEvent = RoomCreated | RoomRenamed;

export const roomCreatedV1Schema = z.strictObject({ roomId: idSchema, name: z.string().min(1), createdBy: idSchema, createdAt: timestampSchema });
export const roomRenamedV1Schema = z.strictObject({ roomId: idSchema, name: z.string().min(1), renamedBy: idSchema, renamedAt: timestampSchema });

/** Every room event type with its versions: the schema of each, and the upcasters between them. */
export const roomEventCodec = createEventCodec<RoomEvent>({
  RoomCreated: eventVersions('RoomCreated', roomCreatedV1Schema),
  RoomRenamed: eventVersions('RoomRenamed', roomRenamedV1Schema),
});

/**
 * A stored room event, validated and upcast to the current version of its type. Throws
 * `EventDecodeError` (naming the type and version) for a type that is not a room event, a version
 * this code does not know, or data that fails its version's schema.
 */
export const decodeRoomEvent = (stored: UndecodedEvent): RoomEvent => roomEventCodec.decode(stored);
