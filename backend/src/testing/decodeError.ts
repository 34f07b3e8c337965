import { EventDecodeError } from '../domain/eventCodec.js';

/** The EventDecodeError `run` throws; fails the test when it throws nothing or something else. */
export const expectDecodeError = (run: () => unknown): EventDecodeError => {
  try {
    run();
  } catch (error) {
    if (error instanceof EventDecodeError) return error;
    throw error;
  }
  throw new Error('expected an EventDecodeError');
};
