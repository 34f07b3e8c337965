import { USER_STATUSES } from '../domain/user/user.js';
import type { UserView } from '../chat/queries.js';
import { builder } from './builder.js';
import { requireViewer } from './context.js';

export const UserStatusEnum = builder.enumType('UserStatus', {
  description: 'What a user shows the others.',
  values: USER_STATUSES,
});

export const UserRef = builder.objectRef<UserView>('User').implement({
  description: 'A person who signed in (with X, or the development sign-in).',
  fields: (t) => ({
    id: t.exposeID('id'),
    handle: t.exposeString('handle', { description: 'The X/Twitter handle, without "@".' }),
    displayName: t.exposeString('displayName'),
    avatarUrl: t.exposeString('avatarUrl', { nullable: true }),
    status: t.field({ type: UserStatusEnum, resolve: (user) => user.status }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in user; null when signed out.',
    resolve: (_, __, context) => (context.viewer ? context.loadUser(context.viewer.userId) : null),
  }),
);

builder.mutationField('setStatus', (t) =>
  t.field({
    type: UserRef,
    args: { status: t.arg({ type: UserStatusEnum, required: true }) },
    description: "Sets the caller's status; the rooms they are in see UserStatusChanged.",
    resolve: async (_, { status }, context) => {
      const viewer = requireViewer(context);
      const user = await context.commands.setStatus({ actorId: viewer.userId, status });
      await context.presence.announceStatus(viewer.userId);
      return user;
    },
  }),
);

/** The author or creator a record names; a user event always precedes their records, so a miss is a bug. */
export const resolveUser = async (userId: string, context: { loadUser(id: string): Promise<UserView | null> }) => {
  const user = await context.loadUser(userId);
  if (!user) throw new Error(`user ${userId} is unknown`);
  return user;
};
