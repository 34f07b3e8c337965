import { describe, expect, it } from 'vitest';
import type { MemberFieldsFragment, MemberPageFieldsFragment } from '../graphql/gql/graphql.js';
import { type MemberListEvent, evolveMemberList, findMember, initialMemberList } from './memberList.js';

const member = (handle: string, over: Partial<MemberFieldsFragment> = {}): MemberFieldsFragment => ({
  user: { id: `u-${handle}`, handle, displayName: handle, avatarUrl: null, status: 'AVAILABLE' },
  role: 'MEMBER',
  membership: 'JOINED',
  since: '2026-12-05T09:00:00.000Z',
  mutedUntil: null,
  bannedUntil: null,
  ...over,
});
const page = (members: MemberFieldsFragment[], hasNextPage = false): MemberPageFieldsFragment => ({
  edges: members.map((node) => ({ cursor: `c-${node.user.handle}`, node })),
  pageInfo: { hasNextPage, endCursor: members.length ? `c-${members.at(-1)!.user.handle}` : null },
});
const fold = (events: MemberListEvent[], showsRemoved = false) => events.reduce(evolveMemberList, initialMemberList(showsRemoved));
const handles = (state: ReturnType<typeof fold>) => state.members.map((m) => m.user.handle);
const owner = member('zoe', { role: 'OWNER' });
const loaded = (members: MemberFieldsFragment[], hasNextPage = false, memberCount = members.length): MemberListEvent => ({
  type: 'MembersLoaded',
  page: page(members, hasNextPage),
  memberCount,
  first: true,
});

describe('the members panel list', () => {
  it('lists the owner first, then by handle, and counts as the room does', () => {
    const state = fold([loaded([member('bob'), owner, member('Alice')])]);
    expect(handles(state)).toEqual(['zoe', 'Alice', 'bob']);
    expect(state.count).toBe(3);
  });

  it('adds people who join or are invited, and counts only who joined', () => {
    const state = fold([
      loaded([owner, member('bob')]),
      { type: 'MemberChanged', member: member('carol', { membership: 'INVITED' }) },
      { type: 'MemberChanged', member: member('alice') },
    ]);
    expect(handles(state)).toEqual(['zoe', 'alice', 'bob', 'carol']);
    expect(state.count).toBe(3);
    expect(findMember(state, 'u-carol')?.membership).toBe('INVITED');
  });

  it('takes out people who leave, decline or are removed; moderators still see the removed', () => {
    const events: MemberListEvent[] = [
      loaded([owner, member('alice'), member('bob'), member('carol', { membership: 'INVITED' })], false, 3),
      { type: 'MemberChanged', member: member('alice', { membership: 'LEFT' }) },
      { type: 'MemberChanged', member: member('bob', { membership: 'BANNED' }) },
      { type: 'MemberChanged', member: member('carol', { membership: 'LEFT' }) },
    ];
    expect(handles(fold(events))).toEqual(['zoe']);
    expect(fold(events).count).toBe(1);
    expect(handles(fold(events, true))).toEqual(['zoe', 'bob']);
  });

  it('updates a member in place (a mute), counting nothing', () => {
    const state = fold([
      loaded([owner, member('bob')]),
      { type: 'MemberChanged', member: member('bob', { mutedUntil: '2030-01-01T00:00:00.000Z' }) },
    ]);
    expect(findMember(state, 'u-bob')?.mutedUntil).toBe('2030-01-01T00:00:00.000Z');
    expect(state.count).toBe(2);
  });

  it('leaves someone who sorts after the loaded pages for their page, and appends pages without duplicates', () => {
    let state = fold([loaded([owner, member('bob')], true, 10), { type: 'MemberChanged', member: member('yann') }]);
    expect(handles(state)).toEqual(['zoe', 'bob']);
    expect(state.count).toBe(10); // pages are left that may hold yann already
    state = evolveMemberList(state, { type: 'MembersLoaded', page: page([member('bob'), member('yann')]), memberCount: 10, first: false });
    expect(handles(state)).toEqual(['zoe', 'bob', 'yann']);
    expect(state.hasNextPage).toBe(false);
  });
});
