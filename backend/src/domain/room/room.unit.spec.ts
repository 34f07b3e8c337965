import { describe, expect, it } from 'vitest';
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
});
