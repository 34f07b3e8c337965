import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { EventDecodeError } from '../eventCodec.js';
import {
  decodeUserEvent,
  type profileUpdatedV1Schema,
  type statusChangedV1Schema,
  userEventCodec,
  type userRegisteredV1Schema,
  type ProfileUpdated,
  type StatusChanged,
  type UserRegistered,
} from './events.js';

const now = '2026-11-26T10:00:00.000Z';
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: { userId: 'dev:alice', registeredAt: now, handle: 'alice', displayName: 'Alice', avatarUrl: null },
};
const updated: ProfileUpdated = {
  type: 'ProfileUpdated',
  data: { userId: 'x:42', updatedAt: now, handle: 'Alice_X', displayName: 'Alice L.', avatarUrl: 'https://pbs.twimg.com/a.png' },
};
const status: StatusChanged = { type: 'StatusChanged', data: { userId: 'dev:alice', status: 'BUSY', changedAt: now } };
// The data types are intersections with Profile; flattened, they must be the schemas' very shapes.
type Flat<T> = { [K in keyof T]: T[K] };
const stored = (type: string, v: number, data: unknown) => ({ type, v, data: JSON.parse(JSON.stringify(data)) as unknown });

describe('user events', () => {
  it('has schemas whose output is exactly the current data types', () => {
    expectTypeOf<z.output<typeof userRegisteredV1Schema>>().toEqualTypeOf<Flat<UserRegistered['data']>>();
    expectTypeOf<z.output<typeof profileUpdatedV1Schema>>().toEqualTypeOf<Flat<ProfileUpdated['data']>>();
    expectTypeOf<z.output<typeof statusChangedV1Schema>>().toEqualTypeOf<StatusChanged['data']>();
  });

  it('writes every type as version 1', () => {
    expect(userEventCodec.currentVersions).toEqual({ UserRegistered: 1, ProfileUpdated: 1, StatusChanged: 1 });
  });

  it.each([registered, updated, status])('decodes $type v1', (event) => {
    expect(decodeUserEvent(stored(event.type, 1, event.data))).toEqual(event);
  });

  it.each([
    [
      'a missing avatar (null is how "none" is stored)',
      { type: 'UserRegistered', data: { ...registered.data, avatarUrl: undefined } },
      /data\.avatarUrl: /u,
    ],
    ['an empty handle', { type: 'ProfileUpdated', data: { ...updated.data, handle: '' } }, /data\.handle: /u],
    ['a status that does not exist', { type: 'StatusChanged', data: { ...status.data, status: 'away' } }, /data\.status: /u],
  ])('refuses %s', (_, event, field) => {
    const decode = () => decodeUserEvent(stored(event.type, 1, event.data));
    expect(decode).toThrow(EventDecodeError);
    expect(decode).toThrow(new RegExp(`^Cannot decode ${event.type} v1: ${field.source}`, 'u'));
  });
});
