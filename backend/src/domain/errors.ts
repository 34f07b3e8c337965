/**
 * The domain's refusals. Deciders throw these; only `graphql/errors.ts` turns them into
 * GraphQL error codes. Anything else thrown is a bug and stays masked.
 */
export abstract class DomainError extends Error {
  override name = this.constructor.name;
}

/** The input breaks a rule (length, characters, format). */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {}

/**
 * The actor may not do this to this aggregate (e.g. editing someone else's message). A refusal
 * that lasts until a time (a ban, a mute) says which and until when (null: for good).
 */
export class ForbiddenError extends DomainError {
  constructor(
    message: string,
    readonly details?: { reason: 'banned' | 'muted'; until: string | null },
  ) {
    super(message);
  }
}

/** The command no longer applies to the aggregate's state (e.g. editing a deleted message). */
export class ConflictError extends DomainError {}
