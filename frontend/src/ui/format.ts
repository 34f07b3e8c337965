import type { UserStatus } from '../graphql/gql/graphql.js';

/** "14:05" in the reader's locale. */
export const formatTime = (iso: string): string => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/** "Wednesday 26 November 2026, 14:05:09", for a title attribute. */
export const formatDateTime = (iso: string): string => new Date(iso).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' });

export const STATUS_LABELS: Readonly<Record<UserStatus, string>> = { AVAILABLE: 'Available', AWAY: 'Away', BUSY: 'Busy' };

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
