/**
 * Messages the viewer wrote that the server has not accepted yet. Each carries the `clientId` it
 * was written with, and every attempt sends that same id, so retries (after a network error, a
 * reconnect, a reload) never post a message twice: postMessage is idempotent per clientId.
 *
 * Entries are sent one at a time, oldest first, so a room receives them in the order written. An
 * entry the server refused (too long, not allowed) is kept as `failed` until retried or discarded,
 * and does not hold up the others.
 *
 * The server remembers a clientId for a day (within it, `RESEND_WINDOW_MS`). An entry first sent
 * longer ago than that and never answered (the reply was lost, then the page closed for a day) may be in the
 * room already, and sending it again could post it twice: it is not sent by itself again but kept
 * as `failed`, for the person to check the room and send it again or discard it.
 */
export interface OutboxEntry {
  clientId: string;
  roomId: string;
  body: string;
  /** When it was written (ISO), for ordering and display. */
  createdAt: string;
  /** The message it answers (a thread's root), or null for a top-level message. */
  replyTo?: string | null;
  status: 'queued' | 'sending' | 'failed';
  error: string | null;
  /** When it was first handed to the server (epoch ms), or null if never: a reply may be pending since. */
  firstSentAt: number | null;
}

/**
 * How long after its first attempt an unanswered entry may still be sent by itself: the server's
 * idempotency window (24 h, `IDEMPOTENCY_TTL_SECONDS`) less an hour for the device's clock.
 */
export const RESEND_WINDOW_MS = 23 * 60 * 60 * 1000;
export const RESEND_EXPIRED_ERROR = 'Not confirmed for a day: it may have been posted. Check the room, then send it again or discard it.';

export type SendResult =
  /** Accepted: the message's id (the room's subscription brings the message itself). */
  | { kind: 'sent'; messageId: string }
  /** Not now (no network, the server unreachable or busy): try again later. */
  | { kind: 'retry'; error: string }
  /** The server refused it; retrying the same would fail the same way. */
  | { kind: 'failed'; error: string };

export type OutboxChange =
  | { type: 'added' | 'changed' | 'discarded'; entry: OutboxEntry }
  | { type: 'sent'; entry: OutboxEntry; messageId: string };

/** Where entries survive a reload; `createLocalOutboxStorage` in the browser. */
export interface OutboxStorage {
  load(): OutboxEntry[];
  save(entry: OutboxEntry): void;
  remove(clientId: string): void;
}

export interface OutboxOptions {
  storage: OutboxStorage;
  send(entry: OutboxEntry): Promise<SendResult>;
  isOnline?(): boolean;
  /** Delay before an automatic retry after `attempt` retryable failures in a row. */
  retryDelay?(attempt: number): number;
  /** The clock (epoch ms) for `firstSentAt`; `Date.now` by default. */
  now?(): number;
}

export interface Outbox {
  /** Queues a message and starts sending. */
  add(entry: { clientId: string; roomId: string; body: string; createdAt: string; replyTo?: string | null }): OutboxEntry;
  /** Sends whatever is queued (on reconnect, when the network is back); safe to call any time. */
  flush(): Promise<void>;
  retry(clientId: string): void;
  discard(clientId: string): void;
  entries(roomId?: string): OutboxEntry[];
  subscribe(listener: (change: OutboxChange) => void): () => void;
  dispose(): void;
}

export const createOutbox = (options: OutboxOptions): Outbox => {
  const isOnline = options.isOnline ?? (() => true);
  const retryDelay = options.retryDelay ?? ((attempt: number) => Math.min(30_000, 1_000 * 2 ** attempt));
  const now = options.now ?? Date.now;
  // An entry that was being sent when the page went away may or may not have arrived: send it again (same clientId).
  let entries: OutboxEntry[] = options.storage
    .load()
    .map((e) => (e.status === 'sending' ? { ...e, status: 'queued' as const } : e))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const listeners = new Set<(change: OutboxChange) => void>();
  let flushing: Promise<void> | null = null;
  let again = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const emit = (change: OutboxChange) => {
    for (const listener of [...listeners]) listener(change);
  };
  const update = (clientId: string, change: Partial<OutboxEntry>): OutboxEntry | null => {
    const i = entries.findIndex((e) => e.clientId === clientId);
    if (i < 0) return null;
    const entry = { ...entries[i]!, ...change };
    entries = entries.with(i, entry);
    options.storage.save(entry);
    emit({ type: 'changed', entry });
    return entry;
  };
  const remove = (clientId: string) => {
    const entry = entries.find((e) => e.clientId === clientId);
    entries = entries.filter((e) => e.clientId !== clientId);
    options.storage.remove(clientId);
    return entry;
  };

  /** Sends until the outbox is empty or an attempt must wait; true when a retry is scheduled. */
  const drain = async (): Promise<boolean> => {
    for (;;) {
      const next = entries.find((e) => e.status !== 'failed');
      if (!next || disposed) return false;
      if (!isOnline()) {
        if (next.status !== 'queued') update(next.clientId, { status: 'queued' });
        return false; // the caller flushes when the network is back
      }
      if (next.firstSentAt !== null && now() - next.firstSentAt > RESEND_WINDOW_MS) {
        update(next.clientId, { status: 'failed', error: RESEND_EXPIRED_ERROR });
        continue;
      }
      const sending = update(next.clientId, { status: 'sending', error: null, firstSentAt: next.firstSentAt ?? now() }) ?? next;
      let result: SendResult;
      try {
        result = await options.send(sending);
      } catch (error) {
        result = { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
      }
      if (!entries.some((e) => e.clientId === next.clientId)) continue; // discarded meanwhile
      if (result.kind === 'sent') {
        failures = 0;
        const entry = remove(next.clientId)!;
        emit({ type: 'sent', entry, messageId: result.messageId });
      } else if (result.kind === 'failed') {
        update(next.clientId, { status: 'failed', error: result.error });
      } else {
        update(next.clientId, { status: 'queued', error: result.error });
        clearTimeout(timer);
        timer = setTimeout(() => {
          timer = undefined;
          void flush();
        }, retryDelay(failures++));
        return true;
      }
    }
  };

  const flush = (): Promise<void> => {
    if (flushing) {
      again = true;
      return flushing;
    }
    clearTimeout(timer);
    timer = undefined;
    flushing = (async () => {
      do {
        again = false;
        if (await drain()) return;
      } while (again && !disposed);
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  };

  return {
    add(input) {
      const entry: OutboxEntry = { ...input, status: 'queued', error: null, firstSentAt: null };
      entries = [...entries, entry];
      options.storage.save(entry);
      emit({ type: 'added', entry });
      // While a retry is scheduled the new entry waits its turn behind the older ones.
      if (timer === undefined) void flush();
      return entry;
    },
    flush,
    retry(clientId) {
      const entry = entries.find((e) => e.clientId === clientId);
      if (entry?.status !== 'failed') return;
      // Asked for by the person: a new attempt, with a new window.
      update(clientId, { status: 'queued', error: null, firstSentAt: null });
      failures = 0;
      void flush();
    },
    discard(clientId) {
      const entry = remove(clientId);
      if (entry) emit({ type: 'discarded', entry });
    },
    entries: (roomId) => (roomId === undefined ? [...entries] : entries.filter((e) => e.roomId === roomId)),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
      listeners.clear();
    },
  };
};

/** Memory only (tests; browsers without storage). */
export const createMemoryOutboxStorage = (initial: OutboxEntry[] = []): OutboxStorage & { data: Map<string, OutboxEntry> } => {
  const data = new Map(initial.map((e) => [e.clientId, e]));
  return {
    data,
    load: () => [...data.values()],
    save: (entry) => void data.set(entry.clientId, entry),
    remove: (clientId) => void data.delete(clientId),
  };
};

/**
 * localStorage, one key per entry (`<prefix><clientId>`), so two tabs of one user never overwrite
 * each other's entries. Falls back to memory when storage is unavailable or full.
 */
export const createLocalOutboxStorage = (prefix: string, storage: Storage = localStorage): OutboxStorage => {
  const memory = createMemoryOutboxStorage();
  const safely = (action: () => void) => {
    try {
      action();
    } catch {
      // private mode or quota: the entry still lives in memory for this page
    }
  };
  return {
    load() {
      const found: OutboxEntry[] = [];
      safely(() => {
        for (let i = 0; i < storage.length; i++) {
          const key = storage.key(i);
          if (!key?.startsWith(prefix)) continue;
          const entry = parseEntry(storage.getItem(key));
          if (entry) found.push(entry);
          else storage.removeItem(key);
        }
      });
      for (const e of found) memory.save(e);
      return memory.load();
    },
    save(entry) {
      memory.save(entry);
      safely(() => storage.setItem(prefix + entry.clientId, JSON.stringify(entry)));
    },
    remove(clientId) {
      memory.remove(clientId);
      safely(() => storage.removeItem(prefix + clientId));
    },
  };
};

const parseEntry = (raw: string | null): OutboxEntry | null => {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<OutboxEntry>;
    if (
      typeof value.clientId !== 'string' ||
      typeof value.roomId !== 'string' ||
      typeof value.body !== 'string' ||
      typeof value.createdAt !== 'string'
    )
      return null;
    const status = value.status === 'failed' || value.status === 'sending' ? value.status : 'queued';
    return {
      clientId: value.clientId,
      roomId: value.roomId,
      body: value.body,
      createdAt: value.createdAt,
      replyTo: typeof value.replyTo === 'string' ? value.replyTo : null,
      status,
      error: typeof value.error === 'string' ? value.error : null,
      // Written before this field existed: as if first sent when written, the earliest it can have been.
      firstSentAt:
        typeof value.firstSentAt === 'number'
          ? value.firstSentAt
          : status === 'queued' && value.error == null
            ? null
            : Date.parse(value.createdAt) || 0,
    };
  } catch {
    return null;
  }
};

/** A fresh clientId (crypto.randomUUID needs a secure context; plain http on a LAN address is not one). */
export const newClientId = (): string => {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
};
