/**
 * The members panel's list: pages of `Room.members` (owner first, then by handle, as the server
 * orders them) kept current by the room's MembershipChanged events. `evolveMemberList(state,
 * event) => state`, pure. A member whose handle sorts after the last loaded page is left for that
 * page, so nobody shows twice.
 */

import type { MemberFieldsFragment, MemberPageFieldsFragment } from '../graphql/gql/graphql.js';

export type Member = MemberFieldsFragment;

export interface MemberListState {
  members: readonly Member[];
  /** The room's memberCount as last read, moved by the changes seen since. */
  count: number;
  hasNextPage: boolean;
  endCursor: string | null;
  loaded: boolean;
  /** Moderators also see kicked and banned people; others only who is in or invited. */
  showsRemoved: boolean;
}

export const initialMemberList = (showsRemoved = false): MemberListState => ({
  members: [],
  count: 0,
  hasNextPage: false,
  endCursor: null,
  loaded: false,
  showsRemoved,
});

export type MemberListEvent =
  /** The first page (it replaces the list) or the next one, with the room's memberCount read with it. */
  | { type: 'MembersLoaded'; page: MemberPageFieldsFragment; memberCount: number; first: boolean }
  /** A member as an event or a mutation's answer has them now. */
  | { type: 'MemberChanged'; member: Member }
  | { type: 'ModeratorViewChanged'; showsRemoved: boolean };

const rank = (m: Member) => (m.role === 'OWNER' ? 0 : 1);
export const compareMembers = (a: Member, b: Member): number => {
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  const x = a.user.handle.toLowerCase();
  const y = b.user.handle.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

/** In the list at all: in the room or invited; kicked and banned people only for moderators. */
const isListed = (state: MemberListState, m: Member) =>
  m.membership === 'JOINED' ||
  m.membership === 'INVITED' ||
  (state.showsRemoved && (m.membership === 'KICKED' || m.membership === 'BANNED'));

/** Within the loaded range: everything once no page is left, else up to the last loaded member. */
const isInRange = (state: MemberListState, m: Member) => {
  if (!state.hasNextPage) return true;
  const last = state.members.at(-1);
  return last !== undefined && compareMembers(m, last) <= 0;
};

/** The member the list knows with this user id, if any. */
export const findMember = (state: MemberListState, userId: string): Member | null =>
  state.members.find((m) => m.user.id === userId) ?? null;

export const evolveMemberList = (state: MemberListState, event: MemberListEvent): MemberListState => {
  switch (event.type) {
    case 'MembersLoaded': {
      const incoming = event.page.edges.map((e) => e.node);
      const ids = new Set(incoming.map((m) => m.user.id));
      const kept = event.first ? [] : state.members.filter((m) => !ids.has(m.user.id));
      return {
        ...state,
        members: [...kept, ...incoming].sort(compareMembers),
        count: event.memberCount,
        hasNextPage: event.page.pageInfo.hasNextPage,
        endCursor: event.page.pageInfo.endCursor ?? state.endCursor,
        loaded: true,
      };
    }
    case 'MemberChanged': {
      const next = event.member;
      const i = state.members.findIndex((m) => m.user.id === next.user.id);
      const previous = state.members[i];
      const wasIn = previous?.membership === 'JOINED';
      const isIn = next.membership === 'JOINED';
      // Someone the list does not know was not in the room, unless pages are left that may hold them.
      const knowsBefore = previous !== undefined || (state.loaded && !state.hasNextPage);
      const count = Math.max(0, state.count + (isIn && !wasIn && knowsBefore ? 1 : 0) - (wasIn && !isIn ? 1 : 0));
      const members = i >= 0 ? state.members.toSpliced(i, 1) : [...state.members];
      if (isListed(state, next) && (previous || isInRange(state, next))) {
        let at = members.findIndex((m) => compareMembers(next, m) < 0);
        if (at < 0) at = members.length;
        members.splice(at, 0, next);
      }
      return { ...state, members, count };
    }
    case 'ModeratorViewChanged':
      return state.showsRemoved === event.showsRemoved ? state : { ...state, showsRemoved: event.showsRemoved };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
