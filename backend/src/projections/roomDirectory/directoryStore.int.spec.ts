import { describeDirectoryStoreContract } from './directoryStore.contract.js';
import { createMemoryDirectoryStore } from './memoryDirectoryStore.js';

describeDirectoryStoreContract('memory', async () => ({ store: createMemoryDirectoryStore(), cleanup: async () => {} }));
