import { describe, expect, it } from 'vitest';
import { INVISIBLE_IN_NAMES } from '../../testing/nameFixtures.js';
import { specFor } from '../../testing/deciderSpec.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { roomDecider, toRoomNameKey, type RoomCreated } from './room.js';

const spec = specFor(roomDecider);
const now = '2026-11-26T10:00:00.000Z';
const created: RoomCreated = {
  type: 'RoomCreated',
  data: { roomId: 'r1', name: 'Lobby', kind: 'PUBLIC', createdBy: 'u1', createdAt: now },
};
const create = (name: string) => ({ type: 'CreateRoom' as const, roomId: 'r1', name, kind: 'PUBLIC' as const, actorId: 'u1', now });

describe('room decider', () => {
  it('creates a public room with a trimmed, NFC-normalised name', () => {
    spec
      .given([])
      .when(create('  Cafe\u0301  '))
      .then([{ type: 'RoomCreated', data: { roomId: 'r1', name: 'Caf\u00e9', kind: 'PUBLIC', createdBy: 'u1', createdAt: now } }]);
  });

  it.each([
    ['empty', '   '],
    ['longer than 100 characters', 'x'.repeat(101)],
    ['a control character', 'a\u0007b'],
    ['a newline', 'a\nb'],
    ['a right-to-left override', 'evil\u202Etxt.exe'],
    ['a zero-width space', 'lob\u200Bby'],
    ['a zero-width joiner', 'lob\u200Dby'],
  ])('refuses a name that is %s', (_, name) => {
    spec.given([]).when(create(name)).thenThrows(ValidationError);
  });

  it.each(INVISIBLE_IN_NAMES)('refuses a name with %s', (_, name) => {
    spec.given([]).when(create(name)).thenThrows(ValidationError);
  });

  it.each([
    ['only a Hangul filler', '\u3164'],
    ['only braille blanks', '\u2800\u2800'],
    ['only a variation selector', '\ufe0f'],
    ['only combining marks', '\u0301\u0300'],
    ['a line separator', 'a\u2028b'],
    ['a paragraph separator', 'a\u2029b'],
    ['four marks stacked on one letter', 'Ze\u0301\u0300\u0302\u0303ro'],
    ['a noncharacter', 'a\uffffb'],
  ])('refuses a name that is %s', (_, name) => {
    spec.given([]).when(create(name)).thenThrows(ValidationError);
  });

  it.each([
    ['a ZWJ sequence', 'Family 👨\u200d👩\u200d👧'],
    ['an emoji with VS16', 'I ❤\ufe0f cats'],
    ['a flag tag sequence', 'England 🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}'],
    ['a keycap', 'Room 1\ufe0f\u20e3'],
  ])('keeps emoji: accepts %s', (_, name) => {
    spec
      .given([])
      .when(create(name))
      .then([{ type: 'RoomCreated', data: { roomId: 'r1', name, kind: 'PUBLIC', createdBy: 'u1', createdAt: now } }]);
  });

  it('refuses a rename to an invisible-looking name', () => {
    spec.given([created]).when({ type: 'RenameRoom', roomId: 'r1', name: 'Lob\u3164by', actorId: 'u1', now }).thenThrows(ValidationError);
  });

  it('accepts exactly 100 characters, counted as code points', () => {
    const name = '😀'.repeat(100);
    spec
      .given([])
      .when(create(name))
      .then([{ type: 'RoomCreated', data: { roomId: 'r1', name, kind: 'PUBLIC', createdBy: 'u1', createdAt: now } }]);
  });

  it('lets the creator rename the room', () => {
    spec
      .given([created])
      .when({ type: 'RenameRoom', roomId: 'r1', name: 'Hall', actorId: 'u1', now })
      .then([{ type: 'RoomRenamed', data: { roomId: 'r1', name: 'Hall', kind: 'PUBLIC', renamedBy: 'u1', renamedAt: now } }]);
  });

  it('refuses a rename by anyone else', () => {
    spec.given([created]).when({ type: 'RenameRoom', roomId: 'r1', name: 'Hall', actorId: 'u2', now }).thenThrows(ForbiddenError);
  });

  it('refuses to rename an unknown room', () => {
    spec.given([]).when({ type: 'RenameRoom', roomId: 'r1', name: 'Hall', actorId: 'u1', now }).thenThrows(NotFoundError);
  });

  it('logs nothing when the name does not change', () => {
    spec.given([created]).when({ type: 'RenameRoom', roomId: 'r1', name: ' Lobby ', actorId: 'u1', now }).then([]);
  });

  it('folds a rename into the state, keeping its kind', () => {
    const renamed = roomDecider.evolve(roomDecider.evolve(roomDecider.initialState, created), {
      type: 'RoomRenamed',
      data: { roomId: 'r1', name: 'Hall', kind: 'PUBLIC', renamedBy: 'u1', renamedAt: now },
    });
    expect(renamed).toEqual({ status: 'open', id: 'r1', name: 'Hall', kind: 'PUBLIC', createdBy: 'u1', createdAt: now });
  });

  it('gives names that differ only in case, width or spacing the same key', () => {
    expect(toRoomNameKey('General  Chat')).toBe(toRoomNameKey('general chat'));
    expect(toRoomNameKey('ＬＯＢＢＹ')).toBe(toRoomNameKey('lobby'));
    expect(toRoomNameKey('lobby')).not.toBe(toRoomNameKey('lobby2'));
  });

  it('gives names that look alike the same key', () => {
    expect(toRoomNameKey('раураl')).toBe(toRoomNameKey('PayPal'));
    expect(toRoomNameKey('STRASSE')).toBe(toRoomNameKey('straße'));
    expect(toRoomNameKey('Modern art')).toBe(toRoomNameKey('rnodern art'));
    expect(toRoomNameKey('B00k club')).toBe(toRoomNameKey('book club'));
    expect(toRoomNameKey('Café')).toBe(toRoomNameKey('Cafe\u0301'));
    expect(toRoomNameKey('Café')).not.toBe(toRoomNameKey('Cafe'));
  });
});
