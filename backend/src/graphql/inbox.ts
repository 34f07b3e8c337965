import type { InboxEntry } from '../chat/feeds.js';
import { INBOX_KINDS } from '../projections/inbox/activity.js';
import { builder } from './builder.js';
import { requireViewer } from './context.js';
import { RoomRef } from './room.js';
import { VIEWER_DEPENDENT } from './viewerDependent.js';

const InboxEventKindEnum = builder.enumType('InboxEventKind', { values: INBOX_KINDS });

const InboxEventRef = builder.objectRef<InboxEntry>('InboxEvent').implement({
  description: "One change to the viewer's room list. ACTIVITY may stand for several messages.",
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: "Position in the viewer's inbox: pass it as `after` to resume." }),
    kind: t.field({ type: InboxEventKindEnum, resolve: (entry) => entry.kind }),
    at: t.field({ type: 'DateTime', resolve: (entry) => entry.at }),
    room: t.field({
      type: RoomRef,
      description: 'The room as it is now: its id, name and kind always; its other fields as the viewer may read them.',
      resolve: (entry) => entry.room,
    }),
  }),
});

builder.queryField('inboxCursor', (t) =>
  t.string({
    nullable: true,
    description:
      'The inbox\'s position when myRooms was read (read first, like lobbyCursor): subscribe to inbox with it. Null when nothing was ever in it: subscribe with `after: "0-0"`.',
    resolve: (_, __, context) => {
      requireViewer(context);
      return context.loadInboxCursor();
    },
  }),
);

builder.subscriptionField('inbox', (t) =>
  t.field({
    type: InboxEventRef,
    description:
      "The viewer's room list as it changes, for all their rooms at once; resumable from inboxCursor like roomEvents. A cursor older than the kept inbox fails with CURSOR_EXPIRED: read myRooms and inboxCursor again.",
    args: { after: t.arg.string() },
    // Each person's inbox is their own, and so is every answer about its rooms.
    extensions: VIEWER_DEPENDENT,
    subscribe: (_, args, context) => context.feeds.openInbox(requireViewer(context).userId, args.after ?? null),
    resolve: (entry: InboxEntry) => entry,
  }),
);
