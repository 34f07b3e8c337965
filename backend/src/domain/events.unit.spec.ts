import { reactionEventCodec } from './reaction/events.js';
import { type ReactionCommand, type ReactionState, reactionDecider } from './reaction/reaction.js';
import { describe, expect, it } from 'vitest';
import { fold, type Decider } from './decider.js';
import { DomainError } from './errors.js';
import {
  CHAT_EVENT_VERSIONS,
  type ChatEvent,
  type ChatEventType,
  decodeEvent,
  encodeEvent,
  isKnownEventType,
  toEventVersion,
} from './events.js';
import { memberEventCodec } from './member/events.js';
import { MEMBER_ACTIONS, memberDecider, type MemberCommand, type MemberState, ROOM_ROLES } from './member/member.js';
import { messageEventCodec } from './message/events.js';
import { messageDecider, type MessageCommand, type MessageState } from './message/message.js';
import { roomEventCodec } from './room/events.js';
import { ROOM_KINDS, roomDecider, type RoomCommand, type RoomState } from './room/room.js';
import { userEventCodec } from './user/events.js';
import { USER_STATUSES, userDecider, type UserCommand, type UserState } from './user/user.js';
import { expectDecodeError } from '../testing/decodeError.js';

const now = '2026-11-26T10:00:00.000Z';
// What a store gives back: the data through JSON, the version beside it.
const stored = (type: string, v: number, data: unknown) => ({ type, v, data: JSON.parse(JSON.stringify(data)) as unknown });

describe('chat events', () => {
  it('writes RoomCreated as v3, RoomRenamed, MessagePosted and MessageDeleted as v2, and every other type as v1', () => {
    expect(CHAT_EVENT_VERSIONS).toEqual({
      RoomCreated: 3,
      RoomRenamed: 2,
      MessagePosted: 2,
      MessageEdited: 1,
      MessageDeleted: 2,
      MessagePinned: 1,
      MessageUnpinned: 1,
      ReactionAdded: 1,
      ReactionRemoved: 1,
      MembershipChanged: 1,
      UserRegistered: 1,
      ProfileUpdated: 1,
      StatusChanged: 1,
    });
    expect(toEventVersion({ type: 'RoomCreated' })).toBe(3);
    expect(toEventVersion({ type: 'MessagePosted' })).toBe(2);
  });

  it('gives each type to exactly one aggregate', () => {
    const owned = [
      ...roomEventCodec.types,
      ...messageEventCodec.types,
      ...memberEventCodec.types,
      ...reactionEventCodec.types,
      ...userEventCodec.types,
    ];
    expect(new Set(owned).size).toBe(owned.length);
    expect(owned.toSorted()).toEqual(Object.keys(CHAT_EVENT_VERSIONS).toSorted());
  });

  it.each(Object.keys(CHAT_EVENT_VERSIONS))('knows %s', (type) => {
    expect(isKnownEventType(type)).toBe(true);
  });

  // The activity streams' entries are not chat events: readers skip them by the guard.
  it.each([
    'UserJoined',
    'UserLeft',
    'UserStatusChanged',
    'UserTyping',
    'OnlineCountChanged',
    'roomcreated',
    'toString',
    'constructor',
    '',
  ])('does not know %j', (type) => {
    expect(isKnownEventType(type)).toBe(false);
  });

  it.each<ChatEvent>([
    { type: 'RoomCreated', data: { roomId: 'r1', name: 'Lobby', kind: 'PUBLIC', createdBy: 'u1', createdAt: now } },
    { type: 'RoomRenamed', data: { roomId: 'r1', name: 'Hall', kind: 'PUBLIC', renamedBy: 'u1', renamedAt: now } },
    { type: 'MessagePosted', data: { messageId: 'm1', roomId: 'r1', authorId: 'u1', body: 'hi', postedAt: now, replyTo: 'm0' } },
    { type: 'MessagePinned', data: { messageId: 'm1', by: 'u1', at: now } },
    { type: 'MessageUnpinned', data: { messageId: 'm1', by: 'u1', at: now } },
    { type: 'ReactionAdded', data: { messageId: 'm1', userId: 'u2', emoji: '👍🏽', at: now } },
    { type: 'ReactionRemoved', data: { messageId: 'm1', userId: 'u2', emoji: '👍🏽', at: now } },
    { type: 'MessageEdited', data: { messageId: 'm1', body: 'hello', editedAt: now } },
    { type: 'MessageDeleted', data: { messageId: 'm1', deletedAt: now, removedBy: null, reason: null } },
    {
      type: 'MembershipChanged',
      data: {
        roomId: 'r1',
        userId: 'u2',
        handle: 'bob',
        action: 'BAN',
        membership: 'BANNED',
        role: 'MEMBER',
        since: now,
        mutedUntil: null,
        bannedUntil: null,
        by: 'u1',
        reason: 'spam',
        at: now,
      },
    },
    { type: 'UserRegistered', data: { userId: 'u1', registeredAt: now, handle: 'alice', displayName: 'Alice', avatarUrl: null } },
    {
      type: 'ProfileUpdated',
      data: { userId: 'u1', updatedAt: now, handle: 'alice', displayName: 'Alice', avatarUrl: 'https://example.com/a.png' },
    },
    { type: 'StatusChanged', data: { userId: 'u1', status: 'AWAY', changedAt: now } },
  ])('decodes the current version of $type, sent to its aggregate', (event) => {
    expect(decodeEvent(stored(event.type, CHAT_EVENT_VERSIONS[event.type], event.data))).toEqual(event);
  });

  it('reads a v1 RoomCreated through the upcaster as a public room', () => {
    const v1 = { roomId: 'r1', name: 'Lobby', createdBy: 'u1', createdAt: now };
    expect(decodeEvent(stored('RoomCreated', 1, v1))).toEqual({ type: 'RoomCreated', data: { ...v1, kind: 'PUBLIC' } });
  });

  it('refuses an unknown type, naming it and its version', () => {
    const error = expectDecodeError(() => decodeEvent(stored('UserTyping', 1, { userId: 'u1', at: now })));
    expect(error.message).toBe('Cannot decode "UserTyping" v1: unknown event type');
    expect(error).toMatchObject({ eventType: 'UserTyping', version: 1 });
  });

  it('refuses a version it does not know, naming the ones it does', () => {
    const error = expectDecodeError(() => decodeEvent(stored('MessageEdited', 2, { messageId: 'm1', body: 'x', editedAt: now })));
    expect(error.message).toBe('Cannot decode MessageEdited v2: unknown version (this code knows v1)');
    expect(error).toMatchObject({ eventType: 'MessageEdited', version: 2 });
  });

  it('refuses data that fails its schema, naming the fields but not their values', () => {
    const error = expectDecodeError(() =>
      decodeEvent(stored('MessagePosted', 1, { messageId: 'm1', roomId: 'r1', body: 'private words', postedAt: 'noon' })),
    );
    expect(error.message).toMatch(/^Cannot decode MessagePosted v1: data\.authorId: .+; data\.postedAt: Invalid ISO datetime$/u);
    expect(error.message).not.toContain('private');
    expect(error).not.toBeInstanceOf(DomainError);
  });

  it('encodes with the current version, and refuses what would not decode', () => {
    const created: ChatEvent = {
      type: 'RoomCreated',
      data: { roomId: 'r1', name: 'Lobby', kind: 'PUBLIC', createdBy: 'u1', createdAt: now },
    };
    expect(encodeEvent(created)).toEqual({ type: 'RoomCreated', v: 3, data: created.data });
    const stamped: ChatEvent = { type: 'StatusChanged', data: { userId: 'u1', status: 'AWAY', changedAt: 'Thu Nov 26 2026' } };
    expect(() => encodeEvent(stamped)).toThrow(/^Refusing to store StatusChanged v1, which would not decode: data\.changedAt: /u);
  });
});

/*
 * The round trip: whatever a decider emits, stored as encodeEvent says and read back through JSON,
 * decodes to itself. The commands are drawn at random (seeded, so a failure repeats) from inputs
 * chosen to reach every event type and the awkward corners of the text rules.
 */

// mulberry32: small, seedable, good enough to pick test inputs.
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
type Random = ReturnType<typeof random>;
const pick = <T>(rand: Random, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
// Any instant from 1970 to 2100, with its milliseconds.
const instant = (rand: Random) => new Date(Math.floor(rand() * 4_102_444_800_000)).toISOString();

const actors = ['alice', 'bob', 'x:1234567890', 'dev:carol'];
const names = [
  'Lobby',
  '  Café  ',
  'Cafe\u0301',
  '😀'.repeat(100),
  '日本語の部屋',
  'general  chat',
  'ＬＯＢＢＹ',
  'a\u0007b',
  '',
  'evil\u202etxt',
  'x'.repeat(101),
];
const bodies = [
  'hi',
  ' line one\r\nline two\t',
  '<script>alert(1)</script>',
  'é'.repeat(4000),
  '👩‍👩‍👧 family',
  '\n\t',
  'a\u0000b',
  'x'.repeat(4001),
  'a\ud800b',
];
const handles = ['alice', 'Alice_X', 'b0b', 'x'.repeat(15), 'a-b', ''];
const displayNames = ['Alice', '  ', 'Álice Liddell', `a${'😀'.repeat(30)}`, 'x'.repeat(60)];
const avatars = [null, 'https://pbs.twimg.com/profile_images/1/a_normal.png', ''];

const nextRoomCommand = (rand: Random, state: RoomState): RoomCommand =>
  state.status === 'none'
    ? { type: 'CreateRoom', roomId: 'r1', name: pick(rand, names), kind: 'PUBLIC', actorId: pick(rand, actors), now: instant(rand) }
    : {
        type: 'RenameRoom',
        roomId: 'r1',
        name: pick(rand, names),
        actorId: rand() < 0.8 ? state.createdBy : pick(rand, actors),
        now: instant(rand),
      };

const nextMessageCommand = (rand: Random, state: MessageState): MessageCommand => {
  if (state.status === 'none')
    return {
      type: 'PostMessage',
      messageId: 'm1',
      roomId: 'r1',
      actorId: pick(rand, actors),
      body: pick(rand, bodies),
      replyTo: rand() < 0.5 ? null : 'r1.root',
      now: instant(rand),
    };
  const actorId = rand() < 0.8 ? state.authorId : pick(rand, actors);
  const r = rand();
  if (r < 0.2) return { type: rand() < 0.6 ? 'PinMessage' : 'UnpinMessage', messageId: 'm1', actorId, now: instant(rand) };
  return r < 0.75
    ? { type: 'EditMessage', messageId: 'm1', actorId, body: pick(rand, bodies), now: instant(rand) }
    : { type: 'DeleteMessage', messageId: 'm1', actorId, now: instant(rand) };
};

const emoji = ['👍', '🎉', '❤', '👍🏽', 'no', '👍👍'];
const nextReactionCommand = (rand: Random, _state: ReactionState): ReactionCommand => ({
  type: rand() < 0.6 ? 'React' : 'Unreact',
  messageId: 'r1.m1',
  actorId: 'alice',
  emoji: pick(rand, emoji),
  now: instant(rand),
});

const nextUserCommand = (rand: Random, _state: UserState): UserCommand =>
  rand() < 0.6
    ? {
        type: 'RegisterUser',
        userId: 'x:42',
        profile: { handle: pick(rand, handles), displayName: pick(rand, displayNames), avatarUrl: pick(rand, avatars) },
        now: instant(rand),
      }
    : { type: 'SetStatus', userId: 'x:42', status: pick(rand, USER_STATUSES), now: instant(rand) };

const reasons = [null, '', '  spam  ', 'x'.repeat(500), 'x'.repeat(501), 'a\u0007b'];
const nextMemberCommand = (rand: Random, state: MemberState): MemberCommand => {
  const action = pick(rand, MEMBER_ACTIONS);
  const self = action === 'JOIN' || action === 'LEAVE' || action === 'DECLINE';
  const at = instant(rand);
  const actor: MemberState = self
    ? state
    : {
        status: 'member',
        roomId: 'r1',
        userId: 'alice',
        handle: 'alice',
        membership: pick(rand, ['JOINED', 'JOINED', 'LEFT'] as const),
        role: pick(rand, ROOM_ROLES),
        since: at,
        mutedUntil: null,
        bannedUntil: null,
      };
  const kind = pick(rand, ROOM_KINDS);
  return {
    type: 'ChangeMembership',
    action,
    room: { id: 'r1', kind, createdBy: pick(rand, ['alice', 'bob']), ...(kind === 'DIRECT' ? { directMembers: ['alice', 'bob'] } : {}) },
    actor: { userId: self ? 'bob' : 'alice', state: actor },
    target: { userId: 'bob', handle: 'bob' },
    role: pick(rand, ROOM_ROLES),
    until: rand() < 0.3 ? null : new Date(Date.parse(at) + Math.floor((rand() - 0.1) * 400 * 86_400_000)).toISOString(),
    reason: pick(rand, reasons),
    now: at,
  };
};

/** Every event the decider emits over many random histories; refusals (DomainErrors) emit nothing. */
const emitted = <C, E extends ChatEvent, S>(decider: Decider<C, E, S>, next: (rand: Random, state: S) => C, seed: number): E[] => {
  const rand = random(seed);
  const events: E[] = [];
  for (let history = 0; history < 150; history++) {
    let state = decider.initialState;
    for (let step = 0; step < 8; step++) {
      try {
        const decided = decider.decide(next(rand, state), state);
        state = fold(decider, state, decided);
        events.push(...decided);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
  }
  return events;
};

describe('what each decider emits', () => {
  const all: ChatEvent[] = [
    ...emitted(roomDecider, nextRoomCommand, 1),
    ...emitted(messageDecider, nextMessageCommand, 2),
    ...emitted(userDecider, nextUserCommand, 3),
    ...emitted(memberDecider, nextMemberCommand, 4),
    ...emitted(reactionDecider, nextReactionCommand, 5),
  ];

  it('covers every event type', () => {
    expect(new Set(all.map((event) => event.type))).toEqual(new Set<ChatEventType>(Object.keys(CHAT_EVENT_VERSIONS) as ChatEventType[]));
  });

  it('decodes to itself, stored as its current version', () => {
    for (const event of all) {
      const encoded = encodeEvent(event);
      expect(encoded.v).toBe(toEventVersion(event));
      expect(decodeEvent(stored(encoded.type, encoded.v, encoded.data))).toEqual(event);
    }
  });
});
