import { createEventCodec, type EncodedEvent, type UndecodedEvent } from './eventCodec.js';
import { memberEventCodec, type MemberEvent } from './member/events.js';
import { messageEventCodec, type MessageEvent } from './message/events.js';
import { reactionEventCodec, type ReactionEvent } from './reaction/events.js';
import { roomEventCodec, type RoomEvent } from './room/events.js';
import { userEventCodec, type UserEvent } from './user/events.js';

export { EventDecodeError } from './eventCodec.js';
export type { EncodedEvent, UndecodedEvent } from './eventCodec.js';

/** Every event the chat logs, of every aggregate. */
export type ChatEvent = RoomEvent | MessageEvent | MemberEvent | ReactionEvent | UserEvent;
export type ChatEventType = ChatEvent['type'];

// Each aggregate owns its types, so their version lists together are the whole log's. (A type two
// aggregates both listed would be overwritten here without a word: the spec checks none is.)
const chatEventCodec = createEventCodec<ChatEvent>({
  ...roomEventCodec.versions,
  ...messageEventCodec.versions,
  ...memberEventCodec.versions,
  ...reactionEventCodec.versions,
  ...userEventCodec.versions,
});

/** The version each event type is written as now. */
export const CHAT_EVENT_VERSIONS: Readonly<Record<ChatEventType, number>> = chatEventCodec.currentVersions;

/**
 * Whether a stored type is one of the chat's events. Streams also carry entries that are not
 * (ephemeral activity such as joins and typing): a reader skips those by this guard rather than
 * have `decodeEvent` throw.
 */
export const isKnownEventType = (type: string): type is ChatEventType => chatEventCodec.isKnownType(type);

/**
 * A stored event of any aggregate, validated against the schema of the version it was written as
 * and upcast to the current version of its type; a caller may rely on the result's data having
 * exactly its type's current shape. Pure; a store's recorded event can be passed as it is.
 *
 * Throws `EventDecodeError` (not a `DomainError`: a stored event that does not decode is a bug or
 * corruption) naming the type and version, when the type is not a chat event, the version is not
 * one this code knows (older code reading what newer code wrote, too), or the data fails the
 * schema. The message lists the failing fields, never their values.
 */
export const decodeEvent = (stored: UndecodedEvent): ChatEvent => chatEventCodec.decode(stored);

/**
 * The version to store an event as: the current version of its type. Does not look at the data;
 * `encodeEvent` does.
 */
export const toEventVersion = (event: Pick<ChatEvent, 'type'>): number => CHAT_EVENT_VERSIONS[event.type];

/**
 * The event as it is to be appended: its type, its data unchanged, and `v`, the current version of
 * its type. Throws `EventDecodeError` when the data would not decode as that version (a decider's
 * bug), so that nothing the readers would refuse reaches the log, which cannot take it back.
 */
export const encodeEvent = (event: ChatEvent): EncodedEvent<ChatEventType> => chatEventCodec.encode(event);
