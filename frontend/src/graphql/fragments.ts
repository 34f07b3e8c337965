import { graphql } from './gql/index.js';

/** What the UI shows of a person everywhere (the header, authors, the online list): shared by auth/ and chat/. */
export const UserFields = graphql(`
  fragment UserFields on User {
    id
    handle
    displayName
    avatarUrl
    status
  }
`);
