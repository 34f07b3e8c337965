import type { LobbyEntry } from '../chat/feeds.js';
import { builder } from './builder.js';
import { requireViewer } from './context.js';
import { RoomRef } from './room.js';

const KINDS = { RoomCreated: 'ROOM_CREATED', RoomRenamed: 'ROOM_RENAMED' } as const;

const LobbyEventKindEnum = builder.enumType('LobbyEventKind', {
  values: ['ROOM_CREATED', 'ROOM_RENAMED', 'ONLINE_COUNT_CHANGED'] as const,
});

const LobbyEventRef = builder.objectRef<LobbyEntry>('LobbyEvent').implement({
  description: 'A change to the room list.',
  fields: (t) => ({
    kind: t.field({
      type: LobbyEventKindEnum,
      resolve: (entry) => (entry.kind === 'OnlineCountChanged' ? 'ONLINE_COUNT_CHANGED' : KINDS[entry.kind]),
    }),
    at: t.field({ type: 'DateTime', resolve: (entry) => entry.at }),
    room: t.field({ type: RoomRef, resolve: (entry) => entry.room }),
    cursor: t.string({
      nullable: true,
      description: "Position in the lobby's log (null for online-count changes): pass it as `after` to resume.",
      resolve: (entry) => entry.cursor,
    }),
  }),
});

builder.subscriptionField('lobbyEvents', (t) =>
  t.field({
    type: LobbyEventRef,
    description: 'Rooms created, renamed, and online counts changing, for the room list. `after` resumes like roomEvents.',
    args: { after: t.arg.string() },
    subscribe: (_, args, context) => {
      requireViewer(context);
      return context.feeds.openLobbyEvents(args.after ?? null);
    },
    resolve: (entry: LobbyEntry) => entry,
  }),
);
