import { describe, expect, it } from 'vitest';
import { readCookie, serializeClearedSessionCookie, serializeSessionCookie, sessionCookieName } from './cookies.js';
import { generateSessionToken } from './sessionStore.js';

const https = new URL('https://chat.example.com');
const http = new URL('http://localhost:4000');

describe('sessionCookieName', () => {
  it('uses the __Host- prefix only over https', () => {
    expect(sessionCookieName(https)).toBe('__Host-session');
    expect(sessionCookieName(http)).toBe('session');
  });
});

describe('serializeSessionCookie', () => {
  it('sets a Secure __Host- cookie over https', () => {
    expect(serializeSessionCookie('tok_en-1', { publicUrl: https, maxAgeSeconds: 2_592_000 })).toBe(
      '__Host-session=tok_en-1; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000; Secure',
    );
  });

  it('sets a plain cookie over http, without Secure', () => {
    expect(serializeSessionCookie('tok_en-1', { publicUrl: http, maxAgeSeconds: 60 })).toBe(
      'session=tok_en-1; Path=/; HttpOnly; SameSite=Lax; Max-Age=60',
    );
  });

  it('round-trips a real token through readCookie', () => {
    const token = generateSessionToken();
    const [pair] = serializeSessionCookie(token, { publicUrl: https, maxAgeSeconds: 60 }).split(';');
    expect(readCookie(`theme=dark; ${pair}`, '__Host-session')).toBe(token);
  });

  it('refuses a token that would corrupt the header', () => {
    for (const token of ['a;b', 'a b', 'a\r\nSet-Cookie: x=1', 'a,b', '"a"', 'é']) {
      expect(() => serializeSessionCookie(token, { publicUrl: http, maxAgeSeconds: 60 }), token).toThrow(TypeError);
    }
  });

  it('refuses a Max-Age that is not a non-negative integer', () => {
    for (const maxAgeSeconds of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => serializeSessionCookie('t', { publicUrl: http, maxAgeSeconds }), String(maxAgeSeconds)).toThrow(RangeError);
    }
  });
});

describe('serializeClearedSessionCookie', () => {
  it('empties the cookie with the attributes it was set with', () => {
    expect(serializeClearedSessionCookie(https)).toBe('__Host-session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure');
    expect(serializeClearedSessionCookie(http)).toBe('session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
  });
});

describe('readCookie', () => {
  it('finds a cookie among several, with or without spaces', () => {
    expect(readCookie('a=1; session=abc; b=2', 'session')).toBe('abc');
    expect(readCookie('a=1;session=abc;b=2', 'session')).toBe('abc');
    expect(readCookie('  session = abc  ;a=1', 'session')).toBe('abc');
    expect(readCookie('session=abc', 'session')).toBe('abc');
  });

  it('keeps = inside values', () => {
    expect(readCookie('session=a=b==; x=y', 'session')).toBe('a=b==');
  });

  it('takes the first of duplicates', () => {
    expect(readCookie('session=first; session=second', 'session')).toBe('first');
  });

  it('matches names exactly', () => {
    expect(readCookie('xsession=1; sessionx=2; Session=3', 'session')).toBeNull();
    expect(readCookie('__Host-session=1', 'session')).toBeNull();
    expect(readCookie('session=1', '__Host-session')).toBeNull();
  });

  it('drops surrounding double quotes', () => {
    expect(readCookie('session="abc"', 'session')).toBe('abc');
    expect(readCookie('session="', 'session')).toBe('"');
  });

  it('answers an empty value as empty and a missing cookie as null', () => {
    expect(readCookie('session=; a=1', 'session')).toBe('');
    expect(readCookie('a=1', 'session')).toBeNull();
    expect(readCookie('', 'session')).toBeNull();
    expect(readCookie(undefined, 'session')).toBeNull();
  });

  it('never throws on garbage', () => {
    const garbage = [';;;', '=', '==;=', 'session', ';session', 'a=%E0%A4%A', '\u0000=\u0000', 'é=ü; session=ok', 'x'.repeat(100_000)];
    for (const header of garbage) expect(() => readCookie(header, 'session'), header.slice(0, 20)).not.toThrow();
    expect(readCookie('garbage; ;=; session=ok', 'session')).toBe('ok');
    expect(readCookie('é=ü; session=ok', 'session')).toBe('ok');
  });
});
