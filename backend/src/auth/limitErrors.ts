/**
 * Refusals for going over a limit; `graphql/errors.ts` gives them their codes (RATE_LIMITED,
 * TOO_MANY_SUBSCRIPTIONS). No dependencies, so the error mapping does not load the limiters.
 */

/** Over a limit: `retryAfterMs` says when the next attempt can succeed. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(
    readonly retryAfterMs: number,
    message = 'Too many requests; slow down',
  ) {
    super(message);
  }
}

/** A socket asked for one more subscription than it may hold at once. */
export class TooManySubscriptionsError extends Error {
  override name = 'TooManySubscriptionsError';
  constructor(readonly max: number) {
    super(`At most ${max} subscriptions per connection; complete one first`);
  }
}
