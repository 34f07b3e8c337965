import type { GraphQLClient } from '../graphql/client.js';
import type { MessageFieldsFragment } from '../graphql/gql/graphql.js';
import { isPastMarker } from '../chat/readMarker.js';
import type { DesktopNotifications } from './desktopNotifications.js';
import { type NotifyRoom, type NotifyViewer, type RoomCounts, isNotable, toLookback, toNotificationText } from './notable.js';
import { NewestMessagesQuery } from './operations.js';

export interface Notifier {
  /** A message from the open room's own events (the page is hidden). */
  message(message: MessageFieldsFragment, room: NotifyRoom): void;
  /** An inbox activity changed a room's counts: its newest messages are looked through for notable ones. */
  activity(before: RoomCounts | null, after: RoomCounts & NotifyRoom & { readMarker: string | null }): void;
  /**
   * The page showed a room up to this cursor (its marker is on its way to the server): an activity
   * sent before the marker moved must not notify what the person has seen.
   */
  seen(roomId: string, cursor: string): void;
}

/**
 * Desktop notifications for mentions and direct messages while the page is hidden, from both
 * sources: the open room's events and the inbox (every other room). Each message is notified once,
 * whichever source (or tab) sees it first.
 */
export const createNotifier = (options: {
  client: GraphQLClient;
  viewer: () => NotifyViewer;
  notifications: DesktopNotifications;
  isHidden: () => boolean;
}): Notifier => {
  const seenUpTo = new Map<string, string>();
  const wanted = () => options.isHidden() && options.notifications.permission() === 'granted';
  const show = (message: MessageFieldsFragment, room: NotifyRoom) => {
    if (!isNotable(message, room, options.viewer())) return;
    void options.notifications.notify(message.id, toNotificationText(message, room), room.id);
  };
  return {
    message(message, room) {
      if (wanted()) show(message, room);
    },
    activity(before, after) {
      if (!wanted()) return;
      const last = toLookback(before, after);
      if (last === 0) return;
      void (async () => {
        const result = await options.client.urql.query(NewestMessagesQuery, { id: after.id, last }).toPromise();
        const seen = seenUpTo.get(after.id) ?? null;
        for (const edge of result.data?.room?.messages.edges ?? []) {
          if (isPastMarker(edge.cursor, after.readMarker) && isPastMarker(edge.cursor, seen)) show(edge.node, after);
        }
      })();
    },
    seen(roomId, cursor) {
      if (isPastMarker(cursor, seenUpTo.get(roomId) ?? null)) seenUpTo.set(roomId, cursor);
    },
  };
};
