/**
 * Fan-out baseline 2: a plain GraphQL Yoga + graphql-ws server with an in-memory pub/sub, set up
 * the standard way (Yoga's documented graphql-ws recipe: `useServer` from graphql-ws/use/ws, each
 * operation through `yoga.getEnveloped`), which executes the subscription's selection set once
 * per subscriber per event. The schema has our RoomEvent types, so the fleet sends it the very
 * document it sends our server (bench/wsClient.ts's ROOM_EVENTS_DOCUMENT). Posting is a Yoga
 * mutation over HTTP that publishes the event. No auth, no store.
 * Env: PORT (0), HOST (127.0.0.1). Prints "yoga-ws listening on <url>" when ready.
 */
import { createServer } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { serveUntilSignalled } from './common.js';

interface User {
  id: string;
  handle: string;
  displayName: string;
  avatarUrl: string | null;
  status: string;
}
interface Message {
  id: string;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  author: User;
}
interface RoomEvent {
  kind: string;
  cursor: string | null;
  at: string;
  message?: Message;
  user?: User;
}

const pubSub = createPubSub<{ roomEvents: [roomId: string, event: RoomEvent] }>();
const author: User = { id: 'u_bench', handle: 'bench_poster', displayName: 'bench_poster', avatarUrl: null, status: 'AVAILABLE' };
let seq = 0;

const eventTypes = ['MessagePosted', 'MessageEdited', 'MessageDeleted', 'UserJoined', 'UserLeft', 'UserStatusChanged', 'UserTyping'];
const yoga = createYoga({
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      scalar DateTime
      enum UserStatus { AVAILABLE AWAY BUSY }
      type User { id: ID! handle: String! displayName: String! avatarUrl: String status: UserStatus! }
      type Message { id: ID! body: String! createdAt: DateTime! editedAt: DateTime deletedAt: DateTime author: User! }
      interface RoomEvent { at: DateTime! cursor: String }
      ${eventTypes
        .slice(0, 3)
        .map((name) => `type ${name} implements RoomEvent { at: DateTime! cursor: String! message: Message! }`)
        .join('\n')}
      ${eventTypes
        .slice(3)
        .map((name) => `type ${name} implements RoomEvent { at: DateTime! cursor: String user: User! }`)
        .join('\n')}
      type Query { ok: Boolean! }
      type Mutation { postMessage(roomId: ID!, body: String!, clientId: String): Message! }
      type Subscription { roomEvents(roomId: ID!, after: String): RoomEvent! }
    `,
    resolvers: {
      RoomEvent: { __resolveType: (event: RoomEvent) => event.kind },
      Query: { ok: () => true },
      Mutation: {
        postMessage: (_: unknown, args: { roomId: string; body: string }): Message => {
          const now = new Date();
          const at = now.toISOString();
          const message: Message = { id: `m${++seq}`, body: args.body, createdAt: at, editedAt: null, deletedAt: null, author };
          pubSub.publish('roomEvents', args.roomId, { kind: 'MessagePosted', cursor: `${now.getTime()}-${seq}`, at, message });
          return message;
        },
      },
      Subscription: {
        roomEvents: {
          subscribe: (_: unknown, args: { roomId: string }) => pubSub.subscribe('roomEvents', args.roomId),
          resolve: (event: RoomEvent) => event,
        },
      },
    },
  }),
  graphqlEndpoint: '/graphql',
  landingPage: false,
  logging: false,
  graphiql: false,
});

const server = createServer(yoga);
const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });

type EnvelopedRoot = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };
useServer(
  {
    execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
    subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
    onSubscribe: async (ctx, _id, params) => {
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params,
      });
      const args = {
        schema,
        operationName: params.operationName,
        document: parse(params.query),
        variableValues: params.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe },
      };
      const errors = validate(args.schema, args.document);
      if (errors.length) return errors;
      return args;
    },
  },
  wss,
);

serveUntilSignalled(server, wss, 'yoga-ws');
