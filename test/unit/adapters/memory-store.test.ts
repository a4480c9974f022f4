import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', async (clock) => createMemoryStore({ clock }));
