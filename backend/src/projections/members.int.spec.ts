import { onBothStores } from '../testing/bothStores.js';
import { describeMembers } from './members.scenarios.js';

onBothStores(describeMembers, { memory: 150, redis: 60 });
