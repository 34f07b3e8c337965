import { describe, expect, it } from 'vitest';
import { toJumpTime, toLocalInputValue } from './jump.js';

describe('the jump-to-date control', () => {
  it('reads a datetime-local value in the reader’s time zone', () => {
    expect(toJumpTime('2026-12-05T09:30')).toBe(new Date(2026, 11, 5, 9, 30).toISOString());
    expect(toJumpTime('2026-12-05T09:30:15')).toBe(new Date(2026, 11, 5, 9, 30, 15).toISOString());
  });

  it('reads a date as its midnight', () => {
    expect(toJumpTime('2026-12-05')).toBe(new Date(2026, 11, 5).toISOString());
  });

  it('refuses what names no moment', () => {
    expect(toJumpTime('')).toBeNull();
    expect(toJumpTime('yesterday')).toBeNull();
    expect(toJumpTime('2026-02-30')).toBeNull();
    expect(toJumpTime('2026-13-01T10:00')).toBeNull();
  });

  it('writes a time back as the input’s value, to the minute', () => {
    const iso = new Date(2026, 11, 5, 9, 30, 59).toISOString();
    expect(toLocalInputValue(iso)).toBe('2026-12-05T09:30');
    expect(toJumpTime(toLocalInputValue(iso))).toBe(new Date(2026, 11, 5, 9, 30).toISOString());
  });
});
