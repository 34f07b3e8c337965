import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus metrics (one registry per app, so tests can run several apps). */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'status'>;
  webSockets: Gauge;
  eventStreams: Gauge;
  subscriptions: Gauge;
  /** Frames written to subscribers, and how many renders (execute + serialise) produced them. */
  framesSent: Counter;
  renders: Counter;
  slowSubscribers: Counter;
}

/** How far each asynchronous projection is behind its log. */
export type ProjectionLag = () => Promise<{ name: string; events: number; seconds: number }[]>;

export const createMetrics = (projectionLag?: ProjectionLag): Metrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  if (projectionLag) {
    // One read serves both gauges of one scrape.
    let reading: Promise<Awaited<ReturnType<ProjectionLag>>> | null = null;
    const read = () => (reading ??= projectionLag().finally(() => setImmediate(() => (reading = null))));
    const lagGauge = (name: string, help: string, field: 'events' | 'seconds') =>
      new Gauge({
        name,
        help,
        labelNames: ['projection'],
        registers,
        async collect() {
          for (const lag of await read().catch(() => [])) this.set({ projection: lag.name }, lag[field]);
        },
      });
    lagGauge('balloons_projection_lag_events', 'Events of its log an asynchronous projection has not applied yet', 'events');
    lagGauge('balloons_projection_lag_seconds', 'Age of the oldest event an asynchronous projection has not applied yet', 'seconds');
  }
  return {
    registry,
    httpRequests: new Counter({
      name: 'balloons_http_requests_total',
      help: 'HTTP requests answered',
      labelNames: ['route', 'status'],
      registers,
    }),
    webSockets: new Gauge({ name: 'balloons_websockets_open', help: 'Open GraphQL WebSockets', registers }),
    eventStreams: new Gauge({ name: 'balloons_event_streams_open', help: 'Open GraphQL Server-Sent Events streams', registers }),
    subscriptions: new Gauge({ name: 'balloons_subscriptions_active', help: 'Active GraphQL subscriptions', registers }),
    framesSent: new Counter({ name: 'balloons_subscription_frames_total', help: 'Subscription results sent', registers }),
    renders: new Counter({
      name: 'balloons_subscription_renders_total',
      help: 'Subscription results executed and serialised (shared by a group)',
      registers,
    }),
    slowSubscribers: new Counter({
      name: 'balloons_subscribers_too_slow_total',
      help: 'Subscriptions ended because the client fell behind',
      registers,
    }),
  };
};
