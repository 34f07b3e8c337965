import { z } from 'zod';
import type { DomainEvent } from '../decider.js';
import { createEventCodec, eventVersions, idSchema, timestampSchema, type UndecodedEvent } from '../eventCodec.js';

/**
 * What a room is: PUBLIC (listed, readable by anyone signed in), PRIVATE (its members only) or
 * DIRECT (the conversation of a fixed set of people). A switch over it should end in `assertNever`.
 */
export const ROOM_KINDS = ['PUBLIC', 'PRIVATE', 'DIRECT'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

export type RoomCreated = DomainEvent<
  'RoomCreated',
  {
    roomId: string;
    name: string;
    kind: RoomKind;
    createdBy: string;
    createdAt: string;
    /** DIRECT only: the people of the conversation, sorted; they are its members for good. */
    directMembers?: string[];
  }
>;
export type RoomRenamed = DomainEvent<
  'RoomRenamed',
  { roomId: string; name: string; kind: RoomKind; renamedBy: string; renamedAt: string }
>;
export type RoomEvent = RoomCreated | RoomRenamed;

/** RoomCreated before rooms had kinds, when every room was public. */
export const roomCreatedV1Schema = z.strictObject({
  roomId: idSchema,
  name: z.string().min(1),
  createdBy: idSchema,
  createdAt: timestampSchema,
});
export type RoomCreatedV1Data = z.output<typeof roomCreatedV1Schema>;
/** RoomCreated when every room was still public, but said so. */
export const roomCreatedV2Schema = roomCreatedV1Schema.extend({ kind: z.enum(['PUBLIC']) });
/** RoomCreated with private and direct rooms. */
export const roomCreatedV3Schema = roomCreatedV1Schema.extend({
  kind: z.enum(ROOM_KINDS),
  directMembers: z.array(idSchema).min(2).optional(),
});
export const roomRenamedV1Schema = z.strictObject({
  roomId: idSchema,
  name: z.string().min(1),
  renamedBy: idSchema,
  renamedAt: timestampSchema,
});
export type RoomRenamedV1Data = z.output<typeof roomRenamedV1Schema>;
/** RoomRenamed says the room's kind, so that a reader of the lobby log alone (the directory) knows whether to list it. */
export const roomRenamedV2Schema = roomRenamedV1Schema.extend({ kind: z.enum(ROOM_KINDS) });

/** A room created before kinds existed was public: there was no other kind. */
export const upcastRoomCreatedV1 = (v1: RoomCreatedV1Data): z.output<typeof roomCreatedV2Schema> => ({ ...v1, kind: 'PUBLIC' });
/** Renamed before kinds existed: every room was public. */
export const upcastRoomRenamedV1 = (v1: RoomRenamedV1Data): RoomRenamed['data'] => ({ ...v1, kind: 'PUBLIC' });

/** Every room event type with its versions: the schema of each, and the upcasters between them. */
export const roomEventCodec = createEventCodec<RoomEvent>({
  RoomCreated: eventVersions('RoomCreated', roomCreatedV1Schema)
    .next(roomCreatedV2Schema, upcastRoomCreatedV1)
    .next(roomCreatedV3Schema, (v2) => v2),
  RoomRenamed: eventVersions('RoomRenamed', roomRenamedV1Schema).next(roomRenamedV2Schema, upcastRoomRenamedV1),
});

/**
 * A stored room event, validated and upcast to the current version of its type. Throws
 * `EventDecodeError` (naming the type and version) for a type that is not a room event, a version
 * this code does not know, or data that fails its version's schema.
 */
export const decodeRoomEvent = (stored: UndecodedEvent): RoomEvent => roomEventCodec.decode(stored);
