import { graphql } from '../graphql/gql/index.js';

/** How many members the panel shows at first, and how many more each "show more" loads. */
export const MEMBERS_PAGE_SIZE = 50;

/** A member as the members panel and the timeline's notices keep them. */
export const MemberFields = graphql(`
  fragment MemberFields on Member {
    user {
      ...UserFields
    }
    role
    membership
    since
    mutedUntil
    bannedUntil
  }
`);

export const MemberPageFields = graphql(`
  fragment MemberPageFields on MemberConnection {
    edges {
      cursor
      node {
        ...MemberFields
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
`);

export const MembersPageQuery = graphql(`
  query MembersPage($id: ID!, $first: Int!, $after: String) {
    room(id: $id) {
      id
      memberCount
      members(first: $first, after: $after) {
        ...MemberPageFields
      }
    }
  }
`);

export const InviteMutation = graphql(`
  mutation Invite($roomId: ID!, $handle: String!) {
    invite(roomId: $roomId, handle: $handle) {
      ...MemberFields
    }
  }
`);

export const KickMutation = graphql(`
  mutation Kick($roomId: ID!, $userId: ID!, $reason: String) {
    kick(roomId: $roomId, userId: $userId, reason: $reason) {
      ...MemberFields
    }
  }
`);

export const BanMutation = graphql(`
  mutation Ban($roomId: ID!, $userId: ID!, $reason: String, $until: DateTime) {
    ban(roomId: $roomId, userId: $userId, reason: $reason, until: $until) {
      ...MemberFields
    }
  }
`);

export const UnbanMutation = graphql(`
  mutation Unban($roomId: ID!, $userId: ID!) {
    unban(roomId: $roomId, userId: $userId) {
      ...MemberFields
    }
  }
`);

export const MuteMutation = graphql(`
  mutation Mute($roomId: ID!, $userId: ID!, $until: DateTime!, $reason: String) {
    mute(roomId: $roomId, userId: $userId, until: $until, reason: $reason) {
      ...MemberFields
    }
  }
`);

export const UnmuteMutation = graphql(`
  mutation Unmute($roomId: ID!, $userId: ID!) {
    unmute(roomId: $roomId, userId: $userId) {
      ...MemberFields
    }
  }
`);

export const SetRoleMutation = graphql(`
  mutation SetRole($roomId: ID!, $userId: ID!, $role: RoomRole!) {
    setRole(roomId: $roomId, userId: $userId, role: $role) {
      ...MemberFields
    }
  }
`);

export const RemoveMessageMutation = graphql(`
  mutation RemoveMessage($id: ID!, $reason: String) {
    removeMessage(id: $id, reason: $reason) {
      ...MessageFields
    }
  }
`);

export const AuditLogQuery = graphql(`
  query AuditLog($id: ID!, $first: Int!, $after: String) {
    room(id: $id) {
      id
      auditLog(first: $first, after: $after) {
        edges {
          cursor
          node {
            at
            action
            actor {
              ...UserFields
            }
            target {
              ...UserFields
            }
            message {
              id
              body
              author {
                ...UserFields
              }
            }
            reason
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);
