/**
 * What a name may hold so that it reads as what it is: no controls, no bidi controls, nothing
 * invisible (a default-ignorable code point outside an emoji sequence, a blank that is not a
 * space), no marks stacked past legibility, and something visible. Room names are refused
 * (`findNameProblem`); display names from X are cleaned (`cleanName`). Pure, no I/O.
 */

/** Why a name cannot be used as it is, in the order they are looked for. */
export type NameProblem = 'lone-surrogate' | 'control' | 'separator' | 'bidi' | 'noncharacter' | 'invisible' | 'stacked-marks' | 'blank';

/** At most this many nonspacing or enclosing marks on one character (counted after NFD). */
export const MARKS_PER_CHARACTER_MAX = 3;

// Half of a surrogate pair without the other half (with the u flag, a whole pair is one code point).
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const CONTROL = /\p{Cc}/u;
const SEPARATOR = /[\p{Zl}\p{Zp}]/u;
const BIDI = /\p{Bidi_Control}/u;
const NONCHARACTER = /\p{Noncharacter_Code_Point}/u;
// What draws nothing, or a blank that is not a space: default-ignorable code points (zero-width
// characters, U+034F, the Hangul fillers U+115F/U+1160/U+3164/U+FFA0, variation selectors, tags,
// Mongolian selectors…), the braille pattern blank U+2800 and the interlinear annotation controls.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u2800\ufff9-\ufffb]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');
// A nonspacing or enclosing mark: drawn on the character before it.
const MARK = /[\p{Mn}\p{Me}]/u;
// What shows: anything but whitespace, controls, format characters, surrogates, marks (a mark
// alone draws on nothing) and the invisible ones above.
const VISIBLE = /[^\s\p{Z}\p{Cc}\p{Cf}\p{Cs}\p{M}\p{Default_Ignorable_Code_Point}\u2800\ufff9-\ufffb]/u;

// Emoji sequences (UTS #51): the only places a default-ignorable may stand. A zero-width joiner
// between pictographs, VS15/VS16 after one, a keycap, a flag's regional indicators, a tag sequence
// (the flags of England, Scotland, Wales). A digit or a letter with VS16 or a ZWJ is not an emoji.
const EMOJI_ELEMENT = String.raw`(?:\p{Regional_Indicator}{2}|[0-9#*]\ufe0f?\u20e3|\p{Extended_Pictographic}\p{Emoji_Modifier}?[\ufe0e\ufe0f]?\p{Emoji_Modifier}?|\p{Extended_Pictographic}[\u{e0020}-\u{e007e}]+\u{e007f})`;
const EMOJI_SEQUENCE = new RegExp(String.raw`^${EMOJI_ELEMENT}(?:\u200d${EMOJI_ELEMENT})*$`, 'u');

// Grapheme clusters do not depend on the locale.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const codePointCount = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** Whether a default-ignorable (or other invisible) code point stands outside an emoji sequence. */
const hasStrayInvisibles = (text: string): boolean => {
  if (!INVISIBLE.test(text)) return false;
  for (const { segment } of graphemes.segment(text)) if (INVISIBLE.test(segment) && !EMOJI_SEQUENCE.test(segment)) return true;
  return false;
};

/** The text without the invisible code points that stand outside emoji sequences. */
const dropStrayInvisibles = (text: string): string => {
  if (!INVISIBLE.test(text)) return text;
  let kept = '';
  for (const { segment } of graphemes.segment(text)) {
    kept += INVISIBLE.test(segment) && !EMOJI_SEQUENCE.test(segment) ? segment.replace(INVISIBLE_ALL, '') : segment;
  }
  return kept;
};

/**
 * Walks the marks of `text` in NFD; `keep` says whether a mark stays, given how many marks the
 * same character kept before it and whether it repeats the mark just before it. Answers NFD text.
 */
const filterMarks = (text: string, keep: (index: number, repeated: boolean) => boolean): string => {
  let kept = '';
  let run = 0;
  let previous = '';
  for (const char of text.normalize('NFD')) {
    if (!MARK.test(char)) {
      run = 0;
      previous = '';
      kept += char;
      continue;
    }
    if (keep(run, char === previous)) {
      kept += char;
      run++;
    }
    previous = char;
  }
  return kept;
};

/**
 * Marks stacked past legibility: more than `MARKS_PER_CHARACTER_MAX` nonspacing or enclosing marks
 * on one character, or the same mark twice in a row (it draws over itself: "á́" looks like "á").
 */
const hasStackedMarks = (text: string): boolean => {
  let stacked = false;
  filterMarks(text, (index, repeated) => {
    if (index >= MARKS_PER_CHARACTER_MAX || repeated) stacked = true;
    return true;
  });
  return stacked;
};

/** Whether anything of the text would show. */
export const hasVisibleCharacters = (text: string): boolean => VISIBLE.test(text);

/**
 * The first reason `name` (NFC, trimmed) is not an honest name, or null. Emoji stay allowed,
 * ZWJ sequences and VS16 included, as long as the invisible code points sit inside the emoji.
 */
export const findNameProblem = (name: string): NameProblem | null => {
  if (LONE_SURROGATE.test(name)) return 'lone-surrogate';
  if (CONTROL.test(name)) return 'control';
  if (SEPARATOR.test(name)) return 'separator';
  if (BIDI.test(name)) return 'bidi';
  if (NONCHARACTER.test(name)) return 'noncharacter';
  if (hasStrayInvisibles(name)) return 'invisible';
  if (hasStackedMarks(name)) return 'stacked-marks';
  if (!hasVisibleCharacters(name)) return 'blank';
  return null;
};

// Controls that separate words become a space; the others go.
const BREAKING_CONTROL = /[\t\n\v\f\r\u0085\p{Zl}\p{Zp}]/gu;
const OTHER_CONTROL = /[\p{Cc}\p{Bidi_Control}\p{Noncharacter_Code_Point}]|[\ud800-\udfff]/gu;

/** The text cut to at most `max` code points at a grapheme boundary (inside one only if the first is longer). */
const cutToCodePoints = (text: string, max: number): string => {
  if (codePointCount(text) <= max) return text;
  let kept = '';
  let count = 0;
  for (const { segment } of graphemes.segment(text)) {
    const length = codePointCount(segment);
    if (count + length > max) return count > 0 ? kept : Array.from(segment).slice(0, max).join('');
    kept += segment;
    count += length;
  }
  return kept;
};

/**
 * A name made honest rather than refused (a display name from X): lone surrogates, controls,
 * bidi controls, noncharacters and invisible code points outside emoji sequences removed (line
 * breaks and tabs become spaces), marks past `MARKS_PER_CHARACTER_MAX` or repeated dropped,
 * whitespace collapsed, trimmed, NFC, and cut to `max` code points without splitting a grapheme
 * (so never half a surrogate pair). Answers "" when nothing visible is left: the caller falls back.
 */
export const cleanName = (raw: string, max: number): string => {
  const plain = raw.replace(BREAKING_CONTROL, ' ').replace(OTHER_CONTROL, '').normalize('NFC');
  const unstacked = filterMarks(dropStrayInvisibles(plain), (index, repeated) => index < MARKS_PER_CHARACTER_MAX && !repeated);
  const collapsed = unstacked.normalize('NFC').replace(/\s+/gu, ' ').trim();
  // A cut inside an emoji sequence may leave a joiner dangling: clean that end again.
  const cut = dropStrayInvisibles(cutToCodePoints(collapsed, max)).trim();
  return hasVisibleCharacters(cut) ? cut : '';
};
