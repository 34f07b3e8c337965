import { decodeRoomEvent } from '../domain/room/events.js';
import { type RoomEvent, type RoomState, roomDecider } from '../domain/room/room.js';
import { lobbyStreamKey, roomSnapshotsKey } from '../chat/keys.js';
import type { InlineLocation, InlineProjection } from './inline.js';

const EVENTS = new Set<string>(['RoomCreated', 'RoomRenamed'] satisfies RoomEvent['type'][]);

/** Every room's state (inline: the room aggregate's snapshots, one hash field per room), folded from the lobby log. */
export const roomsProjection: InlineProjection<RoomState, RoomEvent> = {
  name: 'rooms',
  events: EVENTS,
  decode: decodeRoomEvent,
  fieldOf: (event) => event.data.roomId,
  evolve: (state, event) => roomDecider.evolve(state ?? roomDecider.initialState, event),
};

export const roomsLocation: InlineLocation = { stream: lobbyStreamKey, hash: roomSnapshotsKey };
