import { graphql } from '../graphql/gql/index.js';

/** Results per page: the server's default. */
export const SEARCH_PAGE_SIZE = 20;

/** A search result as the results list shows it: the message with its room and author, and where it matched. */
export const SearchHitFields = graphql(`
  fragment SearchHitFields on SearchEdge {
    cursor
    highlights {
      start
      length
    }
    node {
      id
      body
      createdAt
      editedAt
      deletedAt
      room {
        id
        name
        kind
      }
      author {
        ...UserFields
      }
    }
  }
`);

/** A page of messages matching `query` (the server parses it), newest first, across the rooms the viewer may read. */
export const SearchQuery = graphql(`
  query Search($query: String!, $roomId: ID, $first: Int!, $after: String) {
    search(query: $query, roomId: $roomId, first: $first, after: $after) {
      edges {
        ...SearchHitFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
