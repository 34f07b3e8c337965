import type { DomainEvent } from '../decider.js';

export type RoomCreated = DomainEvent<'RoomCreated', { roomId: string; name: string; createdBy: string; createdAt: string }>;
export type RoomRenamed = DomainEvent<'RoomRenamed', { roomId: string; name: string; renamedBy: string; renamedAt: string }>;
export type RoomEvent = RoomCreated | RoomRenamed;
