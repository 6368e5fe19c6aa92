import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStorageConformance } from '../conformance.js';
import { openEmbeddedStorage } from './embedded-store.js';

function tempStore(writerThread: boolean) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-embedded-'));
    const store = await openEmbeddedStorage({ dir, writerThread, replayChunk: 256 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

runStorageConformance('embedded (writer thread)', tempStore(true));
runStorageConformance('embedded (inline writer)', tempStore(false));
