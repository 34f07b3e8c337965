import { type RoomEvent, type RoomState, roomDecider } from '../domain/room/room.js';
import type { RecordedEvent } from '../eventstore/eventStore.js';
import { lobbyStreamKey, roomSnapshotsKey } from '../chat/keys.js';
import type { InlineLocation, InlineProjection } from './inline.js';

const EVENTS = new Set<string>(['RoomCreated', 'RoomRenamed'] satisfies RoomEvent['type'][]);

const toRoomEvent = (event: RecordedEvent): RoomEvent => ({ type: event.type, data: event.data }) as RoomEvent;

/** Every room's state (inline: the room aggregate's snapshots, one hash field per room), folded from the lobby log. */
export const roomsProjection: InlineProjection<RoomState> = {
  name: 'rooms',
  events: EVENTS,
  fieldOf: (event) => toRoomEvent(event).data.roomId,
  evolve: (state, event) => roomDecider.evolve(state ?? roomDecider.initialState, toRoomEvent(event)),
};

export const roomsLocation: InlineLocation = { stream: lobbyStreamKey, hash: roomSnapshotsKey };
