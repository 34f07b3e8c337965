import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
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

/** What an output that always keeps up was sent: each payload with its entry's cursor. */
const recordingOutput = () => {
  const sent: unknown[] = [];
  const output = {
    unsent: () => 0,
    whenDrained: () => undefined,
    send: (json: Buffer, cursor: string | null) => sent.push({ cursor, payload: JSON.parse(String(json)) }),
  };
  return { sent, output };
};

describe('shared subscriptions over a source that cannot push', () => {
  it('sends every entry to every member, rendered once per entry for the group, then ends', async () => {
    const metrics = createMetrics();
    const shared = createSharedSubscriptions(metrics);
    const query = 'subscription Ticks($after: String) { ticks(after: $after) }';
    const document = parse(query);
    const members = [recordingOutput(), recordingOutput()];
    await Promise.all(
      members.map(async ({ output }, i) => {
        const iterator = await shared.subscribe(
          { schema, document, variableValues: { after: String(i) }, contextValue: {} },
          { output, groupKey: toGroupKey(query, document, 'Ticks', { after: String(i) }), contextFactory: () => ({}) },
        );
        expect(Symbol.asyncIterator in iterator).toBe(true);
        expect(await (iterator as AsyncIterableIterator<never>).next()).toEqual({ done: true, value: undefined });
      }),
    );
    for (const { sent } of members) {
      expect(sent).toEqual(ticks.map((tick) => ({ cursor: tick.cursor, payload: { data: { ticks: tick.text } } })));
    }
    const renders = (await metrics.registry.getSingleMetric('balloons_subscription_renders_total')?.get())?.values[0]?.value;
    expect(renders).toBe(ticks.length);
  });
});
