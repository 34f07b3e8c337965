import { describe, expect, it } from 'vitest';
import { parseDevLoginBody, toDevUserId } from './devLogin.js';

describe('parseDevLoginBody', () => {
  it('accepts a handle of 1–15 letters, digits and underscores, keeping its case', () => {
    for (const handle of ['a', 'Alice', 'bob_42', '_', 'A23456789012345']) {
      expect(parseDevLoginBody({ handle })).toEqual({ ok: true, handle });
    }
  });

  it('ignores other fields', () => {
    expect(parseDevLoginBody({ handle: 'alice', admin: true })).toEqual({ ok: true, handle: 'alice' });
  });

  it('rejects handles outside the Twitter shape', () => {
    for (const handle of ['', 'A234567890123456', 'al ice', ' alice', 'alice ', 'al-ice', 'al.ice', 'élise', 'alice\n', '😀']) {
      const result = parseDevLoginBody({ handle });
      expect(result, JSON.stringify(handle)).toEqual({ ok: false, message: expect.stringContaining('handle') });
    }
  });

  it('rejects a handle that is not a string, or missing', () => {
    for (const body of [{ handle: 42 }, { handle: null }, { handle: ['alice'] }, {}]) {
      expect(parseDevLoginBody(body), JSON.stringify(body)).toEqual({ ok: false, message: expect.stringContaining('handle') });
    }
  });

  it('rejects a body that is not an object', () => {
    for (const body of [undefined, null, 'alice', 42, ['alice']]) {
      expect(parseDevLoginBody(body), JSON.stringify(body)).toEqual({ ok: false, message: expect.stringContaining('object') });
    }
  });
});

describe('toDevUserId', () => {
  it('prefixes dev: and ignores case', () => {
    expect(toDevUserId('alice')).toBe('dev:alice');
    expect(toDevUserId('Alice_42')).toBe('dev:alice_42');
    expect(toDevUserId('ALICE')).toBe(toDevUserId('alice'));
  });
});
