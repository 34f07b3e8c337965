import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { RateLimitedError, TooManySubscriptionsError } from '../auth/limitErrors.js';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { ContentionError } from '../chat/handleCommand.js';
import { CursorExpiredError, SubscriberTooSlowError } from '../streaming/subscribeToStream.js';

/** The request has no valid session. */
export class UnauthenticatedError extends Error {
  override name = 'UnauthenticatedError';
  constructor(message = 'Sign in first') {
    super(message);
  }
}

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'RATE_LIMITED'
  | 'CURSOR_EXPIRED'
  | 'UNAVAILABLE'
  | 'SUBSCRIBER_TOO_SLOW'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'QUERY_TOO_COMPLEX';

/**
 * A document over one of the limits on depth, aliases, directives, tokens or cost (graphql-armor,
 * see `DOCUMENT_LIMITS` in http/yoga.ts): refused before anything runs, over HTTP with status 400.
 */
export const toDocumentTooComplexError = (armorMessage: string): GraphQLError =>
  new GraphQLError(armorMessage.replace(/^Syntax Error: /, ''), {
    extensions: { code: 'QUERY_TOO_COMPLEX' satisfies ErrorCode, http: { status: 400 } },
  });

/**
 * The one place errors become GraphQL error codes. Returns null for errors that are not ours to
 * show (bugs), which stay masked.
 */
const toPublicError = (error: unknown): { code: ErrorCode; message: string; extensions?: Record<string, unknown> } | null => {
  if (error instanceof UnauthenticatedError) return { code: 'UNAUTHENTICATED', message: error.message };
  if (error instanceof RateLimitedError)
    return { code: 'RATE_LIMITED', message: error.message, extensions: { retryAfterMs: error.retryAfterMs } };
  if (error instanceof TooManySubscriptionsError)
    return { code: 'TOO_MANY_SUBSCRIPTIONS', message: error.message, extensions: { max: error.max } };
  if (error instanceof StoreUnavailableError)
    return { code: 'UNAVAILABLE', message: 'A store the server depends on is unreachable; try again' };
  if (error instanceof ContentionError) return { code: 'UNAVAILABLE', message: error.message };
  if (error instanceof CursorExpiredError) return { code: 'CURSOR_EXPIRED', message: error.message };
  if (error instanceof SubscriberTooSlowError) {
    return { code: 'SUBSCRIBER_TOO_SLOW', message: error.message, extensions: { lastCursor: error.lastCursor } };
  }
  if (error instanceof DomainError) {
    if (error instanceof ValidationError)
      return { code: 'BAD_USER_INPUT', message: error.message, extensions: error.field ? { field: error.field } : undefined };
    if (error instanceof NotFoundError) return { code: 'NOT_FOUND', message: error.message };
    if (error instanceof ForbiddenError) return { code: 'FORBIDDEN', message: error.message, extensions: error.details };
    if (error instanceof ConflictError) return { code: 'BAD_USER_INPUT', message: error.message };
  }
  return null;
};

/**
 * GraphQL's own refusal of a request before execution (variables that do not coerce to their
 * types, an unknown operation name). The executor marks these HTTP 400 and, for subscriptions
 * only, `BAD_USER_INPUT`; queries and mutations get the same code here.
 */
const isRequestInputError = (error: unknown): error is GraphQLError => isRefusedRequest(error, 400);

/** A request the server refuses before reading it as GraphQL, with this HTTP status and no code of ours. */
const isRefusedRequest = (error: unknown, status: number): error is GraphQLError =>
  error instanceof GraphQLError &&
  error.path === undefined &&
  error.extensions.code === undefined &&
  (error.extensions.http as { status?: unknown } | undefined)?.status === status;

/**
 * Yoga's `maskError`: our errors keep their message and get `extensions.code`; GraphQL's own
 * (syntax, validation) pass; anything else is masked and logged.
 */
export const maskError = (error: unknown, message: string, isDev?: boolean): Error => {
  if (isRequestInputError(error)) return withCode(error, 'BAD_USER_INPUT');
  // CSRF prevention's refusal (a GET, or a form-like POST, without the x-graphql-yoga-csrf header).
  if (isRefusedRequest(error, 403)) return withCode(error, 'FORBIDDEN');
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const known = toPublicError(original);
  if (known) {
    const at =
      error instanceof GraphQLError ? { nodes: error.nodes, path: error.path, source: error.source, positions: error.positions } : {};
    return new GraphQLError(known.message, { ...at, extensions: { code: known.code, ...known.extensions } });
  }
  if (!(original instanceof GraphQLError)) console.error('unexpected error:', original);
  return yogaMaskError(error, message, isDev);
};

/** The error with `extensions.code` set. */
export const withCode = (error: GraphQLError, code: ErrorCode) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });

/** For errors that reach graphql-ws outside of execution (a subscription's source failing mid-stream). */
export const toFormattedErrors = (errors: readonly GraphQLError[], mask: typeof maskError = maskError): GraphQLFormattedError[] =>
  errors.map((e) => {
    const formatted = (mask(e, 'Unexpected error.') as GraphQLError).toJSON();
    // An HTTP status means nothing on a socket (Yoga's validation marks its errors with one).
    if (!formatted.extensions?.http) return formatted;
    const { http: _, ...extensions } = formatted.extensions;
    return { ...formatted, extensions };
  });

/**
 * The error without GraphQL's "Did you mean …?" (an enum value, an argument, a type), as the
 * field suggestions are hidden in production: with introspection off, suggestions would leak the
 * schema one guess at a time.
 */
export const withoutSuggestions = (error: Error): Error => {
  const at = error.message.indexOf(' Did you mean ');
  if (at < 0 || !(error instanceof GraphQLError)) return error;
  return new GraphQLError(`${error.message.slice(0, at)} [Suggestion hidden]`, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: error.extensions,
  });
};

/** Yoga's `maskError`, hiding suggestions too in production. */
export const toMaskError = (production: boolean): typeof maskError =>
  production ? (error, message, isDev) => withoutSuggestions(maskError(error, message, isDev)) : maskError;
