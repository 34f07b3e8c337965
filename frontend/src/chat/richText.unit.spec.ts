import { describe, expect, it } from 'vitest';
import { type Segment, isSafeHref, mentions, toSegments } from './richText.js';

const joined = (segments: Segment[]) => segments.map((s) => s.text).join('');

describe('links', () => {
  it('turns http and https URLs (and bare domains, as http) into links', () => {
    expect(toSegments('see https://example.com/a?b=1, or www.site.io.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', or ' },
      { kind: 'link', text: 'www.site.io', href: 'http://www.site.io' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('leaves other schemes as text', () => {
    for (const body of ['javascript:alert(1)', 'ftp://files.example.com/x', 'mailto:a@example.com', 'data:text/html,<b>x</b>']) {
      expect(toSegments(body).some((s) => s.kind === 'link')).toBe(false);
      expect(joined(toSegments(body))).toBe(body);
    }
    expect(isSafeHref('JavaScript:alert(1)')).toBe(false);
    expect(isSafeHref('https://ok.example')).toBe(true);
  });

  it('keeps markup as plain text', () => {
    const body = '<img src=x onerror=alert(1)>';
    expect(toSegments(body)).toEqual([{ kind: 'text', text: body }]);
  });

  it('does not find mentions or emoticons inside links', () => {
    const segments = toSegments('https://example.com/@bob/:D');
    expect(segments).toEqual([{ kind: 'link', text: 'https://example.com/@bob/:D', href: 'https://example.com/@bob/:D' }]);
  });
});

describe('mentions', () => {
  it('highlights @handles', () => {
    expect(toSegments('hi @alice and @Bob_2!')).toEqual([
      { kind: 'text', text: 'hi ' },
      { kind: 'mention', text: '@alice', handle: 'alice' },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', text: '@Bob_2', handle: 'Bob_2' },
      { kind: 'text', text: '!' },
    ]);
  });

  it('ignores e-mail addresses, words with @ inside and handles longer than 15', () => {
    for (const body of ['write to me@example.org', 'a@b', '@abcdefghijklmnopq', '@@x']) {
      expect(toSegments(body).filter((s) => s.kind === 'mention')).toEqual([]);
    }
  });

  it('tells whether a body mentions someone, case-insensitively', () => {
    expect(mentions('ping @Alice', 'alice')).toBe(true);
    expect(mentions('alice@example.com', 'alice')).toBe(false);
  });
});

describe('emoticons', () => {
  it('become emoji with a label', () => {
    expect(toSegments(':) hello <3')).toEqual([
      { kind: 'emoji', text: ':)', emoji: '🙂', label: 'slightly smiling face' },
      { kind: 'text', text: ' hello ' },
      { kind: 'emoji', text: '<3', emoji: '❤️', label: 'red heart' },
    ]);
  });

  it('knows the classics', () => {
    const emoji = (body: string) => toSegments(body).flatMap((s) => (s.kind === 'emoji' ? [s.emoji] : []));
    expect(emoji(":D ;) :( :P :-) :O :'( </3")).toEqual(['😃', '😉', '🙁', '😛', '🙂', '😮', '😢', '💔']);
  });

  it('only when they stand alone', () => {
    for (const body of ['12:30', 'a:)b', 'x:D', 'http://example.com', 'so:(', '<3>']) {
      expect(toSegments(body).filter((s) => s.kind === 'emoji')).toEqual([]);
    }
    expect(toSegments('nice :), really').map((s) => s.kind)).toEqual(['text', 'emoji', 'text']);
  });

  it('keeps the text of everything, so nothing is lost', () => {
    const body = 'ok :) @bob see https://x.example/y <3 bye';
    expect(joined(toSegments(body))).toBe(body);
  });
});
