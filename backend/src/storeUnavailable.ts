/**
 * A backing store (the event log, sessions, rate limits, presence, socket leases: Redis, or a
 * closed in-memory store) cannot be reached; the operation may or may not have happened, so retry
 * it idempotently. GraphQL answers it as `UNAVAILABLE`, HTTP as 503.
 */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
