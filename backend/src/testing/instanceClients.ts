import { toRoomStreamKey } from '../chat/keys.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { type LoggedEvent, type PostAttempt, toLoggedEvent } from './deliveryChecker.js';
import { INSTANCE_ORIGIN, type ServerProcess } from './serverProcess.js';

/*
 * Talking to real server processes the way clients do (over HTTP, behind one public origin), for
 * the multi-instance specs: GraphQL calls, rooms, and posters that retry an unknown outcome with
 * the same clientId, classified for the delivery checker.
 */

const ORIGIN = INSTANCE_ORIGIN;

export interface GqlResponse {
  status: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[] };
}

export const gql = async (
  server: ServerProcess,
  query: string,
  variables: Record<string, unknown>,
  cookie?: string,
): Promise<GqlResponse> => {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      origin: ORIGIN,
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GqlResponse['body'] };
};

export const createRoom = async (server: ServerProcess, cookie: string, name: string): Promise<string> => {
  const { body } = await gql(server, 'mutation($n: String!) { createRoom(name: $n) { id } }', { n: name }, cookie);
  if (!body.data?.createRoom) throw new Error(`createRoom failed: ${JSON.stringify(body.errors)}`);
  return body.data.createRoom.id as string;
};

export const POST = 'mutation($r: ID!, $b: String!, $c: String) { postMessage(roomId: $r, body: $b, clientId: $c) { id } }';

/** One postMessage call, classified for the checker: UNAVAILABLE or a broken connection is "unknown". */
export type Attempt = PostAttempt & { startedAt: number; endedAt: number; code?: string };

export const postOnce = async (server: ServerProcess, cookie: string, roomId: string, clientId: string): Promise<Attempt> => {
  const startedAt = Date.now();
  try {
    const { body } = await gql(server, POST, { r: roomId, b: `body of ${clientId}`, c: clientId }, cookie);
    const endedAt = Date.now();
    const id = body.data?.postMessage?.id as string | undefined;
    if (id) return { clientId, outcome: 'acknowledged', messageId: id, startedAt, endedAt };
    const code = body.errors?.[0]?.extensions?.code;
    const error = body.errors?.map((e) => e.message).join('; ') ?? 'no data';
    return { clientId, outcome: code === 'UNAVAILABLE' ? 'unknown' : 'rejected', error, code, startedAt, endedAt };
  } catch (error) {
    return { clientId, outcome: 'unknown', error: String(error), startedAt, endedAt: Date.now() };
  }
};

/**
 * A poster: `count` messages with fresh clientIds, one after another. After an "unknown" outcome
 * it retries the same clientId (after a short backoff, as a client would) until acknowledged.
 */
export const runPoster = async (options: {
  server: ServerProcess;
  cookie: string;
  roomId: string;
  prefix: string;
  count: number;
  attempts: Attempt[];
  onAcknowledged?: (n: number) => void;
}) => {
  for (let i = 0; i < options.count; i++) {
    const clientId = `${options.prefix}-${i}`;
    for (let tries = 0; ; tries++) {
      const attempt = await postOnce(options.server, options.cookie, options.roomId, clientId);
      options.attempts.push(attempt);
      if (attempt.outcome === 'acknowledged') break;
      if (attempt.outcome === 'rejected') throw new Error(`${clientId} refused: ${attempt.error}`);
      if (tries > 400) throw new Error(`${clientId} still unknown after ${tries} tries: ${attempt.error}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    options.onAcknowledged?.(i + 1);
  }
};

/** A room's whole log, read from the store: the delivery checker's ground truth. */
export const readRoomLog = async (store: EventStore, roomId: string): Promise<LoggedEvent[]> => {
  const log: LoggedEvent[] = [];
  for (let after: string | undefined; ; ) {
    const page = await store.readForward(toRoomStreamKey(roomId), { after, count: 1_000 });
    log.push(...page.map(toLoggedEvent));
    if (page.length < 1_000) return log;
    after = page.at(-1)!.cursor;
  }
};
