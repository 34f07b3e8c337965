// UTF-16 puts the surrogates (code points from U+10000) below U+E000–U+FFFF; UTF-8, and so Redis
// BYLEX, puts them above. Moving the two ranges past each other gives code point order.
const toCodePointRank = (unit: number): number => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);

/**
 * Orders strings as their UTF-8 bytes compare (code point order), which is how Redis compares
 * members; JavaScript's `<` compares UTF-16 units and differs above U+D7FF.
 */
export const compareByUtf8 = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return toCodePointRank(x) < toCodePointRank(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
};

/** Where `value` is, or would go, in a list sorted by `compareByUtf8` (binary search). */
export const indexInUtf8Order = (sorted: readonly string[], value: string): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareByUtf8(sorted[mid]!, value) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
};
