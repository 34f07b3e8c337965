import type { AuditPage, MemberPage } from '../chat/memberQueries.js';
import { assertMayModerate, assertMayReadRoom, assertMaySeeRoom, mayModerate } from '../chat/policy.js';
import type { RoomView } from '../chat/queries.js';
import { NotFoundError } from '../domain/errors.js';
import { MEMBERSHIPS, type Member, ROOM_ROLES, toEffectiveMembership } from '../domain/member/member.js';
import { AUDIT_ACTIONS, type AuditRecord } from '../projections/members.js';
import { builder } from './builder.js';
import { operationSelects, selectsPath } from './selects.js';
import { type GraphQLContext, requireViewer } from './context.js';
import { PageInfoRef, toPageInfo } from './pageInfo.js';
import { RoomConnectionRef, RoomKindEnum, RoomRef } from './room.js';
import { MessageRef } from './message.js';
import { UserRef, resolveUser } from './user.js';
import { VIEWER_DEPENDENT } from './viewerDependent.js';

export const MembershipEnum = builder.enumType('Membership', { values: MEMBERSHIPS });
export const RoomRoleEnum = builder.enumType('RoomRole', { values: ROOM_ROLES });
const AuditActionEnum = builder.enumType('AuditAction', { values: AUDIT_ACTIONS });

/** A member as GraphQL shows it: a ban that ran out reads as LEFT. */
export const MemberRef = builder.objectRef<Member>('Member').implement({
  description: "A person's membership of a room.",
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (member, _, context) => resolveUser(member.userId, context) }),
    role: t.field({ type: RoomRoleEnum, resolve: (member) => member.role }),
    membership: t.field({
      type: MembershipEnum,
      resolve: (member) => toEffectiveMembership({ status: 'member', ...member }, new Date().toISOString()) ?? 'LEFT',
    }),
    since: t.field({ type: 'DateTime', description: 'When the membership took its current state.', resolve: (member) => member.since }),
    mutedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (member) => (member.mutedUntil && member.mutedUntil > new Date().toISOString() ? member.mutedUntil : null),
    }),
    bannedUntil: t.field({ type: 'DateTime', nullable: true, resolve: (member) => member.bannedUntil }),
  }),
});

const MemberEdgeRef = builder.objectRef<MemberPage['edges'][number]>('MemberEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: MemberRef, resolve: (edge) => edge.node }),
  }),
});

const MemberConnectionRef = builder.objectRef<MemberPage & { hasPreviousPage: boolean }>('MemberConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [MemberEdgeRef], resolve: (page) => page.edges }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (page) => toPageInfo(page.edges, { ...page, hasNextPage: () => page.hasNextPage }) }),
  }),
});

const AuditEntryRef = builder.objectRef<AuditRecord>('AuditEntry').implement({
  description: 'One moderation action.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (entry) => entry.at }),
    action: t.field({ type: AuditActionEnum, resolve: (entry) => entry.action }),
    actor: t.field({ type: UserRef, resolve: (entry, _, context) => resolveUser(entry.actorId, context) }),
    target: t.field({
      type: UserRef,
      nullable: true,
      resolve: (entry, _, context) => (entry.targetId ? resolveUser(entry.targetId, context) : null),
    }),
    message: t.field({
      type: MessageRef,
      nullable: true,
      resolve: (entry, _, context) => (entry.messageId ? context.queries.getMessage(entry.messageId) : null),
    }),
    reason: t.string({ nullable: true, resolve: (entry) => entry.reason }),
  }),
});

const AuditEdgeRef = builder.objectRef<AuditPage['edges'][number]>('AuditEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: AuditEntryRef, resolve: (edge) => edge.node }),
  }),
});

const AuditConnectionRef = builder.objectRef<AuditPage & { hasPreviousPage: boolean }>('AuditConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [AuditEdgeRef], resolve: (page) => page.edges }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (page) => toPageInfo(page.edges, { ...page, hasNextPage: () => page.hasNextPage }) }),
  }),
});

/** The viewer's member state in the room, when they have one that shows (a ban that ran out shows as LEFT). */
const myMember = async (room: RoomView, context: GraphQLContext) => {
  const access = await context.loadAccess(room);
  return access.member.status === 'member' ? { member: access.member, now: access.now } : null;
};

builder.objectFields(RoomRef, (t) => ({
  kind: t.field({ type: RoomKindEnum, resolve: (room) => room.kind }),
  myMembership: t.field({
    type: MembershipEnum,
    nullable: true,
    description: "The viewer's membership; null when they have none (or are signed out).",
    extensions: VIEWER_DEPENDENT,
    resolve: async (room, _, context) => {
      const mine = await myMember(room, context);
      return mine ? toEffectiveMembership(mine.member, mine.now) : null;
    },
  }),
  myRole: t.field({
    type: RoomRoleEnum,
    nullable: true,
    description: "The viewer's role while they are a member (JOINED); else null.",
    extensions: VIEWER_DEPENDENT,
    resolve: async (room, _, context) => {
      const mine = await myMember(room, context);
      return mine && toEffectiveMembership(mine.member, mine.now) === 'JOINED' ? mine.member.role : null;
    },
  }),
  memberCount: t.int({ description: 'How many people have joined.', resolve: (room, _, context) => context.queries.countMembers(room.id) }),
  members: t.field({
    type: MemberConnectionRef,
    description: 'Members (JOINED and INVITED; also KICKED/BANNED for moderators), owner first, then by handle.',
    args: { first: t.arg.int({ defaultValue: 50 }), after: t.arg.string() },
    resolve: async (room, args, context) => {
      requireViewer(context);
      const access = await context.loadAccess(room);
      assertMayReadRoom(access);
      const page = await context.queries.readMembers(room.id, {
        first: args.first ?? 50,
        after: args.after,
        includeRemoved: mayModerate(access),
      });
      return { ...page, hasPreviousPage: args.after != null };
    },
  }),
  auditLog: t.field({
    type: AuditConnectionRef,
    description: 'Owner and moderators only (FORBIDDEN otherwise): moderation actions, newest first.',
    args: { first: t.arg.int({ defaultValue: 50 }), after: t.arg.string() },
    resolve: async (room, args, context) => {
      requireViewer(context);
      assertMayModerate(await context.loadAccess(room));
      const page = await context.queries.readAuditLog(room.id, { first: args.first ?? 50, after: args.after });
      return { ...page, hasPreviousPage: args.after != null };
    },
  }),
}));

/** The room the viewer named, if it exists for them; NOT_FOUND otherwise. */
export const requireVisibleRoom = async (roomId: string, context: GraphQLContext): Promise<RoomView> => {
  const room = await context.queries.getRoom(roomId);
  if (!room) throw new NotFoundError('Room not found');
  return assertMaySeeRoom(await context.loadAccess(room));
};

builder.queryFields((t) => ({
  myRooms: t.field({
    type: RoomConnectionRef,
    description: "The viewer's rooms, JOINED and INVITED, of every kind, most recent activity first. UNAUTHENTICATED when signed out.",
    args: { first: t.arg.int({ defaultValue: 50 }), after: t.arg.string() },
    resolve: async (_, args, context, info) => {
      const viewer = requireViewer(context);
      // The inbox's cursor first, whichever field comes first in the document (see inboxCursor).
      if (operationSelects(info, 'inboxCursor')) await context.loadInboxCursor();
      const asks = (name: string) => selectsPath(info, ['edges', 'node', name]);
      const counts = asks('unreadCount') || asks('mentionCount') || asks('readMarker');
      const lastMessage = asks('lastMessage') || asks('lastActivityAt');
      // The counts need the viewer's handle (mentions): read beside the rooms, not after them.
      if (counts) context.loadUser(viewer.userId).catch(() => {});
      // What the rooms' fields will load, read with the page's room states, in one round trip
      // (their member states answer the access checks of counts, lastMessage, myMembership and myRole).
      const prime = counts || lastMessage || asks('myMembership') || asks('myRole');
      const page = await context.queries.readMyRooms(viewer.userId, {
        first: args.first ?? 50,
        after: args.after,
        onPage: prime ? (roomIds) => context.primeRooms(roomIds, { counts, lastMessage }) : undefined,
      });
      return {
        edges: page.edges,
        hasNextPage: page.hasNextPage,
        hasPreviousPage: args.after != null,
      };
    },
  }),
  user: t.field({
    type: UserRef,
    nullable: true,
    args: { handle: t.arg.string({ required: true }) },
    description: 'The person with this handle (case-insensitive, with or without "@"); null when nobody has it.',
    resolve: async (_, args, context) => {
      requireViewer(context);
      const userId = await context.queries.findUserIdByHandle(args.handle.trim().replace(/^@/u, ''));
      return userId ? context.loadUser(userId) : null;
    },
  }),
  users: t.field({
    type: [UserRef],
    args: { prefix: t.arg.string({ required: true }), first: t.arg.int({ defaultValue: 10 }) },
    description: 'Users whose handle or display name starts with `prefix` (case-insensitive), for mentions and invitations.',
    resolve: async (_, args, context) => {
      requireViewer(context);
      const ids = await context.queries.findUserIds(args.prefix.replace(/^@/u, ''), args.first ?? 10);
      return Promise.all(ids.map((id) => resolveUser(id, context)));
    },
  }),
}));
