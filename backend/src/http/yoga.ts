import { GraphQLError } from 'graphql';
import { type Plugin, type YogaServerInstance, createYoga } from 'graphql-yoga';
import type { Config } from '../config.js';
import { createContext, type GraphQLContext, type Viewer } from '../graphql/context.js';
import { maskError } from '../graphql/errors.js';
import { schema } from '../graphql/schema.js';
import type { Services } from './services.js';

/** What the transport (HTTP handler or WebSocket) knows before GraphQL runs. */
export interface ServerContext {
  viewer: Viewer | null;
  transport: 'http' | 'ws';
}

export type ChatYoga = YogaServerInstance<ServerContext, GraphQLContext>;

/**
 * Subscriptions resume from cursors over graphql-ws; Yoga's SSE transport would need the same
 * semantics built again, so over HTTP a subscription is refused with a clear error.
 */
const useWebSocketOnlySubscriptions = (): Plugin<ServerContext> => ({
  onSubscribe({ args, setResultAndStopExecution }) {
    if ((args.contextValue as Partial<ServerContext>).transport === 'ws') return;
    setResultAndStopExecution({
      errors: [new GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql', { extensions: { code: 'BAD_REQUEST' } })],
    });
  },
});

export const createChatYoga = (config: Config, services: Services): ChatYoga =>
  createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
    graphiql: { title: 'Balloons — GraphiQL', subscriptionsProtocol: 'WS' },
    maskedErrors: { maskError, isDev: !config.production && process.env.NODE_ENV === 'development' },
    // Never reflect an arbitrary Origin while credentials are allowed.
    cors: { origin: config.allowedOrigins, credentials: true, methods: ['GET', 'POST'] },
    context: ({ viewer }) =>
      createContext({ viewer, commands: services.commands, queries: services.queries, presence: services.presence }),
    plugins: [useWebSocketOnlySubscriptions()],
  });
