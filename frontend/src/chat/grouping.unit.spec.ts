import { describe, expect, it } from 'vitest';
import { type Row, layoutRows, toDayLabel } from './grouping.js';
import type { UserFieldsFragment } from '../graphql/gql/graphql.js';
import { PLAIN_MESSAGE } from '../testing/messages.js';

const user = (handle: string): UserFieldsFragment => ({ id: handle, handle, displayName: handle, avatarUrl: null, status: 'AVAILABLE' });
const at = (hh: number, mm: number, day = 26) => new Date(2026, 10, day, hh, mm).toISOString();
const msg = (key: string, author: string, createdAt: string): Row => ({
  kind: 'message',
  key,
  cursor: '1-0',
  message: { id: key, body: key, createdAt, editedAt: null, deletedAt: null, author: user(author), removedBy: null, ...PLAIN_MESSAGE },
});
const now = new Date(2026, 10, 26, 18, 0).getTime();

describe('grouping', () => {
  it('groups consecutive messages of one author within five minutes', () => {
    const layout = layoutRows(
      [
        msg('a1', 'alice', at(10, 0)),
        msg('a2', 'alice', at(10, 4)),
        msg('b1', 'bob', at(10, 5)),
        msg('b2', 'bob', at(10, 11)),
        msg('b3', 'bob', at(10, 12)),
      ],
      now,
    );
    expect([...layout].map(([key, l]) => `${key}:${l.startsGroup ? 'head' : '-'}`)).toEqual([
      'a1:head',
      'a2:-',
      'b1:head',
      'b2:head',
      'b3:-',
    ]);
  });

  it("a notice breaks a group; pending messages join the viewer's group", () => {
    const rows: Row[] = [
      msg('a1', 'alice', at(10, 0)),
      { kind: 'notice', key: 'n1', what: 'joined', user: user('bob'), at: at(10, 1) },
      msg('a2', 'alice', at(10, 2)),
      {
        kind: 'pending',
        key: 'p1',
        clientId: 'c',
        body: 'x',
        createdAt: at(10, 3),
        author: user('alice'),
        status: 'sending',
        error: null,
        messageId: null,
        replyTo: null,
      },
    ];
    expect([...layoutRows(rows, now).values()].map((l) => l.startsGroup)).toEqual([true, false, true, false]);
  });

  it('puts a day divider where the day changes', () => {
    const layout = layoutRows([msg('a', 'alice', at(23, 58, 25)), msg('b', 'alice', at(0, 1, 26)), msg('c', 'alice', at(0, 2, 26))], now);
    expect([...layout.values()].map((l) => [l.dayLabel, l.startsGroup])).toEqual([
      ['Yesterday', true],
      ['Today', true],
      [null, false],
    ]);
  });

  it('names older days by date', () => {
    expect(toDayLabel(new Date(2026, 10, 2, 12).getTime(), now, 'en-GB')).toBe('Monday 2 November');
    expect(toDayLabel(new Date(2025, 0, 1, 12).getTime(), now, 'en-GB')).toContain('2025');
  });
});
