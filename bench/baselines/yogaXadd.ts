/**
 * Baseline A: the least a GraphQL-over-HTTP append can cost with our stack. Plain `createYoga` on
 * `node:http`, a two-field schema, and a mutation that does ONE XADD through ioredis: no auth, no
 * sessions, no read-before-write, no Lua. Env: PORT (default 0), HOST (127.0.0.1), REDIS_URL.
 * Prints "yoga-xadd listening on <url>" when ready; SIGTERM/SIGINT stop it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { Redis } from 'ioredis';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  console.error('REDIS_URL is required');
  process.exit(1);
}
const redis = new Redis(redisUrl, { lazyConnect: true, protocol: 2 });
redis.on('error', () => {});
const stream = process.env.BASELINE_STREAM ?? 'bench:yoga-xadd';

interface Post {
  id: string;
  body: string;
  createdAt: string;
}

const yoga = createYoga({
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      type Post { id: ID! body: String! createdAt: String! }
      type Query { ok: Boolean! }
      type Mutation { post(body: String!, clientId: String): Post! }
    `,
    resolvers: {
      Query: { ok: () => true },
      Mutation: {
        post: async (_: unknown, args: { body: string; clientId?: string | null }): Promise<Post> => {
          const createdAt = new Date().toISOString();
          const id = await redis.xadd(
            stream,
            '*',
            'type',
            'Posted',
            'data',
            JSON.stringify({ body: args.body, clientId: args.clientId ?? null, createdAt }),
          );
          return { id: id!, body: args.body, createdAt };
        },
      },
    },
  }),
  graphqlEndpoint: '/graphql',
  landingPage: false,
  logging: false,
  graphiql: false,
});

const main = async () => {
  await redis.connect();
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  console.log(`yoga-xadd listening on http://${process.env.HOST ?? '127.0.0.1'}:${port}`);
  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    redis.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
};

main().catch((error: unknown) => {
  console.error(`yoga-xadd cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
