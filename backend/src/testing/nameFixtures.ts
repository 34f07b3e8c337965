/**
 * Names with an invisible code point in them (each between visible characters), shared by the
 * unit specs of the name rules and the GraphQL specs that check what the server answers.
 */
export const INVISIBLE_IN_NAMES: [string, string][] = [
  ['U+034F combining grapheme joiner', 'ab\u034fcd'],
  ['U+115F Hangul choseong filler', 'ab\u115fcd'],
  ['U+1160 Hangul jungseong filler', 'ab\u1160cd'],
  ['U+3164 Hangul filler', 'ab\u3164cd'],
  ['U+FFA0 halfwidth Hangul filler', 'ab\uffa0cd'],
  ['U+2800 braille pattern blank', 'ab\u2800cd'],
  ['U+200B zero-width space', 'ab\u200bcd'],
  ['U+200C zero-width non-joiner', 'ab\u200ccd'],
  ['U+200D zero-width joiner between letters', 'ab\u200dcd'],
  ['U+2060 word joiner', 'ab\u2060cd'],
  ['U+2064 invisible plus', 'ab\u2064cd'],
  ['U+206F nominal digit shapes', 'ab\u206fcd'],
  ['U+00AD soft hyphen', 'ab\u00adcd'],
  ['U+FEFF zero-width no-break space inside', 'ab\ufeffcd'],
  ['U+180B Mongolian free variation selector', 'ab\u180bcd'],
  ['U+180E Mongolian vowel separator', 'ab\u180ecd'],
  ['U+180F Mongolian free variation selector four', 'ab\u180fcd'],
  ['U+FE00 variation selector 1 after a letter', 'ab\ufe00cd'],
  ['U+FE0F alone', '\ufe0fabcd'],
  ['U+FE0F after a letter', 'ab\ufe0fcd'],
  ['U+E0041 a tag character after a letter', 'ab\u{e0041}cd'],
  ['U+E007F cancel tag alone', 'ab\u{e007f}'],
  ['U+E0100 an ideographic variation selector', '葛\u{e0100}城'],
  ['U+1D173 musical symbol begin beam', 'ab\u{1d173}cd'],
  ['U+FFF9 interlinear annotation anchor', 'ab\ufff9cd\ufffb'],
  ['a zero-width joiner between digits', '1\u200d2'],
  ['a zero-width joiner after an emoji, at the end', '😀\u200d'],
];
