// Test-only: an Informer whose cache is fed by the test (or by the fake cluster's write log) instead of
// a list+watch, dispatching to handlers exactly as the real informer does.
import type { ResourceInfo } from '../../api/resources.js';
import type { EventHandler, Informer } from '../../client/informer.js';
import type { ApiObject } from '../../client/resource.js';
import { createStore, type Indexer, metaNamespaceKey } from '../../client/store.js';

export interface FakeInformer<T extends ApiObject> extends Informer<T> {
  /** Stores the object and dispatches onAdd or onUpdate. */
  apply(obj: T): void;
  /** Removes the object and dispatches onDelete. */
  remove(obj: T): void;
}

export function createFakeInformer<T extends ApiObject>(
  resource: ResourceInfo,
  indexers?: Record<string, Indexer<T>>,
): FakeInformer<T> {
  const store = createStore<T>(indexers);
  let handlers: EventHandler<T>[] = [];
  return {
    resource,
    store,
    run: (signal) =>
      new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      }),
    hasSynced: () => true,
    waitForSync: async () => true,
    addEventHandler(handler) {
      handlers = [...handlers, handler];
      for (const obj of store.values()) handler.onAdd?.(obj);
      return {
        remove() {
          handlers = handlers.filter((h) => h !== handler);
        },
      };
    },
    addIndexers: (more) => store.addIndexers(more),
    lastSyncResourceVersion: () => '',
    apply(obj) {
      const old = store.set(metaNamespaceKey(obj), obj);
      for (const h of handlers) {
        if (old === undefined) h.onAdd?.(obj);
        else h.onUpdate?.(old, obj);
      }
    },
    remove(obj) {
      const old = store.delete(metaNamespaceKey(obj));
      if (old === undefined) return;
      for (const h of handlers) h.onDelete?.(obj, false);
    },
  };
}
