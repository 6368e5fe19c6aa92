// The storage entry point for the apiserver: open a Storage by URL (see storage-url.ts).
import type { CompactorOptions } from './compactor.js';
import { type EmbeddedStorageOptions, openEmbeddedStorage } from './embedded/embedded-store.js';
import type { EtcdStorageOptions } from './etcd/etcd-store.js';
import { createMemoryStorage } from './memory/memory-store.js';
import { parseStorageUrl } from './storage-url.js';
import type { Storage } from './types.js';

export type { Compactor, CompactorOptions } from './compactor.js';
export { defaultCompactionIntervalMs, startCompactor } from './compactor.js';
export type { EmbeddedStorageOptions } from './embedded/embedded-store.js';
export { openEmbeddedStorage } from './embedded/embedded-store.js';
export type { EtcdStorageOptions } from './etcd/etcd-store.js';
export { createMemoryStorage } from './memory/memory-store.js';
export { parseStorageUrl, type StorageLocation, supportedStorageUrls } from './storage-url.js';
export * from './types.js';

export interface OpenStorageOptions {
  /** Periodic compaction for embedded and etcd (the apiserver's job); default none. */
  compaction?: CompactorOptions;
  embedded?: Omit<EmbeddedStorageOptions, 'dir' | 'compaction'>;
  etcd?: Omit<EtcdStorageOptions, 'endpoints' | 'prefix' | 'compaction'>;
}

export async function openStorage(url: string, options: OpenStorageOptions = {}): Promise<Storage> {
  const location = parseStorageUrl(url);
  switch (location.kind) {
    case 'memory':
      return createMemoryStorage();
    case 'embedded':
      return openEmbeddedStorage({ ...options.embedded, dir: location.dir, compaction: options.compaction });
    case 'etcd': {
      // Loaded on demand: the gRPC client is only needed by clusters that use etcd.
      const { openEtcdStorage } = await import('./etcd/etcd-store.js');
      return openEtcdStorage({
        ...options.etcd,
        endpoints: location.endpoints,
        prefix: location.prefix,
        compaction: options.compaction,
      });
    }
  }
}
