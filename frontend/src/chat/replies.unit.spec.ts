import { describe, expect, it } from 'vitest';
import { toVersions } from './editHistory.js';
import { toReplyTarget, toSnippet } from './replies.js';

const alice = { id: 'u-alice', handle: 'alice', displayName: 'Alice', avatarUrl: null, status: 'AVAILABLE' } as const;

describe('the "replying to" quote', () => {
  it('is the first line, cut at a length without splitting an emoji', () => {
    expect(toSnippet('hello there')).toBe('hello there');
    expect(toSnippet('  first line\nsecond line')).toBe('first line…');
    expect(toSnippet('abcdefghij', 5)).toBe('abcde…');
    expect(toSnippet('ab👍🏽cd', 3)).toBe('ab👍🏽…');
    expect(toSnippet('👨‍👩‍👧', 10)).toBe('👨‍👩‍👧');
  });

  it('names the author, and says when the answered message was deleted', () => {
    const root = { id: 'm1', body: 'lunch?', createdAt: '2026-12-05T10:00:00.000Z', deletedAt: null, author: alice };
    expect(toReplyTarget(root)).toEqual({ id: 'm1', authorName: 'Alice', snippet: 'lunch?', createdAt: root.createdAt });
    expect(toReplyTarget({ ...root, body: '', deletedAt: '2026-12-05T10:01:00.000Z' }).snippet).toBe('message deleted');
  });
});

describe('the edit history popover', () => {
  it('lists earlier bodies oldest first, then the current body at its last edit', () => {
    const versions = toVersions(
      [
        { body: 'v1', at: '2026-12-05T10:00:00.000Z' },
        { body: 'v2', at: '2026-12-05T10:01:00.000Z' },
      ],
      { body: 'v3', editedAt: '2026-12-05T10:02:00.000Z', createdAt: '2026-12-05T10:00:00.000Z' },
    );
    expect(versions).toEqual([
      { body: 'v1', at: '2026-12-05T10:00:00.000Z', current: false },
      { body: 'v2', at: '2026-12-05T10:01:00.000Z', current: false },
      { body: 'v3', at: '2026-12-05T10:02:00.000Z', current: true },
    ]);
  });

  it('shows only the body when there is no history (never edited, or deleted)', () => {
    expect(toVersions([], { body: 'hi', editedAt: null, createdAt: '2026-12-05T10:00:00.000Z' })).toEqual([
      { body: 'hi', at: '2026-12-05T10:00:00.000Z', current: true },
    ]);
  });
});
