import { describe, expect, it } from 'vitest';
import type { MessageFieldsFragment } from '../graphql/gql/graphql.js';
import { CLAIM_TTL_MS, expiredClaims, isNotable, toClaimKey, toLookback, toNotificationText } from './notable.js';
import { PLAIN_MESSAGE } from '../testing/messages.js';

const viewer = { id: 'u-bob', handle: 'Bob' };
const message = (body: string, author = 'alice', over: Partial<MessageFieldsFragment> = {}): MessageFieldsFragment => ({
  id: 'm1',
  body,
  createdAt: '2026-12-01T10:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  author: { id: `u-${author}`, handle: author, displayName: author, avatarUrl: null, status: 'AVAILABLE' },
  removedBy: null,
  ...PLAIN_MESSAGE,
  ...over,
});

describe('desktop notifications', () => {
  it('are for mentions of the viewer (any case, whole word) and for every direct message, never the viewer’s own', () => {
    expect(isNotable(message('hey @bob look'), { kind: 'PUBLIC' }, viewer)).toBe(true);
    expect(isNotable(message('hey @bobby'), { kind: 'PUBLIC' }, viewer)).toBe(false);
    expect(isNotable(message('hey bob'), { kind: 'PRIVATE' }, viewer)).toBe(false);
    expect(isNotable(message('anything'), { kind: 'DIRECT' }, viewer)).toBe(true);
    expect(isNotable(message('@bob note to self', 'bob'), { kind: 'PUBLIC' }, viewer)).toBe(false);
    expect(isNotable(message('', 'alice', { deletedAt: '2026-12-01T10:01:00.000Z' }), { kind: 'DIRECT' }, viewer)).toBe(false);
  });

  it('look through as many newest messages as an activity added, when a mention (or a direct message) is among them', () => {
    const room = (unreadCount: number, mentionCount: number, kind: 'PUBLIC' | 'DIRECT' = 'PUBLIC') => ({ kind, unreadCount, mentionCount });
    expect(toLookback(room(1, 0), room(3, 1))).toBe(2);
    expect(toLookback(room(1, 0), room(3, 0))).toBe(0);
    expect(toLookback(room(3, 1), room(0, 0))).toBe(0); // read elsewhere
    expect(toLookback(room(0, 0, 'DIRECT'), room(2, 2, 'DIRECT'))).toBe(2);
    expect(toLookback(room(0, 0), room(500, 500))).toBe(20);
    // A room the list did not hold yet: its newest only.
    expect(toLookback(null, room(7, 2))).toBe(1);
    expect(toLookback(null, room(7, 0))).toBe(0);
  });

  it('say who wrote where, and the start of it', () => {
    expect(toNotificationText(message('@bob hi'), { kind: 'PUBLIC', name: 'Garden' })).toEqual({
      title: 'alice in #Garden',
      body: '@bob hi',
    });
    expect(toNotificationText(message('hi'), { kind: 'DIRECT', name: 'alice' }).title).toBe('alice');
    expect(toNotificationText(message('x'.repeat(500)), { kind: 'PRIVATE', name: 'Plans' }).body).toHaveLength(140);
  });

  it('claims are forgotten after a day; other keys are left alone', () => {
    const now = 10 * CLAIM_TTL_MS;
    const claims = [
      [toClaimKey('old'), String(now - CLAIM_TTL_MS - 1)],
      [toClaimKey('new'), String(now - 1000)],
      [toClaimKey('broken'), 'x'],
      ['balloons:hide-empty-rooms', '1'],
    ] as const;
    expect(expiredClaims(claims, now)).toEqual([toClaimKey('old'), toClaimKey('broken')]);
  });
});
