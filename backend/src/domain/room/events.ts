import { z } from 'zod';
import type { DomainEvent } from '../decider.js';
import { createEventCodec, eventVersions, idSchema, timestampSchema, type UndecodedEvent } from '../eventCodec.js';

/**
 * What a room is. The union will grow (private and direct rooms are next), so a switch over it
 * should end in `assertNever` to be found when it does.
 */
export const ROOM_KINDS = ['PUBLIC'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

export type RoomCreated = DomainEvent<
  'RoomCreated',
  { roomId: string; name: string; kind: RoomKind; createdBy: string; createdAt: string }
>;
export type RoomRenamed = DomainEvent<'RoomRenamed', { roomId: string; name: string; renamedBy: string; renamedAt: string }>;
export type RoomEvent = RoomCreated | RoomRenamed;

/** RoomCreated before rooms had kinds, when every room was public. */
export const roomCreatedV1Schema = z.strictObject({
  roomId: idSchema,
  name: z.string().min(1),
  createdBy: idSchema,
  createdAt: timestampSchema,
});
export type RoomCreatedV1Data = z.output<typeof roomCreatedV1Schema>;
export const roomCreatedV2Schema = roomCreatedV1Schema.extend({ kind: z.enum(ROOM_KINDS) });
export const roomRenamedV1Schema = z.strictObject({
  roomId: idSchema,
  name: z.string().min(1),
  renamedBy: idSchema,
  renamedAt: timestampSchema,
});

/** A room created before kinds existed was public: there was no other kind. */
export const upcastRoomCreatedV1 = (v1: RoomCreatedV1Data): RoomCreated['data'] => ({ ...v1, kind: 'PUBLIC' });

/** Every room event type with its versions: the schema of each, and the upcasters between them. */
export const roomEventCodec = createEventCodec<RoomEvent>({
  RoomCreated: eventVersions('RoomCreated', roomCreatedV1Schema).next(roomCreatedV2Schema, upcastRoomCreatedV1),
  RoomRenamed: eventVersions('RoomRenamed', roomRenamedV1Schema),
});

/**
 * A stored room event, validated and upcast to the current version of its type. Throws
 * `EventDecodeError` (naming the type and version) for a type that is not a room event, a version
 * this code does not know, or data that fails its version's schema.
 */
export const decodeRoomEvent = (stored: UndecodedEvent): RoomEvent => roomEventCodec.decode(stored);
