import { NotFoundError, ValidationError } from '../domain/errors.js';
import { type Member, type MemberAction, type MemberState, type RoomRole, memberDecider } from '../domain/member/member.js';
import { DIRECT_MEMBERS_MAX, roomDecider } from '../domain/room/room.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { toAuditIndexes, toMemberSets } from '../projections/members.js';
import { advanceReadMarker } from '../projections/unread.js';
import { toMemberNote } from '../projections/inbox/activity.js';
import { handleCommand } from './handleCommand.js';
import { isRoomId, newRoomId } from './ids.js';
import { directRoomsKey, lobbyStreamKey, roomSnapshotsKey, toMemberSnapshotsKey, toRoomStreamKey } from './keys.js';
import type { MemberQueries } from './memberQueries.js';
import { type Access, assertMaySeeRoom } from './policy.js';
import { type ChatQueries, type RoomView, toRoomView } from './queries.js';

export interface MemberCommands {
  /** The viewer's direct room with these people (1–8 handles), made on first use; the viewer joins it. */
  openDirect(input: { actorId: string; handles: readonly string[] }): Promise<RoomView>;
  /** Joins a PUBLIC room, accepts an invitation to a PRIVATE one, comes back to a DIRECT one. */
  joinRoom(input: { actorId: string; roomId: string }): Promise<RoomView>;
  leaveRoom(input: { actorId: string; roomId: string }): Promise<RoomView>;
  declineInvite(input: { actorId: string; roomId: string }): Promise<RoomView>;
  invite(input: { actorId: string; roomId: string; handle: string }): Promise<Member>;
  /** Kick, ban, unban, mute, unmute, set a role: an owner's or moderator's change to someone else. */
  moderate(input: {
    actorId: string;
    roomId: string;
    userId: string;
    action: Extract<MemberAction, 'KICK' | 'BAN' | 'UNBAN' | 'MUTE' | 'UNMUTE' | 'SET_ROLE'>;
    reason?: string | null;
    until?: string | null;
    role?: RoomRole;
  }): Promise<Member>;
  /** The room's creator joins it as its owner (right after creating it). */
  joinAsCreator(room: RoomView): Promise<void>;
}

type Lookups = Pick<ChatQueries, 'getRoom' | 'getUser'> & Pick<MemberQueries, 'getMember' | 'findUserIdByHandle'>;

const HANDLE = /^@?([A-Za-z0-9_]{1,15})$/u;

export const createMemberCommands = (store: EventStore, lookups: Lookups, now: () => Date): MemberCommands => {
  /** The room as the actor may see it, and the actor's own member state; NOT_FOUND when it does not exist for them. */
  const access = async (actorId: string, roomId: string): Promise<Access & { room: RoomView }> => {
    if (!isRoomId(roomId)) throw new NotFoundError('Room not found');
    const [room, member] = await Promise.all([lookups.getRoom(roomId), lookups.getMember(roomId, actorId)]);
    const seen: Access = { room, viewerId: actorId, member, now: now().toISOString() };
    return { ...seen, room: assertMaySeeRoom(seen) };
  };

  const handleOf = async (userId: string) => {
    const user = await lookups.getUser(userId);
    if (!user) throw new NotFoundError('User not found');
    return user.handle;
  };

  /** Decides and appends one change to `targetId`'s membership; answers their member state after it. */
  const change = async (
    room: RoomView,
    actor: { userId: string; state: MemberState },
    targetId: string,
    command: { action: MemberAction; role?: RoomRole; until?: string | null; reason?: string | null },
  ): Promise<MemberState> => {
    const handle = await handleOf(targetId);
    const result = await handleCommand(
      store,
      memberDecider,
      { stream: toRoomStreamKey(room.id), snapshot: { key: toMemberSnapshotsKey(room.id), field: targetId } },
      {
        type: 'ChangeMembership',
        room: { id: room.id, kind: room.kind, createdBy: room.createdBy, directMembers: room.directMembers },
        actor,
        target: { userId: targetId, handle },
        now: now().toISOString(),
        ...command,
      },
      {
        meta: { actorId: actor.userId },
        sets: (before, after) => toMemberSets(room.id, before, after),
        indexes: (events) => toAuditIndexes(room.id, events),
        notify: (events) => events.map((event) => toMemberNote(room.id, event.data.userId, event.data.action)),
      },
    );
    if (result.status !== 'done') throw new Error(`unexpected ${result.status}`);
    // A newcomer has read what came before: their unread count starts at what comes next.
    const joined = result.events.findIndex((event) => event.data.action === 'JOIN');
    if (joined >= 0) await advanceReadMarker(store, room.id, targetId, result.cursors[joined]!);
    return result.state;
  };

  const asMember = (state: MemberState): Member => {
    // Lifting a ban or a mute of someone who never had a membership changes nothing, and there is nobody to show.
    if (state.status !== 'member') throw new ValidationError('That person is not a member of this room', 'userId');
    const { status: _, ...member } = state;
    return member;
  };

  /** A change the actor makes to themself (join, leave, decline): the decider sees their state as both. */
  const changeSelf = async (actorId: string, roomId: string, action: MemberAction) => {
    const seen = await access(actorId, roomId);
    await change(seen.room, { userId: actorId, state: seen.member }, actorId, { action });
    return seen.room;
  };

  const resolveHandle = async (raw: string): Promise<string> => {
    const handle = HANDLE.exec(raw.trim())?.[1];
    if (!handle) throw new ValidationError(`"${raw.slice(0, 20)}" is not a handle`, 'handles');
    const userId = await lookups.findUserIdByHandle(handle);
    if (!userId) throw new ValidationError(`Nobody has the handle @${handle}`, 'handles');
    return userId;
  };

  return {
    async openDirect({ actorId, handles }) {
      if (handles.length < 1 || handles.length > DIRECT_MEMBERS_MAX - 1) {
        throw new ValidationError(`A direct conversation takes 1–${DIRECT_MEMBERS_MAX - 1} handles`, 'handles');
      }
      const lower = handles.map((handle) => handle.trim().replace(/^@/u, '').toLowerCase());
      if (new Set(lower).size !== lower.length) throw new ValidationError('Each handle may be given once', 'handles');
      const others = await Promise.all(handles.map(resolveHandle));
      if (others.includes(actorId)) throw new ValidationError('Leave your own handle out: the conversation is yours already', 'handles');
      const people = [actorId, ...others].sort();
      const roomId = newRoomId();
      const result = await handleCommand(
        store,
        roomDecider,
        { stream: lobbyStreamKey, snapshot: { key: roomSnapshotsKey, field: roomId } },
        { type: 'CreateRoom', roomId, name: '', kind: 'DIRECT', directMembers: people, actorId, now: now().toISOString() },
        { fresh: true, meta: { actorId }, claim: () => ({ key: directRoomsKey, field: people.join(','), owner: roomId }) },
      );
      const room =
        result.status === 'claimed' ? await lookups.getRoom(result.owner) : result.status === 'done' ? toRoomView(result.state) : null;
      if (!room) throw new Error(`direct room of ${people.join(',')} has no state`);
      // Everyone of a new room joins it; of an existing one, whoever never did (a start cut short), and the opener again.
      const states = await Promise.all(people.map((userId) => lookups.getMember(room.id, userId)));
      for (const [i, userId] of people.entries()) {
        const state = states[i]!;
        const joined = state.status === 'member' && state.membership === 'JOINED';
        if (joined || (state.status === 'member' && userId !== actorId)) continue;
        await change(room, { userId: actorId, state: states[people.indexOf(actorId)]! }, userId, { action: 'JOIN' });
      }
      return room;
    },

    joinRoom: ({ actorId, roomId }) => changeSelf(actorId, roomId, 'JOIN'),
    leaveRoom: ({ actorId, roomId }) => changeSelf(actorId, roomId, 'LEAVE'),
    declineInvite: ({ actorId, roomId }) => changeSelf(actorId, roomId, 'DECLINE'),

    async invite({ actorId, roomId, handle }) {
      const seen = await access(actorId, roomId);
      const targetId = await resolveHandle(handle);
      return asMember(await change(seen.room, { userId: actorId, state: seen.member }, targetId, { action: 'INVITE' }));
    },

    async moderate({ actorId, roomId, userId, action, reason, until, role }) {
      const seen = await access(actorId, roomId);
      if (!(await lookups.getUser(userId))) throw new NotFoundError('User not found');
      return asMember(await change(seen.room, { userId: actorId, state: seen.member }, userId, { action, reason, until, role }));
    },

    async joinAsCreator(room) {
      await change(room, { userId: room.createdBy, state: { status: 'none' } }, room.createdBy, { action: 'JOIN' });
    },
  };
};
