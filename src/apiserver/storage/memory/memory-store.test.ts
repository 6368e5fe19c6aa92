import { runStorageConformance } from '../conformance.js';
import { createMemoryStorage } from './memory-store.js';

runStorageConformance('memory', async () => {
  const store = createMemoryStorage();
  return { store, cleanup: () => store.close() };
});
