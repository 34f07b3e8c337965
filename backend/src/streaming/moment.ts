/**
 * Reads shared by the callers of one moment: a join storm opens thousands of subscriptions to the
 * same room at once, and each would read the same answers (where the room's streams end, the room
 * itself). The moment is the run of promise callbacks a caller's is in (those that one batch of
 * replies from the store set off, say); the read is made once it is over (`process.nextTick`),
 * so every caller's answer is read after it asked, and in the same turn of the event loop as a
 * read of its own would have been.
 */
export const sharedPerMoment = <K, V>(read: (key: K) => Promise<V>): ((key: K) => Promise<V>) => {
  const pending = new Map<K, Promise<V>>();
  return (key) => {
    let answer = pending.get(key);
    if (!answer) {
      answer = new Promise<V>((resolve, reject) =>
        process.nextTick(() => {
          pending.delete(key);
          read(key).then(resolve, reject);
        }),
      );
      pending.set(key, answer);
    }
    return answer;
  };
};

/** `sharedPerMoment` of a method of each of some objects (a store's, the queries'), made at the first call. */
export const sharedPerMomentOf = <O extends object, K, V>(read: (owner: O, key: K) => Promise<V>) => {
  const shared = new WeakMap<O, (key: K) => Promise<V>>();
  return (owner: O, key: K): Promise<V> => {
    let load = shared.get(owner);
    if (!load) shared.set(owner, (load = sharedPerMoment((k: K) => read(owner, k))));
    return load(key);
  };
};
