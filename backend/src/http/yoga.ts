import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { type ASTVisitor, GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from 'graphql';
import type { RateLimits } from '../auth/rateLimits.js';
import { MAX_COST, documentCosts } from '../graphql/cost.js';
import { chargeOperation } from '../graphql/queryBudget.js';
import { type Plugin, type YogaServerInstance, createYoga, processRegularResult } from 'graphql-yoga';
import type { Config } from '../config.js';
import { createContext, type GraphQLContext, type Viewer } from '../graphql/context.js';
import { toDocumentTooComplexError, toMaskError, withoutSuggestions } from '../graphql/errors.js';
import { schema } from '../graphql/schema.js';
import { renderGraphiQL } from './graphiql.js';
import { useServerTiming } from './serverTiming.js';
import type { Services } from '../services.js';

/** What the transport (HTTP handler, WebSocket or Server-Sent Events) knows before GraphQL runs. */
export interface ServerContext {
  viewer: Viewer | null;
  transport: 'http' | 'ws' | 'sse';
  /** The client's address (see `toClientAddress`): whose budget a signed-out query spends. */
  address: string;
  /** `performance.now()` when an HTTP request arrived: where its `Server-Timing` starts (see serverTiming.ts). */
  receivedAt?: number;
}

export type ChatYoga = YogaServerInstance<ServerContext, GraphQLContext>;

/**
 * Subscriptions resume from cursors over graphql-ws and over Server-Sent Events (sse.ts, which
 * takes a subscription that accepts `text/event-stream` before Yoga sees it). Yoga's own SSE and
 * multipart transports would not resume, so a subscription that reaches Yoga over HTTP is refused
 * with a clear error: a 400 with a JSON body.
 */
const useOwnSubscriptionTransports = (): Plugin<ServerContext> => {
  const refused = new WeakSet<Request>();
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue as Partial<ServerContext> & { request?: Request };
      if (context.transport === 'ws' || context.transport === 'sse') return;
      if (context.request) refused.add(context.request);
      setResultAndStopExecution({
        errors: [
          new GraphQLError(
            'Subscriptions are served over WebSocket (graphql-transport-ws) and Server-Sent Events (Accept: text/event-stream, the graphql-sse protocol) at /graphql',
            {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            },
          ),
        ],
      });
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      // A single result (a refusal before execution, like the CSRF check's) is JSON too, even to a
      // client that asked only for a stream: every failure answers JSON. (No processor at all is
      // Yoga's 406 for an Accept it cannot serve; that stays.)
      const single = !(typeof result === 'object' && result !== null && Symbol.asyncIterator in result);
      const streamed = resultProcessor !== undefined && resultProcessor !== processRegularResult;
      if (refused.has(request) || (single && streamed)) {
        setResultProcessor(processRegularResult, 'application/json');
      }
    },
  };
};

/**
 * What a document may ask for, checked at parse and validation (and its cost: `MAX_COST`), so it
 * holds over HTTP and over the WebSocket alike (ws.ts runs the same envelop). Sized well above the UI's own documents (checked
 * by a test) and far below what takes a server down.
 */
export const DOCUMENT_LIMITS = {
  maxDepth: 8,
  maxAliases: 10,
  maxDirectives: 10,
  maxTokens: 1000,
} as const;

/**
 * graphql-armor on parse (tokens) and validation (depth, aliases, directives, cost). Fragments do
 * not add depth (only fields do); introspection is not counted, so GraphiQL's deep schema query
 * passes. In production, "Did you mean …?" is cut from validation errors: it would map the schema
 * for someone whose introspection is off.
 */
const useDocumentLimits = (config: Config): Plugin<ServerContext> => {
  // Reported as validation errors with a code, rather than thrown (armor's default), so both
  // transports answer them like any invalid document. The token count runs inside the parser,
  // where there is no validation context: there the error is thrown, as a syntax error would be.
  const refusal = {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const refused = toDocumentTooComplexError(error.message);
        if (!context) throw refused;
        context.reportError(refused);
      },
    ],
  };
  return EnvelopArmorPlugin({
    maxDepth: { n: DOCUMENT_LIMITS.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...refusal },
    maxAliases: { n: DOCUMENT_LIMITS.maxAliases, ...refusal },
    maxDirectives: { n: DOCUMENT_LIMITS.maxDirectives, ...refusal },
    maxTokens: { n: DOCUMENT_LIMITS.maxTokens, ...refusal },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: config.production },
  }) as Plugin<ServerContext>;
};

/** Refuses a document any of whose operations could answer more than `MAX_COST` values (see cost.ts). */
const CostLimitRule = (context: ValidationContext): ASTVisitor => ({
  Document: {
    leave(document) {
      for (const { name, cost } of documentCosts(context.getSchema(), document, null)) {
        if (cost <= MAX_COST) continue;
        context.reportError(
          toDocumentTooComplexError(`Query cost limit of ${MAX_COST} exceeded: ${name ? `${name} ` : ''}could answer ${cost} values`),
        );
      }
    },
  },
});

const useCostLimit = (): Plugin<ServerContext> => ({
  onValidate({ addValidationRule }) {
    addValidationRule(CostLimitRule);
  },
});

/**
 * What queries over HTTP cost is charged to their sender's budget (`chargeOperation`); the
 * WebSocket and SSE charge theirs where they start them.
 */
const useQueryBudget = (limits: RateLimits): Plugin<ServerContext> => ({
  async onExecute({ args, setResultAndStopExecution }) {
    const context = args.contextValue as Partial<ServerContext>;
    if (context.transport !== 'http') return;
    const { refused } = await chargeOperation(
      limits,
      { viewer: context.viewer ?? null, address: context.address ?? 'unknown' },
      { schema: args.schema, document: args.document, operationName: args.operationName, variables: args.variableValues },
    );
    if (refused) setResultAndStopExecution({ errors: [refused] });
  },
});

/**
 * Introspection off (production with GRAPHQL_INTROSPECTION=0) as a validation rule rather than
 * Yoga's HTTP-only plugin, so the WebSocket refuses it too.
 */
/** Validation's "Did you mean …?" hidden (enum values, arguments, types; graphql-armor hides the fields'). */
const useHiddenSuggestions = (): Plugin<ServerContext> => ({
  onValidate:
    () =>
    ({ result, setResult }) => {
      if (result.length > 0) setResult(result.map((error) => withoutSuggestions(error) as GraphQLError));
    },
});

const useNoIntrospection = (): Plugin<ServerContext> => ({
  onValidate({ addValidationRule }) {
    addValidationRule(NoSchemaIntrospectionCustomRule);
  },
});

/**
 * An operation's context, over either transport: Yoga's `context` below, and ws.ts's directly.
 * (Envelop's context pipeline, where this is the only hook, cost a visible share of every operation on a socket.)
 */
export const toContextFactory =
  (services: Pick<Services, 'commands' | 'queries' | 'feeds' | 'presence' | 'search'>) =>
  (viewer: Viewer | null): GraphQLContext =>
    createContext({
      viewer,
      commands: services.commands,
      queries: services.queries,
      feeds: services.feeds,
      presence: services.presence,
      search: services.search,
    });

/**
 * The Yoga instance behind both transports. Over HTTP: CORS answers only the allowed origins (never
 * a reflected one: Yoga's default reflects any origin, with credentials), and the CSRF prevention
 * plugin refuses requests a browser could send cross-site without a preflight (a GET, or a
 * form-encoded POST) unless they carry `x-graphql-yoga-csrf`; `application/json` POSTs (the UI,
 * GraphiQL) pass. Batching is off: one operation per request.
 */
export const createChatYoga = (config: Config, services: Services): ChatYoga => {
  const toContext = toContextFactory(services);
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
    batching: false,
    // app.ts reads every body itself, under BODY_LIMIT_BYTES, and hands Yoga the bytes. Yoga's own
    // limit would pipe them again through a TransformStream (a stream pipeline and an aborted
    // AbortController per request, a visible share of every HTTP operation in a profile).
    maxRequestBodySize: false,
    // GraphiQL builds itself from introspection: without it there is nothing to show.
    graphiql: config.introspection ? { title: 'Balloons — GraphiQL', subscriptionsProtocol: 'WS' } : false,
    // Served from here, not from a CDN (graphiql.ts).
    renderGraphiQL,
    maskedErrors: { maskError: toMaskError(config.production), isDev: !config.production && process.env.NODE_ENV === 'development' },
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !config.allowedOrigins.includes(origin)) return false;
      return {
        origin: [origin],
        credentials: true,
        methods: ['GET', 'POST'],
        // Last-Event-ID: a graphql-sse client resuming a stream from a page of an allowed origin.
        allowedHeaders: ['content-type', 'accept', 'x-graphql-yoga-csrf', 'last-event-id'],
      };
    },
    context: ({ viewer }) => toContext(viewer),
    plugins: [
      useServerTiming<ServerContext>(),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      useDocumentLimits(config),
      useCostLimit(),
      useQueryBudget(services.limits),
      ...(config.introspection ? [] : [useNoIntrospection()]),
      ...(config.production ? [useHiddenSuggestions()] : []),
      useOwnSubscriptionTransports(),
    ],
  });
};
