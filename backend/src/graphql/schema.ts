import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './user.js';
import './room.js';
import './message.js';
import './editHistory.js';
import './roomEvents.js';
import './lobby.js';
import './members.js';
import './moderation.js';
import './unread.js';
import './inbox.js';
import './threads.js';
import './reactions.js';
import './pins.js';
import './search.js';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** The whole schema, sorted so that its printed form is stable. */
export const schema = lexicographicSortSchema(builder.toSchema());
