import { onOneRedis } from './redisScenarios.js';
import { describeUserNamesBackfill } from './userNames.scenarios.js';

onOneRedis(describeUserNamesBackfill);
