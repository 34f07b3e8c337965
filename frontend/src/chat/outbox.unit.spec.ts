import { afterEach, describe, expect, it, vi } from 'vitest';
import { type OutboxChange, type OutboxEntry, type SendResult, createMemoryOutboxStorage, createOutbox } from './outbox.js';

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

const input = (clientId: string, body = clientId, roomId = 'r1') => ({ clientId, roomId, body, createdAt: `2026-11-26T10:00:0${clientId.slice(-1)}.000Z` });

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
    expect(outbox.entries().map((e) => [e.clientId, e.status, e.error])).toEqual([['c1', 'queued', 'network'], ['c2', 'queued', null]]);
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
      { clientId: 'c2', roomId: 'r1', body: 'second', createdAt: '2026-11-26T10:00:02.000Z', status: 'queued', error: null },
      { clientId: 'c1', roomId: 'r1', body: 'first', createdAt: '2026-11-26T10:00:01.000Z', status: 'sending', error: null },
    ]);
    server.posted.set('c1', 'first'); // it did arrive before the reload
    const outbox = createOutbox({ storage, send: server.send });
    expect(outbox.entries('r1').map((e) => [e.clientId, e.status])).toEqual([['c1', 'queued'], ['c2', 'queued']]);
    await outbox.flush();
    expect([...server.posted.values()]).toEqual(['first', 'second']);
  });
});
