import type { GraphQLResolveInfo } from 'graphql';
import type { MessageView, UserView } from '../chat/queries.js';
import type { TallyGroup } from '../eventstore/tallies.js';
import type { ThreadInfo } from '../projections/threads.js';
import type { GraphQLContext } from './context.js';
import { selectsPath } from './selects.js';

/** One emoji's reactions to one message, as a page reads them: the viewer's own, and the people, when known. */
export interface ReactionView {
  group: TallyGroup;
  message: { id: string; roomId: string };
  mine?: boolean;
  users?: UserView[];
}

/** What a page of messages read for its nodes beforehand, so that their fields answer without waiting. */
interface Extras {
  thread?: ThreadInfo;
  reactions?: ReactionView[];
}

// Keyed by the page's own message objects (made for one request), never by a shared entry's.
const extras = new WeakMap<MessageView, Extras>();

export const extrasOf = (message: MessageView): Extras | undefined => extras.get(message);

/**
 * Reads, in one go for a page's messages (one room's), what the document asks of them: thread
 * counters, reaction groups with the viewer's own and their first people. A page of fifty
 * messages then resolves a few hundred reaction and thread fields synchronously, instead of each
 * waiting on a promise of its own.
 */
export const preloadExtras = async (messages: readonly MessageView[], context: GraphQLContext, info: GraphQLResolveInfo) => {
  const first = messages[0];
  if (!first) return;
  const wants = {
    threads: selectsPath(info, ['node', 'replyCount']) || selectsPath(info, ['node', 'lastReplyAt']),
    reactions: selectsPath(info, ['node', 'reactions']),
    users: selectsPath(info, ['node', 'reactions', 'users']),
  };
  if (!wants.threads && !wants.reactions) return;
  const { queries, viewer } = context;
  const roomId = first.roomId;
  const ids = messages.map((message) => message.id);
  const [threads, groups, own] = await Promise.all([
    wants.threads ? queries.readThreads(roomId, ids) : null,
    wants.reactions ? queries.readReactionGroups(roomId, ids) : null,
    wants.reactions && viewer ? queries.readOwnReactions(roomId, viewer.userId, ids) : null,
  ]);
  const people = wants.users && groups ? await queries.getUsers(groups.flatMap((list) => list.flatMap((group) => group.m))) : null;
  messages.forEach((message, i) => {
    extras.set(message, {
      thread: threads?.[i],
      reactions: groups?.[i]?.map((group) => ({
        group,
        message,
        mine: own ? own[i]!.has(group.g) : false,
        users: people ? group.m.map((id) => people.get(id)!) : undefined,
      })),
    });
  });
};
