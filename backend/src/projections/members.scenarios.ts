/* The members model's property test, run on the memory store, one Redis (members.int.spec.ts) and a Redis Cluster (projections.cluster.int.spec.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChatCommands } from '../chat/commands.js';
import { createChatLookups } from '../chat/queries.js';
import { toRoomStreamKey } from '../chat/keys.js';
import { DomainError } from '../domain/errors.js';
import { toUserNameEntries } from './userNames.js';
import type { UserState } from '../domain/user/user.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { readAll } from '../testing/logFixtures.js';
import type { OpenStore } from '../testing/bothStores.js';
import { userNamesKey } from './keys.js';
import { rebuildInline } from './inline.js';
import { type MembersModel, foldMembers, membersProjection, readMembersModel, toMembersLocation } from './members.js';

/** What a random history does, through the real commands, at a clock that moves on by the minute. */
type Step =
  | { kind: 'createRoom'; actor: number; private: boolean }
  | { kind: 'openDirect'; actor: number; others: number[] }
  | { kind: 'self'; action: 'join' | 'leave' | 'decline'; actor: number; room: number }
  | { kind: 'invite'; actor: number; target: number; room: number }
  | {
      kind: 'moderate';
      action: 'KICK' | 'BAN' | 'UNBAN' | 'MUTE' | 'UNMUTE' | 'SET_ROLE';
      actor: number;
      target: number;
      room: number;
      minutes: number | null;
      moderator: boolean;
    }
  | { kind: 'post'; actor: number; room: number }
  | { kind: 'remove'; actor: number; message: number }
  | { kind: 'wait'; minutes: number }
  | { kind: 'rename'; actor: number; handle: number };

const PEOPLE = 4;
const person = fc.nat(PEOPLE - 1);
const room = fc.nat(9);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('createRoom' as const), actor: person, private: fc.boolean() }),
  fc.record({ kind: fc.constant('openDirect' as const), actor: person, others: fc.array(person, { minLength: 1, maxLength: 3 }) }),
  {
    arbitrary: fc.record({
      kind: fc.constant('self' as const),
      action: fc.constantFrom('join', 'leave', 'decline' as const),
      actor: person,
      room,
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('invite' as const), actor: person, target: person, room }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('moderate' as const),
      action: fc.constantFrom('KICK', 'BAN', 'UNBAN', 'MUTE', 'UNMUTE', 'SET_ROLE' as const),
      actor: person,
      target: person,
      room,
      minutes: fc.option(fc.integer({ min: 1, max: 120 })),
      moderator: fc.boolean(),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('post' as const), actor: person, room }), weight: 3 },
  fc.record({ kind: fc.constant('remove' as const), actor: person, message: fc.nat(50) }),
  fc.record({ kind: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 90 }) }),
  fc.record({ kind: fc.constant('rename' as const), actor: person, handle: fc.nat(3) }),
);

const play = async (store: EventStore, steps: readonly Step[]) => {
  let clock = Date.parse('2026-12-05T10:00:00.000Z');
  const commands = createChatCommands(store, createChatLookups(store), () => new Date(clock));
  const users = Array.from({ length: PEOPLE }, (_, i) => `user${i}`);
  const register = (i: number, handle: string) =>
    commands.registerUser({ userId: users[i]!, profile: { handle, displayName: `Person ${handle}`, avatarUrl: null } });
  for (const [i] of users.entries()) await register(i, `p${i}`);
  const rooms: string[] = [];
  const messages: string[] = [];
  const roomOf = (i: number) => rooms[i % rooms.length]!;
  for (const s of steps) {
    clock += 60_000;
    try {
      switch (s.kind) {
        case 'createRoom':
          rooms.push(
            (await commands.createRoom({ actorId: users[s.actor]!, name: `room ${rooms.length}`, kind: s.private ? 'PRIVATE' : 'PUBLIC' }))
              .id,
          );
          break;
        case 'openDirect':
          rooms.push((await commands.openDirect({ actorId: users[s.actor]!, handles: [...new Set(s.others)].map((i) => `p${i}`) })).id);
          break;
        case 'self': {
          if (!rooms.length) break;
          const input = { actorId: users[s.actor]!, roomId: roomOf(s.room) };
          await (s.action === 'join'
            ? commands.joinRoom(input)
            : s.action === 'leave'
              ? commands.leaveRoom(input)
              : commands.declineInvite(input));
          break;
        }
        case 'invite':
          if (rooms.length) await commands.invite({ actorId: users[s.actor]!, roomId: roomOf(s.room), handle: `p${s.target}` });
          break;
        case 'moderate':
          if (rooms.length) {
            await commands.moderate({
              actorId: users[s.actor]!,
              roomId: roomOf(s.room),
              userId: users[s.target]!,
              action: s.action,
              until: s.minutes === null ? null : new Date(clock + s.minutes * 60_000).toISOString(),
              role: s.moderator ? 'MODERATOR' : 'MEMBER',
              reason: s.minutes === null ? null : `for ${s.minutes} minutes`,
            });
          }
          break;
        case 'post':
          if (rooms.length)
            messages.push((await commands.postMessage({ actorId: users[s.actor]!, roomId: roomOf(s.room), body: 'hi' })).id);
          break;
        case 'remove':
          if (messages.length)
            await commands.removeMessage({ actorId: users[s.actor]!, messageId: messages[s.message % messages.length]!, reason: 'no' });
          break;
        case 'wait':
          clock += s.minutes * 60_000;
          break;
        case 'rename':
          await register(s.actor, `p${s.actor}x${s.handle}`);
          break;
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { users, rooms: [...new Set(rooms)] };
};

const plain = (model: MembersModel) => ({
  ...model,
  states: [...model.states].sort(([a], [b]) => (a < b ? -1 : 1)),
  userRooms: [...model.userRooms].filter(([, entries]) => entries.length > 0).sort(([a], [b]) => (a < b ? -1 : 1)),
});

export const describeMembers = (name: string, open: OpenStore, runs: number) => {
  describe(`members and people read models (${name})`, () => {
    it("each room's members, roster, joined set, audit log and its members' room lists equal a fold of its log", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 50 }), async (steps) => {
          const { store, wipe } = await open();
          try {
            const played = await play(store, steps);
            for (const roomId of played.rooms) {
              const live = plain(await readMembersModel(store, roomId));
              expect(live).toEqual(plain(foldMembers(roomId, await readAll(store, toRoomStreamKey(roomId)))));
              // Rebuilt from nothing, the room's part (states, roster, joined set, audit log) comes back the same.
              const location = toMembersLocation(roomId);
              await store.deleteKeys([location.hash, location.index!, ...location.sets!]);
              await rebuildInline(store, membersProjection, location);
              expect(plain(await readMembersModel(store, roomId))).toEqual(live);
            }
            // Every room anybody is listed in is one they are JOINED or INVITED to, and the other way round.
            const listed = await Promise.all(
              played.users.map((userId) => store.readSetRange(`chat:{u:${userId}}:rooms`, { min: '-', max: '+', count: 1000 })),
            );
            const expected = played.users.map(() => 0);
            for (const roomId of played.rooms) {
              const model = foldMembers(roomId, await readAll(store, toRoomStreamKey(roomId)));
              for (const [userId, entries] of model.userRooms) expected[played.users.indexOf(userId)]! += entries.length;
            }
            expect(listed.map((entries) => entries.length)).toEqual(expected);
            // The names set holds exactly the users' current handles and names.
            const states = await store.readSnapshotsAt<UserState>(
              played.users.map((id) => ({ key: `chat:{u:${id}}:state`, field: 'state' })),
            );
            const names = states.flatMap((snapshot) => (snapshot ? toUserNameEntries(snapshot.state) : []));
            const stored = await store.readSetRange(userNamesKey, { min: '-', max: '+', count: 1000 });
            expect([...stored].sort()).toEqual([...names].sort());
          } finally {
            await wipe();
          }
        }),
        { numRuns: runs },
      );
    });
  });
};
