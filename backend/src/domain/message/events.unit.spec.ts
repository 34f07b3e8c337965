import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { EventDecodeError } from '../eventCodec.js';
import {
  decodeMessageEvent,
  type messageDeletedV2Schema,
  type messageEditedV1Schema,
  messageEventCodec,
  type messagePostedV2Schema,
  type MessageDeleted,
  type MessageEdited,
  type MessagePosted,
} from './events.js';

const now = '2026-11-26T10:00:00.000Z';
const posted: MessagePosted = {
  type: 'MessagePosted',
  data: { messageId: 'm1', roomId: 'r1', authorId: 'alice', body: 'hi\n\tthere 😀', postedAt: now, replyTo: null },
};
const edited: MessageEdited = { type: 'MessageEdited', data: { messageId: 'm1', body: 'hello', editedAt: now } };
const deleted: MessageDeleted = { type: 'MessageDeleted', data: { messageId: 'm1', deletedAt: now, removedBy: null, reason: null } };
const deletedV1 = { messageId: 'm1', deletedAt: now };
const removed: MessageDeleted = { type: 'MessageDeleted', data: { messageId: 'm1', deletedAt: now, removedBy: 'mod', reason: 'spam' } };
const stored = (type: string, v: number, data: unknown) => ({ type, v, data: JSON.parse(JSON.stringify(data)) as unknown });

describe('message events', () => {
  it('has schemas whose output is exactly the current data types', () => {
    expectTypeOf<z.output<typeof messagePostedV2Schema>>().toEqualTypeOf<MessagePosted['data']>();
    expectTypeOf<z.output<typeof messageEditedV1Schema>>().toEqualTypeOf<MessageEdited['data']>();
    expectTypeOf<z.output<typeof messageDeletedV2Schema>>().toEqualTypeOf<MessageDeleted['data']>();
  });

  it('writes MessagePosted (the thread it answers) and MessageDeleted (who removed it, and why) as version 2, the others as version 1', () => {
    expect(messageEventCodec.currentVersions).toEqual({
      MessagePosted: 2,
      MessageEdited: 1,
      MessageDeleted: 2,
      MessagePinned: 1,
      MessageUnpinned: 1,
    });
  });

  it('decodes MessagePosted v2, and reads a v1 through the upcaster as a top-level message', () => {
    const reply = { ...posted, data: { ...posted.data, replyTo: 'm0' } };
    expect(decodeMessageEvent(stored('MessagePosted', 2, reply.data))).toEqual(reply);
    const { replyTo: _, ...v1 } = posted.data;
    expect(decodeMessageEvent(stored('MessagePosted', 1, v1))).toEqual(posted);
  });

  it('decodes MessageEdited v1', () => {
    expect(decodeMessageEvent(stored(edited.type, 1, edited.data))).toEqual(edited);
  });

  it.each([deleted, removed])('decodes MessageDeleted v2', (event) => {
    expect(decodeMessageEvent(stored(event.type, 2, event.data))).toEqual(event);
  });

  it('reads a v1 MessageDeleted, from before moderation, as deleted by its author', () => {
    expect(decodeMessageEvent(stored('MessageDeleted', 1, deletedV1))).toEqual(deleted);
  });

  it.each([
    ['a missing author', { type: 'MessagePosted', data: { ...posted.data, authorId: undefined } }, /data\.authorId: /u],
    ['an empty body', { type: 'MessageEdited', data: { ...edited.data, body: '' } }, /data\.body: /u],
    [
      'a time as epoch milliseconds',
      { type: 'MessageDeleted', data: { ...deletedV1, deletedAt: 1_795_000_000_000 } },
      /data\.deletedAt: /u,
    ],
    ['a field of another type', { type: 'MessageDeleted', data: { ...deletedV1, body: '' } }, /data: Unrecognized key: "body"/u],
  ])('refuses %s', (_, event, field) => {
    const decode = () => decodeMessageEvent(stored(event.type, 1, event.data));
    expect(decode).toThrow(EventDecodeError);
    expect(decode).toThrow(new RegExp(`^Cannot decode ${event.type} v1: ${field.source}`, 'u'));
  });

  it('refuses a version that does not exist yet', () => {
    expect(() => decodeMessageEvent(stored('MessagePosted', 3, posted.data))).toThrow(
      /^Cannot decode MessagePosted v3: unknown version \(this code knows v1–v2\)$/u,
    );
  });
});
