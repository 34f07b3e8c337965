/**
 * Text rules shared by room names and message bodies. Lengths count code points, not UTF-16 units.
 * What names may hold beyond these (invisible characters, stacked marks) is in names/nameText.ts.
 */

export const codePointLength = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

// C0/C1 controls and DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
const CONTROL_EXCEPT_NEWLINE_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
// Bidi embeddings/overrides/isolates and marks: they can make a name display as something else.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

// Half of a surrogate pair without the other half (with the u flag, a whole pair is one code point
// and does not match): not Unicode text; it would reach clients as a replacement character.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

export const hasControlCharacters = (text: string): boolean => CONTROL.test(text);
export const hasLoneSurrogates = (text: string): boolean => LONE_SURROGATE.test(text);
export const hasControlCharactersOtherThanNewlineAndTab = (text: string): boolean => CONTROL_EXCEPT_NEWLINE_TAB.test(text);
export const hasBidiControls = (text: string): boolean => BIDI.test(text);
