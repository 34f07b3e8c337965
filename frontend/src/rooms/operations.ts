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

export const CreateRoomMutation = graphql(`
  mutation CreateRoom($name: String!) {
    createRoom(name: $name) {
      ...RoomFields
    }
  }
`);
