import type { MessagePage, MessageView } from '../chat/queries.js';
import { builder } from './builder.js';
import { PageInfoRef, toPageInfo } from './pageInfo.js';
import { preloadExtras } from './messageExtras.js';
import { VIEWER_DEPENDENT } from './viewerDependent.js';
import { requireViewer } from './context.js';
import { RoomRef, requireReadable } from './room.js';
import { maySeeRoom } from '../chat/policy.js';
import { UserRef, resolveUser } from './user.js';

export const MessageRef = builder.objectRef<MessageView>('Message');

MessageRef.implement({
  description: 'A message in a room. A deleted message stays in place with an empty body.',
  fields: (t) => ({
    id: t.exposeID('id'),
    room: t.field({
      type: RoomRef,
      resolve: async (message, _, context) => {
        const room = await context.queries.getRoom(message.roomId);
        if (!room) throw new Error(`room ${message.roomId} is unknown`);
        return room;
      },
    }),
    // Subscribers' entries carry the author: their renders then wait for nothing.
    author: t.field({ type: UserRef, resolve: (message, _, context) => message.author ?? resolveUser(message.authorId, context) }),
    body: t.exposeString('body', { description: 'Plain text, stored verbatim (render it as text); "" once deleted.' }),
    createdAt: t.field({
      type: 'DateTime',
      description:
        "When the instance that accepted it read its clock. Order is the log's (edge and event cursors), never this: two instances' clocks, or a stalled store, can make it disagree with the order by a few seconds.",
      resolve: (message) => message.createdAt,
    }),
    editedAt: t.field({ type: 'DateTime', nullable: true, resolve: (message) => message.editedAt }),
    deletedAt: t.field({ type: 'DateTime', nullable: true, resolve: (message) => message.deletedAt }),
    mine: t.boolean({
      description:
        'Whether the viewer wrote this message (false when signed out). Depends on who asks: a subscription that selects it is rendered for each viewer.',
      extensions: VIEWER_DEPENDENT,
      resolve: (message, _, context) => message.authorId === context.viewer?.userId,
    }),
  }),
});

type Edge = MessagePage['edges'][number];

const MessageEdgeRef = builder.objectRef<Edge>('MessageEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: "The message's position in the room's log." }),
    node: t.field({ type: MessageRef, resolve: (edge) => edge.node }),
  }),
});

export const MessageConnectionRef = builder.objectRef<MessagePage>('MessageConnection').implement({
  fields: (t) => ({
    edges: t.field({
      type: [MessageEdgeRef],
      resolve: async (page, _, context, info) => {
        await preloadExtras(
          page.edges.map((edge) => edge.node),
          context,
          info,
        );
        return page.edges;
      },
    }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (page) => toPageInfo(page.edges, page) }),
  }),
});

builder.queryFields((t) => ({
  message: t.field({
    type: MessageRef,
    nullable: true,
    description:
      "A message by id, for a thread's root or a jump to it: null when unknown or in a room that is not there for the viewer (like `room`); FORBIDDEN where the viewer sees the room but may not read it.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_, args, context) => {
      const message = await context.queries.getMessage(String(args.id));
      const room = message && (await context.queries.getRoom(message.roomId));
      if (!message || !room || (room.kind !== 'PUBLIC' && !maySeeRoom(await context.loadAccess(room)))) return null;
      await requireReadable(room, context);
      return message;
    },
  }),
}));

builder.mutationFields((t) => ({
  postMessage: t.field({
    type: MessageRef,
    description:
      'Body trimmed, 1–4000 characters. `clientId` (1–64 chars) makes the call idempotent: a retry with the same clientId by the same user in the same room returns the first Message and posts nothing. `replyTo` answers a message of the same room (a reply to a reply answers its root); replying to a deleted root is allowed: its thread lives on.',
    args: { roomId: t.arg.id({ required: true }), body: t.arg.string({ required: true }), clientId: t.arg.string(), replyTo: t.arg.id() },
    resolve: (_, args, context) =>
      context.commands.postMessage({
        actorId: requireViewer(context).userId,
        roomId: String(args.roomId),
        body: args.body,
        clientId: args.clientId,
        replyTo: args.replyTo == null ? null : String(args.replyTo),
      }),
  }),
  editMessage: t.field({
    type: MessageRef,
    description: "The author's new body for the message (same rules as postMessage).",
    args: { id: t.arg.id({ required: true }), body: t.arg.string({ required: true }) },
    resolve: (_, args, context) =>
      context.commands.editMessage({ actorId: requireViewer(context).userId, messageId: String(args.id), body: args.body }),
  }),
  deleteMessage: t.field({
    type: MessageRef,
    description: 'Deletes the message (author only); it stays in history as a tombstone with an empty body.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, args, context) => context.commands.deleteMessage({ actorId: requireViewer(context).userId, messageId: String(args.id) }),
  }),
}));
