import { onBothStores } from '../../testing/bothStores.js';
import { describeEarlyReads, describeListeners, describeLostNotes, describeLostRoomLists } from './inboxProjector.scenarios.js';

onBothStores(describeEarlyReads, { memory: 1, redis: 1 });
onBothStores(describeListeners, { memory: 1, redis: 1 });
onBothStores(describeLostNotes, { memory: 1, redis: 1 });
onBothStores(describeLostRoomLists, { memory: 1, redis: 1 });
