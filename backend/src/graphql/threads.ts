import { builder } from './builder.js';
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
    resolve: async (message, _, context) => (await context.loadThread(message)).replyCount,
  }),
  lastReplyAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'When the last reply was posted (null before the first).',
    resolve: async (message, _, context) => (await context.loadThread(message)).lastReplyAt,
  }),
}));
