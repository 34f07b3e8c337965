import { graphql } from '../graphql/gql/index.js';

/** The newest messages of a room, to tell which of them a desktop notification is for. */
export const NewestMessagesQuery = graphql(`
  query NewestMessages($id: ID!, $last: Int!) {
    room(id: $id) {
      id
      messages(last: $last) {
        edges {
          cursor
          node {
            ...MessageFields
          }
        }
      }
    }
  }
`);
