import { describe, expect, it } from 'vitest';
import { specFor } from '../../testing/deciderSpec.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { RoomKind } from '../room/events.js';
import {
  type ChangeMembership,
  type MemberState,
  type MembershipChanged,
  endsReading,
  memberDecider,
  parseReason,
  toEffectiveMembership,
  toMutedUntil,
} from './member.js';

const spec = specFor(memberDecider);
const now = '2026-12-05T10:00:00.000Z';
const hourLater = '2026-12-05T11:00:00.000Z';
const hourEarlier = '2026-12-05T09:00:00.000Z';

type Data = MembershipChanged['data'];
/** A MembershipChanged about bob in r1, with what the test says. */
const changed = (data: Partial<Data>): MembershipChanged => ({
  type: 'MembershipChanged',
  data: {
    roomId: 'r1',
    userId: 'bob',
    handle: 'bob',
    action: 'JOIN',
    membership: 'JOINED',
    role: 'MEMBER',
    since: now,
    mutedUntil: null,
    bannedUntil: null,
    by: 'bob',
    reason: null,
    at: now,
    ...data,
  },
});
const state = (data: Partial<Data>): MemberState => memberDecider.evolve(memberDecider.initialState, changed(data));

const room = (kind: RoomKind = 'PUBLIC') => ({
  id: 'r1',
  kind,
  createdBy: 'owner',
  ...(kind === 'DIRECT' ? { directMembers: ['alice', 'bob'] } : {}),
});
const ownerState = state({ userId: 'owner', handle: 'owner', role: 'OWNER' });
const moderatorState = state({ userId: 'mod', handle: 'mod', role: 'MODERATOR' });
const memberState = state({ userId: 'alice', handle: 'alice' });

/** bob does it to himself. */
const self = (action: ChangeMembership['action'], given: MemberState[] = [], kind: RoomKind = 'PUBLIC'): ChangeMembership => ({
  type: 'ChangeMembership',
  action,
  room: room(kind),
  actor: { userId: 'bob', state: given.at(-1) ?? { status: 'none' } },
  target: { userId: 'bob', handle: 'bob' },
  now,
});
/** Someone (with `actor`'s state) does it to bob. */
const onBob = (
  action: ChangeMembership['action'],
  actor: MemberState,
  extra: Partial<ChangeMembership> = {},
  kind: RoomKind = 'PUBLIC',
): ChangeMembership => ({
  type: 'ChangeMembership',
  action,
  room: room(kind),
  actor: { userId: actor.status === 'member' ? actor.userId : 'nobody', state: actor },
  target: { userId: 'bob', handle: 'bob' },
  now,
  ...extra,
});

describe('member decider', () => {
  describe('joining and leaving', () => {
    it('joins a public room as a member, and the creator as its owner', () => {
      spec
        .given([])
        .when(self('JOIN'))
        .then([changed({})]);
      const creator = { ...self('JOIN'), room: { ...room(), createdBy: 'bob' } };
      spec
        .given([])
        .when(creator)
        .then([changed({ role: 'OWNER' })]);
    });

    it('does nothing for a member who joins again, and refuses someone banned', () => {
      spec
        .given([changed({})])
        .when(self('JOIN'))
        .then([]);
      spec
        .given([changed({ action: 'BAN', membership: 'BANNED', by: 'owner' })])
        .when(self('JOIN'))
        .thenThrows(ForbiddenError);
    });

    it('lets a ban run out: then joining works again', () => {
      spec
        .given([changed({ action: 'BAN', membership: 'BANNED', bannedUntil: hourEarlier, by: 'owner', since: hourEarlier })])
        .when(self('JOIN'))
        .then([changed({})]);
    });

    it('joins a private room only with an invitation, and answers anyone else as if it did not exist', () => {
      spec
        .given([])
        .when(self('JOIN', [], 'PRIVATE'))
        .thenThrows(NotFoundError);
      spec
        .given([changed({ action: 'INVITE', membership: 'INVITED', by: 'owner' })])
        .when(self('JOIN', [], 'PRIVATE'))
        .then([changed({})]);
      const creator = { ...self('JOIN', [], 'PRIVATE'), room: { ...room('PRIVATE'), createdBy: 'bob' } };
      spec
        .given([])
        .when(creator)
        .then([changed({ role: 'OWNER' })]);
      spec
        .given([changed({ action: 'LEAVE', membership: 'LEFT', role: 'OWNER' })])
        .when(creator)
        .thenThrows(NotFoundError);
    });

    it("brings a direct room's people in, whoever opens it, and nobody else", () => {
      const opened = { ...onBob('JOIN', state({ userId: 'alice', handle: 'alice' }), {}, 'DIRECT') };
      spec
        .given([])
        .when(opened)
        .then([changed({ by: 'alice' })]);
      const stranger = { ...opened, target: { userId: 'carol', handle: 'carol' } };
      spec.given([]).when(stranger).thenThrows(NotFoundError);
    });

    it('leaves, keeps an owner from leaving, and declines an invitation when asked to leave it', () => {
      spec
        .given([changed({})])
        .when(self('LEAVE'))
        .then([changed({ action: 'LEAVE', membership: 'LEFT' })]);
      spec
        .given([changed({ role: 'OWNER' })])
        .when(self('LEAVE'))
        .thenThrows(ValidationError);
      spec
        .given([changed({ action: 'INVITE', membership: 'INVITED', by: 'owner' })])
        .when(self('LEAVE'))
        .then([changed({ action: 'DECLINE', membership: 'LEFT' })]);
      spec.given([]).when(self('LEAVE')).then([]);
    });

    it('declines only an invitation', () => {
      spec
        .given([changed({ action: 'INVITE', membership: 'INVITED', by: 'owner' })])
        .when(self('DECLINE'))
        .then([changed({ action: 'DECLINE', membership: 'LEFT' })]);
      spec
        .given([changed({})])
        .when(self('DECLINE'))
        .then([]);
    });
  });

  describe('invitations', () => {
    it('lets any member of a private room invite, but only the owner and moderators of a public one', () => {
      const invited = changed({ action: 'INVITE', membership: 'INVITED', by: 'alice' });
      spec
        .given([])
        .when(onBob('INVITE', memberState, {}, 'PRIVATE'))
        .then([invited]);
      spec.given([]).when(onBob('INVITE', memberState)).thenThrows(ForbiddenError);
      spec
        .given([])
        .when(onBob('INVITE', moderatorState))
        .then([changed({ action: 'INVITE', membership: 'INVITED', by: 'mod' })]);
      spec
        .given([])
        .when(onBob('INVITE', { status: 'none' }, {}, 'PRIVATE'))
        .thenThrows(ForbiddenError);
    });

    it('does nothing for a member or an invitee, refuses a banned person, a direct room and oneself', () => {
      spec
        .given([changed({})])
        .when(onBob('INVITE', ownerState))
        .then([]);
      spec
        .given([changed({ action: 'INVITE', membership: 'INVITED' })])
        .when(onBob('INVITE', ownerState))
        .then([]);
      spec
        .given([changed({ action: 'BAN', membership: 'BANNED' })])
        .when(onBob('INVITE', ownerState))
        .thenThrows(ForbiddenError);
      spec
        .given([])
        .when(onBob('INVITE', memberState, {}, 'DIRECT'))
        .thenThrows(ValidationError);
      spec
        .given([changed({})])
        .when(self('INVITE', [state({})]))
        .thenThrows(ValidationError);
    });
  });

  describe('moderation', () => {
    const joined = changed({});

    it('kicks, bans (until a time or for good), mutes and lifts them, with who and why', () => {
      spec
        .given([joined])
        .when(onBob('KICK', moderatorState, { reason: '  spam ' }))
        .then([changed({ action: 'KICK', membership: 'KICKED', by: 'mod', reason: 'spam' })]);
      spec
        .given([joined])
        .when(onBob('BAN', ownerState, { until: hourLater }))
        .then([changed({ action: 'BAN', membership: 'BANNED', bannedUntil: hourLater, by: 'owner' })]);
      spec
        .given([joined])
        .when(onBob('BAN', ownerState, { until: null }))
        .then([changed({ action: 'BAN', membership: 'BANNED', by: 'owner' })]);
      spec
        .given([changed({ action: 'BAN', membership: 'BANNED' })])
        .when(onBob('UNBAN', ownerState))
        .then([changed({ action: 'UNBAN', membership: 'LEFT', by: 'owner' })]);
      spec
        .given([joined])
        .when(onBob('MUTE', moderatorState, { until: hourLater }))
        .then([changed({ action: 'MUTE', mutedUntil: hourLater, by: 'mod' })]);
      spec
        .given([changed({ action: 'MUTE', mutedUntil: hourLater })])
        .when(onBob('UNMUTE', moderatorState))
        .then([changed({ action: 'UNMUTE', by: 'mod' })]);
    });

    it('bans someone who never joined (a public room keeps a spammer out before they come)', () => {
      spec
        .given([])
        .when(onBob('BAN', moderatorState))
        .then([changed({ action: 'BAN', membership: 'BANNED', by: 'mod' })]);
    });

    it('refuses members, equals and anyone of a higher role, and never acts on the owner', () => {
      spec.given([joined]).when(onBob('KICK', memberState)).thenThrows(ForbiddenError);
      spec
        .given([changed({ role: 'MODERATOR' })])
        .when(onBob('KICK', moderatorState))
        .thenThrows(ForbiddenError);
      spec
        .given([changed({ role: 'OWNER' })])
        .when(onBob('BAN', moderatorState))
        .thenThrows(ForbiddenError);
      spec
        .given([changed({ role: 'MODERATOR' })])
        .when(onBob('MUTE', ownerState, { until: hourLater }))
        .then([changed({ action: 'MUTE', role: 'MODERATOR', mutedUntil: hourLater, by: 'owner' })]);
    });

    it('refuses a moderator who is no longer a member', () => {
      const gone = state({ userId: 'mod', handle: 'mod', role: 'MODERATOR', membership: 'LEFT' });
      spec.given([joined]).when(onBob('KICK', gone)).thenThrows(ForbiddenError);
    });

    it('refuses acting on oneself, a direct room, and a kick or mute of someone not in the room', () => {
      spec
        .given([joined])
        .when({ ...onBob('KICK', ownerState), target: { userId: 'owner', handle: 'owner' } })
        .thenThrows(ValidationError);
      spec
        .given([joined])
        .when(onBob('KICK', ownerState, {}, 'DIRECT'))
        .thenThrows(ForbiddenError);
      spec.given([]).when(onBob('KICK', ownerState)).thenThrows(ValidationError);
      spec
        .given([])
        .when(onBob('MUTE', ownerState, { until: hourLater }))
        .thenThrows(ValidationError);
    });

    it.each([
      ['in the past', hourEarlier],
      ['now', now],
      ['more than a year ahead', '2027-12-07T10:00:00.000Z'],
      ['not a time', 'soon'],
    ])('refuses an end %s', (_, until) => {
      spec
        .given([joined])
        .when(onBob('BAN', ownerState, { until }))
        .thenThrows(ValidationError);
      spec
        .given([joined])
        .when(onBob('MUTE', ownerState, { until }))
        .thenThrows(ValidationError);
    });

    it('refuses a mute without an end, and a reason over 500 characters', () => {
      spec
        .given([joined])
        .when(onBob('MUTE', ownerState, { until: null }))
        .thenThrows(ValidationError);
      spec
        .given([joined])
        .when(onBob('KICK', ownerState, { reason: 'x'.repeat(501) }))
        .thenThrows(ValidationError);
      spec
        .given([joined])
        .when(onBob('KICK', ownerState, { reason: '😀'.repeat(500) }))
        .then([changed({ action: 'KICK', membership: 'KICKED', by: 'owner', reason: '😀'.repeat(500) })]);
    });

    it('lets only the owner set roles, to moderator or member, of joined members', () => {
      spec
        .given([joined])
        .when(onBob('SET_ROLE', ownerState, { role: 'MODERATOR' }))
        .then([changed({ action: 'SET_ROLE', role: 'MODERATOR', by: 'owner' })]);
      spec
        .given([joined])
        .when(onBob('SET_ROLE', moderatorState, { role: 'MODERATOR' }))
        .thenThrows(ForbiddenError);
      spec
        .given([joined])
        .when(onBob('SET_ROLE', ownerState, { role: 'OWNER' }))
        .thenThrows(ValidationError);
      spec
        .given([])
        .when(onBob('SET_ROLE', ownerState, { role: 'MODERATOR' }))
        .thenThrows(ValidationError);
      spec
        .given([changed({ role: 'MODERATOR' })])
        .when(onBob('SET_ROLE', ownerState, { role: 'MODERATOR' }))
        .then([]);
    });
  });

  describe('reading the state', () => {
    it('reads an expired ban as LEFT and an expired mute as none', () => {
      expect(toEffectiveMembership(state({ membership: 'BANNED', bannedUntil: hourEarlier }), now)).toBe('LEFT');
      expect(toEffectiveMembership(state({ membership: 'BANNED', bannedUntil: hourLater }), now)).toBe('BANNED');
      expect(toEffectiveMembership(state({ membership: 'BANNED', bannedUntil: null }), now)).toBe('BANNED');
      expect(toMutedUntil(state({ mutedUntil: hourEarlier }), now)).toBeNull();
      expect(toMutedUntil(state({ mutedUntil: hourLater }), now)).toBe(hourLater);
    });

    it('ends reading at a kick or a ban, and at leaving a private room', () => {
      expect(endsReading('PUBLIC', { membership: 'KICKED' })).toBe(true);
      expect(endsReading('DIRECT', { membership: 'BANNED' })).toBe(true);
      expect(endsReading('PUBLIC', { membership: 'LEFT' })).toBe(false);
      expect(endsReading('PRIVATE', { membership: 'LEFT' })).toBe(true);
      expect(endsReading('PRIVATE', { membership: 'JOINED' })).toBe(false);
    });

    it('parses reasons: trimmed, empty is none, no control characters', () => {
      expect(parseReason('  why \r\n not ')).toBe('why \n not');
      expect(parseReason('   ')).toBeNull();
      expect(parseReason(null)).toBeNull();
      expect(() => parseReason('a\u0007b')).toThrow(ValidationError);
      expect(() => parseReason('a\u202eb')).toThrow(ValidationError);
    });
  });
});
