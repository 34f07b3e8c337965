/**
 * The pins panel's fold: the room's pinned messages, most recently pinned first, kept current by the
 * room's events. Pure: `evolvePinned(state, event) => state`.
 */

import type { MessageFieldsFragment, RoomKind, RoomRole } from '../graphql/gql/graphql.js';
import type { MessageEventType } from './timeline.js';

export interface PinnedState {
  messages: readonly MessageFieldsFragment[];
  loaded: boolean;
}

export type PinnedEvent =
  | { type: 'PinnedLoaded'; messages: readonly MessageFieldsFragment[] }
  | { type: MessageEventType | 'MessageChanged'; message: MessageFieldsFragment };

export const initialPinned: PinnedState = { messages: [], loaded: false };

export const evolvePinned = (state: PinnedState, event: PinnedEvent): PinnedState => {
  switch (event.type) {
    case 'PinnedLoaded':
      return { messages: event.messages.filter((m) => m.pinnedAt !== null), loaded: true };
    default: {
      const { message } = event;
      const others = state.messages.filter((m) => m.id !== message.id);
      // Pinned again, or pinned now: at the top. Unpinned: gone. Anything else: updated in place.
      if (message.pinnedAt === null) return others.length === state.messages.length ? state : { ...state, messages: others };
      const i = state.messages.findIndex((m) => m.id === message.id);
      if (i >= 0 && state.messages[i]!.pinnedAt === message.pinnedAt) {
        const messages = [...state.messages];
        messages[i] = message.deletedAt ? { ...message, body: '' } : message;
        return { ...state, messages };
      }
      if (event.type !== 'MessagePinned' && i < 0) return state; // a message that is not in the list: not ours to add
      return { ...state, messages: [message, ...others] };
    }
  }
};

/** Who may pin: owners and moderators; in a direct conversation, anyone in it. */
export const canPin = (kind: RoomKind | null, role: RoomRole | null, joined: boolean): boolean =>
  joined && (kind === 'DIRECT' || role === 'OWNER' || role === 'MODERATOR');
