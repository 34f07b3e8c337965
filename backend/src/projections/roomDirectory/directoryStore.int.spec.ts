import { describeDirectoryStoreContract } from './directoryStore.contract.js';
import { createMemoryDirectoryStore } from './memoryDirectoryStore.js';

describeDirectoryStoreContract('memory', async () => ({ store: createMemoryDirectoryStore(), cleanup: async () => {} }));
// Blocks of at most 3 rooms: every test then splits, empties and crosses blocks.
describeDirectoryStoreContract('memory, small blocks', async () => ({
  store: createMemoryDirectoryStore({ blockMax: 3 }),
  cleanup: async () => {},
}));
