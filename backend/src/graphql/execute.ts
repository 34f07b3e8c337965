import { type ExecutionArgs, type ExecutionResult, type GraphQLError, execute } from 'graphql';
import { maskError, withCode } from './errors.js';

/**
 * A result executed by graphql-js outside Yoga's envelop, its errors masked as Yoga masks them. A
 * result without `data` never started: its errors without a path are about the request's input
 * (variables that do not coerce), which Yoga's executor marks as such and graphql-js does not.
 */
export const toMaskedResult = (result: ExecutionResult, mask: typeof maskError = maskError): ExecutionResult => {
  if (!result.errors) return result;
  const started = 'data' in result;
  return {
    ...result,
    errors: result.errors.map((error) => {
      const input = !started && error.path === undefined && error.extensions.code === undefined;
      return mask(input ? withCode(error, 'BAD_USER_INPUT') : error, 'Unexpected error.') as GraphQLError;
    }),
  };
};

/**
 * graphql-js's execute, its errors masked as Yoga masks them: for documents Yoga's envelop has
 * parsed and validated already (over the WebSocket), where execution is all its plugins would add to.
 */
export const executeMasked = (args: ExecutionArgs, mask: typeof maskError = maskError): ExecutionResult | Promise<ExecutionResult> => {
  const result = execute(args);
  return isPromiseLike(result) ? result.then((done) => toMaskedResult(done, mask)) : toMaskedResult(result, mask);
};

export const isPromiseLike = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';
