import { toReactionField, toReactionSnapshotsKey } from '../chat/keys.js';
import { type ReactionEvent, decodeReactionEvent } from '../domain/reaction/events.js';
import { REACTION_KINDS_MAX, REACTION_USERS_KEPT, type ReactionState, reactionDecider } from '../domain/reaction/reaction.js';
import type { EventStore, RebuiltPart, RecordedEvent, Snapshot } from '../eventstore/eventStore.js';
import { type TallyChange, type TallyGroup, applyTally, parseTally, toTallyBounds } from '../eventstore/tallies.js';
import { compareByUtf8, indexInUtf8Order } from '../eventstore/utf8Order.js';
import { toReactionGroupsKey, toReactorsKey, toRebuildKey } from './keys.js';
import { rebuildRoomModel } from './roomRebuild.js';

/**
 * Reactions (inline, in the room's slot): each person's reactions to each message are an
 * aggregate of their own (chat/keys.ts `toReactionSnapshotsKey`); each message's reactions by
 * emoji, counted, with the first people of each, are one field (see eventstore/tallies.ts),
 * written by the same append. So a page reads one field per message, and an event's render costs
 * the same however many people reacted.
 */

export const REACTION_EVENTS = new Set<string>(['ReactionAdded', 'ReactionRemoved'] satisfies ReactionEvent['type'][]);

/** The tally change of a reaction event: the person's entry is ordered by when they added the emoji. */
export const toReactionTally = (roomId: string, before: ReactionState, event: ReactionEvent): TallyChange => {
  const { messageId, userId, emoji } = event.data;
  const order = event.type === 'ReactionAdded' ? event.data.at : before.emojis.find((reaction) => reaction.emoji === emoji)?.at;
  if (order === undefined) throw new Error(`${userId} removed ${emoji} from ${messageId}, which they had not added`);
  return {
    key: toReactionGroupsKey(roomId),
    field: messageId,
    members: toReactorsKey(roomId),
    group: emoji,
    member: userId,
    order,
    op: event.type === 'ReactionAdded' ? 'add' : 'remove',
    keep: REACTION_USERS_KEPT,
    maxGroups: REACTION_KINDS_MAX,
  };
};

/** Each message's reaction groups, in one round trip. */
export const readReactionGroups = async (store: EventStore, roomId: string, messageIds: readonly string[]): Promise<TallyGroup[][]> =>
  messageIds.length === 0 ? [] : (await store.readFields(toReactionGroupsKey(roomId), messageIds)).map(parseTally);

/** The emoji one person reacted with to each message, in one round trip. */
export const readOwnReactions = async (
  store: EventStore,
  roomId: string,
  userId: string,
  messageIds: readonly string[],
): Promise<Set<string>[]> =>
  messageIds.length === 0
    ? []
    : (
        await store.readSnapshots<ReactionState>(
          toReactionSnapshotsKey(roomId),
          messageIds.map((id) => toReactionField(id, userId)),
        )
      ).map((snapshot) => new Set(snapshot?.state.emojis.map((reaction) => reaction.emoji)));

/**
 * Reactions folded from a room's log, page by page: each page's changes to the rebuilt keys (the
 * groups of the messages it touched, the set's entries in and out, the people's states), and the
 * whole model so far. The groups change as the append script changes them (`applyTally`).
 */
export const createReactionsFold = (roomId: string) => {
  const groups = new Map<string, TallyGroup[]>();
  const states = new Map<string, Snapshot<ReactionState>>();
  /** Each group's entries, sorted: `<message>\t<emoji>\t` → entries. */
  const byGroup = new Map<string, string[]>();
  const keys = [toReactionGroupsKey(roomId), toReactorsKey(roomId), toReactionSnapshotsKey(roomId)];
  return {
    groups,
    states,
    /** Every entry of the set, in its order. */
    entries: () => [...byGroup.values()].flat().sort(compareByUtf8),
    keys: () => keys,
    fold(page: readonly RecordedEvent[]): RebuiltPart[] {
      const touched = new Set<string>();
      const changedStates = new Set<string>();
      const entries = new Map<string, boolean>();
      for (const recorded of page) {
        if (!REACTION_EVENTS.has(recorded.type)) continue;
        const event = decodeReactionEvent(recorded);
        const field = toReactionField(event.data.messageId, event.data.userId);
        const before = states.get(field);
        const change = toReactionTally(roomId, before?.state ?? { emojis: [] }, event);
        const prefix = toTallyBounds(change.field, change.group).min.slice(1);
        const list = byGroup.get(prefix) ?? [];
        const after = applyTally(groups.get(change.field) ?? [], change, {
          add: (entry) => {
            const at = indexInUtf8Order(list, entry);
            if (list[at] === entry) return false;
            list.splice(at, 0, entry);
            byGroup.set(prefix, list);
            entries.set(entry, true);
            return true;
          },
          remove: (entry) => {
            const at = indexInUtf8Order(list, entry);
            if (list[at] !== entry) return false;
            list.splice(at, 1);
            if (list.length === 0) byGroup.delete(prefix);
            entries.set(entry, false);
            return true;
          },
          firsts: (_, count) => list.slice(0, count),
        });
        if (after.length === 0) groups.delete(change.field);
        else groups.set(change.field, after);
        touched.add(change.field);
        states.set(field, { rev: (before?.rev ?? 0) + 1, state: reactionDecider.evolve(before?.state ?? { emojis: [] }, event) });
        changedStates.add(field);
      }
      const fields = [...touched];
      return [
        {
          fields: [
            {
              key: toRebuildKey(toReactionGroupsKey(roomId)),
              values: fields.flatMap((field) => (groups.has(field) ? [[field, JSON.stringify(groups.get(field))] as const] : [])),
              remove: fields.filter((field) => !groups.has(field)),
            },
          ],
          sets: [
            {
              key: toRebuildKey(toReactorsKey(roomId)),
              add: [...entries].flatMap(([entry, present]) => (present ? [entry] : [])),
              remove: [...entries].flatMap(([entry, present]) => (present ? [] : [entry])),
            },
          ],
          snapshots: {
            key: toRebuildKey(toReactionSnapshotsKey(roomId)),
            values: [...changedStates].map((field) => [field, states.get(field)!] as const),
          },
        },
      ];
    },
  };
};

/** Reactions as a fold of the whole log. */
export const foldReactions = (log: readonly RecordedEvent[], roomId: string) => {
  const fold = createReactionsFold(roomId);
  fold.fold(log);
  return fold;
};

/** Rebuilds a room's reactions from its log (see `rebuildRoomModel`). */
export const rebuildReactions = (store: EventStore, roomId: string) =>
  rebuildRoomModel(store, roomId, () => createReactionsFold(roomId), [
    toReactionGroupsKey(roomId),
    toReactorsKey(roomId),
    toReactionSnapshotsKey(roomId),
  ]);
