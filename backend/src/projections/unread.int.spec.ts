import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { toRoomStreamKey } from '../chat/keys.js';
import { createChatLookups } from '../chat/queries.js';
import { DomainError } from '../domain/errors.js';
import { decodeMessageEvent } from '../domain/message/events.js';
import { type Cursor, type EventStore, compareCursors } from '../eventstore/eventStore.js';
import { readAll } from '../testing/logFixtures.js';
import { type OpenStore, onBothStores } from '../testing/bothStores.js';
import { readUnreadCounts, rebuildUnread, toMentions, toUnreadKeys } from './unread.js';

/**
 * The counts against a recount from the log: for each reader, the messages after their marker,
 * by others, not deleted (and of those, the ones whose body now mentions them), counted by
 * reading every event of the room.
 */

const PEOPLE = ['ann', 'bob', 'cat', 'dan'];
const bodies = fc.oneof(
  fc.constantFrom('hi', 'hello @bob', '@ANN and @cat', 'email me at x@bob.com', '@bobby is not bob', '@dan@cat', 'plain'),
  fc.string({ minLength: 1, maxLength: 12 }),
);
type Step =
  | { kind: 'post'; who: number; body: string }
  | { kind: 'edit'; message: number; body: string }
  | { kind: 'delete'; message: number }
  | { kind: 'remove' | 'pin'; message: number }
  | { kind: 'read'; who: number; at: number }
  | { kind: 'join' | 'leave'; who: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('post' as const), who: fc.nat(3), body: bodies }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('edit' as const), message: fc.nat(40), body: bodies }), weight: 2 },
  fc.record({ kind: fc.constant('delete' as const), message: fc.nat(40) }),
  fc.record({ kind: fc.constant('remove' as const), message: fc.nat(40) }),
  // Pins change no count (and a rebuild must not take one for a deletion).
  fc.record({ kind: fc.constant('pin' as const), message: fc.nat(40) }),
  { arbitrary: fc.record({ kind: fc.constant('read' as const), who: fc.nat(3), at: fc.nat(200) }), weight: 3 },
  fc.record({ kind: fc.constantFrom('join' as const, 'leave' as const), who: fc.nat(3) }),
);

const play = async (store: EventStore, steps: readonly Step[], direct: boolean) => {
  const commands = createChatCommands(store, createChatLookups(store));
  for (const handle of PEOPLE) {
    await commands.registerUser({ userId: handle, profile: { handle: handle.toUpperCase(), displayName: handle, avatarUrl: null } });
  }
  const room = direct
    ? await commands.openDirect({ actorId: 'ann', handles: ['BOB', 'cat'] })
    : await commands.createRoom({ actorId: 'ann', name: 'counted' });
  const messages: { id: string; authorId: string }[] = [];
  /** Where each reader asked their marker to go. */
  const reads = new Map<string, Cursor[]>();
  for (const s of steps) {
    try {
      switch (s.kind) {
        case 'post': {
          const message = await commands.postMessage({ actorId: PEOPLE[s.who]!, roomId: room.id, body: s.body });
          messages.push({ id: message.id, authorId: message.authorId });
          break;
        }
        case 'edit':
        case 'delete': {
          const m = messages[s.message % Math.max(messages.length, 1)];
          if (!m) break;
          if (s.kind === 'edit') await commands.editMessage({ actorId: m.authorId, messageId: m.id, body: s.body });
          else await commands.deleteMessage({ actorId: m.authorId, messageId: m.id });
          break;
        }
        case 'remove': {
          const m = messages[s.message % Math.max(messages.length, 1)];
          if (m) await commands.removeMessage({ actorId: 'ann', messageId: m.id, reason: null });
          break;
        }
        case 'pin': {
          const m = messages[s.message % Math.max(messages.length, 1)];
          if (m) await commands.pinMessage({ actorId: 'ann', messageId: m.id });
          break;
        }
        case 'read': {
          const log = await readAll(store, toRoomStreamKey(room.id));
          const cursor = log[s.at % log.length]!.cursor;
          await commands.markRead({ actorId: PEOPLE[s.who]!, room, upTo: cursor });
          reads.set(PEOPLE[s.who]!, [...(reads.get(PEOPLE[s.who]!) ?? []), cursor]);
          break;
        }
        case 'join':
          await commands.joinRoom({ actorId: PEOPLE[s.who]!, roomId: room.id });
          break;
        case 'leave':
          await commands.leaveRoom({ actorId: PEOPLE[s.who]!, roomId: room.id });
          break;
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { room, reads };
};

/** Where a reader's marker must be: the furthest of their posts, their joins and what they marked read. */
const expectedMarker = (log: Awaited<ReturnType<typeof readAll>>, reader: string, reads: Cursor[]): Cursor | null => {
  const own = log.flatMap((recorded) => {
    const data = recorded.data as { authorId?: string; userId?: string; action?: string };
    const mine =
      (recorded.type === 'MessagePosted' && data.authorId === reader) ||
      (recorded.type === 'MembershipChanged' && data.userId === reader && data.action === 'JOIN');
    return mine ? [recorded.cursor] : [];
  });
  return [...own, ...reads].sort(compareCursors).at(-1) ?? null;
};

/** Counts from the log alone, given each reader's marker. */
const recount = (log: Awaited<ReturnType<typeof readAll>>, reader: string, marker: Cursor | null, direct: boolean) => {
  const messages = new Map<string, { cursor: Cursor; authorId: string; body: string; deleted: boolean }>();
  for (const recorded of log) {
    if (!recorded.type.startsWith('Message')) continue;
    const event = decodeMessageEvent(recorded);
    if (event.type === 'MessagePosted') {
      messages.set(event.data.messageId, { cursor: recorded.cursor, authorId: event.data.authorId, body: event.data.body, deleted: false });
    } else if (event.type === 'MessageEdited') messages.get(event.data.messageId)!.body = event.data.body;
    else if (event.type === 'MessageDeleted') messages.get(event.data.messageId)!.deleted = true;
  }
  const unread = [...messages.values()].filter(
    (m) => !m.deleted && m.authorId !== reader && (marker === null || compareCursors(m.cursor, marker) > 0),
  );
  return {
    unreadCount: unread.length,
    mentionCount: direct ? unread.length : unread.filter((m) => toMentions(m.body).includes(reader)).length,
  };
};

const describeCounts = (name: string, open: OpenStore, runs: number) => {
  describe(`unread and mention counts (${name})`, () => {
    it.each([
      ['a public room', false],
      ['a direct room', true],
    ])('in %s, equal a recount from the log on random histories', async (_, direct) => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
          const { store, wipe } = await open();
          try {
            const { room, reads } = await play(store, steps, direct);
            const log = await readAll(store, toRoomStreamKey(room.id));
            const check = async () => {
              for (const reader of PEOPLE) {
                const [counts] = await readUnreadCounts(store, { userId: reader, handle: reader.toUpperCase() }, [room]);
                expect(counts!.readMarker, `${reader}'s marker`).toBe(expectedMarker(log, reader, reads.get(reader) ?? []));
                expect({ unreadCount: counts!.unreadCount, mentionCount: counts!.mentionCount }, reader).toEqual(
                  recount(log, reader, counts!.readMarker, direct),
                );
              }
            };
            await check();
            // Rebuilt from nothing but the log (the marks stay: they are readers' own), the same.
            const keys = toUnreadKeys(room.id);
            await store.deleteKeys([keys.counters, keys.positions, keys.seqs, keys.deleted, ...PEOPLE.map((p) => keys.mentions(p))]);
            await rebuildUnread(store, room.id);
            await check();
          } finally {
            await wipe();
          }
        }),
        { numRuns: runs },
      );
    });
  });
};

onBothStores(describeCounts, { memory: 100, redis: 30 });
