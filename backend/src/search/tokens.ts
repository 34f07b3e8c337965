import { stemmer } from 'stemmer';

/**
 * How message bodies and queries are cut into units, the one tokenizer both search engines share,
 * so that they find the same messages and highlight the same ranges.
 *
 * - Words: runs of letters, digits and marks; folded (compatibility decomposition, accents dropped,
 *   lower case) and, when Latin letters only, stemmed (Porter's English stemmer: "running" and
 *   "runs" are "run").
 * - Chinese and Japanese, written without spaces: every character is a unit of its own, and every
 *   two neighbouring characters are also indexed as a pair (a bigram, as Lucene's CJK analyzer
 *   does), so that a word of any length is found as a run of pairs without a dictionary.
 */
export interface Unit {
  /** The folded term. */
  term: string;
  /** Where it is in the text, in UTF-16 code units. */
  start: number;
  length: number;
  /** A character of a script written without spaces (Han, Hiragana, Katakana). */
  cjk: boolean;
}

const CJK_CLASS = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30FC`;
const UNIT = new RegExp(String.raw`[${CJK_CLASS}]|[[\p{L}\p{N}\p{M}]--[${CJK_CLASS}]]+`, 'gv');
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const LATIN = /^[a-z]+$/u;
/** Longer words are cut here (an index term has a size limit; nobody searches for such a word whole). */
const TERM_MAX = 64;

/** A word as the index keeps it: folded, and stemmed when it is English-like. */
export const toTerm = (word: string): string => {
  const folded = word
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(NOT_WORD, '')
    .slice(0, TERM_MAX);
  return LATIN.test(folded) ? stemmer(folded) : folded;
};

const CJK_CHARACTER = new RegExp(`^[${CJK_CLASS}]$`, 'v');
/** Whether a unit's term is a character of a script without spaces (the only terms that are). */
export const isCjkTerm = (term: string) => term.length <= 2 && CJK_CHARACTER.test(term);

/** The text's units, in order. */
export const toUnits = (text: string): Unit[] => {
  const units: Unit[] = [];
  for (const match of text.matchAll(UNIT)) {
    const cjk = isCjkTerm(match[0]);
    const term = cjk ? match[0] : toTerm(match[0]);
    if (term) units.push({ term, start: match.index, length: match[0].length, cjk });
  }
  return units;
};

/** The pair of two neighbouring characters of a script without spaces, as indexed. */
export const toBigram = (a: string, b: string) => a + b;

/**
 * The terms a text is indexed under, each with its positions (1-based, one per unit): every unit's
 * term, and a bigram at the position of its first character.
 */
export const toIndexTerms = (units: readonly Pick<Unit, 'term' | 'cjk'>[]): Map<string, number[]> => {
  const terms = new Map<string, number[]>();
  const add = (term: string, position: number) => {
    const positions = terms.get(term);
    if (positions) positions.push(position);
    else terms.set(term, [position]);
  };
  units.forEach((unit, i) => {
    add(unit.term, i + 1);
    const next = units[i + 1];
    if (unit.cjk && next?.cjk) add(toBigram(unit.term, next.term), i + 1);
  });
  return terms;
};

/**
 * The lexemes that find a sequence of units (a word or a phrase) and their positions relative to
 * its first unit: a word's term; for a run of CJK characters, its bigrams (or the character alone).
 */
export const toSequenceLexemes = (units: readonly Pick<Unit, 'term' | 'cjk'>[]): { term: string; offset: number }[] =>
  units.flatMap((unit, i) => {
    const next = units[i + 1];
    if (!unit.cjk) return [{ term: unit.term, offset: i }];
    if (next?.cjk) return [{ term: toBigram(unit.term, next.term), offset: i }];
    // The last character of a run is in the previous bigram; a lone character stands for itself.
    return units[i - 1]?.cjk ? [] : [{ term: unit.term, offset: i }];
  });
