import { graphql } from '../graphql/gql/index.js';

/** People whose handle or display name starts with the prefix: completion for invitations and direct messages. */
export const UsersQuery = graphql(`
  query Users($prefix: String!, $first: Int!) {
    users(prefix: $prefix, first: $first) {
      ...UserFields
    }
  }
`);
