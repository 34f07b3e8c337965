import { z } from 'zod';
import type { DomainEvent } from '../decider.js';
import { createEventCodec, eventVersions, idSchema, timestampSchema, type UndecodedEvent } from '../eventCodec.js';

export const USER_STATUSES = ['AVAILABLE', 'AWAY', 'BUSY'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export type Profile = { handle: string; displayName: string; avatarUrl: string | null };

export type UserRegistered = DomainEvent<'UserRegistered', { userId: string; registeredAt: string } & Profile>;
export type ProfileUpdated = DomainEvent<'ProfileUpdated', { userId: string; updatedAt: string } & Profile>;
export type StatusChanged = DomainEvent<'StatusChanged', { userId: string; status: UserStatus; changedAt: string }>;
export type UserEvent = UserRegistered | ProfileUpdated | StatusChanged;

// The avatar is whatever URL the sign-in provider gave; it is shown, never fetched by the server.
const profileShape = { handle: z.string().min(1), displayName: z.string().min(1), avatarUrl: z.string().nullable() };

export const userRegisteredV1Schema = z.strictObject({ userId: idSchema, registeredAt: timestampSchema, ...profileShape });
export const profileUpdatedV1Schema = z.strictObject({ userId: idSchema, updatedAt: timestampSchema, ...profileShape });
export const statusChangedV1Schema = z.strictObject({ userId: idSchema, status: z.enum(USER_STATUSES), changedAt: timestampSchema });

/** Every user event type with its versions: the schema of each, and the upcasters between them. */
export const userEventCodec = createEventCodec<UserEvent>({
  UserRegistered: eventVersions('UserRegistered', userRegisteredV1Schema),
  ProfileUpdated: eventVersions('ProfileUpdated', profileUpdatedV1Schema),
  StatusChanged: eventVersions('StatusChanged', statusChangedV1Schema),
});

/**
 * A stored user event, validated and upcast to the current version of its type. Throws
 * `EventDecodeError` (naming the type and version) for a type that is not a user event, a version
 * this code does not know, or data that fails its version's schema.
 */
export const decodeUserEvent = (stored: UndecodedEvent): UserEvent => userEventCodec.decode(stored);
