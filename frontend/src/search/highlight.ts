/** A search hit's body as plain and marked pieces, from the server's ranges. Pure. */

/** A range of a body in UTF-16 code units, as `SearchEdge.highlights` has them. */
export interface TextRange {
  start: number;
  length: number;
}

/** A piece of a body: shown as text, inside a `<mark>` when `marked`. */
export interface HighlightSegment {
  text: string;
  marked: boolean;
}

/** A body cut around its first match, with what was left out on either side. */
export interface Excerpt {
  segments: HighlightSegment[];
  /** Text was left out before the first segment. */
  clippedStart: boolean;
  /** Text was left out after the last segment. */
  clippedEnd: boolean;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** True when `index` falls between the two halves of a surrogate pair (an emoji, say). */
const splitsPair = (text: string, index: number) =>
  index > 0 && index < text.length && isHighSurrogate(text.charCodeAt(index - 1)) && isLowSurrogate(text.charCodeAt(index));

/** A boundary moved back to the start of the character it falls in. */
const snapBack = (text: string, index: number) => (splitsPair(text, index) ? index - 1 : index);
/** A boundary moved on to the end of the character it falls in. */
const snapForward = (text: string, index: number) => (splitsPair(text, index) ? index + 1 : index);

/**
 * The ranges as `[start, end)` pairs inside `text`, sorted and merged: ranges past the end are cut
 * at it, empty, negative or non-integer ones are dropped, overlapping and touching ones become one,
 * and no boundary splits a surrogate pair (a half character would render as a replacement glyph).
 */
export const toMarkedSpans = (text: string, ranges: readonly TextRange[]): [number, number][] => {
  const spans: [number, number][] = [];
  for (const range of ranges) {
    if (!Number.isInteger(range.start) || !Number.isInteger(range.length) || range.length <= 0) continue;
    const start = snapBack(text, Math.max(0, range.start));
    const end = snapForward(text, Math.min(text.length, range.start + range.length));
    if (start < end) spans.push([start, end]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
};

/** Splits `text` into plain and marked segments at the ranges (see `toMarkedSpans`); never an empty segment. */
export const toHighlightSegments = (text: string, ranges: readonly TextRange[]): HighlightSegment[] => {
  const segments: HighlightSegment[] = [];
  let at = 0;
  for (const [start, end] of toMarkedSpans(text, ranges)) {
    if (start > at) segments.push({ text: text.slice(at, start), marked: false });
    segments.push({ text: text.slice(start, end), marked: true });
    at = end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), marked: false });
  return segments;
};

/**
 * At most about `max` code units of a long body, as segments: from a little before the first match
 * (`lead` units, started at a word when one is near), so the match shows in a short result.
 * A body that fits is whole. Cuts never split a surrogate pair.
 */
export const toExcerpt = (text: string, ranges: readonly TextRange[], max = 280, lead = 60): Excerpt => {
  if (text.length <= max) return { segments: toHighlightSegments(text, ranges), clippedStart: false, clippedEnd: false };
  const first = toMarkedSpans(text, ranges)[0];
  let start = first ? Math.max(0, Math.min(first[0] - lead, text.length - max)) : 0;
  if (start > 0) {
    // Start at the next word when one begins close by, rather than mid-word.
    const space = text.slice(start, first ? first[0] : start + lead).search(/\s\S/);
    if (space >= 0) start += space + 1;
  }
  start = snapBack(text, start);
  const end = snapForward(text, Math.min(text.length, start + max));
  const shifted = ranges.map((range) => ({ start: range.start - start, length: range.length }));
  return {
    segments: toHighlightSegments(text.slice(start, end), shifted),
    clippedStart: start > 0,
    clippedEnd: end < text.length,
  };
};
