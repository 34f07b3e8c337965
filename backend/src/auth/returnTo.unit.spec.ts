import { describe, expect, it } from 'vitest';
import { toReturnUrl, toSafeReturnPath } from './returnTo.js';

const PUBLIC_URL = new URL('https://chat.example');

describe('toSafeReturnPath', () => {
  it.each([
    ['/', '/'],
    ['/r/abc', '/r/abc'],
    ['/r/abc?x=1&y=%2F#latest', '/r/abc?x=1&y=%2F#latest'],
    ['/a/../b', '/b'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/..//evil.example', '/evil.example'],
    ['/./\\evil.example', '/evil.example'],
  ])('keeps the same-origin path %j as %j', (raw, expected) => {
    expect(toSafeReturnPath(raw, PUBLIC_URL)).toBe(expected);
  });

  it.each([
    'https://evil.example',
    'https://evil.example/r/abc',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '\\/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://chat.example/r/abc',
    'r/abc',
    '',
    ' /r/abc',
    '/r/\u0000',
    `/${'a'.repeat(3000)}`,
  ])('sends %j to /', (raw) => {
    expect(toSafeReturnPath(raw, PUBLIC_URL)).toBe('/');
  });

  it.each([undefined, null, 42, ['/r/abc'], { path: '/r' }])('sends a non-string (%j) to /', (raw) => {
    expect(toSafeReturnPath(raw, PUBLIC_URL)).toBe('/');
  });

  it('always answers a path starting with exactly one slash', () => {
    for (const raw of ['/..//x', '/.//x', '/a/../../..//x', '/%5C%5Cx', '/x//y']) {
      const path = toSafeReturnPath(raw, PUBLIC_URL);
      expect(path).toMatch(/^\/(?![/\\])/);
      expect(new URL(toReturnUrl(path, PUBLIC_URL)).origin).toBe('https://chat.example');
    }
  });
});
