import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { EventDecodeError } from '../eventCodec.js';
import {
  decodeRoomEvent,
  ROOM_KINDS,
  type roomCreatedV1Schema,
  roomEventCodec,
  type roomRenamedV1Schema,
  type roomRenamedV2Schema,
  type roomCreatedV3Schema,
  upcastRoomCreatedV1,
  type RoomCreated,
  type RoomCreatedV1Data,
  type RoomRenamed,
} from './events.js';

const now = '2026-11-26T10:00:00.000Z';
const created: RoomCreated = {
  type: 'RoomCreated',
  data: { roomId: 'r1', name: 'Lobby', kind: 'PUBLIC', createdBy: 'u1', createdAt: now },
};
// As the log has held it since the first rooms: no kind.
const createdV1: RoomCreatedV1Data = { roomId: 'r1', name: 'Lobby', createdBy: 'u1', createdAt: now };
const renamed: RoomRenamed = { type: 'RoomRenamed', data: { roomId: 'r1', name: 'Hall', kind: 'PUBLIC', renamedBy: 'u1', renamedAt: now } };
const { kind: _, ...renamedV1 } = renamed.data;
// What a store gives back: data through JSON, the version beside it.
const stored = (type: string, v: number, data: unknown) => ({ type, v, data: JSON.parse(JSON.stringify(data)) as unknown });

describe('room events', () => {
  it('has schemas whose output is exactly the current data types', () => {
    expectTypeOf<z.output<typeof roomCreatedV3Schema>>().toEqualTypeOf<RoomCreated['data']>();
    expectTypeOf<z.output<typeof roomCreatedV1Schema>>().toEqualTypeOf<Omit<RoomCreated['data'], 'kind' | 'directMembers'>>();
    expectTypeOf<z.output<typeof roomRenamedV2Schema>>().toEqualTypeOf<RoomRenamed['data']>();
    expectTypeOf<z.output<typeof roomRenamedV1Schema>>().toEqualTypeOf<Omit<RoomRenamed['data'], 'kind'>>();
  });

  it('writes RoomCreated as version 3 (any kind), RoomRenamed as version 2 (with the kind)', () => {
    expect(roomEventCodec.currentVersions).toEqual({ RoomCreated: 3, RoomRenamed: 2 });
    expect(roomEventCodec.encode(created)).toEqual({ type: 'RoomCreated', v: 3, data: created.data });
  });

  it('has public, private and direct rooms', () => {
    expect(ROOM_KINDS).toEqual(['PUBLIC', 'PRIVATE', 'DIRECT']);
  });

  it('decodes RoomCreated v2 and v3 and RoomRenamed v2 as they are', () => {
    expect(decodeRoomEvent(stored('RoomCreated', 2, created.data))).toEqual(created);
    expect(decodeRoomEvent(stored('RoomCreated', 3, created.data))).toEqual(created);
    const direct = { ...created.data, kind: 'DIRECT', directMembers: ['u1', 'u2'] };
    expect(decodeRoomEvent(stored('RoomCreated', 3, direct))).toEqual({ type: 'RoomCreated', data: direct });
    expect(decodeRoomEvent(stored('RoomRenamed', 2, renamed.data))).toEqual(renamed);
  });

  it("reads a v1 RoomRenamed, written when every room was public, as a public room's", () => {
    expect(decodeRoomEvent(stored('RoomRenamed', 1, renamedV1))).toEqual(renamed);
  });

  it('refuses a v2 RoomCreated of a kind that only came with v3', () => {
    expect(() => decodeRoomEvent(stored('RoomCreated', 2, { ...created.data, kind: 'PRIVATE' }))).toThrow(
      /^Cannot decode RoomCreated v2: data\.kind: /u,
    );
  });

  it('reads a v1 RoomCreated, written before rooms had kinds, as a public room', () => {
    const decoded = decodeRoomEvent(stored('RoomCreated', 1, createdV1));
    expect(decoded).toEqual({ type: 'RoomCreated', data: { ...createdV1, kind: 'PUBLIC' } });
    expect(decoded).toEqual(created);
    expect(upcastRoomCreatedV1(createdV1)).toEqual(created.data);
  });

  it('checks a v1 RoomCreated against v1, before upcasting it', () => {
    expect(() => decodeRoomEvent(stored('RoomCreated', 1, { ...createdV1, createdAt: 'soon' }))).toThrow(
      /^Cannot decode RoomCreated v1: data\.createdAt: /u,
    );
    // A kind under v1 means a writer stored v2 data with the wrong version: decoding it would hide that.
    expect(() => decodeRoomEvent(stored('RoomCreated', 1, created.data))).toThrow(
      /^Cannot decode RoomCreated v1: data: Unrecognized key: "kind"$/u,
    );
  });

  it('refuses a v2 RoomCreated without a kind, or of a kind that does not exist', () => {
    expect(() => decodeRoomEvent(stored('RoomCreated', 2, createdV1))).toThrow(/^Cannot decode RoomCreated v2: data\.kind: /u);
    expect(() => decodeRoomEvent(stored('RoomCreated', 2, { ...created.data, kind: 'SECRET' }))).toThrow(
      /^Cannot decode RoomCreated v2: data\.kind: /u,
    );
  });

  it('refuses a RoomCreated version newer than this code', () => {
    expect(() => decodeRoomEvent(stored('RoomCreated', 4, created.data))).toThrow(
      /^Cannot decode RoomCreated v4: unknown version \(this code knows v1–v3\)$/u,
    );
  });

  it.each([
    ['a missing name', { type: 'RoomCreated', data: { roomId: 'r1', createdBy: 'u1', createdAt: now } }, /data\.name: /u],
    ['an empty room id', { type: 'RoomCreated', data: { ...createdV1, roomId: '' } }, /data\.roomId: /u],
    [
      'a time that is not ISO 8601',
      { type: 'RoomRenamed', data: { ...renamedV1, renamedAt: 'Thu, 26 Nov 2026 10:00:00 GMT' } },
      /data\.renamedAt: /u,
    ],
    ['a number for a name', { type: 'RoomRenamed', data: { ...renamedV1, name: 7 } }, /data\.name: /u],
  ])('refuses %s', (_, event, field) => {
    const decode = () => decodeRoomEvent(stored(event.type, 1, event.data));
    expect(decode).toThrow(EventDecodeError);
    expect(decode).toThrow(new RegExp(`^Cannot decode ${event.type} v1: ${field.source}`, 'u'));
  });

  it("refuses another aggregate's event", () => {
    expect(() => decodeRoomEvent(stored('MessagePosted', 1, {}))).toThrow(/^Cannot decode "MessagePosted" v1: unknown event type$/u);
  });
});
