import { expect } from 'vitest';
import { fold, type Decider, type DomainEvent } from '../domain/decider.js';

/**
 * given(events).when(command).then(events) / thenThrows(ErrorClass): a decider spec reads as the
 * history, the command, and what must come of it.
 */
export const specFor = <C, E extends DomainEvent, S>(decider: Decider<C, E, S>) => ({
  given: (events: E[]) => ({
    when: (command: C) => {
      const run = () => decider.decide(command, fold(decider, decider.initialState, events));
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the spec's language; nothing awaits this object.
        then: (expected: E[]) => expect(run()).toEqual(expected),
        thenThrows: (error: abstract new (...args: never[]) => Error, message?: RegExp) => {
          expect(run).toThrow(error);
          if (message) expect(run).toThrow(message);
        },
      };
    },
  }),
});
