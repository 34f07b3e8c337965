import type { DomainEvent } from '../decider.js';

export const USER_STATUSES = ['AVAILABLE', 'AWAY', 'BUSY'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export type Profile = { handle: string; displayName: string; avatarUrl: string | null };

export type UserRegistered = DomainEvent<'UserRegistered', { userId: string; registeredAt: string } & Profile>;
export type ProfileUpdated = DomainEvent<'ProfileUpdated', { userId: string; updatedAt: string } & Profile>;
export type StatusChanged = DomainEvent<'StatusChanged', { userId: string; status: UserStatus; changedAt: string }>;
export type UserEvent = UserRegistered | ProfileUpdated | StatusChanged;
