import { graphql } from '../graphql/gql/index.js';

/** How many messages a room shows on entry, and how many more each scroll to the top loads. */
export const PAGE_SIZE = 50;

/** A message as the timeline keeps it. */
export const MessageFields = graphql(`
  fragment MessageFields on Message {
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
          ...MessageFields
        }
      }
      ... on MessageEdited {
        message {
          ...MessageFields
        }
      }
      ... on MessageDeleted {
        message {
          ...MessageFields
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
      ... on UserTyping {
        user {
          ...UserFields
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
  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String) {
    postMessage(roomId: $roomId, body: $body, clientId: $clientId) {
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
