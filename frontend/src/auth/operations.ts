import { graphql } from '../graphql/gql/index.js';

/** Who is signed in (null when nobody). */
export const MeQuery = graphql(`
  query Me {
    me {
      ...UserFields
    }
  }
`);

export const SetStatusMutation = graphql(`
  mutation SetStatus($status: UserStatus!) {
    setStatus(status: $status) {
      ...UserFields
    }
  }
`);
