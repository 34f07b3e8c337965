import { type Accessor, createSignal } from 'solid-js';
import type { GraphQLClient } from '../graphql/client.js';
import { type PinnedMessages, createPinnedMessages } from './pinnedMessages.js';
import type { MessageChange } from './roomSession.js';
import { type ThreadSession, createThreadSession } from './threadSession.js';

export type SidePanel = { kind: 'thread'; rootId: string; thread: ThreadSession } | { kind: 'pins'; pins: PinnedMessages };

export interface SidePanels {
  /** The panel open beside the timeline (one at a time), or null. */
  open: Accessor<SidePanel | null>;
  openThread(root: { id: string; cursor: string }): void;
  /** Opens the pins, or closes them when they are open. */
  togglePins(): void;
  close(): void;
  dispose(): void;
}

/** Which panel is open beside a room's timeline, each with its own data, fed by the room's message changes (`watch`). */
export const createSidePanels = (options: {
  client: GraphQLClient;
  roomId: string;
  watch: (listener: (change: MessageChange) => void) => () => void;
}): SidePanels => {
  const [open, setOpen] = createSignal<SidePanel | null>(null);
  const replace = (next: SidePanel | null) => {
    const current = open();
    if (current?.kind === 'thread') current.thread.dispose();
    if (current?.kind === 'pins') current.pins.dispose();
    setOpen(next);
  };
  return {
    open,
    openThread(root) {
      const current = open();
      if (current?.kind === 'thread' && current.rootId === root.id) return;
      replace({ kind: 'thread', rootId: root.id, thread: createThreadSession({ ...options, root }) });
    },
    togglePins() {
      replace(open()?.kind === 'pins' ? null : { kind: 'pins', pins: createPinnedMessages(options) });
    },
    close: () => replace(null),
    dispose: () => replace(null),
  };
};
