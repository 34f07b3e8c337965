import { describe, expect, it } from 'vitest';
import { CONFUSABLES_COUNT, CONFUSABLES_MA, CONFUSABLES_VERSION } from './confusablesData.js';
import { toFoldedCase, toNameKey, toSkeleton } from './skeleton.js';

describe('the confusables table', () => {
  it("is Unicode's 16.0.0 table, whole", () => {
    expect(CONFUSABLES_VERSION).toBe('16.0.0');
    expect(CONFUSABLES_MA.join(',').split(',')).toHaveLength(CONFUSABLES_COUNT);
  });
});

describe('toSkeleton (UTS #39)', () => {
  it.each([
    ['Latin and Cyrillic', 'paypal', 'раураl'],
    ['"rn" and "m"', 'rn', 'm'],
    ['mathematical letters', 'paypal', '𝔭𝒶ỿ𝕡𝕒ℓ'],
    ['"1", "I", "|" and "l"', 'l', '1'],
    ['capital I and small l', 'lll', 'I|1'],
    ['Greek omicron and Latin o', 'ooo', 'οοo'],
    ['a combining tone mark and the accent it looks like', 'Cafe\u0301', 'Cafe\u0341'],
    ['precomposed and decomposed accents', 'Caf\u00e9', 'Cafe\u0301'],
    ['a zero-width space and none', 'ab', 'a\u200bb'],
  ])('gives %s one skeleton', (_, a, b) => {
    expect(toSkeleton(a)).toBe(toSkeleton(b));
  });

  it('keeps case and accents apart (the key folds case; accents are visible)', () => {
    expect(toSkeleton('A')).not.toBe(toSkeleton('a'));
    expect(toSkeleton('Café')).not.toBe(toSkeleton('Cafe'));
  });

  it('maps "0" to capital O: the key folds again after the skeleton', () => {
    expect(toSkeleton('0')).toBe('O');
  });

  it('is NFD', () => {
    for (const text of ['Ǆemal', 'ﬁne', 'straße', 'раураl', 'm0nday', 'ᾳ'])
      expect(toSkeleton(text)).toBe(toSkeleton(text).normalize('NFD'));
  });

  it('is not always idempotent in one pass (why the key repeats it): "Ǆ" maps to a precomposed Ž whose caron maps on', () => {
    const once = toSkeleton('Ǆ');
    expect(toSkeleton(once)).not.toBe(once);
    expect(toSkeleton(toSkeleton(once))).toBe(toSkeleton(once));
  });
});

describe('toFoldedCase', () => {
  it.each([
    ['ß', 'ss'],
    ['ẞ', 'ss'],
    ['STRASSE', 'strasse'],
    ['ΣΊΣΥΦΟΣ', 'σίσυφος'],
    ['ﬀ', 'ff'],
    ['İ', 'i\u0307'],
  ])('folds %s like %s', (text, folded) => {
    expect(toFoldedCase(text)).toBe(toFoldedCase(folded));
  });

  it('ignores the locale: no Turkish dotless i', () => {
    expect(toFoldedCase('I')).toBe('i');
  });
});

describe('toNameKey', () => {
  it.each([
    ['Latin and Cyrillic', 'paypal', 'раураl'],
    ['Latin and Cyrillic, in capitals', 'PAYPAL', 'раураl'],
    ['"rn" and "m"', 'modern', 'rnodern'],
    ['zero and O, either case', 'g00gle', 'GOOGLE'],
    ['one and l', 'hello1', 'HELLOl'],
    ['sharp s', 'straße', 'STRASSE'],
    ['capital sharp s', 'STRAẞE', 'strasse'],
    ['fullwidth', 'ＬＯＢＢＹ', 'lobby'],
    ['mathematical letters', '𝐑𝐨𝐨𝐦', 'room'],
    ['ligatures', 'ﬁnance', 'finance'],
    ['precomposed and combining accents', 'Caf\u00e9', 'CAFE\u0301'],
    ['a look-alike combining mark', 'Caf\u00e9', 'Cafe\u0341'],
    ['final and medial sigma', 'ΟΔΟΣ', 'οδοσ'],
    ['case, width and spacing', 'General  Chat', ' general chat'],
    ['other spaces', 'a\u00a0b\u3000c', 'a b c'],
    ['an emoji with and without VS16', '\u2764 club', '\u2764\ufe0f club'],
  ])('gives %s one key', (_, a, b) => {
    expect(toNameKey(a)).toBe(toNameKey(b));
  });

  it.each([
    ['different words', 'lobby', 'lobby2'],
    ['an accent', 'resume', 'résumé'],
    ['a different letter', 'paypal', 'paypai'],
    ['a missing letter', 'google', 'gogle'],
  ])('keeps %s apart', (_, a, b) => {
    expect(toNameKey(a)).not.toBe(toNameKey(b));
  });

  it('is a fixed point: the key of a key is itself', () => {
    for (const name of ['g00gle', 'STRAẞE', 'раураl', 'Mom', 'ΟΔΟΣ', 'İstanbul', 'ﬃ', '⑩', 'ǅ', 'Ǆemal']) {
      const key = toNameKey(name);
      expect(toNameKey(key)).toBe(key);
    }
  });
});
