import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { EventDecodeError } from '../eventCodec.js';
import { decodeRoomEvent, roomCreatedV1Schema, roomEventCodec, roomRenamedV1Schema, type RoomCreated, type RoomRenamed } from './events.js';

const now = '2026-11-26T10:00:00.000Z';
const created: RoomCreated = { type: 'RoomCreated', data: { roomId: 'r1', name: 'Lobby', createdBy: 'u1', createdAt: now } };
const renamed: RoomRenamed = { type: 'RoomRenamed', data: { roomId: 'r1', name: 'Hall', renamedBy: 'u1', renamedAt: now } };
// What a store gives back: data through JSON, the version beside it.
const stored = (type: string, v: number, data: unknown) => ({ type, v, data: JSON.parse(JSON.stringify(data)) as unknown });

describe('room events', () => {
  it('has schemas whose output is exactly the current data types', () => {
    expectTypeOf<z.output<typeof roomCreatedV1Schema>>().toEqualTypeOf<RoomCreated['data']>();
    expectTypeOf<z.output<typeof roomRenamedV1Schema>>().toEqualTypeOf<RoomRenamed['data']>();
  });

  it('writes every type as version 1', () => {
    expect(roomEventCodec.currentVersions).toEqual({ RoomCreated: 1, RoomRenamed: 1 });
  });

  it.each([created, renamed])('decodes $type v1', (event) => {
    expect(decodeRoomEvent(stored(event.type, 1, event.data))).toEqual(event);
  });

  it.each([
    ['a missing name', { type: 'RoomCreated', data: { roomId: 'r1', createdBy: 'u1', createdAt: now } }, /data\.name: /u],
    ['an empty room id', { type: 'RoomCreated', data: { ...created.data, roomId: '' } }, /data\.roomId: /u],
    ['a time that is not ISO 8601', { type: 'RoomRenamed', data: { ...renamed.data, renamedAt: 'Thu, 26 Nov 2026 10:00:00 GMT' } }, /data\.renamedAt: /u],
    ['a number for a name', { type: 'RoomRenamed', data: { ...renamed.data, name: 7 } }, /data\.name: /u],
  ])('refuses %s', (_, event, field) => {
    const decode = () => decodeRoomEvent(stored(event.type, 1, event.data));
    expect(decode).toThrow(EventDecodeError);
    expect(decode).toThrow(new RegExp(`^Cannot decode ${event.type} v1: ${field.source}`, 'u'));
  });

  it('refuses another aggregate\'s event', () => {
    expect(() => decodeRoomEvent(stored('MessagePosted', 1, {}))).toThrow(/^Cannot decode "MessagePosted" v1: unknown event type$/u);
  });
});
