import { graphql } from '../graphql/gql/index.js';

/** How many messages a room shows on entry, and how many more each scroll to the top loads. */
export const PAGE_SIZE = 50;

/** A message as the timeline keeps it, but its reactions (see MessageFields and LiveMessageFields). */
export const MessageCoreFields = graphql(`
  fragment MessageCoreFields on Message {
    id
    body
    createdAt
    editedAt
    deletedAt
    author {
      ...UserFields
    }
    removedBy {
      ...UserFields
    }
    replyTo {
      ...ReplyRootFields
    }
    replyCount
    lastReplyAt
    pinnedAt
  }
`);

/** A message as the timeline keeps it. */
export const MessageFields = graphql(`
  fragment MessageFields on Message {
    ...MessageCoreFields
    reactions {
      ...ReactionFields
    }
  }
`);

/**
 * A message as the room's live events carry it: without `reactedByMe`, which depends on who asks
 * and would make the server render every event once per subscriber (the session puts it back).
 */
export const LiveMessageFields = graphql(`
  fragment LiveMessageFields on Message {
    ...MessageCoreFields
    reactions {
      ...LiveReactionFields
    }
  }
`);

/** One emoji's reactions on a message: the count, and the first ten people (the chip's title names them). */
export const LiveReactionFields = graphql(`
  fragment LiveReactionFields on Reaction {
    emoji
    count
    users(first: 10) {
      id
      displayName
    }
  }
`);

/** The same, and whether the viewer is among them. */
export const ReactionFields = graphql(`
  fragment ReactionFields on Reaction {
    ...LiveReactionFields
    reactedByMe
  }
`);

/**
 * The thread root a reply answers, as the reply's "replying to" line quotes it; its counters come
 * along so every reply's event keeps the root's "N replies" current.
 */
export const ReplyRootFields = graphql(`
  fragment ReplyRootFields on Message {
    id
    body
    createdAt
    deletedAt
    replyCount
    lastReplyAt
    author {
      ...UserFields
    }
  }
`);

/** A page of a room's history, oldest first: what the timeline loads on entry and on scrolling up. */
export const MessagePageFields = graphql(`
  fragment MessagePageFields on MessageConnection {
    edges {
      cursor
      node {
        ...MessageFields
      }
    }
    pageInfo {
      hasPreviousPage
      startCursor
      endCursor
    }
  }
`);

/** Who the viewer is in a room: what the page decides on before it shows history (an invitation, a room that is not theirs). */
export const RoomInfoFields = graphql(`
  fragment RoomInfoFields on Room {
    id
    name
    kind
    myMembership
    myRole
    memberCount
  }
`);

/**
 * A room on entry, in one read: who the viewer is in it, its cursor, their read marker and unread
 * count (the "new messages" divider), the people online, the last page of history and the first page of members (all at least as new as the cursor, so the room's
 * events after it miss nothing). Fails as a whole (room null) when the viewer may not read the
 * history: an invitation not accepted yet, a ban; `RoomInfo` then says why.
 */
export const RoomPageQuery = graphql(`
  query RoomPage($id: ID!, $last: Int!, $before: String, $members: Int!) {
    room(id: $id) {
      ...RoomInfoFields
      cursor
      readMarker
      unreadCount
      online {
        ...UserFields
      }
      messages(last: $last, before: $before) {
        ...MessagePageFields
      }
      members(first: $members) {
        ...MemberPageFields
      }
    }
  }
`);

/**
 * Only what needs no reading rights, asked when RoomPage could not answer or live events were
 * refused (an invitation, a kick, a ban). `cursor` does need them: its error (nullable, so the
 * room still answers) carries the ban's `reason` and `until`.
 */
export const RoomInfoQuery = graphql(`
  query RoomInfo($id: ID!) {
    room(id: $id) {
      ...RoomInfoFields
      cursor
    }
  }
`);

export const RoomOnlineQuery = graphql(`
  query RoomOnline($id: ID!) {
    room(id: $id) {
      id
      online {
        ...UserFields
      }
    }
  }
`);

export const RoomEventsSubscription = graphql(`
  subscription RoomEvents($roomId: ID!, $after: String) {
    roomEvents(roomId: $roomId, after: $after) {
      __typename
      cursor
      at
      ... on MessagePosted {
        message {
          ...LiveMessageFields
        }
      }
      ... on MessageEdited {
        message {
          ...LiveMessageFields
        }
      }
      ... on MessageDeleted {
        message {
          ...LiveMessageFields
        }
      }
      ... on UserJoined {
        user {
          ...UserFields
        }
      }
      ... on UserLeft {
        user {
          ...UserFields
        }
      }
      ... on UserStatusChanged {
        user {
          ...UserFields
        }
      }
      ... on PresenceChanged {
        onlineCount
        joined {
          ...UserFields
        }
        left {
          ...UserFields
        }
      }
      ... on UserTyping {
        user {
          ...UserFields
        }
      }
      ... on ReactionAdded {
        emoji
        user {
          id
        }
        message {
          ...LiveMessageFields
        }
      }
      ... on ReactionRemoved {
        emoji
        user {
          id
        }
        message {
          ...LiveMessageFields
        }
      }
      ... on MessagePinned {
        message {
          ...LiveMessageFields
        }
      }
      ... on MessageUnpinned {
        message {
          ...LiveMessageFields
        }
      }
      ... on MembershipChanged {
        member {
          ...MemberFields
        }
        by {
          ...UserFields
        }
        reason
      }
    }
  }
`);

/**
 * Asks only for the id: the timeline shows the message when the room's subscription delivers it,
 * and the id says which pending entry that settles. (With the author too, a post cost the server a
 * user read and five more fields: more CPU per post, which bench:fanout's write phase showed.)
 */
export const PostMessageMutation = graphql(`
  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String, $replyTo: ID) {
    postMessage(roomId: $roomId, body: $body, clientId: $clientId, replyTo: $replyTo) {
      id
    }
  }
`);

export const EditMessageMutation = graphql(`
  mutation EditMessage($id: ID!, $body: String!) {
    editMessage(id: $id, body: $body) {
      ...MessageFields
    }
  }
`);

export const DeleteMessageMutation = graphql(`
  mutation DeleteMessage($id: ID!) {
    deleteMessage(id: $id) {
      ...MessageFields
    }
  }
`);

export const TypingMutation = graphql(`
  mutation Typing($roomId: ID!) {
    typing(roomId: $roomId)
  }
`);

export const OlderMessagesQuery = graphql(`
  query OlderMessages($id: ID!, $last: Int!, $before: String) {
    room(id: $id) {
      id
      messages(last: $last, before: $before) {
        ...MessagePageFields
      }
    }
  }
`);

/** Moves the viewer's read marker forward; the answer carries the room as the sidebar lists it, with its counts after it. */
export const MarkReadMutation = graphql(`
  mutation MarkRead($roomId: ID!, $upTo: String!) {
    markRead(roomId: $roomId, upTo: $upTo) {
      ...MyRoomFields
    }
  }
`);

/**
 * A forward page: the `first` messages after `after`, oldest first (after a jump to a date or to a
 * message, as the reader scrolls down). `hasNextPage` false: the page reached the present.
 */
export const NewerMessagesQuery = graphql(`
  query NewerMessages($id: ID!, $first: Int!, $after: String!) {
    room(id: $id) {
      id
      messages(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...MessageFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

/** The room log's position just before `time` (null: nothing was logged before it): where a jump to a date starts. */
export const CursorAtQuery = graphql(`
  query CursorAt($id: ID!, $time: DateTime!) {
    room(id: $id) {
      id
      cursorAt(time: $time)
    }
  }
`);

/** A message's earlier bodies, read when its "edited" label is opened (nothing else needs them). */
export const EditHistoryQuery = graphql(`
  query EditHistory($id: ID!) {
    message(id: $id) {
      id
      body
      createdAt
      editedAt
      deletedAt
      editHistory {
        body
        at
      }
    }
  }
`);

/** A thread: its root with a page of replies, oldest first. */
export const ThreadQuery = graphql(`
  query Thread($id: ID!, $first: Int!, $after: String) {
    message(id: $id) {
      ...MessageFields
      replies(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...MessageFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

/** The room's pinned messages, most recently pinned first. */
export const PinnedMessagesQuery = graphql(`
  query PinnedMessages($id: ID!) {
    room(id: $id) {
      id
      pinned {
        ...MessageFields
      }
    }
  }
`);

/** Reactions answer with the message as it is now; the room's events bring the same, in log order. */
export const ReactMutation = graphql(`
  mutation React($messageId: ID!, $emoji: String!) {
    react(messageId: $messageId, emoji: $emoji) {
      ...MessageFields
    }
  }
`);

export const UnreactMutation = graphql(`
  mutation Unreact($messageId: ID!, $emoji: String!) {
    unreact(messageId: $messageId, emoji: $emoji) {
      ...MessageFields
    }
  }
`);

export const PinMessageMutation = graphql(`
  mutation PinMessage($id: ID!) {
    pinMessage(id: $id) {
      ...MessageFields
    }
  }
`);

export const UnpinMessageMutation = graphql(`
  mutation UnpinMessage($id: ID!) {
    unpinMessage(id: $id) {
      ...MessageFields
    }
  }
`);
