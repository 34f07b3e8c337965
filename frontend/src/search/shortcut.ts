/** The keyboard shortcut that opens search. Pure: takes the parts of a key event it reads. */

export interface ShortcutKey {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
  /** A keystroke that is part of an IME composition. */
  isComposing?: boolean;
  /** Where focus is (the event's target): an element, or anything else events come from. */
  target: FocusTarget | EventTarget | null;
}

/** What `isTextField` reads of an element. */
export interface FocusTarget {
  tagName?: string;
  isContentEditable?: boolean;
  /** An input's type. */
  type?: string;
}

/** Input types that take no typed text: "/" there is still the shortcut. */
const NON_TEXT_INPUTS = new Set(['button', 'checkbox', 'color', 'file', 'hidden', 'image', 'radio', 'range', 'reset', 'submit']);

/** Whether typing goes into this element (an editable field, a select's type-to-find). */
export const isTextField = (target: ShortcutKey['target']): boolean => {
  if (!target || !('tagName' in target)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !NON_TEXT_INPUTS.has((target.type ?? 'text').toLowerCase());
};

/**
 * Whether the key opens search: Ctrl+K (Cmd+K on a Mac) anywhere, or "/" when focus is not in a text
 * field (there it is a slash).
 */
export const isSearchShortcut = (event: ShortcutKey): boolean => {
  if (event.isComposing || event.altKey) return false;
  if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'k') return true;
  return event.key === '/' && !event.ctrlKey && !event.metaKey && !isTextField(event.target);
};
