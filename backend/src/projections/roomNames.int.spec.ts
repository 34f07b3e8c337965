import { onOneRedis } from './redisScenarios.js';
import { describeRoomNameClaims } from './roomNames.scenarios.js';

onOneRedis(describeRoomNameClaims);
