import { CONFUSABLES_MA } from './confusablesData.js';

/**
 * When two names are "the same name" to a reader: Unicode's confusable skeleton (UTS #39, section
 * 4) of the name after compatibility normalisation and case folding. Pure, no I/O; the mapping
 * table is generated from Unicode's confusables.txt (`scripts/generateConfusables.mjs`).
 *
 * A skeleton is for comparing, never for display: it mixes scripts freely ("paypal" in Cyrillic
 * and in Latin share one, and "m" becomes "rn").
 */

let prototypes: Map<number, string> | undefined;

/** The table, parsed on first use. */
const prototypesOf = (): Map<number, string> => {
  if (prototypes) return prototypes;
  const table = new Map<number, string>();
  for (const line of CONFUSABLES_MA) {
    for (const entry of line.split(',')) {
      const [from, to] = entry.split(':') as [string, string];
      table.set(Number.parseInt(from, 16), String.fromCodePoint(...to.split(' ').map((hex) => Number.parseInt(hex, 16))));
    }
  }
  return (prototypes = table);
};

// They draw nothing: a name with a zero-width space in it looks like the name without it.
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The UTS #39 skeleton: NFD, default-ignorable code points removed, each code point replaced by
 * its prototype from the "MA" table, NFD again. Case and compatibility variants are left as they
 * are (see `toNameKey`).
 */
export const toSkeleton = (text: string): string => {
  const table = prototypesOf();
  let mapped = '';
  for (const char of text.normalize('NFD').replace(DEFAULT_IGNORABLE, '')) mapped += table.get(char.codePointAt(0)!) ?? char;
  return mapped.normalize('NFD');
};

/**
 * Full case folding as far as comparing needs it: "ß", "ẞ" and "SS" fold alike, as do "ς" and
 * "σ". `toLowerCase` alone keeps "ß"; upper-casing first applies the full (one-to-many) mappings.
 * Locale-independent (never the Turkish dotless i rule).
 */
export const toFoldedCase = (text: string): string => text.toLowerCase().toUpperCase().toLowerCase();

// Folding and skeletons feed each other ("0" → "O" needs folding again, "ẞ" → "ß" → "ss"); a few
// rounds reach a fixed point for any text the tests or the table have shown. The cap only keeps a
// pathological input from looping: the key stays deterministic either way.
const MAX_ROUNDS = 4;

/**
 * The key two names share when they look the same: NFKC, full case folding and the confusable
 * skeleton, repeated until nothing changes, then whitespace collapsed and trimmed. "STRASSE" and
 * "straße", "paypal" and "раураl" (Cyrillic), "rn" and "m", "g00gle" and "google", "ＬＯＢＢＹ" and
 * "lobby" each share one. Not accent-insensitive: "resume" and "résumé" differ.
 *
 * The key depends on the confusables data and on the runtime's Unicode version (normalisation,
 * case mappings); keys stored with an older table are re-keyed by a migration.
 */
export const toNameKey = (name: string): string => {
  let key = name;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = toSkeleton(toFoldedCase(key.normalize('NFKC')));
    if (next === key) break;
    key = next;
  }
  return key.replace(/\s+/gu, ' ').trim();
};
