import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { createFrameWriter } from './frameWriter.js';
import { createMetrics } from './metrics.js';
import { createSharedSubscriptions, toGroupKey } from './sharedSubscriptions.js';

/**
 * A subscription whose source is a plain async generator (it cannot push): the shared
 * subscriptions read it with next(), render each entry once for the group, and end with it.
 */
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      ticks: {
        type: new GraphQLNonNull(GraphQLString),
        args: { after: { type: GraphQLString } },
        subscribe: async function* () {
          for (const entry of ticks) yield entry;
        },
        resolve: (entry: { text: string }) => entry.text,
      },
    },
  }),
});
const ticks = [
  { cursor: '1-0', text: 'one' },
  { cursor: '2-0', text: 'two é' },
];

/** What a socket that always keeps up was sent. */
const recordingSocket = () => {
  const sent: unknown[] = [];
  const socket = { bufferedAmount: 0, send: (frame: Buffer | string) => sent.push(JSON.parse(String(frame))) };
  return { sent, socket: socket as unknown as WebSocket };
};

describe('shared subscriptions over a source that cannot push', () => {
  it('sends every entry to every member, rendered once per entry for the group, then ends', async () => {
    const metrics = createMetrics();
    const shared = createSharedSubscriptions(
      metrics,
      createFrameWriter(() => undefined),
    );
    const query = 'subscription Ticks($after: String) { ticks(after: $after) }';
    const document = parse(query);
    const members = [recordingSocket(), recordingSocket()];
    await Promise.all(
      members.map(async ({ socket }, i) => {
        const id = `op-${i}`;
        const iterator = await shared.subscribe(
          { schema, document, variableValues: { after: String(i) }, contextValue: {} },
          { socket, id, groupKey: toGroupKey(query, document, 'Ticks', { after: String(i) }), contextFactory: () => ({}) },
        );
        expect(Symbol.asyncIterator in iterator).toBe(true);
        expect(await (iterator as AsyncIterableIterator<never>).next()).toEqual({ done: true, value: undefined });
      }),
    );
    members.forEach(({ sent }, i) => {
      expect(sent).toEqual(ticks.map((tick) => ({ id: `op-${i}`, type: 'next', payload: { data: { ticks: tick.text } } })));
    });
    const renders = (await metrics.registry.getSingleMetric('balloons_subscription_renders_total')?.get())?.values[0]?.value;
    expect(renders).toBe(ticks.length);
  });
});
