/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation SetStatus($status: UserStatus!) {\n    setStatus(status: $status) {\n      ...UserFields\n    }\n  }\n": typeof types.SetStatusDocument,
    "\n  fragment MessageCoreFields on Message {\n    id\n    body\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n    removedBy {\n      ...UserFields\n    }\n    replyTo {\n      ...ReplyRootFields\n    }\n    replyCount\n    lastReplyAt\n    pinnedAt\n  }\n": typeof types.MessageCoreFieldsFragmentDoc,
    "\n  fragment MessageFields on Message {\n    ...MessageCoreFields\n    reactions {\n      ...ReactionFields\n    }\n  }\n": typeof types.MessageFieldsFragmentDoc,
    "\n  fragment LiveMessageFields on Message {\n    ...MessageCoreFields\n    reactions {\n      ...LiveReactionFields\n    }\n  }\n": typeof types.LiveMessageFieldsFragmentDoc,
    "\n  fragment LiveReactionFields on Reaction {\n    emoji\n    count\n    users(first: 10) {\n      id\n      displayName\n    }\n  }\n": typeof types.LiveReactionFieldsFragmentDoc,
    "\n  fragment ReactionFields on Reaction {\n    ...LiveReactionFields\n    reactedByMe\n  }\n": typeof types.ReactionFieldsFragmentDoc,
    "\n  fragment ReplyRootFields on Message {\n    id\n    body\n    createdAt\n    deletedAt\n    replyCount\n    lastReplyAt\n    author {\n      ...UserFields\n    }\n  }\n": typeof types.ReplyRootFieldsFragmentDoc,
    "\n  fragment MessagePageFields on MessageConnection {\n    edges {\n      cursor\n      node {\n        ...MessageFields\n      }\n    }\n    pageInfo {\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n": typeof types.MessagePageFieldsFragmentDoc,
    "\n  fragment RoomInfoFields on Room {\n    id\n    name\n    kind\n    myMembership\n    myRole\n    memberCount\n  }\n": typeof types.RoomInfoFieldsFragmentDoc,
    "\n  query RoomPage($id: ID!, $last: Int!, $before: String, $members: Int!) {\n    room(id: $id) {\n      ...RoomInfoFields\n      cursor\n      readMarker\n      unreadCount\n      online {\n        ...UserFields\n      }\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n      members(first: $members) {\n        ...MemberPageFields\n      }\n    }\n  }\n": typeof types.RoomPageDocument,
    "\n  query RoomInfo($id: ID!) {\n    room(id: $id) {\n      ...RoomInfoFields\n      cursor\n    }\n  }\n": typeof types.RoomInfoDocument,
    "\n  query RoomOnline($id: ID!) {\n    room(id: $id) {\n      id\n      online {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.RoomOnlineDocument,
    "\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      __typename\n      cursor\n      at\n      ... on MessagePosted {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on UserJoined {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserLeft {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserStatusChanged {\n        user {\n          ...UserFields\n        }\n      }\n      ... on PresenceChanged {\n        onlineCount\n        joined {\n          ...UserFields\n        }\n        left {\n          ...UserFields\n        }\n      }\n      ... on UserTyping {\n        user {\n          ...UserFields\n        }\n      }\n      ... on ReactionAdded {\n        emoji\n        user {\n          id\n        }\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on ReactionRemoved {\n        emoji\n        user {\n          id\n        }\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessagePinned {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageUnpinned {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MembershipChanged {\n        member {\n          ...MemberFields\n        }\n        by {\n          ...UserFields\n        }\n        reason\n      }\n    }\n  }\n": typeof types.RoomEventsDocument,
    "\n  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String, $replyTo: ID) {\n    postMessage(roomId: $roomId, body: $body, clientId: $clientId, replyTo: $replyTo) {\n      id\n    }\n  }\n": typeof types.PostMessageDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n": typeof types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": typeof types.DeleteMessageDocument,
    "\n  mutation Typing($roomId: ID!) {\n    typing(roomId: $roomId)\n  }\n": typeof types.TypingDocument,
    "\n  query OlderMessages($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n": typeof types.OlderMessagesDocument,
    "\n  mutation MarkRead($roomId: ID!, $upTo: String!) {\n    markRead(roomId: $roomId, upTo: $upTo) {\n      ...MyRoomFields\n    }\n  }\n": typeof types.MarkReadDocument,
    "\n  query NewerMessages($id: ID!, $first: Int!, $after: String!) {\n    room(id: $id) {\n      id\n      messages(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.NewerMessagesDocument,
    "\n  query CursorAt($id: ID!, $time: DateTime!) {\n    room(id: $id) {\n      id\n      cursorAt(time: $time)\n    }\n  }\n": typeof types.CursorAtDocument,
    "\n  query EditHistory($id: ID!) {\n    message(id: $id) {\n      id\n      body\n      createdAt\n      editedAt\n      deletedAt\n      editHistory {\n        body\n        at\n      }\n    }\n  }\n": typeof types.EditHistoryDocument,
    "\n  query Thread($id: ID!, $first: Int!, $after: String) {\n    message(id: $id) {\n      ...MessageFields\n      replies(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.ThreadDocument,
    "\n  query PinnedMessages($id: ID!) {\n    room(id: $id) {\n      id\n      pinned {\n        ...MessageFields\n      }\n    }\n  }\n": typeof types.PinnedMessagesDocument,
    "\n  mutation React($messageId: ID!, $emoji: String!) {\n    react(messageId: $messageId, emoji: $emoji) {\n      ...MessageFields\n    }\n  }\n": typeof types.ReactDocument,
    "\n  mutation Unreact($messageId: ID!, $emoji: String!) {\n    unreact(messageId: $messageId, emoji: $emoji) {\n      ...MessageFields\n    }\n  }\n": typeof types.UnreactDocument,
    "\n  mutation PinMessage($id: ID!) {\n    pinMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": typeof types.PinMessageDocument,
    "\n  mutation UnpinMessage($id: ID!) {\n    unpinMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": typeof types.UnpinMessageDocument,
    "\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n    avatarUrl\n    status\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  fragment MemberFields on Member {\n    user {\n      ...UserFields\n    }\n    role\n    membership\n    since\n    mutedUntil\n    bannedUntil\n  }\n": typeof types.MemberFieldsFragmentDoc,
    "\n  fragment MemberPageFields on MemberConnection {\n    edges {\n      cursor\n      node {\n        ...MemberFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n": typeof types.MemberPageFieldsFragmentDoc,
    "\n  query MembersPage($id: ID!, $first: Int!, $after: String) {\n    room(id: $id) {\n      id\n      memberCount\n      members(first: $first, after: $after) {\n        ...MemberPageFields\n      }\n    }\n  }\n": typeof types.MembersPageDocument,
    "\n  mutation Invite($roomId: ID!, $handle: String!) {\n    invite(roomId: $roomId, handle: $handle) {\n      ...MemberFields\n    }\n  }\n": typeof types.InviteDocument,
    "\n  mutation Kick($roomId: ID!, $userId: ID!, $reason: String) {\n    kick(roomId: $roomId, userId: $userId, reason: $reason) {\n      ...MemberFields\n    }\n  }\n": typeof types.KickDocument,
    "\n  mutation Ban($roomId: ID!, $userId: ID!, $reason: String, $until: DateTime) {\n    ban(roomId: $roomId, userId: $userId, reason: $reason, until: $until) {\n      ...MemberFields\n    }\n  }\n": typeof types.BanDocument,
    "\n  mutation Unban($roomId: ID!, $userId: ID!) {\n    unban(roomId: $roomId, userId: $userId) {\n      ...MemberFields\n    }\n  }\n": typeof types.UnbanDocument,
    "\n  mutation Mute($roomId: ID!, $userId: ID!, $until: DateTime!, $reason: String) {\n    mute(roomId: $roomId, userId: $userId, until: $until, reason: $reason) {\n      ...MemberFields\n    }\n  }\n": typeof types.MuteDocument,
    "\n  mutation Unmute($roomId: ID!, $userId: ID!) {\n    unmute(roomId: $roomId, userId: $userId) {\n      ...MemberFields\n    }\n  }\n": typeof types.UnmuteDocument,
    "\n  mutation SetRole($roomId: ID!, $userId: ID!, $role: RoomRole!) {\n    setRole(roomId: $roomId, userId: $userId, role: $role) {\n      ...MemberFields\n    }\n  }\n": typeof types.SetRoleDocument,
    "\n  mutation RemoveMessage($id: ID!, $reason: String) {\n    removeMessage(id: $id, reason: $reason) {\n      ...MessageFields\n    }\n  }\n": typeof types.RemoveMessageDocument,
    "\n  query AuditLog($id: ID!, $first: Int!, $after: String) {\n    room(id: $id) {\n      id\n      auditLog(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            at\n            action\n            actor {\n              ...UserFields\n            }\n            target {\n              ...UserFields\n            }\n            message {\n              id\n              body\n              author {\n                ...UserFields\n              }\n            }\n            reason\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query NewestMessages($id: ID!, $last: Int!) {\n    room(id: $id) {\n      id\n      messages(last: $last) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n      }\n    }\n  }\n": typeof types.NewestMessagesDocument,
    "\n  query Users($prefix: String!, $first: Int!) {\n    users(prefix: $prefix, first: $first) {\n      ...UserFields\n    }\n  }\n": typeof types.UsersDocument,
    "\n  fragment RoomFields on Room {\n    id\n    name\n    onlineCount\n  }\n": typeof types.RoomFieldsFragmentDoc,
    "\n  query RoomDirectory($first: Int!, $after: String, $search: String) {\n    lobbyCursor\n    roomDirectory(first: $first, after: $after, search: $search) {\n      edges {\n        node {\n          ...RoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RoomDirectoryDocument,
    "\n  subscription LobbyEvents($after: String) {\n    lobbyEvents(after: $after) {\n      kind\n      cursor\n      room {\n        ...RoomFields\n      }\n    }\n  }\n": typeof types.LobbyEventsDocument,
    "\n  fragment MyRoomFields on Room {\n    id\n    name\n    kind\n    myMembership\n    myRole\n    unreadCount\n    mentionCount\n    readMarker\n    lastActivityAt\n  }\n": typeof types.MyRoomFieldsFragmentDoc,
    "\n  query MyRooms($first: Int!, $after: String) {\n    myRooms(first: $first, after: $after) {\n      edges {\n        node {\n          ...MyRoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.MyRoomsDocument,
    "\n  query MyRoomsWithInbox($first: Int!) {\n    inboxCursor\n    myRooms(first: $first) {\n      edges {\n        node {\n          ...MyRoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.MyRoomsWithInboxDocument,
    "\n  subscription Inbox($after: String) {\n    inbox(after: $after) {\n      cursor\n      kind\n      at\n      room {\n        ...MyRoomFields\n      }\n    }\n  }\n": typeof types.InboxDocument,
    "\n  query DirectPeople($id: ID!) {\n    room(id: $id) {\n      id\n      members(first: 9) {\n        edges {\n          node {\n            user {\n              ...UserFields\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.DirectPeopleDocument,
    "\n  mutation CreateRoom($name: String!, $kind: RoomKind) {\n    createRoom(name: $name, kind: $kind) {\n      ...RoomFields\n      ...MyRoomFields\n    }\n  }\n": typeof types.CreateRoomDocument,
    "\n  mutation OpenDirect($handles: [String!]!) {\n    openDirect(handles: $handles) {\n      ...MyRoomFields\n    }\n  }\n": typeof types.OpenDirectDocument,
    "\n  mutation JoinRoom($roomId: ID!) {\n    joinRoom(roomId: $roomId) {\n      ...MyRoomFields\n    }\n  }\n": typeof types.JoinRoomDocument,
    "\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId) {\n      id\n    }\n  }\n": typeof types.LeaveRoomDocument,
    "\n  mutation DeclineInvite($roomId: ID!) {\n    declineInvite(roomId: $roomId) {\n      id\n    }\n  }\n": typeof types.DeclineInviteDocument,
    "\n  fragment SearchHitFields on SearchEdge {\n    cursor\n    highlights {\n      start\n      length\n    }\n    node {\n      id\n      body\n      createdAt\n      editedAt\n      deletedAt\n      room {\n        id\n        name\n        kind\n      }\n      author {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.SearchHitFieldsFragmentDoc,
    "\n  query Search($query: String!, $roomId: ID, $first: Int!, $after: String) {\n    search(query: $query, roomId: $roomId, first: $first, after: $after) {\n      edges {\n        ...SearchHitFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.SearchDocument,
};
const documents: Documents = {
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": types.MeDocument,
    "\n  mutation SetStatus($status: UserStatus!) {\n    setStatus(status: $status) {\n      ...UserFields\n    }\n  }\n": types.SetStatusDocument,
    "\n  fragment MessageCoreFields on Message {\n    id\n    body\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n    removedBy {\n      ...UserFields\n    }\n    replyTo {\n      ...ReplyRootFields\n    }\n    replyCount\n    lastReplyAt\n    pinnedAt\n  }\n": types.MessageCoreFieldsFragmentDoc,
    "\n  fragment MessageFields on Message {\n    ...MessageCoreFields\n    reactions {\n      ...ReactionFields\n    }\n  }\n": types.MessageFieldsFragmentDoc,
    "\n  fragment LiveMessageFields on Message {\n    ...MessageCoreFields\n    reactions {\n      ...LiveReactionFields\n    }\n  }\n": types.LiveMessageFieldsFragmentDoc,
    "\n  fragment LiveReactionFields on Reaction {\n    emoji\n    count\n    users(first: 10) {\n      id\n      displayName\n    }\n  }\n": types.LiveReactionFieldsFragmentDoc,
    "\n  fragment ReactionFields on Reaction {\n    ...LiveReactionFields\n    reactedByMe\n  }\n": types.ReactionFieldsFragmentDoc,
    "\n  fragment ReplyRootFields on Message {\n    id\n    body\n    createdAt\n    deletedAt\n    replyCount\n    lastReplyAt\n    author {\n      ...UserFields\n    }\n  }\n": types.ReplyRootFieldsFragmentDoc,
    "\n  fragment MessagePageFields on MessageConnection {\n    edges {\n      cursor\n      node {\n        ...MessageFields\n      }\n    }\n    pageInfo {\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n": types.MessagePageFieldsFragmentDoc,
    "\n  fragment RoomInfoFields on Room {\n    id\n    name\n    kind\n    myMembership\n    myRole\n    memberCount\n  }\n": types.RoomInfoFieldsFragmentDoc,
    "\n  query RoomPage($id: ID!, $last: Int!, $before: String, $members: Int!) {\n    room(id: $id) {\n      ...RoomInfoFields\n      cursor\n      readMarker\n      unreadCount\n      online {\n        ...UserFields\n      }\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n      members(first: $members) {\n        ...MemberPageFields\n      }\n    }\n  }\n": types.RoomPageDocument,
    "\n  query RoomInfo($id: ID!) {\n    room(id: $id) {\n      ...RoomInfoFields\n      cursor\n    }\n  }\n": types.RoomInfoDocument,
    "\n  query RoomOnline($id: ID!) {\n    room(id: $id) {\n      id\n      online {\n        ...UserFields\n      }\n    }\n  }\n": types.RoomOnlineDocument,
    "\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      __typename\n      cursor\n      at\n      ... on MessagePosted {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on UserJoined {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserLeft {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserStatusChanged {\n        user {\n          ...UserFields\n        }\n      }\n      ... on PresenceChanged {\n        onlineCount\n        joined {\n          ...UserFields\n        }\n        left {\n          ...UserFields\n        }\n      }\n      ... on UserTyping {\n        user {\n          ...UserFields\n        }\n      }\n      ... on ReactionAdded {\n        emoji\n        user {\n          id\n        }\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on ReactionRemoved {\n        emoji\n        user {\n          id\n        }\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessagePinned {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageUnpinned {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MembershipChanged {\n        member {\n          ...MemberFields\n        }\n        by {\n          ...UserFields\n        }\n        reason\n      }\n    }\n  }\n": types.RoomEventsDocument,
    "\n  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String, $replyTo: ID) {\n    postMessage(roomId: $roomId, body: $body, clientId: $clientId, replyTo: $replyTo) {\n      id\n    }\n  }\n": types.PostMessageDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n": types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": types.DeleteMessageDocument,
    "\n  mutation Typing($roomId: ID!) {\n    typing(roomId: $roomId)\n  }\n": types.TypingDocument,
    "\n  query OlderMessages($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n": types.OlderMessagesDocument,
    "\n  mutation MarkRead($roomId: ID!, $upTo: String!) {\n    markRead(roomId: $roomId, upTo: $upTo) {\n      ...MyRoomFields\n    }\n  }\n": types.MarkReadDocument,
    "\n  query NewerMessages($id: ID!, $first: Int!, $after: String!) {\n    room(id: $id) {\n      id\n      messages(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.NewerMessagesDocument,
    "\n  query CursorAt($id: ID!, $time: DateTime!) {\n    room(id: $id) {\n      id\n      cursorAt(time: $time)\n    }\n  }\n": types.CursorAtDocument,
    "\n  query EditHistory($id: ID!) {\n    message(id: $id) {\n      id\n      body\n      createdAt\n      editedAt\n      deletedAt\n      editHistory {\n        body\n        at\n      }\n    }\n  }\n": types.EditHistoryDocument,
    "\n  query Thread($id: ID!, $first: Int!, $after: String) {\n    message(id: $id) {\n      ...MessageFields\n      replies(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.ThreadDocument,
    "\n  query PinnedMessages($id: ID!) {\n    room(id: $id) {\n      id\n      pinned {\n        ...MessageFields\n      }\n    }\n  }\n": types.PinnedMessagesDocument,
    "\n  mutation React($messageId: ID!, $emoji: String!) {\n    react(messageId: $messageId, emoji: $emoji) {\n      ...MessageFields\n    }\n  }\n": types.ReactDocument,
    "\n  mutation Unreact($messageId: ID!, $emoji: String!) {\n    unreact(messageId: $messageId, emoji: $emoji) {\n      ...MessageFields\n    }\n  }\n": types.UnreactDocument,
    "\n  mutation PinMessage($id: ID!) {\n    pinMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": types.PinMessageDocument,
    "\n  mutation UnpinMessage($id: ID!) {\n    unpinMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": types.UnpinMessageDocument,
    "\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n    avatarUrl\n    status\n  }\n": types.UserFieldsFragmentDoc,
    "\n  fragment MemberFields on Member {\n    user {\n      ...UserFields\n    }\n    role\n    membership\n    since\n    mutedUntil\n    bannedUntil\n  }\n": types.MemberFieldsFragmentDoc,
    "\n  fragment MemberPageFields on MemberConnection {\n    edges {\n      cursor\n      node {\n        ...MemberFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n": types.MemberPageFieldsFragmentDoc,
    "\n  query MembersPage($id: ID!, $first: Int!, $after: String) {\n    room(id: $id) {\n      id\n      memberCount\n      members(first: $first, after: $after) {\n        ...MemberPageFields\n      }\n    }\n  }\n": types.MembersPageDocument,
    "\n  mutation Invite($roomId: ID!, $handle: String!) {\n    invite(roomId: $roomId, handle: $handle) {\n      ...MemberFields\n    }\n  }\n": types.InviteDocument,
    "\n  mutation Kick($roomId: ID!, $userId: ID!, $reason: String) {\n    kick(roomId: $roomId, userId: $userId, reason: $reason) {\n      ...MemberFields\n    }\n  }\n": types.KickDocument,
    "\n  mutation Ban($roomId: ID!, $userId: ID!, $reason: String, $until: DateTime) {\n    ban(roomId: $roomId, userId: $userId, reason: $reason, until: $until) {\n      ...MemberFields\n    }\n  }\n": types.BanDocument,
    "\n  mutation Unban($roomId: ID!, $userId: ID!) {\n    unban(roomId: $roomId, userId: $userId) {\n      ...MemberFields\n    }\n  }\n": types.UnbanDocument,
    "\n  mutation Mute($roomId: ID!, $userId: ID!, $until: DateTime!, $reason: String) {\n    mute(roomId: $roomId, userId: $userId, until: $until, reason: $reason) {\n      ...MemberFields\n    }\n  }\n": types.MuteDocument,
    "\n  mutation Unmute($roomId: ID!, $userId: ID!) {\n    unmute(roomId: $roomId, userId: $userId) {\n      ...MemberFields\n    }\n  }\n": types.UnmuteDocument,
    "\n  mutation SetRole($roomId: ID!, $userId: ID!, $role: RoomRole!) {\n    setRole(roomId: $roomId, userId: $userId, role: $role) {\n      ...MemberFields\n    }\n  }\n": types.SetRoleDocument,
    "\n  mutation RemoveMessage($id: ID!, $reason: String) {\n    removeMessage(id: $id, reason: $reason) {\n      ...MessageFields\n    }\n  }\n": types.RemoveMessageDocument,
    "\n  query AuditLog($id: ID!, $first: Int!, $after: String) {\n    room(id: $id) {\n      id\n      auditLog(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            at\n            action\n            actor {\n              ...UserFields\n            }\n            target {\n              ...UserFields\n            }\n            message {\n              id\n              body\n              author {\n                ...UserFields\n              }\n            }\n            reason\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query NewestMessages($id: ID!, $last: Int!) {\n    room(id: $id) {\n      id\n      messages(last: $last) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n      }\n    }\n  }\n": types.NewestMessagesDocument,
    "\n  query Users($prefix: String!, $first: Int!) {\n    users(prefix: $prefix, first: $first) {\n      ...UserFields\n    }\n  }\n": types.UsersDocument,
    "\n  fragment RoomFields on Room {\n    id\n    name\n    onlineCount\n  }\n": types.RoomFieldsFragmentDoc,
    "\n  query RoomDirectory($first: Int!, $after: String, $search: String) {\n    lobbyCursor\n    roomDirectory(first: $first, after: $after, search: $search) {\n      edges {\n        node {\n          ...RoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RoomDirectoryDocument,
    "\n  subscription LobbyEvents($after: String) {\n    lobbyEvents(after: $after) {\n      kind\n      cursor\n      room {\n        ...RoomFields\n      }\n    }\n  }\n": types.LobbyEventsDocument,
    "\n  fragment MyRoomFields on Room {\n    id\n    name\n    kind\n    myMembership\n    myRole\n    unreadCount\n    mentionCount\n    readMarker\n    lastActivityAt\n  }\n": types.MyRoomFieldsFragmentDoc,
    "\n  query MyRooms($first: Int!, $after: String) {\n    myRooms(first: $first, after: $after) {\n      edges {\n        node {\n          ...MyRoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.MyRoomsDocument,
    "\n  query MyRoomsWithInbox($first: Int!) {\n    inboxCursor\n    myRooms(first: $first) {\n      edges {\n        node {\n          ...MyRoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.MyRoomsWithInboxDocument,
    "\n  subscription Inbox($after: String) {\n    inbox(after: $after) {\n      cursor\n      kind\n      at\n      room {\n        ...MyRoomFields\n      }\n    }\n  }\n": types.InboxDocument,
    "\n  query DirectPeople($id: ID!) {\n    room(id: $id) {\n      id\n      members(first: 9) {\n        edges {\n          node {\n            user {\n              ...UserFields\n            }\n          }\n        }\n      }\n    }\n  }\n": types.DirectPeopleDocument,
    "\n  mutation CreateRoom($name: String!, $kind: RoomKind) {\n    createRoom(name: $name, kind: $kind) {\n      ...RoomFields\n      ...MyRoomFields\n    }\n  }\n": types.CreateRoomDocument,
    "\n  mutation OpenDirect($handles: [String!]!) {\n    openDirect(handles: $handles) {\n      ...MyRoomFields\n    }\n  }\n": types.OpenDirectDocument,
    "\n  mutation JoinRoom($roomId: ID!) {\n    joinRoom(roomId: $roomId) {\n      ...MyRoomFields\n    }\n  }\n": types.JoinRoomDocument,
    "\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId) {\n      id\n    }\n  }\n": types.LeaveRoomDocument,
    "\n  mutation DeclineInvite($roomId: ID!) {\n    declineInvite(roomId: $roomId) {\n      id\n    }\n  }\n": types.DeclineInviteDocument,
    "\n  fragment SearchHitFields on SearchEdge {\n    cursor\n    highlights {\n      start\n      length\n    }\n    node {\n      id\n      body\n      createdAt\n      editedAt\n      deletedAt\n      room {\n        id\n        name\n        kind\n      }\n      author {\n        ...UserFields\n      }\n    }\n  }\n": types.SearchHitFieldsFragmentDoc,
    "\n  query Search($query: String!, $roomId: ID, $first: Int!, $after: String) {\n    search(query: $query, roomId: $roomId, first: $first, after: $after) {\n      edges {\n        ...SearchHitFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.SearchDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetStatus($status: UserStatus!) {\n    setStatus(status: $status) {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetStatus($status: UserStatus!) {\n    setStatus(status: $status) {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MessageCoreFields on Message {\n    id\n    body\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n    removedBy {\n      ...UserFields\n    }\n    replyTo {\n      ...ReplyRootFields\n    }\n    replyCount\n    lastReplyAt\n    pinnedAt\n  }\n"): (typeof documents)["\n  fragment MessageCoreFields on Message {\n    id\n    body\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n    removedBy {\n      ...UserFields\n    }\n    replyTo {\n      ...ReplyRootFields\n    }\n    replyCount\n    lastReplyAt\n    pinnedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MessageFields on Message {\n    ...MessageCoreFields\n    reactions {\n      ...ReactionFields\n    }\n  }\n"): (typeof documents)["\n  fragment MessageFields on Message {\n    ...MessageCoreFields\n    reactions {\n      ...ReactionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveMessageFields on Message {\n    ...MessageCoreFields\n    reactions {\n      ...LiveReactionFields\n    }\n  }\n"): (typeof documents)["\n  fragment LiveMessageFields on Message {\n    ...MessageCoreFields\n    reactions {\n      ...LiveReactionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveReactionFields on Reaction {\n    emoji\n    count\n    users(first: 10) {\n      id\n      displayName\n    }\n  }\n"): (typeof documents)["\n  fragment LiveReactionFields on Reaction {\n    emoji\n    count\n    users(first: 10) {\n      id\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReactionFields on Reaction {\n    ...LiveReactionFields\n    reactedByMe\n  }\n"): (typeof documents)["\n  fragment ReactionFields on Reaction {\n    ...LiveReactionFields\n    reactedByMe\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReplyRootFields on Message {\n    id\n    body\n    createdAt\n    deletedAt\n    replyCount\n    lastReplyAt\n    author {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  fragment ReplyRootFields on Message {\n    id\n    body\n    createdAt\n    deletedAt\n    replyCount\n    lastReplyAt\n    author {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MessagePageFields on MessageConnection {\n    edges {\n      cursor\n      node {\n        ...MessageFields\n      }\n    }\n    pageInfo {\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n"): (typeof documents)["\n  fragment MessagePageFields on MessageConnection {\n    edges {\n      cursor\n      node {\n        ...MessageFields\n      }\n    }\n    pageInfo {\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RoomInfoFields on Room {\n    id\n    name\n    kind\n    myMembership\n    myRole\n    memberCount\n  }\n"): (typeof documents)["\n  fragment RoomInfoFields on Room {\n    id\n    name\n    kind\n    myMembership\n    myRole\n    memberCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoomPage($id: ID!, $last: Int!, $before: String, $members: Int!) {\n    room(id: $id) {\n      ...RoomInfoFields\n      cursor\n      readMarker\n      unreadCount\n      online {\n        ...UserFields\n      }\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n      members(first: $members) {\n        ...MemberPageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query RoomPage($id: ID!, $last: Int!, $before: String, $members: Int!) {\n    room(id: $id) {\n      ...RoomInfoFields\n      cursor\n      readMarker\n      unreadCount\n      online {\n        ...UserFields\n      }\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n      members(first: $members) {\n        ...MemberPageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoomInfo($id: ID!) {\n    room(id: $id) {\n      ...RoomInfoFields\n      cursor\n    }\n  }\n"): (typeof documents)["\n  query RoomInfo($id: ID!) {\n    room(id: $id) {\n      ...RoomInfoFields\n      cursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoomOnline($id: ID!) {\n    room(id: $id) {\n      id\n      online {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query RoomOnline($id: ID!) {\n    room(id: $id) {\n      id\n      online {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      __typename\n      cursor\n      at\n      ... on MessagePosted {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on UserJoined {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserLeft {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserStatusChanged {\n        user {\n          ...UserFields\n        }\n      }\n      ... on PresenceChanged {\n        onlineCount\n        joined {\n          ...UserFields\n        }\n        left {\n          ...UserFields\n        }\n      }\n      ... on UserTyping {\n        user {\n          ...UserFields\n        }\n      }\n      ... on ReactionAdded {\n        emoji\n        user {\n          id\n        }\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on ReactionRemoved {\n        emoji\n        user {\n          id\n        }\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessagePinned {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageUnpinned {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MembershipChanged {\n        member {\n          ...MemberFields\n        }\n        by {\n          ...UserFields\n        }\n        reason\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      __typename\n      cursor\n      at\n      ... on MessagePosted {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on UserJoined {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserLeft {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserStatusChanged {\n        user {\n          ...UserFields\n        }\n      }\n      ... on PresenceChanged {\n        onlineCount\n        joined {\n          ...UserFields\n        }\n        left {\n          ...UserFields\n        }\n      }\n      ... on UserTyping {\n        user {\n          ...UserFields\n        }\n      }\n      ... on ReactionAdded {\n        emoji\n        user {\n          id\n        }\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on ReactionRemoved {\n        emoji\n        user {\n          id\n        }\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessagePinned {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MessageUnpinned {\n        message {\n          ...LiveMessageFields\n        }\n      }\n      ... on MembershipChanged {\n        member {\n          ...MemberFields\n        }\n        by {\n          ...UserFields\n        }\n        reason\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String, $replyTo: ID) {\n    postMessage(roomId: $roomId, body: $body, clientId: $clientId, replyTo: $replyTo) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String, $replyTo: ID) {\n    postMessage(roomId: $roomId, body: $body, clientId: $clientId, replyTo: $replyTo) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Typing($roomId: ID!) {\n    typing(roomId: $roomId)\n  }\n"): (typeof documents)["\n  mutation Typing($roomId: ID!) {\n    typing(roomId: $roomId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OlderMessages($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query OlderMessages($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkRead($roomId: ID!, $upTo: String!) {\n    markRead(roomId: $roomId, upTo: $upTo) {\n      ...MyRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation MarkRead($roomId: ID!, $upTo: String!) {\n    markRead(roomId: $roomId, upTo: $upTo) {\n      ...MyRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NewerMessages($id: ID!, $first: Int!, $after: String!) {\n    room(id: $id) {\n      id\n      messages(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query NewerMessages($id: ID!, $first: Int!, $after: String!) {\n    room(id: $id) {\n      id\n      messages(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CursorAt($id: ID!, $time: DateTime!) {\n    room(id: $id) {\n      id\n      cursorAt(time: $time)\n    }\n  }\n"): (typeof documents)["\n  query CursorAt($id: ID!, $time: DateTime!) {\n    room(id: $id) {\n      id\n      cursorAt(time: $time)\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EditHistory($id: ID!) {\n    message(id: $id) {\n      id\n      body\n      createdAt\n      editedAt\n      deletedAt\n      editHistory {\n        body\n        at\n      }\n    }\n  }\n"): (typeof documents)["\n  query EditHistory($id: ID!) {\n    message(id: $id) {\n      id\n      body\n      createdAt\n      editedAt\n      deletedAt\n      editHistory {\n        body\n        at\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Thread($id: ID!, $first: Int!, $after: String) {\n    message(id: $id) {\n      ...MessageFields\n      replies(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Thread($id: ID!, $first: Int!, $after: String) {\n    message(id: $id) {\n      ...MessageFields\n      replies(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PinnedMessages($id: ID!) {\n    room(id: $id) {\n      id\n      pinned {\n        ...MessageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query PinnedMessages($id: ID!) {\n    room(id: $id) {\n      id\n      pinned {\n        ...MessageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation React($messageId: ID!, $emoji: String!) {\n    react(messageId: $messageId, emoji: $emoji) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation React($messageId: ID!, $emoji: String!) {\n    react(messageId: $messageId, emoji: $emoji) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unreact($messageId: ID!, $emoji: String!) {\n    unreact(messageId: $messageId, emoji: $emoji) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation Unreact($messageId: ID!, $emoji: String!) {\n    unreact(messageId: $messageId, emoji: $emoji) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PinMessage($id: ID!) {\n    pinMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation PinMessage($id: ID!) {\n    pinMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnpinMessage($id: ID!) {\n    unpinMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation UnpinMessage($id: ID!) {\n    unpinMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n    avatarUrl\n    status\n  }\n"): (typeof documents)["\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n    avatarUrl\n    status\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MemberFields on Member {\n    user {\n      ...UserFields\n    }\n    role\n    membership\n    since\n    mutedUntil\n    bannedUntil\n  }\n"): (typeof documents)["\n  fragment MemberFields on Member {\n    user {\n      ...UserFields\n    }\n    role\n    membership\n    since\n    mutedUntil\n    bannedUntil\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MemberPageFields on MemberConnection {\n    edges {\n      cursor\n      node {\n        ...MemberFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n"): (typeof documents)["\n  fragment MemberPageFields on MemberConnection {\n    edges {\n      cursor\n      node {\n        ...MemberFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MembersPage($id: ID!, $first: Int!, $after: String) {\n    room(id: $id) {\n      id\n      memberCount\n      members(first: $first, after: $after) {\n        ...MemberPageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query MembersPage($id: ID!, $first: Int!, $after: String) {\n    room(id: $id) {\n      id\n      memberCount\n      members(first: $first, after: $after) {\n        ...MemberPageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Invite($roomId: ID!, $handle: String!) {\n    invite(roomId: $roomId, handle: $handle) {\n      ...MemberFields\n    }\n  }\n"): (typeof documents)["\n  mutation Invite($roomId: ID!, $handle: String!) {\n    invite(roomId: $roomId, handle: $handle) {\n      ...MemberFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Kick($roomId: ID!, $userId: ID!, $reason: String) {\n    kick(roomId: $roomId, userId: $userId, reason: $reason) {\n      ...MemberFields\n    }\n  }\n"): (typeof documents)["\n  mutation Kick($roomId: ID!, $userId: ID!, $reason: String) {\n    kick(roomId: $roomId, userId: $userId, reason: $reason) {\n      ...MemberFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Ban($roomId: ID!, $userId: ID!, $reason: String, $until: DateTime) {\n    ban(roomId: $roomId, userId: $userId, reason: $reason, until: $until) {\n      ...MemberFields\n    }\n  }\n"): (typeof documents)["\n  mutation Ban($roomId: ID!, $userId: ID!, $reason: String, $until: DateTime) {\n    ban(roomId: $roomId, userId: $userId, reason: $reason, until: $until) {\n      ...MemberFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unban($roomId: ID!, $userId: ID!) {\n    unban(roomId: $roomId, userId: $userId) {\n      ...MemberFields\n    }\n  }\n"): (typeof documents)["\n  mutation Unban($roomId: ID!, $userId: ID!) {\n    unban(roomId: $roomId, userId: $userId) {\n      ...MemberFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Mute($roomId: ID!, $userId: ID!, $until: DateTime!, $reason: String) {\n    mute(roomId: $roomId, userId: $userId, until: $until, reason: $reason) {\n      ...MemberFields\n    }\n  }\n"): (typeof documents)["\n  mutation Mute($roomId: ID!, $userId: ID!, $until: DateTime!, $reason: String) {\n    mute(roomId: $roomId, userId: $userId, until: $until, reason: $reason) {\n      ...MemberFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unmute($roomId: ID!, $userId: ID!) {\n    unmute(roomId: $roomId, userId: $userId) {\n      ...MemberFields\n    }\n  }\n"): (typeof documents)["\n  mutation Unmute($roomId: ID!, $userId: ID!) {\n    unmute(roomId: $roomId, userId: $userId) {\n      ...MemberFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRole($roomId: ID!, $userId: ID!, $role: RoomRole!) {\n    setRole(roomId: $roomId, userId: $userId, role: $role) {\n      ...MemberFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetRole($roomId: ID!, $userId: ID!, $role: RoomRole!) {\n    setRole(roomId: $roomId, userId: $userId, role: $role) {\n      ...MemberFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMessage($id: ID!, $reason: String) {\n    removeMessage(id: $id, reason: $reason) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveMessage($id: ID!, $reason: String) {\n    removeMessage(id: $id, reason: $reason) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($id: ID!, $first: Int!, $after: String) {\n    room(id: $id) {\n      id\n      auditLog(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            at\n            action\n            actor {\n              ...UserFields\n            }\n            target {\n              ...UserFields\n            }\n            message {\n              id\n              body\n              author {\n                ...UserFields\n              }\n            }\n            reason\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($id: ID!, $first: Int!, $after: String) {\n    room(id: $id) {\n      id\n      auditLog(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            at\n            action\n            actor {\n              ...UserFields\n            }\n            target {\n              ...UserFields\n            }\n            message {\n              id\n              body\n              author {\n                ...UserFields\n              }\n            }\n            reason\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NewestMessages($id: ID!, $last: Int!) {\n    room(id: $id) {\n      id\n      messages(last: $last) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query NewestMessages($id: ID!, $last: Int!) {\n    room(id: $id) {\n      id\n      messages(last: $last) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users($prefix: String!, $first: Int!) {\n    users(prefix: $prefix, first: $first) {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  query Users($prefix: String!, $first: Int!) {\n    users(prefix: $prefix, first: $first) {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RoomFields on Room {\n    id\n    name\n    onlineCount\n  }\n"): (typeof documents)["\n  fragment RoomFields on Room {\n    id\n    name\n    onlineCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoomDirectory($first: Int!, $after: String, $search: String) {\n    lobbyCursor\n    roomDirectory(first: $first, after: $after, search: $search) {\n      edges {\n        node {\n          ...RoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query RoomDirectory($first: Int!, $after: String, $search: String) {\n    lobbyCursor\n    roomDirectory(first: $first, after: $after, search: $search) {\n      edges {\n        node {\n          ...RoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LobbyEvents($after: String) {\n    lobbyEvents(after: $after) {\n      kind\n      cursor\n      room {\n        ...RoomFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription LobbyEvents($after: String) {\n    lobbyEvents(after: $after) {\n      kind\n      cursor\n      room {\n        ...RoomFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MyRoomFields on Room {\n    id\n    name\n    kind\n    myMembership\n    myRole\n    unreadCount\n    mentionCount\n    readMarker\n    lastActivityAt\n  }\n"): (typeof documents)["\n  fragment MyRoomFields on Room {\n    id\n    name\n    kind\n    myMembership\n    myRole\n    unreadCount\n    mentionCount\n    readMarker\n    lastActivityAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyRooms($first: Int!, $after: String) {\n    myRooms(first: $first, after: $after) {\n      edges {\n        node {\n          ...MyRoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyRooms($first: Int!, $after: String) {\n    myRooms(first: $first, after: $after) {\n      edges {\n        node {\n          ...MyRoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyRoomsWithInbox($first: Int!) {\n    inboxCursor\n    myRooms(first: $first) {\n      edges {\n        node {\n          ...MyRoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyRoomsWithInbox($first: Int!) {\n    inboxCursor\n    myRooms(first: $first) {\n      edges {\n        node {\n          ...MyRoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Inbox($after: String) {\n    inbox(after: $after) {\n      cursor\n      kind\n      at\n      room {\n        ...MyRoomFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription Inbox($after: String) {\n    inbox(after: $after) {\n      cursor\n      kind\n      at\n      room {\n        ...MyRoomFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DirectPeople($id: ID!) {\n    room(id: $id) {\n      id\n      members(first: 9) {\n        edges {\n          node {\n            user {\n              ...UserFields\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query DirectPeople($id: ID!) {\n    room(id: $id) {\n      id\n      members(first: 9) {\n        edges {\n          node {\n            user {\n              ...UserFields\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRoom($name: String!, $kind: RoomKind) {\n    createRoom(name: $name, kind: $kind) {\n      ...RoomFields\n      ...MyRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateRoom($name: String!, $kind: RoomKind) {\n    createRoom(name: $name, kind: $kind) {\n      ...RoomFields\n      ...MyRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OpenDirect($handles: [String!]!) {\n    openDirect(handles: $handles) {\n      ...MyRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation OpenDirect($handles: [String!]!) {\n    openDirect(handles: $handles) {\n      ...MyRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation JoinRoom($roomId: ID!) {\n    joinRoom(roomId: $roomId) {\n      ...MyRoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation JoinRoom($roomId: ID!) {\n    joinRoom(roomId: $roomId) {\n      ...MyRoomFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeclineInvite($roomId: ID!) {\n    declineInvite(roomId: $roomId) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation DeclineInvite($roomId: ID!) {\n    declineInvite(roomId: $roomId) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SearchHitFields on SearchEdge {\n    cursor\n    highlights {\n      start\n      length\n    }\n    node {\n      id\n      body\n      createdAt\n      editedAt\n      deletedAt\n      room {\n        id\n        name\n        kind\n      }\n      author {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment SearchHitFields on SearchEdge {\n    cursor\n    highlights {\n      start\n      length\n    }\n    node {\n      id\n      body\n      createdAt\n      editedAt\n      deletedAt\n      room {\n        id\n        name\n        kind\n      }\n      author {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Search($query: String!, $roomId: ID, $first: Int!, $after: String) {\n    search(query: $query, roomId: $roomId, first: $first, after: $after) {\n      edges {\n        ...SearchHitFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Search($query: String!, $roomId: ID, $first: Int!, $after: String) {\n    search(query: $query, roomId: $roomId, first: $first, after: $after) {\n      edges {\n        ...SearchHitFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;