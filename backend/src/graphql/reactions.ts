import type { ReactionEntry } from '../chat/feeds.js';
import { REACTION_USERS_KEPT } from '../domain/reaction/reaction.js';
import { ValidationError } from '../domain/errors.js';
import { type ReactionView, extrasOf } from './messageExtras.js';
import { builder } from './builder.js';
import { requireViewer } from './context.js';
import { MessageRef } from './message.js';
import { RoomEventRef } from './roomEvents.js';
import { UserRef, resolveUser } from './user.js';
import { VIEWER_DEPENDENT } from './viewerDependent.js';

const ReactionRef = builder.objectRef<ReactionView>('Reaction').implement({
  description: "One emoji's reactions to a message.",
  fields: (t) => ({
    emoji: t.string({ resolve: (reaction) => reaction.group.g }),
    count: t.int({ resolve: (reaction) => reaction.group.n }),
    users: t.field({
      type: [UserRef],
      description: `The first people who reacted with it, in order (at most ${REACTION_USERS_KEPT}).`,
      args: { first: t.arg.int({ defaultValue: 20 }) },
      resolve: (reaction, args, context) => {
        const first = args.first ?? 20;
        if (!Number.isInteger(first) || first < 0 || first > REACTION_USERS_KEPT) {
          throw new ValidationError(`first must be 0–${REACTION_USERS_KEPT}`, 'first');
        }
        return reaction.users?.slice(0, first) ?? Promise.all(reaction.group.m.slice(0, first).map((id) => resolveUser(id, context)));
      },
    }),
    reactedByMe: t.boolean({
      description: 'Whether the viewer reacted with it (false when signed out).',
      extensions: VIEWER_DEPENDENT,
      resolve: (reaction, _, context) =>
        reaction.mine ?? context.loadOwnReactions(reaction.message).then((own) => own.has(reaction.group.g)),
    }),
  }),
});

builder.objectFields(MessageRef, (t) => ({
  reactions: t.field({
    type: [ReactionRef],
    description: 'Grouped by emoji, in order of first use; empty once the message is deleted.',
    resolve: (message, _, context) => {
      if (message.status === 'deleted') return [];
      return (
        extrasOf(message)?.reactions ??
        context.loadReactionGroups(message).then((groups) => groups.map((group): ReactionView => ({ group, message })))
      );
    },
  }),
}));

for (const [name, description] of [
  ['ReactionAdded', 'Someone reacted to a message.'],
  ['ReactionRemoved', 'Someone took their reaction back.'],
] as const) {
  builder.objectRef<ReactionEntry>(name).implement({
    description: `${description} \`message\` is the message as it is now.`,
    interfaces: [RoomEventRef],
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      message: t.field({ type: MessageRef, resolve: (entry) => entry.message }),
      user: t.field({ type: UserRef, resolve: (entry) => entry.user }),
      emoji: t.exposeString('emoji'),
    }),
  });
}

builder.mutationFields((t) => ({
  react: t.field({
    type: MessageRef,
    description:
      'Idempotent: reacting twice with one emoji counts once. One emoji (a single emoji grapheme); at most 20 kinds per message. Reacting in a public room joins it, as posting does.',
    args: { messageId: t.arg.id({ required: true }), emoji: t.arg.string({ required: true }) },
    resolve: (_, args, context) =>
      context.commands.react({ actorId: requireViewer(context).userId, messageId: String(args.messageId), emoji: args.emoji }),
  }),
  unreact: t.field({
    type: MessageRef,
    description: "Takes the viewer's reaction back; nothing when there was none.",
    args: { messageId: t.arg.id({ required: true }), emoji: t.arg.string({ required: true }) },
    resolve: (_, args, context) =>
      context.commands.unreact({ actorId: requireViewer(context).userId, messageId: String(args.messageId), emoji: args.emoji }),
  }),
}));
