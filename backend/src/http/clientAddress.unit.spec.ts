import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toClientAddress } from './httpUtil.js';

const request = (peer: string | undefined, forwardedFor?: string | string[]) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('the client address per-IP limits count', () => {
  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(toClientAddress(request('10.0.0.5'), 0)).toBe('10.0.0.5');
    expect(toClientAddress(request('10.0.0.5', '203.0.113.9'), 0)).toBe('10.0.0.5');
    expect(toClientAddress(request(undefined), 0)).toBe('unknown');
  });

  it('behind one proxy, is the address that proxy saw: the last entry of the header', () => {
    expect(toClientAddress(request('10.0.0.1', '203.0.113.9'), 1)).toBe('203.0.113.9');
    // Entries the client sent itself come first and never count.
    expect(toClientAddress(request('10.0.0.1', 'spoofed, 198.51.100.7, 203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(toClientAddress(request('10.0.0.1', ['spoofed', ' 203.0.113.9 ']), 1)).toBe('203.0.113.9');
  });

  it('behind two proxies, is the second entry from the right', () => {
    expect(toClientAddress(request('10.0.0.1', 'spoofed, 203.0.113.9, 10.0.0.2'), 2)).toBe('203.0.113.9');
  });

  it('is the leftmost address known when the header holds fewer entries than trusted hops', () => {
    expect(toClientAddress(request('10.0.0.1'), 1)).toBe('10.0.0.1');
    expect(toClientAddress(request('10.0.0.1', '203.0.113.9'), 3)).toBe('203.0.113.9');
    expect(toClientAddress(request('10.0.0.1', ' , '), 1)).toBe('10.0.0.1');
  });
});
