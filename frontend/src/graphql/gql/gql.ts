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
    "\n  fragment MessageFields on Message {\n    id\n    body\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n  }\n": typeof types.MessageFieldsFragmentDoc,
    "\n  fragment MessagePageFields on MessageConnection {\n    edges {\n      cursor\n      node {\n        ...MessageFields\n      }\n    }\n    pageInfo {\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n": typeof types.MessagePageFieldsFragmentDoc,
    "\n  query RoomPage($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      name\n      cursor\n      online {\n        ...UserFields\n      }\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n": typeof types.RoomPageDocument,
    "\n  query RoomOnline($id: ID!) {\n    room(id: $id) {\n      id\n      online {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.RoomOnlineDocument,
    "\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      __typename\n      cursor\n      at\n      ... on MessagePosted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on UserJoined {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserLeft {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserStatusChanged {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserTyping {\n        user {\n          ...UserFields\n        }\n      }\n    }\n  }\n": typeof types.RoomEventsDocument,
    "\n  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String) {\n    postMessage(roomId: $roomId, body: $body, clientId: $clientId) {\n      id\n    }\n  }\n": typeof types.PostMessageDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n": typeof types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": typeof types.DeleteMessageDocument,
    "\n  mutation Typing($roomId: ID!) {\n    typing(roomId: $roomId)\n  }\n": typeof types.TypingDocument,
    "\n  query OlderMessages($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n": typeof types.OlderMessagesDocument,
    "\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n    avatarUrl\n    status\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  fragment RoomFields on Room {\n    id\n    name\n    onlineCount\n  }\n": typeof types.RoomFieldsFragmentDoc,
    "\n  query RoomDirectory($first: Int!, $after: String, $search: String) {\n    lobbyCursor\n    roomDirectory(first: $first, after: $after, search: $search) {\n      edges {\n        node {\n          ...RoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RoomDirectoryDocument,
    "\n  subscription LobbyEvents($after: String) {\n    lobbyEvents(after: $after) {\n      kind\n      cursor\n      room {\n        ...RoomFields\n      }\n    }\n  }\n": typeof types.LobbyEventsDocument,
    "\n  mutation CreateRoom($name: String!) {\n    createRoom(name: $name) {\n      ...RoomFields\n    }\n  }\n": typeof types.CreateRoomDocument,
};
const documents: Documents = {
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": types.MeDocument,
    "\n  mutation SetStatus($status: UserStatus!) {\n    setStatus(status: $status) {\n      ...UserFields\n    }\n  }\n": types.SetStatusDocument,
    "\n  fragment MessageFields on Message {\n    id\n    body\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n  }\n": types.MessageFieldsFragmentDoc,
    "\n  fragment MessagePageFields on MessageConnection {\n    edges {\n      cursor\n      node {\n        ...MessageFields\n      }\n    }\n    pageInfo {\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n": types.MessagePageFieldsFragmentDoc,
    "\n  query RoomPage($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      name\n      cursor\n      online {\n        ...UserFields\n      }\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n": types.RoomPageDocument,
    "\n  query RoomOnline($id: ID!) {\n    room(id: $id) {\n      id\n      online {\n        ...UserFields\n      }\n    }\n  }\n": types.RoomOnlineDocument,
    "\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      __typename\n      cursor\n      at\n      ... on MessagePosted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on UserJoined {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserLeft {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserStatusChanged {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserTyping {\n        user {\n          ...UserFields\n        }\n      }\n    }\n  }\n": types.RoomEventsDocument,
    "\n  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String) {\n    postMessage(roomId: $roomId, body: $body, clientId: $clientId) {\n      id\n    }\n  }\n": types.PostMessageDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n": types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": types.DeleteMessageDocument,
    "\n  mutation Typing($roomId: ID!) {\n    typing(roomId: $roomId)\n  }\n": types.TypingDocument,
    "\n  query OlderMessages($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n": types.OlderMessagesDocument,
    "\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n    avatarUrl\n    status\n  }\n": types.UserFieldsFragmentDoc,
    "\n  fragment RoomFields on Room {\n    id\n    name\n    onlineCount\n  }\n": types.RoomFieldsFragmentDoc,
    "\n  query RoomDirectory($first: Int!, $after: String, $search: String) {\n    lobbyCursor\n    roomDirectory(first: $first, after: $after, search: $search) {\n      edges {\n        node {\n          ...RoomFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RoomDirectoryDocument,
    "\n  subscription LobbyEvents($after: String) {\n    lobbyEvents(after: $after) {\n      kind\n      cursor\n      room {\n        ...RoomFields\n      }\n    }\n  }\n": types.LobbyEventsDocument,
    "\n  mutation CreateRoom($name: String!) {\n    createRoom(name: $name) {\n      ...RoomFields\n    }\n  }\n": types.CreateRoomDocument,
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
export function graphql(source: "\n  fragment MessageFields on Message {\n    id\n    body\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  fragment MessageFields on Message {\n    id\n    body\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MessagePageFields on MessageConnection {\n    edges {\n      cursor\n      node {\n        ...MessageFields\n      }\n    }\n    pageInfo {\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n"): (typeof documents)["\n  fragment MessagePageFields on MessageConnection {\n    edges {\n      cursor\n      node {\n        ...MessageFields\n      }\n    }\n    pageInfo {\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoomPage($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      name\n      cursor\n      online {\n        ...UserFields\n      }\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query RoomPage($id: ID!, $last: Int!, $before: String) {\n    room(id: $id) {\n      id\n      name\n      cursor\n      online {\n        ...UserFields\n      }\n      messages(last: $last, before: $before) {\n        ...MessagePageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoomOnline($id: ID!) {\n    room(id: $id) {\n      id\n      online {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query RoomOnline($id: ID!) {\n    room(id: $id) {\n      id\n      online {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      __typename\n      cursor\n      at\n      ... on MessagePosted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on UserJoined {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserLeft {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserStatusChanged {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserTyping {\n        user {\n          ...UserFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RoomEvents($roomId: ID!, $after: String) {\n    roomEvents(roomId: $roomId, after: $after) {\n      __typename\n      cursor\n      at\n      ... on MessagePosted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on UserJoined {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserLeft {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserStatusChanged {\n        user {\n          ...UserFields\n        }\n      }\n      ... on UserTyping {\n        user {\n          ...UserFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String) {\n    postMessage(roomId: $roomId, body: $body, clientId: $clientId) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation PostMessage($roomId: ID!, $body: String!, $clientId: String) {\n    postMessage(roomId: $roomId, body: $body, clientId: $clientId) {\n      id\n    }\n  }\n"];
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
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n    avatarUrl\n    status\n  }\n"): (typeof documents)["\n  fragment UserFields on User {\n    id\n    handle\n    displayName\n    avatarUrl\n    status\n  }\n"];
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
export function graphql(source: "\n  mutation CreateRoom($name: String!) {\n    createRoom(name: $name) {\n      ...RoomFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateRoom($name: String!) {\n    createRoom(name: $name) {\n      ...RoomFields\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;