import type { ChatCommands } from '../chat/commands.js';
import type { ChatFeeds } from '../chat/feeds.js';
import type { Cursor } from '../eventstore/eventStore.js';
import type { ChatQueries, UserView } from '../chat/queries.js';
import type { Presence } from '../presence/presence.js';
import { UnauthenticatedError } from './errors.js';

/** Who is calling: the signed-in user and the session that proves it. */
export interface Viewer {
  userId: string;
  sessionId: string;
}

export interface GraphQLContext {
  viewer: Viewer | null;
  commands: ChatCommands;
  queries: ChatQueries;
  feeds: ChatFeeds;
  presence: Presence;
  /** Users by id, each read once per operation. */
  loadUser(userId: string): Promise<UserView | null>;
  /** The lobby log's cursor, read once per operation, at the first call. */
  loadLobbyCursor(): Promise<Cursor | null>;
}

export const createContext = (base: Omit<GraphQLContext, 'loadUser' | 'loadLobbyCursor'>): GraphQLContext => {
  // Made at the first load: most operations (a post, a subscription's start) load no user.
  let users: Map<string, Promise<UserView | null>> | undefined;
  let lobbyCursor: Promise<Cursor | null> | undefined;
  return {
    ...base,
    loadLobbyCursor: () => (lobbyCursor ??= base.queries.readLobbyCursor()),
    loadUser: (userId) => {
      users ??= new Map();
      let user = users.get(userId);
      if (!user) users.set(userId, (user = base.queries.getUser(userId)));
      return user;
    },
  };
};

export const requireViewer = (context: GraphQLContext): Viewer => {
  if (!context.viewer) throw new UnauthenticatedError();
  return context.viewer;
};
