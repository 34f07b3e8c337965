import { describe, expect, it } from 'vitest';
import { type ShortcutKey, isSearchShortcut, isTextField } from './shortcut.js';

const key = (over: Partial<ShortcutKey>): ShortcutKey => ({
  key: '/',
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  target: { tagName: 'BODY' },
  ...over,
});

describe('the search shortcut', () => {
  it('is "/" outside text fields', () => {
    expect(isSearchShortcut(key({}))).toBe(true);
    expect(isSearchShortcut(key({ target: { tagName: 'BUTTON' } }))).toBe(true);
    expect(isSearchShortcut(key({ target: { tagName: 'INPUT', type: 'checkbox' } }))).toBe(true);
    expect(isSearchShortcut(key({ target: null }))).toBe(true);
  });

  it('is not "/" typed into a field, a select, or editable text', () => {
    expect(isSearchShortcut(key({ target: { tagName: 'TEXTAREA' } }))).toBe(false);
    expect(isSearchShortcut(key({ target: { tagName: 'INPUT' } }))).toBe(false);
    expect(isSearchShortcut(key({ target: { tagName: 'input', type: 'search' } }))).toBe(false);
    expect(isSearchShortcut(key({ target: { tagName: 'INPUT', type: 'datetime-local' } }))).toBe(false);
    expect(isSearchShortcut(key({ target: { tagName: 'SELECT' } }))).toBe(false);
    expect(isSearchShortcut(key({ target: { tagName: 'DIV', isContentEditable: true } }))).toBe(false);
    expect(isSearchShortcut(key({ isComposing: true }))).toBe(false);
  });

  it('is Ctrl+K or Cmd+K anywhere, text fields included', () => {
    expect(isSearchShortcut(key({ key: 'k', ctrlKey: true, target: { tagName: 'TEXTAREA' } }))).toBe(true);
    expect(isSearchShortcut(key({ key: 'k', metaKey: true }))).toBe(true);
    expect(isSearchShortcut(key({ key: 'K', ctrlKey: true }))).toBe(true); // caps lock
    expect(isSearchShortcut(key({ key: 'k' }))).toBe(false);
    expect(isSearchShortcut(key({ key: 'k', ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(isSearchShortcut(key({ key: 'k', ctrlKey: true, altKey: true }))).toBe(false);
    expect(isSearchShortcut(key({ key: '/', ctrlKey: true }))).toBe(false);
  });

  it('tells text fields from other targets', () => {
    expect(isTextField({ tagName: 'INPUT', type: 'email' })).toBe(true);
    expect(isTextField({ tagName: 'INPUT', type: 'radio' })).toBe(false);
    expect(isTextField({ tagName: 'A' })).toBe(false);
    expect(isTextField(null)).toBe(false);
  });
});
