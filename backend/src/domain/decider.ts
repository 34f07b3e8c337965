/** A domain event before it is stored: what happened, in the past tense, with its facts. */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

/**
 * An aggregate's pure decision logic. `decide` and `evolve` do no I/O and read no clock: the
 * caller puts `now`, fresh ids and facts from elsewhere into the command.
 */
export interface Decider<C, E extends DomainEvent, S> {
  initialState: S;
  /** The events the command produces; throws a `DomainError` to refuse it. `[]` means nothing changes. */
  decide(command: C, state: S): E[];
  /** The state after the event; events that do not apply leave the state as it is. */
  evolve(state: S, event: E): S;
}

export const fold = <E extends DomainEvent, S>(decider: Pick<Decider<never, E, S>, 'evolve'>, state: S, events: readonly E[]): S =>
  events.reduce((s, e) => decider.evolve(s, e), state);

export const assertNever = (value: never): never => {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
};
