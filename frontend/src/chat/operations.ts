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

export const RoomPageQuery = graphql(`
  query RoomPage($id: ID!, $last: Int!, $before: String) {
    room(id: $id) {
      id
      name
      cursor
      online {
        ...UserFields
      }
      messages(last: $last, before: $before) {
        ...MessagePageFields
      }
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
