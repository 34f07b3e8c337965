import { describe, expect, it } from 'vitest';
import type { MemberFieldsFragment, UserFieldsFragment } from '../graphql/gql/graphql.js';
import { type MembershipEvent, describeMembershipChange, membershipChangeText, toMembershipChangeKind } from './membership.js';

const user = (handle: string): UserFieldsFragment => ({
  id: `u-${handle}`,
  handle,
  displayName: handle[0]!.toUpperCase() + handle.slice(1),
  avatarUrl: null,
  status: 'AVAILABLE',
});
const alice = user('alice');
const bob = user('bob');
const member = (over: Partial<MemberFieldsFragment> = {}): MemberFieldsFragment => ({
  user: alice,
  role: 'MEMBER',
  membership: 'JOINED',
  since: '2026-12-05T09:00:00.000Z',
  mutedUntil: null,
  bannedUntil: null,
  ...over,
});
const event = (
  over: Partial<MemberFieldsFragment>,
  by: UserFieldsFragment | null = bob,
  reason: string | null = null,
): MembershipEvent => ({
  member: member(over),
  by,
  reason,
});
const UNTIL = '2026-12-05T10:00:00.000Z';
const format = (iso: string) => `<${iso}>`;
const text = (previous: MemberFieldsFragment | null, e: MembershipEvent) => {
  const change = describeMembershipChange(previous, e);
  return change && membershipChangeText(change, format);
};

describe('what a membership change means', () => {
  it('reads removals from the membership alone', () => {
    expect(text(member(), event({ membership: 'KICKED' }, bob, 'spam'))).toBe('Alice was kicked by Bob: spam');
    expect(text(null, event({ membership: 'BANNED', bannedUntil: UNTIL }, bob, 'spam'))).toBe(
      `Alice was banned by Bob until <${UNTIL}>: spam`,
    );
    expect(text(member(), event({ membership: 'BANNED' }))).toBe('Alice was banned by Bob for good');
  });

  it('reads invitations, and their answers against what was known', () => {
    expect(text(null, event({ membership: 'INVITED' }))).toBe('Bob invited Alice');
    const invited = member({ membership: 'INVITED' });
    expect(text(invited, event({ membership: 'JOINED' }, alice))).toBe('Alice accepted the invitation');
    expect(text(invited, event({ membership: 'LEFT' }, alice))).toBe('Alice declined the invitation');
  });

  it('tells joining, leaving and unbanning apart', () => {
    expect(text(null, event({}, alice))).toBe('Alice became a member');
    expect(text(member({ membership: 'LEFT' }), event({}, null))).toBe('Alice became a member');
    expect(text(member(), event({ membership: 'LEFT' }, alice))).toBe('Alice left');
    expect(text(member({ membership: 'BANNED' }), event({ membership: 'LEFT' }))).toBe('Alice was unbanned by Bob');
    expect(text(null, event({ membership: 'LEFT' }))).toBe('Alice was unbanned by Bob');
  });

  it('tells mutes and roles apart from the member as known before', () => {
    expect(text(member(), event({ mutedUntil: UNTIL }, bob, 'calm down'))).toBe(`Alice was muted by Bob until <${UNTIL}>: calm down`);
    expect(text(member({ mutedUntil: UNTIL }), event({}))).toBe('Alice was unmuted by Bob');
    expect(text(member(), event({ role: 'MODERATOR' }))).toBe('Bob made Alice a moderator');
    expect(text(member({ role: 'MODERATOR' }), event({}))).toBe('Bob made Alice a member');
  });

  it('guesses from the event alone for someone not known before', () => {
    expect(toMembershipChangeKind(null, event({ mutedUntil: UNTIL }))).toBe('muted');
    expect(toMembershipChangeKind(null, event({ role: 'MODERATOR' }))).toBe('role');
    expect(toMembershipChangeKind(null, event({}))).toBe('unmuted');
  });

  it('says nothing when nothing shown changed (an event seen twice)', () => {
    expect(describeMembershipChange(member(), event({}))).toBeNull();
    expect(describeMembershipChange(member({ membership: 'KICKED' }), event({ membership: 'KICKED' }))).toBeNull();
  });
});
