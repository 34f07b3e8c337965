import { describeMigration } from './migrate.scenarios.js';
import { onOneRedis } from './redisScenarios.js';

onOneRedis(describeMigration);
