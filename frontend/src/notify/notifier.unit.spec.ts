import { describe, expect, it, vi } from 'vitest';
import type { MessageFieldsFragment } from '../graphql/gql/graphql.js';
import { createScriptedClient } from '../testing/scriptedClient.js';
import type { DesktopNotifications } from './desktopNotifications.js';
import { createNotifier } from './notifier.js';
import { PLAIN_MESSAGE } from '../testing/messages.js';

const message = (id: string, body: string, author = 'alice'): MessageFieldsFragment => ({
  id,
  body,
  createdAt: '2026-12-01T10:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  author: { id: `u-${author}`, handle: author, displayName: author, avatarUrl: null, status: 'AVAILABLE' },
  removedBy: null,
  ...PLAIN_MESSAGE,
});
const dm = { id: 'dm', name: 'alice', kind: 'DIRECT' as const, readMarker: '5-0' };

/** The notifier against a scripted client and a recording stand-in for the browser's notifications. */
describe('the notifier', () => {
  const start = (hidden = true) => {
    const scripted = createScriptedClient();
    const shown: string[] = [];
    const notifications: DesktopNotifications = {
      permission: () => 'granted',
      request: async () => {},
      notify: async (messageId) => {
        shown.push(messageId);
        return true;
      },
    };
    const notifier = createNotifier({
      client: scripted.client,
      viewer: () => ({ id: 'u-bob', handle: 'bob' }),
      notifications,
      isHidden: () => hidden,
    });
    return { ...scripted, notifier, shown };
  };
  const edges = (...items: [string, MessageFieldsFragment][]) => ({
    data: { room: { id: 'dm', messages: { edges: items.map(([cursor, node]) => ({ cursor, node })) } } },
  });

  it('looks through as many newest messages as the activity added, past the marker and what the page showed', async () => {
    const { notifier, next, shown } = start();
    notifier.seen('dm', '6-0');
    notifier.activity({ kind: 'DIRECT', unreadCount: 0, mentionCount: 0 }, { ...dm, unreadCount: 3, mentionCount: 3 });
    const request = await next('NewestMessages');
    expect(request.variables).toEqual({ id: 'dm', last: 3 });
    request.answer(edges(['5-0', message('m5', 'read already')], ['6-0', message('m6', 'seen on screen')], ['7-0', message('m7', 'new')]));
    await vi.waitFor(() => expect(shown).toEqual(['m7']));
  });

  it('asks nothing while the page is visible, or when no mention came', async () => {
    const visible = start(false);
    visible.notifier.activity(null, { ...dm, unreadCount: 1, mentionCount: 1 });
    const room = { id: 'r', name: 'Garden', kind: 'PUBLIC' as const, readMarker: null };
    const hidden = start();
    hidden.notifier.activity({ kind: 'PUBLIC', unreadCount: 0, mentionCount: 0 }, { ...room, unreadCount: 2, mentionCount: 0 });
    expect([...visible.requests, ...hidden.requests]).toEqual([]);
  });

  it('notifies a notable message of the open room at once, never the viewer’s own', () => {
    const { notifier, shown } = start();
    notifier.message(message('m1', 'hi'), dm);
    notifier.message(message('m2', '@bob mine', 'bob'), dm);
    expect(shown).toEqual(['m1']);
  });
});
