import { assertNever, type Decider } from '../decider.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { codePointLength, hasBidiControls, hasControlCharacters, hasInvisibleCharacters, hasLoneSurrogates } from '../text.js';
import type { RoomEvent } from './events.js';

// The event types moved to events.ts with their schemas; code outside the domain still imports them from here.
export { ROOM_KINDS } from './events.js';
export type { RoomCreated, RoomEvent, RoomKind, RoomRenamed } from './events.js';

export { toRoomSearchKey } from './searchKey.js';

export const ROOM_NAME_MAX = 100;

export type RoomState = { status: 'none' } | { status: 'open'; id: string; name: string; createdBy: string; createdAt: string };

export type CreateRoom = { type: 'CreateRoom'; roomId: string; name: string; actorId: string; now: string };
export type RenameRoom = { type: 'RenameRoom'; roomId: string; name: string; actorId: string; now: string };
export type RoomCommand = CreateRoom | RenameRoom;

/**
 * A room name as displayed: trimmed and NFC-normalised, 1–100 characters, with no control,
 * bidi-control or invisible characters. Throws `ValidationError` otherwise.
 */
export const parseRoomName = (raw: string): string => {
  const name = raw.normalize('NFC').trim();
  const length = codePointLength(name);
  if (length < 1) throw new ValidationError('Room name must not be empty', 'name');
  if (length > ROOM_NAME_MAX) throw new ValidationError(`Room name must be at most ${ROOM_NAME_MAX} characters`, 'name');
  if (hasLoneSurrogates(name)) throw new ValidationError('Room name must be valid Unicode text (a lone surrogate)', 'name');
  if (hasControlCharacters(name)) throw new ValidationError('Room name must not contain control characters', 'name');
  if (hasBidiControls(name)) throw new ValidationError('Room name must not contain bidirectional control characters', 'name');
  if (hasInvisibleCharacters(name)) throw new ValidationError('Room name must not contain invisible characters', 'name');
  return name;
};

/** The key two names share when they are "the same name": compatibility-folded, lower case, spaces collapsed. */
export const toRoomNameKey = (name: string): string => name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ');

const createRoom = (command: CreateRoom, state: RoomState): RoomEvent[] => {
  const name = parseRoomName(command.name);
  // Room ids are fresh; an existing one means the caller reused an id, which is a bug, not a user error.
  if (state.status !== 'none') throw new Error(`room ${command.roomId} exists already`);
  return [
    { type: 'RoomCreated', data: { roomId: command.roomId, name, kind: 'PUBLIC', createdBy: command.actorId, createdAt: command.now } },
  ];
};

const renameRoom = (command: RenameRoom, state: RoomState): RoomEvent[] => {
  const name = parseRoomName(command.name);
  if (state.status === 'none') throw new NotFoundError('Room not found');
  if (state.createdBy !== command.actorId) throw new ForbiddenError('Only the creator of a room may rename it');
  if (state.name === name) return [];
  return [{ type: 'RoomRenamed', data: { roomId: state.id, name, renamedBy: command.actorId, renamedAt: command.now } }];
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
      // The kind stays out of the state: stored snapshots keep their shape until something reads it.
      case 'RoomCreated':
        return {
          status: 'open',
          id: event.data.roomId,
          name: event.data.name,
          createdBy: event.data.createdBy,
          createdAt: event.data.createdAt,
        };
      case 'RoomRenamed':
        return state.status === 'open' ? { ...state, name: event.data.name } : state;
      default:
        return state;
    }
  },
};
