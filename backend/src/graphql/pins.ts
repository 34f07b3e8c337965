import type { PinEntry } from '../chat/feeds.js';
import { PINNED_MAX } from '../domain/message/message.js';
import { builder } from './builder.js';
import { requireViewer } from './context.js';
import { MessageRef } from './message.js';
import { RoomRef, requireReadable } from './room.js';
import { RoomEventRef } from './roomEvents.js';
import { UserRef } from './user.js';

builder.objectFields(MessageRef, (t) => ({
  pinnedAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'When it was pinned to its room; null when it is not pinned.',
    resolve: (message) => message.pinnedAt ?? null,
  }),
}));

builder.objectFields(RoomRef, (t) => ({
  pinned: t.field({
    type: [MessageRef],
    description: `Pinned messages, most recently pinned first (at most ${PINNED_MAX}; a deleted message is unpinned).`,
    resolve: async (room, _, context) => {
      await requireReadable(room, context);
      return context.queries.readPinned(room.id);
    },
  }),
}));

for (const [name, description] of [
  ['MessagePinned', 'A message was pinned to the room.'],
  ['MessageUnpinned', 'A message was unpinned.'],
] as const) {
  builder.objectRef<PinEntry>(name).implement({
    description: `${description} \`message\` is the message as it is now.`,
    interfaces: [RoomEventRef],
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      message: t.field({ type: MessageRef, resolve: (entry) => entry.message }),
      by: t.field({ type: UserRef, resolve: (entry) => entry.by }),
    }),
  });
}

builder.mutationFields((t) => ({
  pinMessage: t.field({
    type: MessageRef,
    description: `Owner and moderators; in DIRECT rooms any member. Pinning a pinned message changes nothing; at most ${PINNED_MAX} per room.`,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, args, context) => context.commands.pinMessage({ actorId: requireViewer(context).userId, messageId: String(args.id) }),
  }),
  unpinMessage: t.field({
    type: MessageRef,
    description: 'Owner and moderators; in DIRECT rooms any member.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, args, context) => context.commands.unpinMessage({ actorId: requireViewer(context).userId, messageId: String(args.id) }),
  }),
}));
