import { type StoreRedis, isCluster } from '../redis/client.js';
import { callRedis as call } from '../redis/connection.js';

/**
 * The keys matching a SCAN pattern, a batch at a time, on one Redis or on every primary of a
 * Cluster (a SCAN sees only the node it runs on). A key may come more than once, as SCAN's do;
 * a key written during the scan may or may not come. Rejects with `StoreUnavailableError` when
 * a node cannot answer.
 */
export async function* scanKeys(redis: StoreRedis, match: string, count = 1_000): AsyncGenerator<string[]> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await call(() => node.scan(cursor, 'MATCH', match, 'COUNT', count));
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }
}
