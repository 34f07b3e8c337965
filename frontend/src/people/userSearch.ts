import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';
import { UsersQuery } from './operations.js';

export interface UserSearch {
  /** People for the newest prefix asked (older answers are dropped). */
  results: Accessor<readonly UserFieldsFragment[]>;
  /** The prefix the results are for. */
  prefix: Accessor<string>;
  /** Asks for people whose handle or name starts with `prefix`, once typing rests; "" clears. */
  search(prefix: string): void;
  dispose(): void;
}

/** Completion for handles: `users(prefix)`, debounced, newest answer wins. */
export const createUserSearch = (client: GraphQLClient, options: { delayMs?: number; first?: number } = {}): UserSearch => {
  const delayMs = options.delayMs ?? 150;
  const [results, setResults] = createSignal<readonly UserFieldsFragment[]>([]);
  const [prefix, setPrefix] = createSignal('');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  let disposed = false;
  return {
    results,
    prefix,
    search(text) {
      const wanted = text.trim();
      clearTimeout(timer);
      const run = ++asked;
      if (wanted === '') {
        setPrefix('');
        setResults([]);
        return;
      }
      timer = setTimeout(async () => {
        const result = await client.urql.query(UsersQuery, { prefix: wanted, first: options.first ?? 8 }).toPromise();
        if (disposed || run !== asked) return;
        setPrefix(wanted);
        setResults(result.data?.users ?? []);
      }, delayMs);
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
};
