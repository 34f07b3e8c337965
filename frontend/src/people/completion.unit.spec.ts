import { describe, expect, it } from 'vitest';
import { allHandles, completeHandle, moveHighlight, parseHandles, toSuggestions } from './completion.js';

describe('handle completion', () => {
  it('splits what is typed into chosen handles and the one being typed', () => {
    expect(parseHandles('')).toEqual({ chosen: [], prefix: '' });
    expect(parseHandles('@ali')).toEqual({ chosen: [], prefix: 'ali' });
    expect(parseHandles('alice, @bob  ca')).toEqual({ chosen: ['alice', 'bob'], prefix: 'ca' });
    expect(parseHandles('alice, Alice, ')).toEqual({ chosen: ['alice'], prefix: '' });
    expect(allHandles('alice, bob')).toEqual(['alice', 'bob']);
    expect(allHandles('alice, ALICE')).toEqual(['alice']);
  });

  it('completes the handle being typed', () => {
    expect(completeHandle('alice, bo', 'bob', true)).toBe('alice, bob, ');
    expect(completeHandle('alice, ali', 'alice', true)).toBe('alice, ');
    expect(completeHandle('bo', 'bob', false)).toBe('bob');
  });

  it('suggests neither the viewer nor anyone already chosen', () => {
    const users = [
      { id: '1', handle: 'alice' },
      { id: '2', handle: 'alfred' },
      { id: '3', handle: 'al' },
    ];
    expect(toSuggestions(users, 'alice, al', '3').map((u) => u.handle)).toEqual(['alfred']);
  });

  it('moves the highlight around the list', () => {
    expect(moveHighlight(-1, 1, 3)).toBe(0);
    expect(moveHighlight(-1, -1, 3)).toBe(2);
    expect(moveHighlight(2, 1, 3)).toBe(0);
    expect(moveHighlight(0, -1, 3)).toBe(2);
    expect(moveHighlight(0, 1, 0)).toBe(-1);
  });
});
