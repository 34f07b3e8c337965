import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus metrics (one registry per app, so tests can run several apps). */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'status'>;
  webSockets: Gauge;
  subscriptions: Gauge;
  /** Frames written to subscribers, and how many renders (execute + serialise) produced them. */
  framesSent: Counter;
  renders: Counter;
  slowSubscribers: Counter;
}

export const createMetrics = (): Metrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({ name: 'balloons_http_requests_total', help: 'HTTP requests answered', labelNames: ['route', 'status'], registers }),
    webSockets: new Gauge({ name: 'balloons_websockets_open', help: 'Open GraphQL WebSockets', registers }),
    subscriptions: new Gauge({ name: 'balloons_subscriptions_active', help: 'Active GraphQL subscriptions', registers }),
    framesSent: new Counter({ name: 'balloons_subscription_frames_total', help: 'Subscription results sent', registers }),
    renders: new Counter({ name: 'balloons_subscription_renders_total', help: 'Subscription results executed and serialised (shared by a group)', registers }),
    slowSubscribers: new Counter({ name: 'balloons_subscribers_too_slow_total', help: 'Subscriptions ended because the client fell behind', registers }),
  };
};
