import { assertNever, type Decider } from '../decider.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { MARKS_PER_CHARACTER_MAX, type NameProblem, findNameProblem } from '../names/nameText.js';
import { toNameKey } from '../names/skeleton.js';
import { codePointLength } from '../text.js';
import type { RoomEvent, RoomKind } from './events.js';

// The event types moved to events.ts with their schemas; code outside the domain still imports them from here.
export { ROOM_KINDS } from './events.js';
export type { RoomCreated, RoomEvent, RoomKind, RoomRenamed } from './events.js';

export { toRoomSearchKey } from './searchKey.js';

export const ROOM_NAME_MAX = 100;

/** At most this many people in a direct conversation, its opener included. */
export const DIRECT_MEMBERS_MAX = 9;
/** What a direct room is called in the log; readers show its members' names instead. */
export const DIRECT_ROOM_NAME = 'Direct conversation';

export type RoomState =
  | { status: 'none' }
  | {
      status: 'open';
      id: string;
      name: string;
      /** Absent in states stored before rooms had kinds: those rooms are public (see `toRoomKind`). */
      kind?: RoomKind;
      createdBy: string;
      createdAt: string;
      directMembers?: string[];
    };

/** A room's kind; a state stored before kinds existed is a public room's. */
export const toRoomKind = (state: { kind?: RoomKind }): RoomKind => state.kind ?? 'PUBLIC';

/**
 * PUBLIC and PRIVATE rooms take a name; DIRECT ones take `directMembers` instead (the people,
 * the actor among them, sorted and distinct: the caller resolves and checks them).
 */
export type CreateRoom = {
  type: 'CreateRoom';
  roomId: string;
  name: string;
  kind: RoomKind;
  directMembers?: string[];
  actorId: string;
  now: string;
};
export type RenameRoom = { type: 'RenameRoom'; roomId: string; name: string; actorId: string; now: string };
export type RoomCommand = CreateRoom | RenameRoom;

const NAME_PROBLEMS: Record<NameProblem, string> = {
  'lone-surrogate': 'Room name must be valid Unicode text (a lone surrogate)',
  control: 'Room name must not contain control characters',
  separator: 'Room name must not contain line or paragraph separators',
  bidi: 'Room name must not contain bidirectional control characters',
  noncharacter: 'Room name must not contain Unicode noncharacters',
  invisible: 'Room name must not contain invisible characters (zero-width, fillers, blanks, a variation selector outside an emoji)',
  'stacked-marks': `Room name must not stack more than ${MARKS_PER_CHARACTER_MAX} combining marks on a character, nor one mark twice`,
  blank: 'Room name must contain something visible',
};

/**
 * A room name as displayed: trimmed and NFC-normalised, 1–100 characters, with no control,
 * separator, bidi-control or invisible characters (emoji sequences aside), no stacked marks, and
 * something visible (see `findNameProblem`). Throws `ValidationError` otherwise.
 */
export const parseRoomName = (raw: string): string => {
  const name = raw.normalize('NFC').trim();
  const length = codePointLength(name);
  if (length < 1) throw new ValidationError('Room name must not be empty', 'name');
  if (length > ROOM_NAME_MAX) throw new ValidationError(`Room name must be at most ${ROOM_NAME_MAX} characters`, 'name');
  const problem = findNameProblem(name);
  if (problem) throw new ValidationError(NAME_PROBLEMS[problem], 'name');
  return name;
};

/**
 * The key two names share when they are "the same name", the key public rooms' names are unique
 * by: names that look alike (case, width, spacing, look-alike letters of other scripts, "rn" and
 * "m") share it. See `toNameKey`; changing it needs the claims re-keyed (`projections/roomNames.ts`).
 */
export const toRoomNameKey = (name: string): string => toNameKey(name);

const createRoom = (command: CreateRoom, state: RoomState): RoomEvent[] => {
  // Room ids are fresh; an existing one means the caller reused an id, which is a bug, not a user error.
  if (state.status !== 'none') throw new Error(`room ${command.roomId} exists already`);
  const { roomId, kind, actorId: createdBy, now: createdAt } = command;
  if (kind !== 'DIRECT') {
    if (command.directMembers) throw new ValidationError('Only a direct conversation has direct members', 'kind');
    return [{ type: 'RoomCreated', data: { roomId, name: parseRoomName(command.name), kind, createdBy, createdAt } }];
  }
  const members = command.directMembers ?? [];
  const sorted = [...new Set(members)].sort();
  if (sorted.length !== members.length || sorted.some((id, i) => id !== members[i])) {
    throw new Error('direct members must be sorted and distinct');
  }
  if (!members.includes(createdBy)) throw new Error('the opener of a direct conversation must be one of its members');
  if (members.length < 2 || members.length > DIRECT_MEMBERS_MAX) {
    throw new ValidationError(`A direct conversation is between 2 and ${DIRECT_MEMBERS_MAX} people`, 'handles');
  }
  return [{ type: 'RoomCreated', data: { roomId, name: DIRECT_ROOM_NAME, kind, createdBy, createdAt, directMembers: members } }];
};

const renameRoom = (command: RenameRoom, state: RoomState): RoomEvent[] => {
  const name = parseRoomName(command.name);
  if (state.status === 'none') throw new NotFoundError('Room not found');
  const kind = toRoomKind(state);
  if (kind === 'DIRECT') throw new ValidationError('A direct conversation is named after its members', 'name');
  if (state.createdBy !== command.actorId) throw new ForbiddenError('Only the creator of a room may rename it');
  if (state.name === name) return [];
  return [{ type: 'RoomRenamed', data: { roomId: state.id, name, kind, renamedBy: command.actorId, renamedAt: command.now } }];
};

export const roomDecider: Decider<RoomCommand, RoomEvent, RoomState> = {
  initialState: { status: 'none' },
  decide: (command, state) => {
    switch (command.type) {
      case 'CreateRoom':
        return createRoom(command, state);
      case 'RenameRoom':
        return renameRoom(command, state);
      default:
        return assertNever(command);
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'RoomCreated': {
        const { roomId: id, name, kind, createdBy, createdAt, directMembers } = event.data;
        return { status: 'open', id, name, kind, createdBy, createdAt, ...(directMembers ? { directMembers } : {}) };
      }
      case 'RoomRenamed':
        return state.status === 'open' ? { ...state, name: event.data.name } : state;
      default:
        return state;
    }
  },
};
