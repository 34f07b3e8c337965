import { compareCursors, type Cursor, type RecordedEvent } from '../eventstore/eventStore.js';

/**
 * A Jepsen-like checker for the delivery guarantees of the contract: the log read back from Redis
 * is the truth; what writers were told and what each subscriber received is compared with it.
 * Pure: give it the histories, it returns every anomaly it finds (and `ok` when there is none).
 */

/** One event of a room's log, as read from the store after the run. */
export interface LoggedEvent {
  cursor: Cursor;
  /** MessagePosted, MessageEdited, MessageDeleted, MembershipChanged. */
  type: string;
  /** What the event is about: a message's id, or `member:<userId>` for a membership change (see `toSubjectId`). */
  messageId: string;
  /** The `clientId` the poster gave (MessagePosted only), from the event's meta. */
  clientId?: string | null;
}

/**
 * One `postMessage` call and what its caller learnt: `acknowledged` (a Message came back),
 * `rejected` (a definite refusal, e.g. BAD_USER_INPUT: it must not be in the log), or `unknown`
 * (UNAVAILABLE, a dropped connection: it may or may not have happened). Retries of a clientId are
 * several attempts with the same clientId.
 */
export type PostAttempt =
  | { clientId: string; outcome: 'acknowledged'; messageId: string }
  | { clientId: string; outcome: 'rejected' | 'unknown'; error?: string };

/** A logged event as one subscriber received it (presence and typing events left out). */
export interface ReceivedEvent {
  cursor: Cursor;
  type: string;
  messageId: string;
}

export interface SubscriberHistory {
  name: string;
  /** The cursor it subscribed after (`0-0` for the start of the log); its window starts past it. */
  after: Cursor;
  received: readonly ReceivedEvent[];
  /**
   * `complete` (default): it must have received every logged event after `after`. `prefix`: it
   * was ended early on purpose (too slow, disposed): what it received must be an unbroken start of
   * its window, and nothing is required past its last event.
   */
  expect?: 'complete' | 'prefix';
}

export interface SubscriberReport {
  name: string;
  expected: number;
  received: number;
  /** Logged events of its window it never received (cursors). */
  gaps: Cursor[];
  /** Cursors it received more than once (each listed once). */
  duplicates: Cursor[];
  /** Events received after an event that comes later in the log. */
  reordered: { cursor: Cursor; after: Cursor }[];
  /** Events not in the log, before its window, or differing from the logged event at that cursor. */
  unexpected: { event: ReceivedEvent; why: string }[];
}

export interface DeliveryReport {
  ok: boolean;
  /** Acknowledged messages that are not in the log. */
  acknowledgedMissing: { clientId: string; messageId: string }[];
  /** A clientId acknowledged with different message ids (the retry created a second message). */
  acknowledgedTwice: { clientId: string; messageIds: string[] }[];
  /** A clientId posted more than once into the log. */
  logDuplicates: { clientId: string; cursors: Cursor[] }[];
  /** Logged messages no writer attempted, or whose only answers were definite refusals. */
  logUnexpected: { event: LoggedEvent; why: string }[];
  /** The log itself is not in cursor order (a broken read, not a delivery problem). */
  logDisorder: Cursor[];
  /** Writes whose outcome was unknown and that did happen: allowed, reported for information. */
  indeterminateLogged: string[];
  /** Writes whose outcome was unknown and that did not happen: allowed too. */
  indeterminateLost: string[];
  subscribers: SubscriberReport[];
  /** Every failure above as one line each; empty when `ok`. */
  problems: string[];
}

export interface DeliveryHistory {
  /** The room's log, oldest first (all of it, or at least everything after the earliest window). */
  log: readonly LoggedEvent[];
  posts: readonly PostAttempt[];
  subscribers: readonly SubscriberHistory[];
  /**
   * Logged MessagePosted events without a clientId are not writes of the run (probes, seed
   * messages): ignored by the log checks unless this is true. Subscribers must still get them.
   */
  strictLog?: boolean;
}

/** What an event is about, comparable between the log and a subscriber: a message, or whose membership changed. */
export const toSubjectId = (event: { messageId?: string; userId?: string }): string => event.messageId ?? `member:${event.userId ?? ''}`;

/** A recorded event of a room log as the checker's `LoggedEvent`. */
export const toLoggedEvent = (event: RecordedEvent): LoggedEvent => ({
  cursor: event.cursor,
  type: event.type,
  messageId: toSubjectId(event.data as { messageId?: string; userId?: string }),
  clientId: event.meta.clientId ?? null,
});

const show = (items: readonly string[], max = 5) =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} … (${items.length} in all)`;

/** Checks one run; see the field docs of `DeliveryReport` for what counts as what. */
export const checkDelivery = (history: DeliveryHistory): DeliveryReport => {
  const { log, posts, subscribers } = history;
  const problems: string[] = [];

  const logDisorder: Cursor[] = [];
  for (let i = 1; i < log.length; i++) {
    if (compareCursors(log[i - 1]!.cursor, log[i]!.cursor) >= 0) logDisorder.push(log[i]!.cursor);
  }
  if (logDisorder.length > 0) problems.push(`log not in cursor order at ${show(logDisorder)}`);

  // What the writers were told, per clientId.
  const acknowledged = new Map<string, Set<string>>();
  const attempted = new Map<string, { unknown: boolean; rejected: boolean }>();
  for (const post of posts) {
    const state = attempted.get(post.clientId) ?? { unknown: false, rejected: false };
    attempted.set(post.clientId, state);
    if (post.outcome === 'acknowledged') {
      const ids = acknowledged.get(post.clientId) ?? new Set<string>();
      ids.add(post.messageId);
      acknowledged.set(post.clientId, ids);
    } else if (post.outcome === 'unknown') state.unknown = true;
    else state.rejected = true;
  }

  const acknowledgedTwice = [...acknowledged]
    .filter(([, ids]) => ids.size > 1)
    .map(([clientId, ids]) => ({ clientId, messageIds: [...ids] }));
  for (const { clientId, messageIds } of acknowledgedTwice)
    problems.push(`clientId ${clientId} acknowledged as different messages: ${messageIds.join(', ')}`);

  // What the log holds, per clientId.
  const postedByClientId = new Map<string, LoggedEvent[]>();
  const loggedMessageIds = new Set<string>();
  const logUnexpected: DeliveryReport['logUnexpected'] = [];
  for (const event of log) {
    if (event.type !== 'MessagePosted') continue;
    loggedMessageIds.add(event.messageId);
    if (!event.clientId) {
      if (history.strictLog) logUnexpected.push({ event, why: 'posted without a clientId' });
      continue;
    }
    const list = postedByClientId.get(event.clientId) ?? [];
    list.push(event);
    postedByClientId.set(event.clientId, list);
  }

  const logDuplicates = [...postedByClientId]
    .filter(([, events]) => events.length > 1)
    .map(([clientId, events]) => ({ clientId, cursors: events.map((e) => e.cursor) }));
  for (const { clientId, cursors } of logDuplicates)
    problems.push(`clientId ${clientId} is in the log ${cursors.length} times (${cursors.join(', ')})`);

  const indeterminateLogged: string[] = [];
  for (const [clientId, events] of postedByClientId) {
    const tried = attempted.get(clientId);
    const acked = acknowledged.get(clientId);
    if (!tried) logUnexpected.push({ event: events[0]!, why: 'no writer attempted this clientId' });
    else if (acked) {
      if (acked.size === 1 && !acked.has(events[0]!.messageId)) {
        logUnexpected.push({ event: events[0]!, why: `the writer was told message ${[...acked][0]}` });
      }
    } else if (tried.unknown) indeterminateLogged.push(clientId);
    else logUnexpected.push({ event: events[0]!, why: 'every attempt was refused, yet it is logged' });
  }
  for (const { event, why } of logUnexpected)
    problems.push(`unexpected in the log at ${event.cursor} (clientId ${event.clientId ?? '-'}): ${why}`);

  const acknowledgedMissing: DeliveryReport['acknowledgedMissing'] = [];
  for (const [clientId, ids] of acknowledged) {
    for (const messageId of ids) if (!loggedMessageIds.has(messageId)) acknowledgedMissing.push({ clientId, messageId });
  }
  if (acknowledgedMissing.length > 0) {
    problems.push(
      `${acknowledgedMissing.length} acknowledged message(s) missing from the log: ${show(acknowledgedMissing.map((m) => `${m.clientId}→${m.messageId}`))}`,
    );
  }

  const indeterminateLost = [...attempted]
    .filter(([clientId, state]) => state.unknown && !acknowledged.has(clientId) && !postedByClientId.has(clientId))
    .map(([clientId]) => clientId);

  const reports = subscribers.map((subscriber) => checkSubscriber(log, subscriber));
  for (const r of reports) {
    if (r.gaps.length > 0) problems.push(`${r.name}: ${r.gaps.length} logged event(s) never received: ${show(r.gaps)}`);
    if (r.duplicates.length > 0) problems.push(`${r.name}: received more than once: ${show(r.duplicates)}`);
    if (r.reordered.length > 0)
      problems.push(`${r.name}: out of log order: ${show(r.reordered.map((o) => `${o.cursor} after ${o.after}`))}`);
    if (r.unexpected.length > 0) problems.push(`${r.name}: unexpected: ${show(r.unexpected.map((u) => `${u.event.cursor} (${u.why})`))}`);
  }

  return {
    ok: problems.length === 0,
    acknowledgedMissing,
    acknowledgedTwice,
    logDuplicates,
    logUnexpected,
    logDisorder,
    indeterminateLogged,
    indeterminateLost,
    subscribers: reports,
    problems,
  };
};

const checkSubscriber = (log: readonly LoggedEvent[], subscriber: SubscriberHistory): SubscriberReport => {
  const { name, after, received } = subscriber;
  const indexOf = new Map<Cursor, number>();
  log.forEach((event, i) => {
    indexOf.set(event.cursor, i);
  });
  const window = log.filter((event) => compareCursors(event.cursor, after) > 0);

  const seen = new Set<Cursor>();
  const duplicates = new Set<Cursor>();
  const reordered: SubscriberReport['reordered'] = [];
  const unexpected: SubscriberReport['unexpected'] = [];
  let latest: { index: number; cursor: Cursor } | null = null;

  for (const event of received) {
    if (seen.has(event.cursor)) {
      duplicates.add(event.cursor);
      continue;
    }
    seen.add(event.cursor);
    const index = indexOf.get(event.cursor);
    if (index === undefined) {
      unexpected.push({ event, why: 'not in the log' });
      continue;
    }
    const logged = log[index]!;
    if (compareCursors(event.cursor, after) <= 0) unexpected.push({ event, why: `at or before the cursor it subscribed after (${after})` });
    else if (logged.type !== event.type || logged.messageId !== event.messageId) {
      unexpected.push({ event, why: `the log has ${logged.type} of ${logged.messageId} there` });
    }
    if (latest && index < latest.index) reordered.push({ cursor: event.cursor, after: latest.cursor });
    else latest = { index, cursor: event.cursor };
  }

  // A subscriber ended on purpose owes only the part of its window up to the last event it got.
  const owed =
    subscriber.expect === 'prefix' ? window.filter((event) => latest !== null && compareCursors(event.cursor, latest.cursor) <= 0) : window;
  const gaps = owed.filter((event) => !seen.has(event.cursor)).map((event) => event.cursor);

  return { name, expected: owed.length, received: received.length, gaps, duplicates: [...duplicates], reordered, unexpected };
};
