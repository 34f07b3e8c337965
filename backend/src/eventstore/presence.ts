/**
 * Who is in which room now. Deliberately not event-sourced: presence is ephemeral, held as
 * leases that expire, so a crashed instance leaves no ghosts.
 */
export interface Presence {
  /** Distinct user ids online in the room, in no particular order. */
  listOnline(roomId: string): Promise<string[]>;
  /** Tells the room's subscribers that the user is typing. */
  announceTyping(roomId: string, userId: string): Promise<void>;
}
