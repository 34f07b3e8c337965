import { describe, expect, it } from 'vitest';
import type { MessageFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';
import { aMessage } from '../testing/messages.js';
import { createScriptedClient } from '../testing/scriptedClient.js';
import { createPinnedMessages } from './pinnedMessages.js';
import type { MessageChange } from './roomSession.js';
import { createThreadSession } from './threadSession.js';

const alice: UserFieldsFragment = { id: 'u-alice', handle: 'alice', displayName: 'alice', avatarUrl: null, status: 'AVAILABLE' };
const rootRef = (replyCount: number) => ({
  id: 'root',
  body: 'lunch?',
  createdAt: '2026-11-26T10:00:00.000Z',
  deletedAt: null,
  replyCount,
  lastReplyAt: null,
  author: alice,
});
const reply = (id: string, count = 1) => aMessage(id, id, alice, { replyTo: rootRef(count) });
const page = (ids: [string, string][], hasNextPage: boolean, replyCount = ids.length) => ({
  data: {
    message: {
      ...aMessage('root', 'lunch?', alice, { replyCount }),
      replies: {
        edges: ids.map(([cursor, id]) => ({ cursor, node: reply(id) })),
        pageInfo: { hasNextPage, endCursor: ids.at(-1)?.[0] ?? null },
      },
    },
  },
});

/** A stand-in for the room session's `watchMessages`: the test pushes the room's message changes. */
const createFeed = () => {
  const listeners = new Set<(change: MessageChange) => void>();
  return {
    watch: (listener: (change: MessageChange) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    push: (change: MessageChange) => {
      for (const listener of [...listeners]) listener(change);
    },
    size: () => listeners.size,
  };
};

describe('a thread panel’s data', () => {
  it('reads the root with a page of replies, keeps a reply that came live meanwhile, and pages on', async () => {
    const scripted = createScriptedClient();
    const feed = createFeed();
    const thread = createThreadSession({ client: scripted.client, roomId: 'r1', root: { id: 'root', cursor: '1-0' }, watch: feed.watch });
    const first = await scripted.next('Thread');
    expect(first.variables).toEqual({ id: 'root', first: 50, after: null });
    feed.push({ type: 'MessagePosted', cursor: '9-0', message: reply('live', 3) });
    first.answer(
      page(
        [
          ['2-0', 'r1'],
          ['3-0', 'r2'],
        ],
        true,
      ),
    );
    await Promise.resolve();
    expect(thread.state().replies.map((r) => r.message.id)).toEqual(['r1', 'r2', 'live']);
    expect(thread.state().root?.message.body).toBe('lunch?');

    thread.loadMore();
    const second = await scripted.next('Thread');
    expect(second.variables.after).toBe('3-0');
    second.answer(page([['4-0', 'r3']], false));
    await Promise.resolve();
    expect(thread.state().replies.map((r) => r.message.id)).toEqual(['r1', 'r2', 'r3', 'live']);
    expect(thread.state().hasMore).toBe(false);

    thread.dispose();
    expect(feed.size()).toBe(0);
  });

  it('says when the thread cannot be read', async () => {
    const scripted = createScriptedClient();
    const thread = createThreadSession({
      client: scripted.client,
      roomId: 'r1',
      root: { id: 'gone', cursor: '1-0' },
      watch: createFeed().watch,
    });
    (await scripted.next('Thread')).answer({ data: { message: null } });
    await Promise.resolve();
    expect(thread.error()).toBe('This thread could not be read.');
  });
});

describe('the pins panel’s data', () => {
  it('reads the pins, keeps a pin that came live meanwhile on top, and follows pins and unpins', async () => {
    const scripted = createScriptedClient();
    const feed = createFeed();
    const pinned = (id: string, at: string | null): MessageFieldsFragment => aMessage(id, id, alice, { pinnedAt: at });
    const pins = createPinnedMessages({ client: scripted.client, roomId: 'r1', watch: feed.watch });
    const query = await scripted.next('PinnedMessages');
    expect(query.variables).toEqual({ id: 'r1' });
    feed.push({ type: 'MessagePinned', cursor: '9-0', message: pinned('new', '9') });
    query.answer({ data: { room: { id: 'r1', pinned: [pinned('b', '2'), pinned('a', '1')] } } });
    await Promise.resolve();
    expect(pins.state().messages.map((m) => m.id)).toEqual(['new', 'b', 'a']);
    feed.push({ type: 'MessageUnpinned', cursor: '10-0', message: pinned('b', null) });
    expect(pins.state().messages.map((m) => m.id)).toEqual(['new', 'a']);
    pins.dispose();
  });
});
