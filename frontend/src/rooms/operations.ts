import { graphql } from '../graphql/gql/index.js';

/** A room as the room list shows it. */
export const RoomFields = graphql(`
  fragment RoomFields on Room {
    id
    name
    onlineCount
  }
`);

/**
 * A page of the room directory with the lobby's cursor, in one query: the server reads the cursor
 * first, so the page is at least that new, and lobbyEvents after it miss nothing.
 */
export const RoomDirectoryQuery = graphql(`
  query RoomDirectory($first: Int!, $after: String, $search: String) {
    lobbyCursor
    roomDirectory(first: $first, after: $after, search: $search) {
      edges {
        node {
          ...RoomFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const LobbyEventsSubscription = graphql(`
  subscription LobbyEvents($after: String) {
    lobbyEvents(after: $after) {
      kind
      cursor
      room {
        ...RoomFields
      }
    }
  }
`);

/**
 * A room of the viewer's own (joined, or invited to), as the sidebar lists it. Nothing that needs
 * reading rights (`onlineCount`, `lastMessage`, `members`): an invitee may not read a private room
 * yet, and one refused field would fail the whole list. The counts are 0 and the marker null for an
 * invitee, so they are safe; `lastActivityAt` orders the list.
 */
export const MyRoomFields = graphql(`
  fragment MyRoomFields on Room {
    id
    name
    kind
    myMembership
    myRole
    unreadCount
    mentionCount
    readMarker
    lastActivityAt
  }
`);

export const MyRoomsQuery = graphql(`
  query MyRooms($first: Int!, $after: String) {
    myRooms(first: $first, after: $after) {
      edges {
        node {
          ...MyRoomFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/**
 * The viewer's rooms with the inbox's position in one query: the server reads the cursor first, so
 * the list is at least that new, and `inbox(after: inboxCursor)` misses nothing after it.
 */
export const MyRoomsWithInboxQuery = graphql(`
  query MyRoomsWithInbox($first: Int!) {
    inboxCursor
    myRooms(first: $first) {
      edges {
        node {
          ...MyRoomFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** Changes to the viewer's room list; each event's room is as it stands when the event is sent. */
export const InboxSubscription = graphql(`
  subscription Inbox($after: String) {
    inbox(after: $after) {
      cursor
      kind
      at
      room {
        ...MyRoomFields
      }
    }
  }
`);

/**
 * The people of a direct conversation, for its avatar in the sidebar. Asked per DIRECT room (a
 * member may always read those), never inside the list, where one refused field fails the list.
 */
export const DirectPeopleQuery = graphql(`
  query DirectPeople($id: ID!) {
    room(id: $id) {
      id
      members(first: 9) {
        edges {
          node {
            user {
              ...UserFields
            }
          }
        }
      }
    }
  }
`);

export const CreateRoomMutation = graphql(`
  mutation CreateRoom($name: String!, $kind: RoomKind) {
    createRoom(name: $name, kind: $kind) {
      ...RoomFields
      ...MyRoomFields
    }
  }
`);

export const OpenDirectMutation = graphql(`
  mutation OpenDirect($handles: [String!]!) {
    openDirect(handles: $handles) {
      ...MyRoomFields
    }
  }
`);

/** Joins a public room, or accepts an invitation. */
export const JoinRoomMutation = graphql(`
  mutation JoinRoom($roomId: ID!) {
    joinRoom(roomId: $roomId) {
      ...MyRoomFields
    }
  }
`);

/** Only the id: once out of a private room, the viewer may read nothing else of it. */
export const LeaveRoomMutation = graphql(`
  mutation LeaveRoom($roomId: ID!) {
    leaveRoom(roomId: $roomId) {
      id
    }
  }
`);

export const DeclineInviteMutation = graphql(`
  mutation DeclineInvite($roomId: ID!) {
    declineInvite(roomId: $roomId) {
      id
    }
  }
`);
