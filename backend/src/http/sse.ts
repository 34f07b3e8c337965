import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  getOperationAST,
} from 'graphql';
import { MAX_SOCKETS_PER_USER, type SocketLease, type SocketLeases } from '../auth/socketLeases.js';
import type { GraphQLContext, Viewer } from '../graphql/context.js';
import { UnauthenticatedError, toFormattedErrors, toMaskError } from '../graphql/errors.js';
import { executeMasked } from '../graphql/execute.js';
import { selectsViewerDependentField } from '../graphql/viewerDependent.js';
import { SubscriberTooSlowError } from '../streaming/subscribeToStream.js';
import { MAX_UNSENT_BYTES, whenUnsentAtMost } from './frameWriter.js';
import { toClientAddress } from './httpUtil.js';
import { chargeOperation } from '../graphql/queryBudget.js';
import type { RateLimits } from '../auth/rateLimits.js';
import type { Metrics } from './metrics.js';
import { type SubscriptionOutput, type createSharedSubscriptions, toGroupKey } from './sharedSubscriptions.js';
import type { ChatYoga } from './yoga.js';

/** The stream of a slow reader was ended; if it has not read what was written by then, its connection is cut. */
export const SLOW_READER_GRACE_MS = 30_000;
/** The server is stopping: a stream whose last bytes have not left by then is cut (its client resumes anyway). */
const STOP_GRACE_MS = 1_000;

export interface GraphQLEventStreams {
  /**
   * Serves the request as GraphQL over Server-Sent Events (the graphql-sse protocol, "distinct
   * connections mode") when it is one: a GET or JSON POST to `/graphql` that names
   * `text/event-stream` in Accept, passes the CSRF rule, and carries a valid subscription, or a
   * query or mutation from a client that accepts no JSON (one `next`, then `complete`; never a
   * mutation over GET). Answers false, having written nothing, for anything else: the caller hands
   * it to Yoga, which answers it, and every refusal (CSRF, a bad document), exactly as over plain HTTP.
   *
   * A served stream answers 200 at once. Each result is an `event: next`; one of a logged event
   * carries `id: <cursor>`, and a request with `Last-Event-ID` resumes after it (it replaces the
   * field's `after` argument, being the newer position). A subscription that cannot start (an
   * unknown room, no session, a bad cursor) is one `next` with its errors, then `complete`. A
   * stream ends with `complete` (after a `next` with the error, if one ended it: a ban, a
   * sign-out), except when the reader was too slow (`SUBSCRIBER_TOO_SLOW`) or the server is
   * stopping: then it just closes, and clients reconnect with `Last-Event-ID`.
   *
   * May reject before writing anything (the session store unreachable); a signed-in user past
   * `MAX_SOCKETS_PER_USER` connections is answered 429.
   */
  serve(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined, viewer: Viewer | null): Promise<boolean>;
  /** Ends this instance's streams of that session (it signed out): an UNAUTHENTICATED error, then `complete`. */
  closeSession(sessionId: string): void;
  /** Ends every stream without `complete` (the server is stopping: clients reconnect elsewhere). */
  closeAll(): void;
}

interface Options {
  yoga: ChatYoga;
  /** An operation's context (`toContextFactory`). */
  context(viewer: Viewer | null): GraphQLContext;
  sharedSubscriptions: ReturnType<typeof createSharedSubscriptions>;
  /** Each stream of a signed-in user holds one, like a WebSocket: at most `MAX_SOCKETS_PER_USER` across instances. */
  socketLeases: SocketLeases;
  allowedOrigins: readonly string[];
  metrics: Metrics;
  production: boolean;
  /** How often each stream gets a comment line (`:`), so that proxies keep an idle one open. */
  heartbeatMs: number;
  /** What operations cost is charged to their sender's budget (`chargeOperation`), as on the other transports. */
  limits: RateLimits;
  /** Proxies whose `X-Forwarded-For` entries are believed (`toClientAddress`): the budget of the signed-out. */
  trustProxyHops: number;
}

interface Params {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown> | null;
}

/** The bodies this transport reads; others go to Yoga. */
const JSON_BODY = /^\s*application\/json\s*(;|$)/i;
/** What a page can send cross-site without a preflight: Yoga's CSRF prevention refuses these without its header. */
const SIMPLE_BODY = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)/i;
const CSRF_HEADER = 'x-graphql-yoga-csrf';

/** The media ranges of an Accept header that the client will take (weight above zero), lower-cased. */
const toAcceptedTypes = (accept: string | undefined): string[] =>
  (accept ?? '').split(',').flatMap((range) => {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    return parameters.some((p) => /^q=0(\.0*)?$/.test(p)) ? [] : [type];
  });

const JSON_TYPES = new Set(['application/json', 'application/graphql-response+json', 'application/*', '*/*']);

/** As `useCSRFPrevention` (yoga.ts) decides: a body type a form could send, or none (a GET), needs the header. */
const isPreflighted = (req: IncomingMessage): boolean => {
  const type = req.headers['content-type'];
  if (type && !SIMPLE_BODY.test(type)) return true;
  return req.headers[CSRF_HEADER] !== undefined;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The operation's parameters, from the query string (GET) or a JSON body (POST); null when they are not well-formed. */
const readParams = (req: IncomingMessage, body: Buffer | undefined): Params | null => {
  let raw: Record<string, unknown>;
  if (req.method === 'GET') {
    const search = new URL(req.url ?? '/', 'http://localhost').searchParams;
    let variables: unknown = null;
    const rawVariables = search.get('variables');
    if (rawVariables) {
      try {
        variables = JSON.parse(rawVariables);
      } catch {
        return null;
      }
    }
    raw = { query: search.get('query'), operationName: search.get('operationName'), variables };
  } else {
    if (!body || !JSON_BODY.test(req.headers['content-type'] ?? '')) return null;
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (!isObject(parsed)) return null;
      raw = parsed;
    } catch {
      return null;
    }
  }
  const { query, operationName, variables } = raw;
  if (typeof query !== 'string') return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (variables != null && !isObject(variables)) return null;
  return { query, operationName: operationName ?? null, variables: variables ?? null };
};

/**
 * The document with its subscription field's `after` argument set to `cursor`, replacing what the
 * document gave it: the reconnecting client's `Last-Event-ID` is newer than the `after` it first
 * sent. The same document when the field takes no `after`; null when the field is not written at
 * the operation's top (in a fragment), where it would take more than this to find.
 */
export const withResumeCursor = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  cursor: string,
): DocumentNode | null => {
  const [field, ...others] = operation.selectionSet.selections;
  if (field?.kind !== Kind.FIELD || others.length > 0) return null;
  const definition = schema.getSubscriptionType()?.getFields()[field.name.value];
  if (!definition?.args.some((arg) => arg.name === 'after')) return document;
  const after = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'after' }, value: { kind: Kind.STRING, value: cursor } } as const;
  const resumed = { ...field, arguments: [...(field.arguments ?? []).filter((arg) => arg.name.value !== 'after'), after] };
  const rewritten = { ...operation, selectionSet: { ...operation.selectionSet, selections: [resumed] } };
  return { ...document, definitions: document.definitions.map((definition) => (definition === operation ? rewritten : definition)) };
};

const COMPLETE = Buffer.from('event: complete\ndata:\n\n');
const HEARTBEAT = Buffer.from(':\n\n');
const NEXT = 'event: next\ndata: ';
const END_OF_EVENT = '\n\n';

/** One `next` event: `id: <cursor>` when the result is of a logged event, then its JSON on one line (JSON has no raw newlines). */
const toNextEvent = (json: Buffer, cursor: string | null): Buffer => {
  const head = cursor === null ? NEXT : `id: ${cursor}\n${NEXT}`;
  const headLength = Buffer.byteLength(head);
  const event = Buffer.allocUnsafe(headLength + json.length + END_OF_EVENT.length);
  event.write(head, 0, 'utf8');
  json.copy(event, headLength);
  event.write(END_OF_EVENT, headLength + json.length, 'utf8');
  return event;
};

const toErrorsEvent = (errors: readonly GraphQLFormattedError[]) => toNextEvent(Buffer.from(JSON.stringify({ errors })), null);

/**
 * Writes to responses so that what one gets within one turn of the event loop (a tailer batch, a
 * catch-up page) leaves in one write: corked at its first event of the turn, uncorked after it
 * (as `FrameWriter` does for WebSockets). A response with more than `MAX_UNSENT_BYTES` waiting is
 * cut instead, as a socket is: its client is not reading (it resumes with Last-Event-ID).
 */
const createTurnWriter = () => {
  const corked: ServerResponse[] = [];
  let ending = false;
  const endTurn = () => {
    for (const res of corked) res.uncork();
    corked.length = 0;
    ending = false;
  };
  return (res: ServerResponse, chunk: Buffer) => {
    if (res.writableLength > MAX_UNSENT_BYTES) {
      res.destroy();
      return;
    }
    if (!ending) {
      ending = true;
      process.nextTick(endTurn);
    }
    if (res.writableCorked === 0) {
      res.cork();
      corked.push(res);
    }
    res.write(chunk);
  };
};

/** Resolves once the response has no more than `bytes` unsent (or has closed); undefined when that is so already. */
interface Stream {
  /**
   * Ends the stream: `errors` as a last `next`, then `complete` unless the client is to reconnect.
   * A connection that has not taken all of it within `cutAfterMs` is cut.
   */
  end(errors: readonly GraphQLFormattedError[] | null, complete: boolean, cutAfterMs?: number): void;
  heartbeat(): void;
}

/** GraphQL subscriptions over Server-Sent Events beside the WebSocket: see `GraphQLEventStreams`. */
export const createGraphQLEventStreams = ({
  yoga,
  context,
  sharedSubscriptions,
  socketLeases,
  allowedOrigins,
  metrics,
  production,
  heartbeatMs,
  limits,
  trustProxyHops,
}: Options): GraphQLEventStreams => {
  const mask = toMaskError(production);
  const write = createTurnWriter();
  const validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  const streams = new Set<Stream>();
  const bySession = new Map<string, Set<Stream>>();
  let beat: NodeJS.Timeout | null = null;

  const track = (stream: Stream, sessionId: string | null) => {
    streams.add(stream);
    metrics.eventStreams.inc();
    if (sessionId !== null) {
      let ofSession = bySession.get(sessionId);
      if (!ofSession) bySession.set(sessionId, (ofSession = new Set()));
      ofSession.add(stream);
    }
    // One sweep beats for every stream, while there are any.
    beat ??= setInterval(() => {
      for (const open of streams) open.heartbeat();
    }, heartbeatMs).unref();
  };
  const untrack = (stream: Stream, sessionId: string | null) => {
    if (!streams.delete(stream)) return;
    metrics.eventStreams.dec();
    const ofSession = sessionId === null ? undefined : bySession.get(sessionId);
    ofSession?.delete(stream);
    if (ofSession?.size === 0) bySession.delete(sessionId!);
    if (streams.size === 0 && beat) {
      clearInterval(beat);
      beat = null;
    }
  };

  const writeHead = (req: IncomingMessage, res: ServerResponse) => {
    const headers: Record<string, string> = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // nginx would otherwise hold events back in its buffer.
      'x-accel-buffering': 'no',
    };
    // The Origin was checked already (app.ts): an allowed page of another origin may read the stream.
    const { origin } = req.headers;
    if (origin !== undefined && allowedOrigins.includes(origin)) {
      Object.assign(headers, { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' });
    }
    res.writeHead(200, headers);
    // Sends the head now: some browsers and proxies wait for a first byte of the body.
    res.write(HEARTBEAT);
  };

  /** Parses and validates as the WebSocket does (Yoga's envelop: the same limits); null when the document is not valid. */
  const prepare = (params: Params, viewer: Viewer | null) => {
    const { schema, parse, validate } = yoga.getEnveloped({ viewer, transport: 'sse', address: '' });
    let document: DocumentNode;
    try {
      document = parse(params.query);
      let errors = validated.get(document);
      if (!errors) {
        const result: readonly GraphQLError[] = validate(schema, document);
        validated.set(document, result);
        errors = result;
      }
      if (errors.length > 0) return null;
    } catch {
      return null;
    }
    const operation = getOperationAST(document, params.operationName);
    if (!operation) return null;
    return { schema, document, operation };
  };

  return {
    async serve(req, res, body, viewer) {
      const accepted = toAcceptedTypes(req.headers.accept);
      if ((req.method !== 'GET' && req.method !== 'POST') || !accepted.includes('text/event-stream') || !isPreflighted(req)) return false;
      const params = readParams(req, body);
      if (!params) return false;
      const prepared = prepare(params, viewer);
      if (!prepared) return false;
      const { schema, operation } = prepared;
      let { document } = prepared;
      const variableValues = params.variables;
      const { refused } = await chargeOperation(
        limits,
        { viewer, address: toClientAddress(req, trustProxyHops) },
        { schema, document, operationName: params.operationName, variables: variableValues },
      );
      if (refused) {
        // Answered like any operation that cannot start: one `next` with the error, then `complete`.
        writeHead(req, res);
        res.end(Buffer.concat([toNextEvent(Buffer.from(JSON.stringify({ errors: toFormattedErrors([refused], mask) })), null), COMPLETE]));
        return true;
      }

      if (operation.operation !== 'subscription') {
        // A client that takes JSON gets JSON (Yoga); a mutation over GET is Yoga's 405.
        if (accepted.some((type) => JSON_TYPES.has(type)) || (operation.operation === 'mutation' && req.method === 'GET')) return false;
        const result = await executeMasked(
          { schema, document, operationName: params.operationName, variableValues, contextValue: context(viewer) },
          mask,
        );
        writeHead(req, res);
        res.end(Buffer.concat([toNextEvent(Buffer.from(JSON.stringify(result)), null), COMPLETE]));
        return true;
      }

      const lastEventId = req.headers['last-event-id'];
      if (typeof lastEventId === 'string' && lastEventId !== '') {
        const resumed = withResumeCursor(schema, document, operation, lastEventId);
        if (!resumed) {
          const message = 'Last-Event-ID needs the subscription field written at the top of the operation, not in a fragment';
          res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] }));
          return true;
        }
        document = resumed;
      }

      let lease: SocketLease | null = null;
      if (viewer) {
        lease = await socketLeases.acquire(viewer.userId);
        if (!lease) {
          const message = `At most ${MAX_SOCKETS_PER_USER} connections per user; close one first`;
          res.writeHead(429, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: { code: 'TOO_MANY_CONNECTIONS', message } }));
          return true;
        }
      }
      // The slot is the connection's: it is given back however the connection ends.
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        void lease?.release();
      };
      res.once('close', release);
      if (res.destroyed) release();

      // The stream is known (to sign-outs, to stopping) from before its subscription opens: one
      // that ends meanwhile gets its last words once the head is written.
      const sessionId = viewer?.sessionId ?? null;
      let result: ExecutionResult | AsyncIterableIterator<never> | null = null;
      let opened = false;
      let ended = false;
      let last: Buffer | null = null;
      let cutTimer: NodeJS.Timeout | null = null;
      const finish = (cutAfterMs?: number) => {
        if (res.writableEnded || res.destroyed) return;
        if (last!.length > 0) write(res, last!);
        res.end();
        if (cutAfterMs !== undefined) cutTimer = setTimeout(() => res.destroy(), cutAfterMs).unref();
      };
      let cutAfter: number | undefined;
      const stream: Stream = {
        end(errors, complete, cutAfterMs) {
          if (ended) return;
          ended = true;
          untrack(stream, sessionId);
          if (result && Symbol.asyncIterator in result) void result.return?.();
          last = Buffer.concat([errors ? toErrorsEvent(errors) : null, complete ? COMPLETE : null].filter((b) => b !== null));
          cutAfter = cutAfterMs;
          if (opened) finish(cutAfterMs);
        },
        heartbeat() {
          if (!ended && opened) write(res, HEARTBEAT);
        },
      };
      track(stream, sessionId);
      res.once('close', () => {
        if (cutTimer) clearTimeout(cutTimer);
        stream.end(null, false);
      });

      const output: SubscriptionOutput = {
        unsent: () => res.writableLength,
        whenDrained: (bytes) =>
          whenUnsentAtMost(
            res,
            () => res.writableLength,
            () => !res.destroyed,
            bytes,
          ),
        send: (json, cursor) => {
          if (!ended) write(res, toNextEvent(json, cursor));
        },
      };
      const contextValue = context(viewer);
      try {
        result = await sharedSubscriptions.subscribe(
          { schema, document, operationName: params.operationName, variableValues, contextValue },
          {
            output,
            // Keyed by the document as sent: its `after` variable, like Last-Event-ID, only moves where this member starts.
            groupKey: toGroupKey(
              params.query,
              prepared.document,
              params.operationName,
              params.variables,
              selectsViewerDependentField(schema, document) ? (viewer?.userId ?? '') : null,
            ),
            contextFactory: () => context(viewer),
          },
        );
      } catch (error) {
        untrack(stream, sessionId);
        throw error;
      }
      const subscription = result;
      if (ended) {
        // Signed out, stopped, or the client left while the subscription was opening.
        if (Symbol.asyncIterator in subscription) await subscription.return?.();
        if (res.destroyed) return true;
      }
      writeHead(req, res);
      opened = true;
      if (ended) {
        finish(cutAfter);
        return true;
      }
      if (!(Symbol.asyncIterator in subscription)) {
        stream.end(toFormattedErrors(subscription.errors ?? [], mask), true);
        return true;
      }
      subscription.next().then(
        () => stream.end(null, true),
        (error: unknown) => {
          const cause = error instanceof Error ? error : new Error(String(error));
          const errors = toFormattedErrors([new GraphQLError(cause.message, { originalError: cause })], mask);
          // A reader too slow to keep up resumes from its last event: the stream closes without
          // `complete`, which is what makes graphql-sse clients and EventSource reconnect. What it
          // was sent waits in memory until it reads it: only for so long.
          if (error instanceof SubscriberTooSlowError) stream.end(errors, false, SLOW_READER_GRACE_MS);
          else stream.end(errors, true);
        },
      );
      return true;
    },
    closeSession(sessionId) {
      const signedOut = toFormattedErrors(
        [new GraphQLError('Signed out', { originalError: new UnauthenticatedError('Signed out') })],
        mask,
      );
      for (const stream of [...(bySession.get(sessionId) ?? [])]) stream.end(signedOut, true);
    },
    closeAll() {
      for (const stream of [...streams]) stream.end(null, false, STOP_GRACE_MS);
    },
  };
};
