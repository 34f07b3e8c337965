import { z } from 'zod';
import { EventDecodeError } from '../domain/events.js';

/**
 * Ephemeral activity entries (never replayed, so one version and no upcasting): a person's
 * presence and typing in a room, and online counts changing in the lobby.
 */
export const ROOM_ACTIVITY_TYPES = ['UserJoined', 'UserLeft', 'UserStatusChanged', 'UserTyping'] as const;
export type RoomActivityType = (typeof ROOM_ACTIVITY_TYPES)[number];
/** Several people came or went at once (see coalescer.ts); the lists may be cut short, the count is exact. */
export const PRESENCE_CHANGED = 'PresenceChanged';
/** At most this many names in each list of a PresenceChanged; past it, `onlineCount` and `online` tell. */
export const PRESENCE_MAX_NAMES = 20;

/** The version activity entries are written as. */
export const ACTIVITY_VERSION = 1;

const roomActivitySchema = z.strictObject({ userId: z.string().min(1), at: z.iso.datetime({ offset: true }) });
const presenceChangedSchema = z.strictObject({
  joined: z.array(z.string().min(1)).max(PRESENCE_MAX_NAMES),
  left: z.array(z.string().min(1)).max(PRESENCE_MAX_NAMES),
  onlineCount: z.number().int().min(0),
  at: z.iso.datetime({ offset: true }),
});
const onlineCountChangedSchema = z.strictObject({ roomId: z.string().min(1), at: z.iso.datetime({ offset: true }) });

export type RoomActivity = { type: RoomActivityType } & z.infer<typeof roomActivitySchema>;
export type PresenceChanged = { type: typeof PRESENCE_CHANGED } & z.infer<typeof presenceChangedSchema>;
export type OnlineCountChanged = { type: 'OnlineCountChanged' } & z.infer<typeof onlineCountChangedSchema>;

const isRoomActivityType = (type: string): type is RoomActivityType => (ROOM_ACTIVITY_TYPES as readonly string[]).includes(type);

const refusal = (stored: { type: string; v: number }, why: string) =>
  new EventDecodeError(`Cannot decode ${stored.type} v${stored.v}: ${why}`, { eventType: stored.type, version: stored.v });

const parse = <T>(schema: z.ZodType<T>, stored: { type: string; v: number; data: unknown }): T => {
  if (stored.v !== ACTIVITY_VERSION) throw refusal(stored, `unknown version (this code knows v${ACTIVITY_VERSION})`);
  const result = schema.safeParse(stored.data);
  if (!result.success)
    throw refusal(stored, result.error.issues.map((issue) => `data.${issue.path.join('.')}: ${issue.message}`).join('; '));
  return result.data;
};

/** A room's activity entry, validated; throws `EventDecodeError` for anything else. */
export const decodeRoomActivity = (stored: { type: string; v: number; data: unknown }): RoomActivity | PresenceChanged => {
  if (stored.type === PRESENCE_CHANGED) return { type: PRESENCE_CHANGED, ...parse(presenceChangedSchema, stored) };
  if (!isRoomActivityType(stored.type)) throw refusal(stored, 'not a room activity');
  return { type: stored.type, ...parse(roomActivitySchema, stored) };
};

/** The lobby's activity entry (an online count changed), validated. */
export const decodeOnlineCountChanged = (stored: { type: string; v: number; data: unknown }): OnlineCountChanged => {
  if (stored.type !== 'OnlineCountChanged') throw refusal(stored, 'not a lobby activity');
  return { type: stored.type, ...parse(onlineCountChangedSchema, stored) };
};
