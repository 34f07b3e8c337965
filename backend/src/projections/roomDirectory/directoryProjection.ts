import { decodeRoomEvent } from '../../domain/room/events.js';
import { lobbyStreamKey } from '../../chat/keys.js';
import type { AsyncProjection } from '../asyncProjection.js';
import type { DirectoryChange, DirectoryStore } from './directoryStore.js';

/**
 * The room directory as an asynchronous projection of the lobby log: RoomCreated lists a public
 * room under its name, RoomRenamed moves it. Private and direct rooms are listed nowhere: both
 * events say the room's kind. Other entries (there are none yet) are skipped.
 */
export const createDirectoryProjection = (directory: DirectoryStore): AsyncProjection => ({
  name: 'directory',
  stream: lobbyStreamKey,
  readGenerations: () => directory.readGenerations(),
  writeGenerations: (generations) => directory.writeGenerations(generations),
  dropGeneration: (generation) => directory.dropGeneration(generation),
  apply: (generation, events) =>
    directory.apply(
      generation,
      events.flatMap((recorded): DirectoryChange[] => {
        if (recorded.type !== 'RoomCreated' && recorded.type !== 'RoomRenamed') return [];
        const event = decodeRoomEvent(recorded);
        return [{ roomId: event.data.roomId, name: event.data.name, listed: event.data.kind === 'PUBLIC', cursor: recorded.cursor }];
      }),
    ),
});
