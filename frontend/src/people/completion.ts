/**
 * Handles typed into a box, for completion: "alice, @bo" is the handle "alice", chosen, and "bo"
 * being typed. Separators are commas and spaces; a leading "@" is dropped.
 */

export interface HandleInput {
  /** Handles finished (followed by a separator), in order, each once (case-insensitively). */
  chosen: string[];
  /** What is being typed after the last separator ("" when nothing). */
  prefix: string;
}

const SEPARATOR = /[\s,]+/;
const clean = (token: string) => token.replace(/^@+/, '');

export const parseHandles = (text: string): HandleInput => {
  const tokens = text.split(SEPARATOR);
  const prefix = clean(tokens.pop() ?? '');
  const chosen: string[] = [];
  for (const token of tokens.map(clean)) {
    if (token !== '' && !chosen.some((h) => h.toLowerCase() === token.toLowerCase())) chosen.push(token);
  }
  return { chosen, prefix };
};

/** Every handle in the box, the one being typed too. */
export const allHandles = (text: string): string[] => {
  const { chosen, prefix } = parseHandles(text);
  return prefix !== '' && !chosen.some((h) => h.toLowerCase() === prefix.toLowerCase()) ? [...chosen, prefix] : chosen;
};

/** The box's text with the handle being typed replaced by `handle`, ready for the next (`multiple`) or done. */
export const completeHandle = (text: string, handle: string, multiple: boolean): string => {
  if (!multiple) return handle;
  const { chosen } = parseHandles(text);
  const handles = chosen.some((h) => h.toLowerCase() === handle.toLowerCase()) ? chosen : [...chosen, handle];
  return `${handles.join(', ')}, `;
};

/** Suggestions worth showing: not the viewer, not already chosen. */
export const toSuggestions = <T extends { handle: string; id: string }>(users: readonly T[], text: string, viewerId: string): T[] => {
  const { chosen } = parseHandles(text);
  const taken = new Set(chosen.map((h) => h.toLowerCase()));
  return users.filter((u) => u.id !== viewerId && !taken.has(u.handle.toLowerCase()));
};

/** The next highlighted suggestion for ArrowDown (+1) or ArrowUp (-1), wrapping; -1 when there are none. */
export const moveHighlight = (current: number, delta: 1 | -1, count: number): number => {
  if (count === 0) return -1;
  if (current < 0) return delta === 1 ? 0 : count - 1;
  return (current + delta + count) % count;
};
