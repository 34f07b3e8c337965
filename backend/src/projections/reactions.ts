import { toReactionField, toReactionSnapshotsKey } from '../chat/keys.js';
import { type ReactionEvent, decodeReactionEvent } from '../domain/reaction/events.js';
import { REACTION_KINDS_MAX, REACTION_USERS_KEPT, type ReactionState, reactionDecider } from '../domain/reaction/reaction.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';
import { type TallyChange, type TallyGroup, applyTally, parseTally } from '../eventstore/tallies.js';
import { compareByUtf8 } from '../eventstore/utf8Order.js';
import { toReactionGroupsKey, toReactorsKey } from './keys.js';

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

/** The model as a fold of the room's log: each message's groups, the set of everyone's entries, each person's state. */
export const foldReactions = (log: readonly RecordedEvent[], roomId: string) => {
  const groups = new Map<string, TallyGroup[]>();
  const states = new Map<string, ReactionState>();
  let entries: string[] = [];
  for (const recorded of log) {
    if (!REACTION_EVENTS.has(recorded.type)) continue;
    const event = decodeReactionEvent(recorded);
    const field = toReactionField(event.data.messageId, event.data.userId);
    const before = states.get(field) ?? { emojis: [] };
    const change = toReactionTally(roomId, before, event);
    const after = applyTally(groups.get(change.field) ?? [], change, {
      add: (entry) => !entries.includes(entry) && entries.push(entry) > 0,
      remove: (entry) => entries.length !== (entries = entries.filter((e) => e !== entry)).length,
      // The bounds are a group's prefix: `[<field>\t<group>\t`.
      firsts: ({ min }, count) =>
        entries
          .filter((e) => e.startsWith(min.slice(1)))
          .sort(compareByUtf8)
          .slice(0, count),
    });
    if (after.length === 0) groups.delete(change.field);
    else groups.set(change.field, after);
    states.set(field, reactionDecider.evolve(before, event));
  }
  return { groups, entries: entries.sort(compareByUtf8), states };
};
