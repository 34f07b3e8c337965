import type { Plugin } from 'graphql-yoga';

/** The `Server-Timing` metric name of a GraphQL HTTP request's time at the server. */
export const SERVER_TIMING_METRIC = 'graphql';

/** What the transport may say about a request before Yoga sees it. */
interface TimedContext {
  /** `performance.now()` when the request arrived (before its body was read and its cookie checked). */
  receivedAt?: number;
}

/**
 * A `Server-Timing: graphql;dur=<ms>` header on every HTTP response from Yoga: the time from the
 * request's arrival (the transport's `receivedAt`, else Yoga's first look at it) to the response
 * being ready (its body serialized), in milliseconds with one decimal, from `performance.now()`.
 * What the network and the client add is not in it: clients (and bench/inbox.ts) read it to tell
 * the server's share of a latency from theirs.
 */
export const useServerTiming = <TContext extends TimedContext>(): Plugin<TContext> => {
  const started = new WeakMap<Request, number>();
  return {
    onRequest({ request, serverContext }) {
      started.set(request, (serverContext as TimedContext).receivedAt ?? performance.now());
    },
    onResponse({ request, response }) {
      const start = started.get(request);
      if (start === undefined) return;
      started.delete(request);
      response.headers.append('server-timing', `${SERVER_TIMING_METRIC};dur=${(performance.now() - start).toFixed(1)}`);
    },
  };
};

/** The `dur` of `metric` in a `Server-Timing` header's value, in ms; null when it has none. */
export const parseServerTiming = (header: string | null | undefined, metric = SERVER_TIMING_METRIC): number | null => {
  for (const entry of (header ?? '').split(',')) {
    const [name, ...params] = entry.split(';').map((part) => part.trim());
    if (name !== metric) continue;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key?.trim() === 'dur' && value !== undefined) {
        const ms = Number(value.trim());
        return Number.isFinite(ms) ? ms : null;
      }
    }
  }
  return null;
};
