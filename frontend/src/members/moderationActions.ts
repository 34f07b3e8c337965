import type { GraphQLClient } from '../graphql/client.js';
import { toErrorInfo } from '../graphql/errors.js';
import type { MemberFieldsFragment, MessageFieldsFragment, RoomRole } from '../graphql/gql/graphql.js';
import {
  BanMutation,
  InviteMutation,
  KickMutation,
  MuteMutation,
  RemoveMessageMutation,
  SetRoleMutation,
  UnbanMutation,
  UnmuteMutation,
} from './operations.js';

/** Each answers an error message, or null when done. */
export interface ModerationActions {
  invite(handle: string): Promise<string | null>;
  kick(userId: string, reason: string | null): Promise<string | null>;
  /** `until` null: for good. */
  ban(userId: string, until: string | null, reason: string | null): Promise<string | null>;
  unban(userId: string): Promise<string | null>;
  mute(userId: string, until: string, reason: string | null): Promise<string | null>;
  unmute(userId: string): Promise<string | null>;
  setRole(userId: string, role: RoomRole): Promise<string | null>;
  removeMessage(messageId: string, reason: string | null): Promise<string | null>;
}

/**
 * Invitations and moderation in one room. A member as a mutation answers them goes to `onMember`
 * at once (the room's MembershipChanged event follows and changes nothing more), a removed message
 * to `onMessage`.
 */
export const createModerationActions = (
  client: GraphQLClient,
  roomId: string,
  handlers: { onMember: (member: MemberFieldsFragment) => void; onMessage: (message: MessageFieldsFragment) => void },
): ModerationActions => {
  const urql = client.urql;
  const member = async (
    run: Promise<{ data?: Record<string, MemberFieldsFragment> | undefined; error?: Parameters<typeof toErrorInfo>[0] }>,
    fallback: string,
  ) => {
    const result = await run;
    const answered = result.data && Object.values(result.data)[0];
    if (!answered) return toErrorInfo(result.error, fallback).message;
    handlers.onMember(answered);
    return null;
  };
  const clean = (reason: string | null) => (reason && reason.trim() !== '' ? reason.trim() : null);
  return {
    invite: (handle) =>
      member(urql.mutation(InviteMutation, { roomId, handle: handle.replace(/^@/, '') }).toPromise(), 'The invitation could not be sent.'),
    kick: (userId, reason) =>
      member(urql.mutation(KickMutation, { roomId, userId, reason: clean(reason) }).toPromise(), 'They could not be removed.'),
    ban: (userId, until, reason) =>
      member(urql.mutation(BanMutation, { roomId, userId, until, reason: clean(reason) }).toPromise(), 'They could not be banned.'),
    unban: (userId) => member(urql.mutation(UnbanMutation, { roomId, userId }).toPromise(), 'The ban could not be lifted.'),
    mute: (userId, until, reason) =>
      member(urql.mutation(MuteMutation, { roomId, userId, until, reason: clean(reason) }).toPromise(), 'They could not be muted.'),
    unmute: (userId) => member(urql.mutation(UnmuteMutation, { roomId, userId }).toPromise(), 'The mute could not be lifted.'),
    setRole: (userId, role) =>
      member(urql.mutation(SetRoleMutation, { roomId, userId, role }).toPromise(), 'The role could not be changed.'),
    async removeMessage(messageId, reason) {
      const result = await urql.mutation(RemoveMessageMutation, { id: messageId, reason: clean(reason) }).toPromise();
      if (!result.data) return toErrorInfo(result.error, 'The message could not be removed.').message;
      handlers.onMessage(result.data.removeMessage);
      return null;
    },
  };
};
