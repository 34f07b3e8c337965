import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind, getOperationAST } from 'graphql';
import { RateLimitedError } from '../auth/limitErrors.js';
import type { RateLimits } from '../auth/rateLimits.js';
import { StoreUnavailableError } from '../storeUnavailable.js';
import { operationCost } from './cost.js';
import type { Viewer } from './context.js';

/**
 * Charges a query's or subscription's cost, with its variables (see cost.ts), to the budget of whoever sends
 * it: the signed-in user, or the client address of the signed-out. Answers the cost, and the
 * refusal to send instead of running it (RATE_LIMITED with `retryAfterMs`), if refused.
 */
export const chargeOperation = async (
  limits: RateLimits,
  who: { viewer: Viewer | null; address: string },
  operation: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variables?: Record<string, unknown> | null },
): Promise<{ cost: number; refused: GraphQLError | null }> => {
  const selected = getOperationAST(operation.document, operation.operationName);
  // A write is counted by its own limit (auth/rateLimits.ts): charging it here too would cost every
  // post a second round trip to the limiter. Its answer is still bounded by MAX_COST at validation.
  if (!selected || selected.operation === 'mutation') return { cost: 0, refused: null };
  const fragments = Object.fromEntries(
    operation.document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const cost = operationCost(operation.schema, selected, fragments, operation.variables ?? {});
  if (cost === 0) return { cost, refused: null };
  try {
    await limits.consume('queryCost', who.viewer ? `user:${who.viewer.userId}` : `address:${who.address}`, cost);
    return { cost, refused: null };
  } catch (error) {
    if (error instanceof RateLimitedError) {
      const refused = new GraphQLError(`Too much asked for in a short time (this operation costs ${cost}); slow down`, {
        extensions: { code: 'RATE_LIMITED', retryAfterMs: error.retryAfterMs },
      });
      return { cost, refused };
    }
    if (error instanceof StoreUnavailableError) {
      return {
        cost,
        refused: new GraphQLError('A store the server depends on is unreachable; try again', { extensions: { code: 'UNAVAILABLE' } }),
      };
    }
    throw error;
  }
};
