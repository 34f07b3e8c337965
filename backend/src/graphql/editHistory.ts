import type { MessageVersion } from '../projections/editHistory.js';
import { builder } from './builder.js';
import { MessageRef } from './message.js';

const MessageVersionRef = builder.objectRef<MessageVersion>('MessageVersion').implement({
  description: 'An earlier body of a message, and when it took effect.',
  fields: (t) => ({
    body: t.exposeString('body', { description: 'Plain text, stored verbatim (render it as text).' }),
    at: t.field({
      type: 'DateTime',
      description: "When this body took effect: the message's createdAt for the first, the edit's editedAt for later ones.",
      resolve: (version) => version.at,
    }),
  }),
});

builder.objectFields(MessageRef, (t) => ({
  editHistory: t.field({
    type: [MessageVersionRef],
    description:
      'Earlier bodies, oldest first; empty when never edited, and once deleted (by its author, or removed by a moderator: for everyone). The current body is `body`, in effect since `editedAt`.',
    resolve: (message, _, context) => context.queries.readEditHistory(message),
  }),
}));
