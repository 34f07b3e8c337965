import { graphql } from './gql/index.js';

/** What the UI shows of a person everywhere (headers, authors, the online list). */
export const UserFields = graphql(`
  fragment UserFields on User {
    id
    handle
    displayName
    avatarUrl
    status
  }
`);

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
