import { graphql } from '../graphql/gql/index.js';

/** A room as the room list shows it. */
export const RoomFields = graphql(`
  fragment RoomFields on Room {
    id
    name
    onlineCount
  }
`);

export const RoomsQuery = graphql(`
  query Rooms {
    lobbyCursor
    rooms {
      ...RoomFields
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
