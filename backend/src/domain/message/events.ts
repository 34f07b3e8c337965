import type { DomainEvent } from '../decider.js';

export type MessagePosted = DomainEvent<'MessagePosted', { messageId: string; roomId: string; authorId: string; body: string; postedAt: string }>;
export type MessageEdited = DomainEvent<'MessageEdited', { messageId: string; body: string; editedAt: string }>;
export type MessageDeleted = DomainEvent<'MessageDeleted', { messageId: string; deletedAt: string }>;
export type MessageEvent = MessagePosted | MessageEdited | MessageDeleted;
