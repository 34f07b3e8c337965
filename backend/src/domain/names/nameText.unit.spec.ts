import { describe, expect, it } from 'vitest';
import { INVISIBLE_IN_NAMES } from '../../testing/nameFixtures.js';
import { hasLoneSurrogates } from '../text.js';
import { cleanName, findNameProblem, hasVisibleCharacters } from './nameText.js';

describe('findNameProblem', () => {
  it.each([
    ['plain text', 'General chat'],
    ['accents', 'Tiếng Việt'],
    ['other scripts', '日本語 · हिन्दी · ضمير · עברית'],
    ['an emoji', 'Lobby 😀'],
    ['an emoji with VS16', 'I ❤\ufe0f cats'],
    ['an emoji with text presentation (VS15)', 'Weather \u2600\ufe0e'],
    ['a ZWJ sequence', 'Family 👨\u200d👩\u200d👧'],
    ['a ZWJ sequence with VS16 inside', 'Pride 🏳\ufe0f\u200d🌈'],
    ['a skin tone', 'Thumbs 👍🏽'],
    ['a keycap', 'Room 1\ufe0f\u20e3'],
    ['a flag', 'France 🇫🇷'],
    ['a tag sequence (the flag of England)', 'England 🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}'],
    ['three marks on one letter', 'a\u0301\u0302\u0303'],
    ['inner spaces of every kind', 'a\u00a0b\u3000c'],
  ])('accepts %s', (_, name) => {
    expect(findNameProblem(name)).toBeNull();
  });

  it.each(INVISIBLE_IN_NAMES)('finds %s invisible', (_, name) => {
    expect(findNameProblem(name)).toBe('invisible');
  });

  it.each([
    ['a lone high surrogate', 'a\ud83db', 'lone-surrogate'],
    ['a lone low surrogate', 'ab\ude00', 'lone-surrogate'],
    ['NUL', 'a\u0000b', 'control'],
    ['a newline', 'a\nb', 'control'],
    ['a C1 control', 'a\u0085b', 'control'],
    ['U+2028 line separator', 'a\u2028b', 'separator'],
    ['U+2029 paragraph separator', 'a\u2029b', 'separator'],
    ['a right-to-left override', 'abc\u202etxt.exe', 'bidi'],
    ['a right-to-left mark', 'a\u200fb', 'bidi'],
    ['an isolate', 'a\u2067b\u2069', 'bidi'],
    ['an Arabic letter mark', 'a\u061cb', 'bidi'],
    ['a noncharacter', 'a\ufdd0b', 'noncharacter'],
    ['U+FFFF', 'ab\uffff', 'noncharacter'],
    ['four marks on one letter', 'a\u0301\u0302\u0303\u0304', 'stacked-marks'],
    ['Zalgo', 'he\u0336\u0334\u0335\u0337\u0338llo', 'stacked-marks'],
    ['a mark twice in a row', 'a\u0301\u0301', 'stacked-marks'],
    ['a precomposed letter with three more marks', '\u00e9\u0302\u0303\u0304', 'stacked-marks'],
    ['marks alone', '\u0301\u0300', 'blank'],
    ['an enclosing mark alone', '\u20dd', 'blank'],
  ])('finds %s (%s)', (_, name, problem) => {
    expect(findNameProblem(name)).toBe(problem);
  });

  it.each([
    ['U+3164 alone', '\u3164'],
    ['U+2800 alone', '\u2800'],
    ['a filler between spaces', '\u115f \u1160'],
    ['VS16 alone', '\ufe0f'],
  ])('finds %s blank or invisible, never acceptable', (_, name) => {
    expect(['invisible', 'blank']).toContain(findNameProblem(name));
  });
});

describe('hasVisibleCharacters', () => {
  it('sees letters, digits, symbols and emoji, not spaces, marks or fillers', () => {
    for (const text of ['a', '1', '·', '😀', '日']) expect(hasVisibleCharacters(text)).toBe(true);
    for (const text of ['', ' \u00a0\u3000', '\u0301', '\u3164\u2800\u200b', '\ufe0f']) expect(hasVisibleCharacters(text)).toBe(false);
  });
});

describe('cleanName', () => {
  it.each([
    ['trims and collapses whitespace, line breaks included', '  Alice \n\t Smith\u2028Jr ', 'Alice Smith Jr'],
    ['drops bidi controls', 'Alice\u202e \u2066Smith\u2069', 'Alice Smith'],
    ['drops controls', 'Al\u0000i\u001bce', 'Alice'],
    ['drops zero-width and filler characters', 'Al\u200bi\u3164c\u2800e\u00ad', 'Alice'],
    [
      'drops a lone VS16 and tags, keeps emoji sequences',
      '\ufe0fAlice\u{e0041} ❤\ufe0f 👨\u200d👩\u200d👧',
      'Alice ❤\ufe0f 👨\u200d👩\u200d👧',
    ],
    ['drops lone surrogates', 'Ali\ud83dce\ude00', 'Alice'],
    ['drops marks past three and repeated marks', 'Ze\u0301\u0301\u0300\u0302\u0303\u0304ro', 'Z\u00e9\u0300\u0302ro'],
    ['normalises to NFC', 'Cafe\u0301', 'Caf\u00e9'],
    ['keeps ordinary names as they are', 'Zoë Ünal 李雷 😀', 'Zoë Ünal 李雷 😀'],
  ])('%s', (_, raw, clean) => {
    expect(cleanName(raw, 50)).toBe(clean);
  });

  it('answers "" when nothing visible is left', () => {
    for (const raw of ['', '   ', '\u3164', '\u2800\u200b\u202e', '\ufe0f', '\u0301\u0300', '\ud800']) expect(cleanName(raw, 50)).toBe('');
  });

  it('cuts by code points, never inside a surrogate pair', () => {
    const cut = cleanName('😀'.repeat(60), 50);
    expect(Array.from(cut)).toHaveLength(50);
    expect(hasLoneSurrogates(cut)).toBe(false);
    expect(cleanName(`${'a'.repeat(49)}😀😀`, 50)).toBe(`${'a'.repeat(49)}😀`);
  });

  it('cuts between graphemes: an emoji sequence that does not fit goes whole', () => {
    expect(cleanName(`${'a'.repeat(47)}👨\u200d👩\u200d👧`, 50)).toBe('a'.repeat(47));
    expect(cleanName(`${'a'.repeat(48)}e\u0301\u0302x`, 50)).toBe(`${'a'.repeat(48)}é\u0302`.normalize('NFC'));
  });

  it('cuts inside a grapheme only when the first one alone is too long, and leaves no dangling joiner', () => {
    const chain = Array.from({ length: 30 }, () => '👨').join('\u200d');
    const cut = cleanName(chain, 10);
    expect(Array.from(cut).length).toBeLessThanOrEqual(10);
    expect(cut.endsWith('\u200d')).toBe(false);
    expect(hasLoneSurrogates(cut)).toBe(false);
  });

  it('trims what a cut leaves at the end', () => {
    expect(cleanName(`${'a'.repeat(49)} b`, 50)).toBe('a'.repeat(49));
  });
});
