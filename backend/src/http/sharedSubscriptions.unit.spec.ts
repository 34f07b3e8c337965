import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type Sink, pushTo, returnThis } from '../streaming/push.js';
import { SubscriberTooSlowError } from '../streaming/subscribeToStream.js';
import { createMetrics } from './metrics.js';
import { MAX_BUFFERED_BYTES, createSharedSubscriptions, toGroupKey } from './sharedSubscriptions.js';

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
      pushed: {
        type: new GraphQLNonNull(GraphQLString),
        subscribe: () => pushedSource,
        resolve: (entry: { text: string }) => entry.text,
      },
    },
  }),
});

type Tick = { cursor: string; text: string };
/** A source that pushes (as the stream subscriptions do): the test hands its sink entries in bursts. */
let pushedSink: Sink<Tick> | null = null;
const pushedSource = {
  [pushTo](sink: Sink<Tick>) {
    pushedSink = sink;
  },
  next: () => new Promise<IteratorResult<Tick>>(() => {}),
  return: async () => ({ done: true, value: undefined }) as const,
  [Symbol.asyncIterator]: returnThis,
};
const ticks = [
  { cursor: '1-0', text: 'one' },
  { cursor: '2-0', text: 'two é' },
];

/** What an output that always keeps up was sent: each payload with its entry's cursor. */
const recordingOutput = () => {
  const sent: unknown[] = [];
  const output = {
    unsent: () => 0,
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

describe('a connection that is not keeping up', () => {
  it('is checked once per burst: a burst goes out whole, and the next one finds it too slow, with the last cursor it was sent', async () => {
    const shared = createSharedSubscriptions(createMetrics());
    const query = 'subscription { pushed }';
    const document = parse(query);
    const sent: (string | null)[] = [];
    let unsent = 0;
    // Nothing it is sent ever leaves: after the first result, twice the budget waits.
    const output = {
      unsent: () => unsent,
      send: (_json: Buffer, cursor: string | null) => {
        sent.push(cursor);
        unsent = 2 * MAX_BUFFERED_BYTES;
      },
    };
    const iterator = (await shared.subscribe(
      { schema, document, contextValue: {} },
      { output, groupKey: toGroupKey(query, document, null, {}), contextFactory: () => ({}) },
    )) as AsyncIterableIterator<never>;
    const ended = iterator.next();
    ended.catch(() => {});
    // One burst (a catch-up page, a tailer batch): handed over in one synchronous run.
    for (const cursor of ['1-0', '2-0', '3-0']) pushedSink!.next({ cursor, text: cursor });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sent).toEqual(['1-0', '2-0', '3-0']);
    pushedSink!.next({ cursor: '4-0', text: 'the next burst' });
    const error = await ended.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SubscriberTooSlowError);
    expect((error as SubscriberTooSlowError).lastCursor).toBe('3-0');
    expect(sent).toEqual(['1-0', '2-0', '3-0']);
  });
});
