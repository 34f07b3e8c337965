import { builder } from './builder.js';
import { extrasOf } from './messageExtras.js';
import { MessageConnectionRef, MessageRef } from './message.js';

// Threads: a reply names its root; the root counts its replies and pages through them.
builder.objectFields(MessageRef, (t) => ({
  replyTo: t.field({
    type: MessageRef,
    nullable: true,
    description: 'The thread root this message answers; null for a top-level message. Replies also appear in Room.messages.',
    resolve: (message, _, context) => (message.replyTo ? context.queries.getMessage(message.replyTo) : null),
  }),
  replies: t.field({
    type: MessageConnectionRef,
    description: "Replies, oldest first. `after` is a reply's edge cursor.",
    args: { first: t.arg.int({ defaultValue: 50 }), after: t.arg.string() },
    resolve: (message, args, context) => context.queries.readReplies(message.id, { first: args.first ?? 50, after: args.after }),
  }),
  replyCount: t.int({
    description: 'Replies in its thread, not counting deleted ones.',
    resolve: (message, _, context) =>
      extrasOf(message)?.thread?.replyCount ?? context.loadThread(message).then((thread) => thread.replyCount),
  }),
  lastReplyAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'When the last reply was posted (null before the first).',
    resolve: (message, _, context) => {
      const thread = extrasOf(message)?.thread;
      return thread ? thread.lastReplyAt : context.loadThread(message).then((loaded) => loaded.lastReplyAt);
    },
  }),
}));
