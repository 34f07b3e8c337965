import { GraphQLError } from 'graphql';
import { type Plugin, type YogaServerInstance, createYoga, processRegularResult } from 'graphql-yoga';
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
 * semantics built again, so over HTTP a subscription is refused with a clear error: a 400 with a
 * JSON body, even to a client that accepts only text/event-stream.
 */
const useWebSocketOnlySubscriptions = (): Plugin<ServerContext> => {
  const refused = new WeakSet<Request>();
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue as Partial<ServerContext> & { request?: Request };
      if (context.transport === 'ws') return;
      if (context.request) refused.add(context.request);
      setResultAndStopExecution({
        errors: [new GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql', {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        })],
      });
    },
    onResultProcess({ request, setResultProcessor }) {
      if (refused.has(request)) setResultProcessor(processRegularResult, 'application/json');
    },
  };
};

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
