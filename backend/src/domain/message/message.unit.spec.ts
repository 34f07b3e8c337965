import { describe, expect, it } from 'vitest';
import { specFor } from '../../testing/deciderSpec.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { messageDecider, type MessageDeleted, type MessagePosted } from './message.js';

const spec = specFor(messageDecider);
const now = '2026-11-26T10:00:00.000Z';
const later = '2026-11-26T10:05:00.000Z';
const posted: MessagePosted = {
  type: 'MessagePosted',
  data: { messageId: 'm1', roomId: 'r1', authorId: 'alice', body: 'hi', postedAt: now, replyTo: null },
};
const deleted: MessageDeleted = { type: 'MessageDeleted', data: { messageId: 'm1', deletedAt: later, removedBy: null, reason: null } };
const post = (body: string) => ({
  type: 'PostMessage' as const,
  messageId: 'm1',
  roomId: 'r1',
  actorId: 'alice',
  body,
  replyTo: null,
  now,
});
const edit = (actorId: string, body = 'hello') => ({ type: 'EditMessage' as const, messageId: 'm1', actorId, body, now: later });
const remove = (actorId: string) => ({ type: 'DeleteMessage' as const, messageId: 'm1', actorId, now: later });

describe('message decider', () => {
  it('posts a trimmed body with normalised line breaks', () => {
    spec
      .given([])
      .when(post('  line one\r\nline two\t \n'))
      .then([{ ...posted, data: { ...posted.data, body: 'line one\nline two' } }]);
  });

  it('keeps markup verbatim', () => {
    const body = '<script>alert(1)</script> [x](javascript:alert(1))';
    spec
      .given([])
      .when(post(body))
      .then([{ ...posted, data: { ...posted.data, body } }]);
  });

  it.each([
    ['empty', ' \n\t '],
    ['longer than 4000 characters', 'x'.repeat(4001)],
    ['a NUL', 'a\u0000b'],
    ['an escape character', 'a\u001b[31mred'],
    ['a C1 control', 'a\u0085b'],
  ])('refuses a body that is %s', (_, body) => {
    spec.given([]).when(post(body)).thenThrows(ValidationError);
  });

  it('accepts exactly 4000 characters', () => {
    const body = 'é'.repeat(4000);
    spec
      .given([])
      .when(post(body))
      .then([{ ...posted, data: { ...posted.data, body } }]);
  });

  it('lets the author edit', () => {
    spec
      .given([posted])
      .when(edit('alice'))
      .then([{ type: 'MessageEdited', data: { messageId: 'm1', body: 'hello', editedAt: later } }]);
  });

  it('refuses an edit by anyone else', () => {
    spec.given([posted]).when(edit('bob')).thenThrows(ForbiddenError);
  });

  it('refuses an edit of an unknown message', () => {
    spec.given([]).when(edit('alice')).thenThrows(NotFoundError);
  });

  it('refuses an edit with an invalid body', () => {
    spec.given([posted]).when(edit('alice', '')).thenThrows(ValidationError);
  });

  it('logs nothing for an edit that changes nothing', () => {
    spec.given([posted]).when(edit('alice', ' hi ')).then([]);
  });

  it('refuses to edit a deleted message', () => {
    spec.given([posted, deleted]).when(edit('alice')).thenThrows(ConflictError);
  });

  it('lets the author delete, once', () => {
    spec.given([posted]).when(remove('alice')).then([deleted]);
    spec.given([posted, deleted]).when(remove('alice')).then([]);
  });

  it('refuses a delete by anyone else', () => {
    spec.given([posted]).when(remove('bob')).thenThrows(ForbiddenError);
  });

  it('keeps a deleted message as a tombstone with an empty body', () => {
    const state = [posted, deleted].reduce(messageDecider.evolve, messageDecider.initialState);
    expect(state).toEqual({
      status: 'deleted',
      id: 'm1',
      roomId: 'r1',
      authorId: 'alice',
      body: '',
      createdAt: now,
      editedAt: null,
      deletedAt: later,
      replyTo: null,
      pinnedAt: null,
    });
  });

  describe('removal by an owner or moderator', () => {
    const removal = (
      actorRole: 'OWNER' | 'MODERATOR' | 'MEMBER' | null,
      authorRole: 'OWNER' | 'MODERATOR' | 'MEMBER' | null = 'MEMBER',
    ) => ({
      type: 'RemoveMessage' as const,
      messageId: 'm1',
      actorId: 'mod',
      actorRole,
      authorRole,
      reason: 'spam',
      now: later,
    });

    it('leaves a tombstone that says who removed it and why', () => {
      const removed: MessageDeleted = {
        type: 'MessageDeleted',
        data: { messageId: 'm1', deletedAt: later, removedBy: 'mod', reason: 'spam' },
      };
      spec.given([posted]).when(removal('MODERATOR')).then([removed]);
      spec.given([posted]).when(removal('OWNER', null)).then([removed]);
      const state = [posted, removed].reduce(messageDecider.evolve, messageDecider.initialState);
      expect(state).toMatchObject({ status: 'deleted', body: '', removedBy: 'mod' });
    });

    it('refuses a member, and a message of someone of an equal or higher role', () => {
      spec.given([posted]).when(removal('MEMBER')).thenThrows(ForbiddenError);
      spec.given([posted]).when(removal(null)).thenThrows(ForbiddenError);
      spec.given([posted]).when(removal('MODERATOR', 'MODERATOR')).thenThrows(ForbiddenError);
      spec.given([posted]).when(removal('MODERATOR', 'OWNER')).thenThrows(ForbiddenError);
    });

    it('does nothing to a message deleted already, and answers an unknown one as not found', () => {
      spec.given([posted, deleted]).when(removal('OWNER')).then([]);
      spec.given([]).when(removal('OWNER')).thenThrows(NotFoundError);
    });
  });
});

describe('pins', () => {
  const pin = { type: 'PinMessage' as const, messageId: 'm1', actorId: 'mod', now: later };
  const unpin = { type: 'UnpinMessage' as const, messageId: 'm1', actorId: 'mod', now: later };
  const pinned = { type: 'MessagePinned' as const, data: { messageId: 'm1', by: 'mod', at: later } };

  it('pins a message once, and unpins a pinned one', () => {
    spec.given([posted]).when(pin).then([pinned]);
    spec.given([posted, pinned]).when(pin).then([]);
    spec
      .given([posted, pinned])
      .when(unpin)
      .then([{ type: 'MessageUnpinned', data: { messageId: 'm1', by: 'mod', at: later } }]);
    spec.given([posted]).when(unpin).then([]);
  });

  it('refuses to pin a deleted or unknown message; a deletion unpins', () => {
    spec.given([posted, deleted]).when(pin).thenThrows(ConflictError);
    spec.given([]).when(pin).thenThrows(NotFoundError);
    const state = [posted, pinned, deleted].reduce(messageDecider.evolve, messageDecider.initialState);
    expect(state.status === 'deleted' && state.pinnedAt).toBeNull();
  });
});
