import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type OutboxChange,
  type OutboxEntry,
  RESEND_EXPIRED_ERROR,
  RESEND_WINDOW_MS,
  type SendResult,
  createLocalOutboxStorage,
  createMemoryOutboxStorage,
  createOutbox,
} from './outbox.js';

/** A server stand-in that remembers clientIds like postMessage does. */
const fakeServer = () => {
  const posted = new Map<string, string>();
  const attempts: string[] = [];
  let mode: 'up' | 'down' = 'up';
  return {
    posted,
    attempts,
    set: (m: 'up' | 'down') => void (mode = m),
    send: async (entry: OutboxEntry): Promise<SendResult> => {
      attempts.push(entry.clientId);
      if (mode === 'down') return { kind: 'retry', error: 'network' };
      if (entry.body.length > 10) return { kind: 'failed', error: 'too long' };
      if (!posted.has(entry.clientId)) posted.set(entry.clientId, entry.body);
      return { kind: 'sent', messageId: `m-${entry.clientId}` };
    },
  };
};

const input = (clientId: string, body = clientId, roomId = 'r1') => ({
  clientId,
  roomId,
  body,
  createdAt: `2026-11-26T10:00:0${clientId.slice(-1)}.000Z`,
});

afterEach(() => vi.useRealTimers());

describe('the outbox', () => {
  it('sends in order and forgets what was sent', async () => {
    const server = fakeServer();
    const storage = createMemoryOutboxStorage();
    const outbox = createOutbox({ storage, send: server.send });
    const changes: string[] = [];
    outbox.subscribe((c: OutboxChange) => changes.push(`${c.type}:${c.entry.clientId}:${c.entry.status}`));
    outbox.add(input('c1'));
    outbox.add(input('c2'));
    await outbox.flush();
    expect([...server.posted.values()]).toEqual(['c1', 'c2']);
    expect(outbox.entries()).toEqual([]);
    expect(storage.data.size).toBe(0);
    expect(changes.filter((c) => c.startsWith('sent'))).toEqual(['sent:c1:sending', 'sent:c2:sending']);
  });

  it('keeps messages while offline and sends them once, in order, when back', async () => {
    const server = fakeServer();
    let online = false;
    const outbox = createOutbox({ storage: createMemoryOutboxStorage(), send: server.send, isOnline: () => online });
    for (const id of ['c1', 'c2', 'c3']) outbox.add(input(id));
    await outbox.flush();
    expect(server.attempts).toEqual([]);
    expect(outbox.entries().map((e) => e.status)).toEqual(['queued', 'queued', 'queued']);
    online = true;
    await Promise.all([outbox.flush(), outbox.flush()]);
    expect([...server.posted.values()]).toEqual(['c1', 'c2', 'c3']);
    expect(server.attempts).toEqual(['c1', 'c2', 'c3']);
  });

  it('retries with the same clientId after a network error, by itself after a delay', async () => {
    vi.useFakeTimers();
    const server = fakeServer();
    server.set('down');
    const outbox = createOutbox({ storage: createMemoryOutboxStorage(), send: server.send, retryDelay: () => 1_000 });
    outbox.add(input('c1'));
    outbox.add(input('c2'));
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.entries().map((e) => [e.clientId, e.status, e.error])).toEqual([
      ['c1', 'queued', 'network'],
      ['c2', 'queued', null],
    ]);
    server.set('up');
    await vi.advanceTimersByTimeAsync(1_000);
    expect([...server.posted.keys()]).toEqual(['c1', 'c2']);
    expect(server.attempts).toEqual(['c1', 'c1', 'c2']);
  });

  it('keeps a refused message as failed without holding up the rest; retry or discard it', async () => {
    const server = fakeServer();
    const outbox = createOutbox({ storage: createMemoryOutboxStorage(), send: server.send });
    outbox.add(input('c1', 'far too long for this'));
    outbox.add(input('c2'));
    await outbox.flush();
    expect(outbox.entries().map((e) => [e.clientId, e.status, e.error])).toEqual([['c1', 'failed', 'too long']]);
    expect([...server.posted.keys()]).toEqual(['c2']);
    outbox.retry('c1');
    await outbox.flush();
    expect(outbox.entries()).toHaveLength(1);
    outbox.discard('c1');
    expect(outbox.entries()).toEqual([]);
  });

  it('survives a reload: what was being sent is sent again with its clientId', async () => {
    const server = fakeServer();
    const storage = createMemoryOutboxStorage([
      {
        clientId: 'c2',
        roomId: 'r1',
        body: 'second',
        createdAt: '2026-11-26T10:00:02.000Z',
        status: 'queued',
        error: null,
        firstSentAt: null,
      },
      {
        clientId: 'c1',
        roomId: 'r1',
        body: 'first',
        createdAt: '2026-11-26T10:00:01.000Z',
        status: 'sending',
        error: null,
        firstSentAt: Date.parse('2026-11-26T10:00:01.000Z'),
      },
    ]);
    server.posted.set('c1', 'first'); // it did arrive before the reload
    const outbox = createOutbox({ storage, send: server.send, now: () => Date.parse('2026-11-26T10:05:00.000Z') });
    expect(outbox.entries('r1').map((e) => [e.clientId, e.status])).toEqual([
      ['c1', 'queued'],
      ['c2', 'queued'],
    ]);
    await outbox.flush();
    expect([...server.posted.values()]).toEqual(['first', 'second']);
  });

  describe('a day after a first attempt that was never answered', () => {
    const HOUR = 60 * 60 * 1000;
    const DAY = 24 * HOUR;
    /** Like postMessage: remembers a clientId for a day; `lose` drops its replies after posting. */
    const windowedServer = (now: () => number) => {
      const posted = new Map<string, number>();
      const attempts: string[] = [];
      let lose = false;
      return {
        posted,
        attempts,
        loseReplies: (value: boolean) => void (lose = value),
        send: async (entry: OutboxEntry): Promise<SendResult> => {
          attempts.push(entry.clientId);
          const at = posted.get(entry.clientId);
          if (at === undefined || now() - at > DAY) posted.set(entry.clientId, now());
          return lose ? { kind: 'retry', error: 'network' } : { kind: 'sent', messageId: `m-${entry.clientId}` };
        },
      };
    };

    it('does not send it again by itself (it may be posted, and the server forgot its clientId): it waits as failed', async () => {
      let now = Date.parse('2026-11-26T10:00:00.000Z');
      const clock = () => now;
      const server = windowedServer(clock);
      const storage = createMemoryOutboxStorage();
      server.loseReplies(true);
      const before = createOutbox({ storage, send: server.send, now: clock, retryDelay: () => 60_000 });
      before.add(input('c1'));
      await before.flush();
      before.dispose(); // the page closes with the reply lost
      expect(server.posted.size).toBe(1);

      now += DAY + HOUR;
      server.loseReplies(false);
      const after = createOutbox({ storage, send: server.send, now: clock });
      await after.flush();
      expect(server.attempts).toEqual(['c1']);
      expect(after.entries().map((e) => [e.clientId, e.status, e.error])).toEqual([['c1', 'failed', RESEND_EXPIRED_ERROR]]);

      // The person checked the room and sends it anyway: a new attempt with a new window.
      after.retry('c1');
      await after.flush();
      expect(server.attempts).toEqual(['c1', 'c1']);
      expect(after.entries()).toEqual([]);
    });

    it('still sends it by itself within the window, and sends an entry first tried days after it was written', async () => {
      let now = Date.parse('2026-11-26T10:00:00.000Z');
      const clock = () => now;
      const server = windowedServer(clock);
      let online = true;
      server.loseReplies(true);
      const outbox = createOutbox({
        storage: createMemoryOutboxStorage(),
        send: server.send,
        now: clock,
        isOnline: () => online,
        retryDelay: () => 60_000,
      });
      outbox.add(input('c1'));
      await outbox.flush();
      online = false;
      outbox.add(input('c2')); // written offline
      now += RESEND_WINDOW_MS - HOUR;
      online = true;
      server.loseReplies(false);
      await outbox.flush();
      now += 2 * DAY;
      await outbox.flush();
      expect(server.attempts).toEqual(['c1', 'c1', 'c2']);
      expect([...server.posted.keys()]).toEqual(['c1', 'c2']);
      expect(outbox.entries()).toEqual([]);
      outbox.dispose();
    });

    it('reads entries stored before the first attempt was recorded as first sent when written, unless never tried', () => {
      const storage = new Map<string, string>();
      const fake = {
        get length() {
          return storage.size;
        },
        key: (i: number) => [...storage.keys()][i] ?? null,
        getItem: (k: string) => storage.get(k) ?? null,
        setItem: (k: string, v: string) => void storage.set(k, v),
        removeItem: (k: string) => void storage.delete(k),
        clear: () => storage.clear(),
      } as Storage;
      const old = (clientId: string, status: string, error: string | null) =>
        fake.setItem(
          `o:${clientId}`,
          JSON.stringify({ clientId, roomId: 'r1', body: 'b', createdAt: '2026-11-20T10:00:00.000Z', status, error }),
        );
      old('never', 'queued', null);
      old('retrying', 'queued', 'network');
      old('sending', 'sending', null);
      const loaded = createLocalOutboxStorage('o:', fake).load();
      expect(loaded.map((e) => [e.clientId, e.firstSentAt])).toEqual([
        ['never', null],
        ['retrying', Date.parse('2026-11-20T10:00:00.000Z')],
        ['sending', Date.parse('2026-11-20T10:00:00.000Z')],
      ]);
    });
  });
});
